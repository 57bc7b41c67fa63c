"""Reviewed reports: listing, full-text search, one report with its text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError

from tracker import selectors
from tracker.models import (
    Crisis,
    Crossing,
    Report,
    Source,
)

from .. import exports, filters
from .. import serializers as out
from ..pagination import ReportCursors
from ..renderers import CsvColumn
from .common import ListViewSet, _list_schema

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
            raise ValidationError({"ordering": [gettext("Order by -published_at (default) or published_at.")]})
        text = (self.request.query_params.get("q") or "").strip()
        if len(text) > 500:
            raise ValidationError({"q": [gettext("At most 500 characters.")]})
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
