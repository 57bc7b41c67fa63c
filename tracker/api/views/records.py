"""The timeline of dated events and the daily flow counts."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from tracker.models import (
    Actor,
    Crisis,
    Crossing,
    FlowCount,
    Report,
    Source,
    TimelineEvent,
)

from .. import exports, filters
from .. import serializers as out
from ..renderers import CsvColumn
from .common import ListViewSet, _list_schema


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
