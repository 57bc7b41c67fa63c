"""The change feed: every status row, retraction and state change, in commit order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from tracker import selectors
from tracker.models import (
    Actor,
    AidDispute,
    Crossing,
    EvacuationAgreement,
    Report,
)

from .. import exports, filters
from .. import serializers as out
from ..pagination import decode_change_cursor, encode_change_cursor, positive_int
from ..renderers import CsvColumn
from .common import ApiMixin

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
    def get(self, request: Request, format: str | None = None) -> Any:  # format: from `changes.csv`
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
