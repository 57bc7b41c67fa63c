"""Writes about aid disputes and evacuation agreements: creation and every change of state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..models import (
    AidDispute,
    AidDisputeStateChange,
    Change,
    EvacuationAgreement,
    EvacuationAgreementStateChange,
    Report,
)
from ._common import append_change, now_or, require_aware, set_history_user

StateTracked = AidDispute | EvacuationAgreement


def _history_model(
    entity: StateTracked,
) -> type[AidDisputeStateChange] | type[EvacuationAgreementStateChange]:
    return AidDisputeStateChange if isinstance(entity, AidDispute) else EvacuationAgreementStateChange


def _link(entity: StateTracked) -> dict[str, Any]:
    return {"dispute": entity} if isinstance(entity, AidDispute) else {"agreement": entity}


def _start_of(entity: StateTracked) -> Any:
    return entity.opened_on if isinstance(entity, AidDispute) else entity.announced_on


def _apply_current_state(entity: StateTracked) -> list[str]:
    """Set ``state`` (and a dispute's ``resolved_on``) from the latest change in effect; return changed fields."""
    history = _history_model(entity).objects.filter(**_link(entity)).order_by("-effective_at", "-recorded_at", "-id")
    latest = history.first()
    if latest is None:
        return []
    changed = []
    if entity.state != latest.to_state:
        entity.state = latest.to_state
        changed.append("state")
    if isinstance(entity, AidDispute):
        resolved_on = latest.effective_at.date() if latest.to_state == AidDispute.State.RESOLVED else None
        if entity.resolved_on != resolved_on:
            entity.resolved_on = resolved_on
            changed.append("resolved_on")
    return changed


def _state_before(entity: StateTracked, moment: datetime) -> str:
    earlier = (
        _history_model(entity)
        .objects.filter(**_link(entity), effective_at__lte=moment)
        .order_by("-effective_at", "-recorded_at", "-id")
        .first()
    )
    return earlier.to_state if earlier else ""


def _record(
    entity: StateTracked,
    *,
    to_state: str,
    effective_at: datetime,
    recorded_by: Any,
    report: Report | None,
    note: str,
) -> AidDisputeStateChange | EvacuationAgreementStateChange:
    model = _history_model(entity)
    change = model(
        **_link(entity),
        from_state=_state_before(entity, effective_at),
        to_state=to_state,
        effective_at=effective_at,
        recorded_at=timezone.now(),
        recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
        report=report,
        note=(note or "").strip(),
    )
    change.full_clean(exclude=["uid", "dispute", "agreement"])
    change.save()
    kind = Change.Kind.DISPUTE_STATE if isinstance(entity, AidDispute) else Change.Kind.AGREEMENT_STATE
    field = "dispute_change" if isinstance(entity, AidDispute) else "agreement_change"
    append_change(kind=kind, recorded_by=change.recorded_by, **{field: change})
    return change


def accord_check_effective_at(entity: StateTracked, effective_at: datetime | None) -> datetime:
    """The moment a state change takes effect (default: now), refused before the record begins or in the future."""
    if effective_at is not None:
        require_aware(effective_at, "effective_at")
        if effective_at.date() < _start_of(entity):
            raise ValidationError({"effective_at": gettext("A change of state cannot come before the record begins.")})
        if effective_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError({"effective_at": gettext("A change of state cannot be dated in the future.")})
        return effective_at
    return now_or(None)


def accord_create(
    *,
    entity: StateTracked,
    created_by: Any,
    effective_at: datetime | None = None,
    report: Report | None = None,
    note: str = "",
) -> StateTracked:
    """Save a new dispute or agreement and its first history row (its initial state), atomically."""
    if entity.pk is not None:
        raise ValueError("accord_create is for new rows; use accord_change_state for existing ones")
    initial_state = entity.state
    with transaction.atomic():
        if isinstance(entity, AidDispute):
            # The constraint wants a date on a resolved dispute; the history row below supplies it.
            entity.resolved_on = None
            entity.state = AidDispute.State.OPEN if initial_state == AidDispute.State.RESOLVED else initial_state
        entity.full_clean(exclude=["slug"])
        set_history_user(entity, created_by)
        entity.save()
        if effective_at is None:
            effective_at = timezone.make_aware(datetime.combine(_start_of(entity), datetime.min.time()))
        else:
            effective_at = accord_check_effective_at(entity, effective_at)
        _record(
            entity,
            to_state=initial_state,
            effective_at=effective_at,
            recorded_by=created_by,
            report=report,
            note=note or "Recorded",
        )
        changed = _apply_current_state(entity)
        if changed:
            set_history_user(entity, created_by)
            entity.save(update_fields=changed)
    return entity


def accord_change_state(
    *,
    entity: StateTracked,
    to_state: str,
    changed_by: Any,
    effective_at: datetime | None = None,
    report: Report | None = None,
    note: str = "",
) -> StateTracked:
    """Record that a dispute or agreement changed state; the row's ``state`` follows its latest change."""
    valid = AidDispute.State.values if isinstance(entity, AidDispute) else EvacuationAgreement.State.values
    if to_state not in valid:
        raise ValidationError({"state": gettext("%(state)s is not a valid state.") % {"state": repr(to_state)}})
    moment = accord_check_effective_at(entity, effective_at)
    with transaction.atomic():
        locked = type(entity).objects.select_for_update().get(pk=entity.pk)
        _record(locked, to_state=to_state, effective_at=moment, recorded_by=changed_by, report=report, note=note)
        changed = _apply_current_state(locked)
        locked.version += 1
        set_history_user(locked, changed_by)
        locked.save(update_fields=[*changed, "version"])
    entity.refresh_from_db()
    return entity
