"""The partner API's endpoints: each validates its input, asks a selector or a service, and serializes.

Shared behaviour lives in ``ApiMixin``: authentication, permissions, throttling, formats (JSON, streamed CSV,
GeoJSON), the one error shape, refusal of unknown query parameters, and ETag / Last-Modified with 304.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import status as http_status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tracker import caching, selectors, services
from tracker.models import (
    Actor,
    AidDispute,
    Crisis,
    Crossing,
    CrossingAlias,
    CrossingStatus,
    EvacuationAgreement,
    FlowCount,
    Report,
    Source,
    TimelineEvent,
)

from . import exports, filters
from . import serializers as out
from . import services as api_services
from .conditional import conditional, data_watermark, settled
from .models import ApiToken, Webhook
from .pagination import PageNumbers, ReportCursors, decode_change_cursor, encode_change_cursor, positive_int
from .permissions import MayRecordStatus, ReadAccess, TokenHolder
from .renderers import CsvColumn, CSVRenderer, GeoJSONRenderer, ORJSONRenderer, csv_lines

FORMAT_PARAM = "format"


# What a cached answer holds: (content type, body, watermark). Part of the key, so that a deployment that changes
# it never reads another's entries.
ANSWER_SHAPE = 2


class CachedAnswer(HttpResponse):
    """A body from the answer cache; finished like a fresh one (headers, ETag, 304)."""


def parse_moment(request: Request, param: str) -> datetime | None:
    """An ISO 8601 time from the query string; without an offset it is UTC. Malformed: a 400 naming ``param``."""
    raw = request.query_params.get(param)
    if raw is None or raw == "":
        return None
    try:
        return filters.to_utc(drf_serializers.DateTimeField(default_timezone=UTC).to_internal_value(raw))
    except (drf_serializers.ValidationError, DjangoValidationError):
        raise ValidationError({param: ["Give an ISO 8601 time, for example 2023-10-16T09:00:00Z."]}) from None


class ApiMixin(GenericAPIView):
    """Everything every endpoint does the same way. Authentication (bearer token, staff session), read
    permission, per-token throttling and content negotiation are the REST_FRAMEWORK defaults in settings."""

    list_renderers: Sequence[type] = (ORJSONRenderer, CSVRenderer)
    detail_renderers: Sequence[type] = (ORJSONRenderer,)
    # Tables (with django-simple-history) whose writes change what this endpoint shows.
    watermark_models: Sequence[type[Model]] = ()
    # Query parameters of this endpoint besides its filters, paging and ordering.
    extra_params: frozenset[str] = frozenset()
    csv_filename = "export"
    # JSON and GeoJSON answers to GET are cached under the record's version (tracker/caching.py): the same URL
    # and format give the same body to every reader until the record changes. False where they would not.
    cache_answers = True
    answer_key: str | None = None

    def is_list(self) -> bool:
        return getattr(self, "action", None) == "list"

    def get_renderers(self) -> list[Any]:
        return [renderer() for renderer in (self.list_renderers if self.is_list() else self.detail_renderers)]

    def allowed_params(self) -> set[str]:
        names = {FORMAT_PARAM, *self.extra_params}
        if self.is_list():
            filterset = getattr(self, "filterset_class", None)
            if filterset is not None:
                names |= set(filterset.base_filters)
            paginator = getattr(self, "pagination_class", None)
            if paginator is PageNumbers:
                names |= {"page", "page_size"}
            elif paginator is ReportCursors:
                names |= {"cursor", "page_size"}
            if getattr(self, "ordering_fields", None):
                names.add("ordering")
        return names

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in {"GET", "HEAD"}:
            unknown = sorted(set(request.query_params) - self.allowed_params())
            if unknown:
                allowed = ", ".join(sorted(self.allowed_params()))
                raise ValidationError(
                    {name: [f"Unknown parameter. This endpoint takes: {allowed}."] for name in unknown}
                )
            self.answer_from_cache(request)

    def answer_from_cache(self, request: Request) -> None:
        """After authentication, permissions, throttling and parameter checks: when this exact answer is cached,
        the handler is replaced by one that returns it (CSV exports are streamed, never cached)."""
        if not self.cache_answers or self.wants("csv"):
            return
        self.answer_key = caching.answer_key(
            "api", ANSWER_SHAPE, type(self).__name__, request.build_absolute_uri(), request.accepted_media_type
        )
        cached = caching.answer_get(self.answer_key) if self.answer_key else None
        if cached is not None:
            content_type, body, self.watermark = cached
            handler = str(request.method).lower()
            setattr(self, handler, lambda *args, **kwargs: CachedAnswer(body, content_type=content_type))

    def answer_valid_until(self) -> datetime | None:
        """Hook: a moment after which the answer just computed may be wrong although nothing was written."""
        return None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are JSON whatever format was asked for: a CSV "file" holding an error would be read as data.
            request.accepted_renderer = ORJSONRenderer()
            request.accepted_media_type = ORJSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in {"GET", "HEAD"} and response.status_code == 200:
            if isinstance(response, Response):
                response.render()
                last_modified = self.last_modified()
                if self.answer_key is not None:
                    # The watermark is part of the answer: it only moves when the record does.
                    answer = (response["Content-Type"], response.content, self.watermark)
                    caching.answer_put(self.answer_key, answer, valid_until=self.answer_valid_until())
                return conditional(request, response, last_modified)
            if isinstance(response, CachedAnswer):
                return conditional(request, response, settled(self.watermark))
        return response

    watermark: datetime | None = None

    def last_modified(self) -> datetime | None:
        if not self.watermark_models:
            return None
        self.watermark = data_watermark(self.watermark_models)
        return settled(self.watermark)

    # --- lists ---

    def wants(self, fmt: str) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == fmt

    def csv_columns(self) -> Sequence[CsvColumn]:
        raise NotImplementedError

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterable[Any]:
        return queryset.iterator(chunk_size=settings.API_CSV_CHUNK)

    def csv_response(self, rows: Iterable[Any]) -> StreamingHttpResponse:
        """The whole list, not a page, streamed row by row so that a full export never times out."""
        response = StreamingHttpResponse(csv_lines(self.csv_columns(), rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}-{stamp}.csv"'
        response["Vary"] = "Accept, Authorization, Cookie"
        return response

    def prepare(self, rows: list[Any]) -> list[Any]:
        """Hook: finish a page of rows before serializing (e.g. attach statuses)."""
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        if self.wants("csv"):
            return self.csv_response(self.csv_rows(queryset))
        page = self.prepare(list(self.paginate_queryset(queryset) or []))
        return self.get_paginated_response(self.rows_data(page))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        [instance] = self.prepare([self.get_object()])
        return Response(self.rows_data([instance])[0])

    def rows_data(self, rows: Sequence[Any]) -> Sequence[Any]:
        """Hook: rows as JSON-ready data; by the serializer unless a view builds them by hand, faster."""
        return list(self.get_serializer(rows, many=True).data)


class ListViewSet(ApiMixin, GenericViewSet):
    pagination_class: type[BasePagination] | None = PageNumbers
    filter_backends = [DjangoFilterBackend, filters.StrictOrderingFilter]


FORMAT_DESCRIPTION = (
    "Response format. `json` (default), or `csv`: the whole filtered list (not a page), streamed, with an HXL "
    "hashtag row under the header. Same as sending `Accept: text/csv`."
)


def _list_schema(summary: str, description: str, serializer: Any, **extra: Any) -> Any:
    return extend_schema(summary=summary, description=description, responses=serializer, **extra)


# --- crises, actors -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=_list_schema(
        "List crises",
        "Crises the tracker follows, newest first, with their countries (ISO 3166).",
        out.CrisisSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One crisis", description="A crisis by its slug.", responses=out.CrisisSerializer),
)
class CrisisViewSet(ListViewSet):
    path_example = "israel-hamas-war"
    serializer_class = out.CrisisSerializer
    filterset_class = filters.CrisisFilter
    ordering_fields = ["name", "started_on"]
    lookup_field = "slug"
    watermark_models = (Crisis,)
    csv_filename = "crises"

    def get_queryset(self) -> QuerySet[Crisis]:
        return Crisis.objects.prefetch_related("countries").order_by("-started_on", "name")

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.CRISIS_COLUMNS


@extend_schema_view(
    list=_list_schema(
        "List actors",
        "States, UN agencies, NGOs, armed groups and other parties, by name.",
        out.ActorSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One actor", description="An actor by its slug.", responses=out.ActorSerializer),
)
class ActorViewSet(ListViewSet):
    path_example = "egypt"
    serializer_class = out.ActorSerializer
    filterset_class = filters.ActorFilter
    ordering_fields = ["name"]
    lookup_field = "slug"
    watermark_models = (Actor,)
    csv_filename = "actors"

    def get_queryset(self) -> QuerySet[Actor]:
        return Actor.objects.select_related("country").order_by("name")

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.ACTOR_COLUMNS


# --- crossings ------------------------------------------------------------------------------------------------

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATETIME,
    description="The moment the status describes (ISO 8601; without an offset, UTC). Default: now. The answer is "
    "what the record, as it stands today, says held at that moment, corrections included.",
    examples=[OpenApiExample("during the closure", value="2023-10-16T09:00:00Z")],
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
        self.as_of_requested = parse_moment(request, "as_of")
        self.as_of = self.as_of_requested or timezone.now()

    def get_queryset(self) -> QuerySet[Crossing]:
        base = Crossing.objects.select_related("side_a", "side_b").order_by("name")
        return selectors.crossings_annotated_with_status(base, as_of=getattr(self, "as_of", None))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "as_of_requested": getattr(self, "as_of_requested", None)}

    def answer_valid_until(self) -> datetime | None:
        # "Now" changes when a row recorded ahead of its time (clock skew) takes effect; a given moment never does.
        if self.as_of_requested is not None:
            return None
        return caching.next_moment_after(self.as_of, reports=False)

    def prepare(self, rows: list[Any]) -> list[Any]:
        return _attach_names(selectors.attach_statuses(rows))

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
        return [out.crossing_data(crossing, as_of_requested=self.as_of_requested) for crossing in rows]

    def feature(self, crossing: Any) -> dict[str, Any]:
        properties = out.crossing_data(crossing, as_of_requested=self.as_of_requested)
        latitude, longitude = properties.pop("latitude"), properties.pop("longitude")
        geometry = None if latitude is None else {"type": "Point", "coordinates": [float(longitude), float(latitude)]}
        return {"type": "Feature", "id": crossing.slug, "geometry": geometry, "properties": properties}

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
    pagination_class = PageNumbers
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
    def get(self, request: Request, slug: str) -> Any:
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
        response["Location"] = request.build_absolute_uri()
        return response


# --- disputes, agreements, timeline, flows --------------------------------------------------------------------------


@extend_schema_view(
    list=_list_schema(
        "List aid disputes",
        "What blocks aid: parties, crossings affected, subject, state and its history (newest first).",
        out.AidDisputeSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One aid dispute",
        description="A dispute by its slug, with its state history.",
        responses=out.AidDisputeSerializer,
    ),
)
class AidDisputeViewSet(ListViewSet):
    path_example = "aid-for-gaza-through-rafah"
    serializer_class = out.AidDisputeSerializer
    filterset_class = filters.AidDisputeFilter
    ordering_fields = ["opened_on", "name"]
    lookup_field = "slug"
    watermark_models = (AidDispute, Crisis, Actor, Crossing, Report)
    csv_filename = "aid-disputes"

    def get_queryset(self) -> QuerySet[AidDispute]:
        return (
            AidDispute.objects.select_related("crisis")
            .prefetch_related("parties", "crossings", _state_changes(AidDispute))
            .order_by("-opened_on", "name")
        )

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.DISPUTE_COLUMNS


def _state_changes(model: type) -> Any:
    from django.db.models import Prefetch

    changes = model.state_changes.rel.related_model  # type: ignore[attr-defined]
    return Prefetch(
        "state_changes",
        queryset=changes.objects.select_related("report__source").order_by("-effective_at", "-recorded_at", "-id"),
    )


@extend_schema_view(
    list=_list_schema(
        "List evacuation agreements",
        "Arrangements for people to leave: parties and their roles, who is eligible, crossings, state and history.",
        out.EvacuationAgreementSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One evacuation agreement",
        description="An agreement by its slug, with parties, eligibility and state history.",
        responses=out.EvacuationAgreementSerializer,
    ),
)
class EvacuationAgreementViewSet(ListViewSet):
    path_example = "safe-passage-for-dual-nationals-through-rafah"
    serializer_class = out.EvacuationAgreementSerializer
    filterset_class = filters.EvacuationAgreementFilter
    ordering_fields = ["announced_on", "name"]
    lookup_field = "slug"
    watermark_models = (EvacuationAgreement, Crisis, Actor, Crossing, Report)
    csv_filename = "evacuation-agreements"

    def get_queryset(self) -> QuerySet[EvacuationAgreement]:
        from django.db.models import Prefetch

        from tracker.models import AgreementParty

        return (
            EvacuationAgreement.objects.select_related("crisis")
            .prefetch_related(
                "crossings",
                "eligible",
                Prefetch("parties", queryset=AgreementParty.objects.select_related("actor")),
                _state_changes(EvacuationAgreement),
            )
            .order_by("-announced_on", "name")
        )

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.AGREEMENT_COLUMNS


@extend_schema_view(
    list=_list_schema(
        "The timeline",
        "Dated developments of each crisis (meetings, statements, advisories ...), newest first.",
        out.TimelineEventSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One timeline event", description="An event by its public id.", responses=out.TimelineEventSerializer
    ),
)
class TimelineViewSet(ListViewSet):
    serializer_class = out.TimelineEventSerializer
    filterset_class = filters.TimelineFilter
    ordering_fields = ["occurred_on"]
    lookup_field = "uid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    watermark_models = (TimelineEvent, Crisis, Actor, Report)
    csv_filename = "timeline"

    def get_queryset(self) -> QuerySet[TimelineEvent]:
        from django.db.models import Prefetch

        return (
            TimelineEvent.objects.select_related("crisis")
            .prefetch_related("actors", Prefetch("reports", queryset=Report.objects.select_related("source")))
            .order_by("-occurred_on", "title")
        )

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.TIMELINE_COLUMNS


@extend_schema_view(
    list=_list_schema(
        "Daily flow counts",
        "Daily figures at crossings (aid trucks, fuel trucks, people out, ...), one per crossing, day, metric and "
        "source: two sources' figures for the same day stand side by side.",
        out.FlowCountSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One flow count", description="A daily figure by its public id.", responses=out.FlowCountSerializer
    ),
)
class FlowViewSet(ListViewSet):
    serializer_class = out.FlowCountSerializer
    filterset_class = filters.FlowFilter
    ordering_fields = ["day", "value"]
    lookup_field = "uid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    watermark_models = (FlowCount, Crossing, Source, Report)
    csv_filename = "flows"

    def get_queryset(self) -> QuerySet[FlowCount]:
        return FlowCount.objects.select_related("crossing", "source", "report__source").order_by(
            "-day", "crossing__name", "metric", "id"
        )

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.FLOW_COLUMNS


# --- reports ----------------------------------------------------------------------------------------------------

REPORT_PARAMS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description='Full-text search (PostgreSQL; words, "phrases", -excluded, or). Each result carries the '
        "matching `snippet`. Without `ordering`, the most recent matches (1,000 by default, the server's "
        "`SEARCH_RANK_WINDOW`) are ranked among themselves, best first: a common word matches far more reports "
        "than anyone reads in relevance order. To read every match, give `ordering` (or ask for CSV): all of them "
        "come in date order.",
        examples=[OpenApiExample("closure news", value="rafah closed")],
    ),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        enum=["-published_at", "published_at"],
        description="Newest first (default) or oldest first; with `q`, replaces ranking and pages through every match.",
        examples=[OpenApiExample("oldest first", value="published_at")],
    ),
]


@extend_schema_view(
    list=_list_schema(
        "List reviewed reports",
        "Reports an editor marked relevant, and only those: never new, rejected or duplicate ones. Newest first; "
        "cursor-paged (follow `next`).",
        out.ReportSerializer(many=True),
        parameters=REPORT_PARAMS,
    ),
    retrieve=extend_schema(
        summary="One reviewed report, with its text",
        description="A report by its public id; reports not marked relevant by an editor are not found.",
        responses=out.ReportDetailSerializer,
    ),
)
class ReportViewSet(ListViewSet):
    serializer_class = out.ReportSerializer
    filterset_class = filters.ReportFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = ReportCursors
    lookup_field = "uid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    extra_params = frozenset({"q", "ordering"})
    watermark_models = (Report, Source, Crisis, Crossing)
    csv_filename = "reports"
    is_search = False

    def get_serializer_class(self) -> type:
        return out.ReportDetailSerializer if self.action == "retrieve" else out.ReportSerializer

    def allowed_params(self) -> set[str]:
        names = super().allowed_params()
        return names if self.is_list() else names - {"q", "ordering"}

    def get_queryset(self) -> QuerySet[Report]:
        queryset = selectors.reports_for_readers().select_related("source").prefetch_related("crises", "crossings")
        if self.action != "list":
            return queryset
        # A list shows the summary, never the text or the raw item: they are most of a row, so they stay unread.
        queryset = queryset.defer("text", "raw")
        ordering = self.request.query_params.get("ordering")
        if ordering not in (None, "", "-published_at", "published_at"):
            raise ValidationError({"ordering": ["Order by -published_at (default) or published_at."]})
        text = (self.request.query_params.get("q") or "").strip()
        if len(text) > 500:
            raise ValidationError({"q": ["At most 500 characters."]})
        if not text:
            return queryset.order_by("-published_at", "-id")
        # Ranked (JSON without `ordering`): the most recent matches, best first. In date order (`ordering`, and
        # CSV, which is always the whole list): every match.
        self.is_search = not ordering and not self.wants("csv")
        return selectors.reports_search(queryset, text, ranked=self.is_search)

    def csv_columns(self) -> Sequence[CsvColumn]:
        columns = list(exports.REPORT_COLUMNS)
        if self.request.query_params.get("q"):
            columns.append(CsvColumn("snippet", "#description+snippet", lambda r: selectors.snippet_plain(r.snippet)))
        return columns

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterable[Any]:
        if not self.is_search:
            ascending = self.request.query_params.get("ordering") == "published_at"
            queryset = queryset.order_by(*(("published_at", "id") if ascending else ("-published_at", "-id")))
        return queryset.iterator(chunk_size=settings.API_CSV_CHUNK)


# --- the change feed ------------------------------------------------------------------------------------------


class ChangeFeedPageSerializer(drf_serializers.Serializer):
    results = out.ChangeSerializer(many=True)
    next_cursor = drf_serializers.CharField(
        help_text="Pass as `after` next time. When there is nothing new it is the cursor you sent (or, on an empty "
        "feed, one that starts at the beginning), so you can always store it and poll again."
    )
    has_more = drf_serializers.BooleanField(help_text="More changes are waiting: fetch `next` right away")
    next = drf_serializers.CharField(help_text="This endpoint with `after` set to `next_cursor`")


FEED_PARAMS = [
    OpenApiParameter(
        "after",
        OpenApiTypes.STR,
        description="Opaque cursor from a previous `next_cursor` (or an entry's `cursor`): only changes after it. "
        "Omit to start from the first change ever recorded.",
        examples=[OpenApiExample("a stored cursor", value=encode_change_cursor(41))],
    ),
    OpenApiParameter(
        "limit",
        OpenApiTypes.INT,
        description="Changes per page (default 100; at most 1000, larger values are capped).",
        examples=[OpenApiExample("a large page", value=500)],
    ),
]


class ChangeFeedView(ApiMixin):
    """``changes/``: one ordered feed of every status row, retraction and dispute or agreement state change."""

    serializer_class = out.ChangeSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ChangeFilter
    extra_params = frozenset({"after", "limit"})
    watermark_models = (Crossing, AidDispute, EvacuationAgreement, Report, Actor)
    csv_filename = "changes"

    def is_list(self) -> bool:
        return True

    def get_queryset(self) -> QuerySet[Any]:
        from tracker.models import Change

        return Change.objects.none()

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.CHANGE_COLUMNS

    @extend_schema(
        summary="The change feed",
        description="Every status row, retraction, and dispute or agreement state change, in the order they were "
        "committed. Poll with `after=<next_cursor>`: you will never miss or see twice a change, even while editors "
        "are writing. Corrections and retractions are changes of their own.",
        parameters=FEED_PARAMS,
        responses=ChangeFeedPageSerializer,
    )
    def get(self, request: Request) -> Any:
        backend = DjangoFilterBackend()
        filterset = backend.get_filterset(request, self.get_queryset(), self)
        if filterset is not None and not filterset.is_valid():
            raise ValidationError(filterset.errors)
        chosen = filterset.form.cleaned_data if filterset is not None else {}
        after = decode_change_cursor(request.query_params.get("after"))
        feed = selectors.changes_feed(
            after=after,
            kinds=[chosen["kind"]] if chosen.get("kind") else None,
            crossing=chosen.get("crossing"),
            crisis=chosen.get("crisis"),
        )
        if self.wants("csv"):
            return self.csv_response(out.change_data(c) for c in feed.iterator(chunk_size=settings.API_CSV_CHUNK))
        limit = positive_int(request, "limit", default=settings.API_FEED_PAGE_SIZE, maximum=settings.API_FEED_MAX)
        rows = list(feed[: limit + 1])
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_change_cursor(rows[-1].pk if rows else after)
        from rest_framework.utils.urls import replace_query_param

        return Response(
            {
                "results": out.changes_data(rows),
                "next_cursor": next_cursor,
                "has_more": has_more,
                "next": replace_query_param(request.build_absolute_uri(), "after", next_cursor),
            }
        )


# --- webhooks ---------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Your webhooks",
        description="The URLs registered with your token.",
        responses=out.WebhookSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One of your webhooks", description="A webhook of your token.", responses=out.WebhookSerializer
    ),
    create=extend_schema(
        summary="Register a webhook",
        description='Each new change of the feed is POSTed to the URL as JSON (`{"delivery": uid, "change": '
        '<feed entry>}`), signed: header `X-Tracker-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + '
        "body, keyed with the secret>`. Failed deliveries are retried with growing pauses. The URL must be https "
        "on a public host. The secret is shown only in this response.",
        request=out.WebhookSerializer,
        responses={201: out.WebhookCreatedSerializer},
        examples=[
            OpenApiExample("a receiver", request_only=True, value={"url": "https://partner.example.org/tracker-hook"})
        ],
    ),
    destroy=extend_schema(
        summary="Remove a webhook", description="Stops deliveries to it for good.", responses={204: None}
    ),
)
class WebhookViewSet(ApiMixin, GenericViewSet):
    permission_classes: Sequence[type[BasePermission]] = [TokenHolder]
    cache_answers = False  # each token sees its own
    serializer_class = out.WebhookSerializer
    pagination_class = PageNumbers
    lookup_field = "uid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    csv_filename = "webhooks"

    def get_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.filter(token=self.token()).order_by("created_at", "id")

    def token(self) -> ApiToken:
        assert isinstance(self.request.auth, ApiToken)  # TokenHolder let only token holders in
        return self.request.auth

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.WEBHOOK_COLUMNS

    def create(self, request: Request) -> Response:
        payload = out.WebhookSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = api_services.webhook_register(
            token=self.token(), url=payload.validated_data["url"], description=payload.validated_data["description"]
        )
        data = {**out.WebhookSerializer(created.webhook).data, "secret": created.secret}
        return Response(data, status=http_status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_services.webhook_remove(webhook=self.get_object())
        return Response(status=http_status.HTTP_204_NO_CONTENT)


__all__ = [
    "ActorViewSet",
    "AidDisputeViewSet",
    "ChangeFeedView",
    "CrisisViewSet",
    "CrossingHistoryView",
    "CrossingViewSet",
    "EvacuationAgreementViewSet",
    "FlowViewSet",
    "ReportViewSet",
    "TimelineViewSet",
    "WebhookViewSet",
]
