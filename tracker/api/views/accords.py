"""Aid disputes and evacuation agreements, with their state history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view

from tracker.models import (
    Actor,
    AidDispute,
    Crisis,
    Crossing,
    EvacuationAgreement,
    Report,
)

from .. import exports, filters
from .. import serializers as out
from ..renderers import CsvColumn
from .common import ListViewSet, _list_schema

# --- disputes and agreements ---------------------------------------------------------------------------------


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
