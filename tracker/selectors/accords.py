"""Reads about aid disputes and evacuation agreements."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import AidDispute, AidDisputeStateChange, EvacuationAgreement, EvacuationAgreementStateChange


def accord_state_history(entity: AidDispute | EvacuationAgreement) -> QuerySet[Any]:
    """The state changes of a dispute or agreement, newest effect first."""
    if isinstance(entity, AidDispute):
        changes: QuerySet[Any] = AidDisputeStateChange.objects.filter(dispute=entity)
    else:
        changes = EvacuationAgreementStateChange.objects.filter(agreement=entity)
    return changes.select_related("recorded_by", "report").order_by("-effective_at", "-recorded_at", "-id")
