"""Crises and actors: the reference lists."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from tracker.models import (
    Actor,
    Crisis,
)

from .. import exports, filters
from .. import serializers as out
from ..renderers import CsvColumn
from .common import ListViewSet, _list_schema

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
