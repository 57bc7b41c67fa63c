"""Crossings with their status (as of any moment), and each crossing's status history (read, and append)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import caching, selectors, services
from tracker.models import (
    Actor,
    Crisis,
    Crossing,
    CrossingAlias,
    CrossingStatus,
    Report,
    Traffic,
)
from tracker.selectors.standing import stale_after

from .. import exports, filters
from .. import serializers as out
from ..conditional import settled
from ..pagination import Cursors
from ..permissions import MayRecordStatus, ReadAccess
from ..renderers import CsvColumn, CSVRenderer, GeoJSONRenderer, ORJSONRenderer
from .common import ApiMixin, ListViewSet, _list_schema, parse_as_of

# --- crossings ------------------------------------------------------------------------------------------------

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.STR,
    description="The moment the status describes, read as the status pages read it: an ISO 8601 date alone is the "
    "end of that day in UTC (`2023-10-16`: as it stood on 16 October), a date-time without an offset is UTC, one "
    "with an offset is converted. Default: now. The answer is what the record, as it stands today, says held at "
    "that moment, corrections included. A value that cannot be read, or a moment in the future, is a 400 naming "
    "`as_of`.",
    examples=[
        OpenApiExample("during the closure", value="2023-10-16T09:00:00Z"),
        OpenApiExample("as it stood on a day", value="2023-10-16"),
    ],
)

CROSSING_FORMATS = (
    "Response format: `json` (default), `csv` (the whole list, streamed, with an HXL hashtag row) or `geojson` "
    "(a FeatureCollection with the status in each feature's properties). Same as the matching `Accept` header."
)


@extend_schema_view(
    list=_list_schema(
        "List crossings with their current status",
        "Each crossing with the status in effect for every kind of traffic (people, aid, commercial, fuel): "
        "from a row for that kind or for all traffic, when it took effect, how it is evidenced and on whose word. "
        "`as_of` gives the picture at any past moment.",
        out.CrossingSerializer(many=True),
        parameters=[AS_OF],
    ),
    retrieve=extend_schema(
        summary="One crossing with its current status",
        description="A crossing by its slug, with the status in effect for each kind of traffic (or as of `as_of`).",
        responses=out.CrossingSerializer,
        parameters=[AS_OF],
    ),
)
class CrossingViewSet(ListViewSet):
    path_example = "rafah"
    serializer_class = out.CrossingSerializer
    filterset_class = filters.CrossingFilter
    ordering_fields = ["name"]
    lookup_field = "slug"
    list_renderers = (ORJSONRenderer, CSVRenderer, GeoJSONRenderer)
    detail_renderers = (ORJSONRenderer, GeoJSONRenderer)
    extra_params = frozenset({"as_of"})
    watermark_models = (Crossing, Crisis, Report, Actor)
    csv_filename = "crossings"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.as_of_requested = parse_as_of(request)
        self.as_of = self.as_of_requested or timezone.now()

    def get_queryset(self) -> QuerySet[Crossing]:
        base = Crossing.objects.select_related("side_a", "side_b").order_by("name")
        return selectors.crossings_annotated_with_status(base, as_of=getattr(self, "as_of", None))

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "as_of_requested": getattr(self, "as_of_requested", None),
            "as_of": getattr(self, "as_of", None) or timezone.now(),
        }

    # When the statuses shown become stale (or became so), as time passes with nothing written. Set by ``prepare``.
    stale_flips: list[datetime] = []

    def answer_valid_until(self) -> datetime | None:
        # "Now" changes when a row recorded ahead of its time (clock skew) takes effect, or when a status shown
        # becomes stale; a given moment never does.
        if self.as_of_requested is not None:
            return None
        candidates = (caching.next_moment_after(self.as_of, reports=False), *self.stale_flips)
        upcoming = [m for m in candidates if m is not None and m > self.as_of]
        return min(upcoming) if upcoming else None

    def last_modified(self) -> datetime | None:
        """The data's watermark, or, answering for now, the moment a status shown went stale if that is later:
        the body changed then though nothing was written, so If-Modified-Since must not match across it."""
        settled_watermark = super().last_modified()
        if self.as_of_requested is None:
            passed = [m for m in self.stale_flips if m <= self.as_of]
            if passed and (self.watermark is None or max(passed) > self.watermark):
                self.watermark = max(passed)
                return settled(self.watermark)
        return settled_watermark

    def export_version(self) -> tuple[tuple[Any, ...], datetime | None] | None:
        """Answering for now, the export also changes with nothing written: when a row takes effect, and when a
        status shown goes stale. The latest row to have taken effect, and the latest to have gone stale, move at
        each such moment (rows take effect, and go stale, in the order of their effect), so both are in the
        version; one query."""
        version = super().export_version()
        if version is None or self.as_of_requested is not None:
            return version
        parts, moment = version
        after = stale_after()
        latest = CrossingStatus.objects.aggregate(
            effective=Max("effective_at", filter=Q(effective_at__lte=self.as_of)),
            stale=Max("effective_at", filter=Q(effective_at__lte=self.as_of - after)),
        )
        moments = [m for m in (moment, latest["effective"], latest["stale"] and latest["stale"] + after) if m]
        return (*parts, latest["effective"], latest["stale"]), max(moments, default=None)

    def prepare(self, rows: list[Any]) -> list[Any]:
        rows = _attach_names(selectors.attach_statuses(rows))
        # "Since" as the pages say it: the start of the run of equal statuses, not the latest row (one query).
        starts = selectors.status_run_starts((c.pk for c in rows), as_of=self.as_of)
        for crossing in rows:
            crossing.since_by_traffic = {kind: starts.get((crossing.pk, kind)) for kind in Traffic.specific()}
        if not self.wants("csv"):  # streamed, never cached: nothing to keep
            after = stale_after()
            self.stale_flips = [
                *self.stale_flips,
                *{row.effective_at + after for c in rows for row in c.status_by_traffic.values() if row is not None},
            ]
        return rows

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.crossing_columns(self.as_of)

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterator[Any]:
        batch: list[Any] = []
        for crossing in queryset.iterator(chunk_size=settings.API_CSV_CHUNK):
            batch.append(crossing)
            if len(batch) == settings.API_CSV_CHUNK:
                yield from self.prepare(batch)
                batch = []
        if batch:
            yield from self.prepare(batch)

    def rows_data(self, rows: Sequence[Any]) -> Sequence[Any]:
        return [
            out.crossing_data(crossing, as_of_requested=self.as_of_requested, as_of=self.as_of) for crossing in rows
        ]

    def feature(self, crossing: Any) -> dict[str, Any]:
        return exports.crossing_feature(crossing, as_of_requested=self.as_of_requested, as_of=self.as_of)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if self.wants("geojson"):
            rows = self.prepare(list(self.filter_queryset(self.get_queryset())))
            return Response({"type": "FeatureCollection", "features": [self.feature(c) for c in rows]})
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.wants("geojson"):
            [crossing] = self.prepare([self.get_object()])
            return Response(self.feature(crossing))
        return super().retrieve(request, *args, **kwargs)


# Crisis's own ordering, seen from the crossing-crisis table.
_CRISIS_ORDER = [
    f"-crisis__{f[1:]}" if f.startswith("-") else f"crisis__{f}" for f in map(str, Crisis._meta.ordering or ())
]


def _attach_names(crossings: list[Any]) -> list[Any]:
    """Each crossing's crisis slugs (``crisis_slugs``) and aliases (``alias_list``), in two queries of plain values:
    ``prefetch_related`` built a queryset per crossing to hand them over (6 ms for a page of fifty)."""
    ids = [crossing.pk for crossing in crossings]
    slugs: dict[int, list[str]] = {pk: [] for pk in ids}
    memberships = (
        Crossing.crises.through.objects.filter(crossing_id__in=ids)
        .order_by(*_CRISIS_ORDER)  # as Crisis orders itself
        .values_list("crossing_id", "crisis__slug")
    )
    for crossing_id, slug in memberships:
        slugs[crossing_id].append(slug)
    aliases: dict[int, list[dict[str, str]]] = {pk: [] for pk in ids}
    names = (
        CrossingAlias.objects.filter(crossing_id__in=ids)
        .order_by("name")
        .values_list("crossing_id", "name", "language")
    )
    for crossing_id, name, language in names:
        aliases[crossing_id].append({"name": name, "language": language})
    for crossing in crossings:
        crossing.crisis_slugs, crossing.alias_list = slugs[crossing.pk], aliases[crossing.pk]
    return crossings


class CrossingHistoryView(ApiMixin):
    """``crossings/<slug>/history/``: every row, retracted ones included; editors append with POST."""

    path_example = "rafah"

    permission_classes: Sequence[type[BasePermission]] = [ReadAccess, MayRecordStatus]
    serializer_class = out.HistoryRowSerializer
    pagination_class = Cursors
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.HistoryFilter
    watermark_models = (Crossing, Report, Actor)
    csv_filename = "crossing-history"

    def is_list(self) -> bool:
        return True

    def get_queryset(self) -> QuerySet[CrossingStatus]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no slug
            return CrossingStatus.objects.none()
        crossing = get_object_or_404(Crossing, slug=self.kwargs["slug"])
        return selectors.crossing_status_history(crossing=crossing).select_related("crossing")

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.HISTORY_COLUMNS

    def rows_data(self, rows: Sequence[Any]) -> Sequence[Any]:
        return [out.history_row_data(row) for row in rows]

    @extend_schema(
        summary="A crossing's status history",
        description="Every status row of the crossing, newest effect first, retracted rows included (with their "
        "retraction). Corrections are rows of their own; nothing is ever overwritten.",
        responses=out.HistoryRowSerializer(many=True),
    )
    def get(self, request: Request, slug: str, format: str | None = None) -> Any:  # format: from `history.csv`
        return self.list(request)

    @extend_schema(
        summary="Record a crossing status (editors only)",
        description="Appends a status row, validated as the admin validates it: a time zone is required, it may "
        "not take effect in the future, and it needs evidence (a reviewed report or a note).",
        request=out.StatusInputSerializer,
        responses={201: out.HistoryRowSerializer},
        examples=[
            OpenApiExample(
                "Rafah closed to aid",
                request_only=True,
                value={
                    "status": "closed",
                    "traffic": "aid",
                    "effective_at": "2023-10-16T09:00:00+00:00",
                    "certainty": "confirmed",
                    "stated_by": "egypt",
                    "note": "Egyptian officials said the crossing stays closed to aid convoys.",
                },
            )
        ],
    )
    def post(self, request: Request, slug: str) -> Response:
        crossing = get_object_or_404(Crossing, slug=slug)
        payload = out.StatusInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        row = services.crossing_record_status(crossing=crossing, recorded_by=request.user, **payload.validated_data)
        saved = selectors.crossing_status_history(crossing=crossing).get(pk=row.pk)
        response = Response(out.HistoryRowSerializer(out.history_row_data(saved)).data, status=201)
        location = reverse("v1:crossing-history-row", kwargs={"slug": crossing.slug, "uid": saved.uid})
        response["Location"] = request.build_absolute_uri(location)
        return response


class CrossingHistoryRowView(ApiMixin):
    """``crossings/<slug>/history/<uid>/``: one status row, the address a recorded status's 201 points at."""

    path_example = "rafah"
    serializer_class = out.HistoryRowSerializer
    watermark_models = (Crossing, Report, Actor)

    def get_object(self) -> CrossingStatus:
        crossing = get_object_or_404(Crossing, slug=self.kwargs["slug"])
        return get_object_or_404(selectors.crossing_status_history(crossing=crossing), uid=self.kwargs["uid"])

    @extend_schema(
        summary="One row of a crossing's status history",
        description="A status row by its `uid`, with its retraction if it was retracted.",
        responses=out.HistoryRowSerializer,
    )
    def get(self, request: Request, slug: str, uid: Any) -> Response:
        return Response(out.history_row_data(self.get_object()))
