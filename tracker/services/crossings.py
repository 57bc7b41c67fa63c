"""Writes about crossings: status rows, retractions, daily flow figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..models import (
    Actor,
    Change,
    Crossing,
    CrossingStatus,
    CrossingStatusRetraction,
    FlowCount,
    Report,
    Source,
    Traffic,
)
from ._common import append_change, now_or, set_history_user
from .reports import report_vouch


def crossing_status_check(
    *, effective_at: datetime | None, report: Report | None, note: str, now: datetime | None = None
) -> None:
    """The rules a new status row must meet; forms call this too, so they refuse what the service refuses."""
    errors: dict[str, str] = {}
    if effective_at is None:
        errors["effective_at"] = gettext("Say when the status took effect.")
    elif timezone.is_naive(effective_at):
        errors["effective_at"] = gettext("A time zone is required (for example 2023-10-16T09:00:00+00:00).")
    elif effective_at > now_or(now) + timedelta(minutes=settings.STATUS_MAX_FUTURE_SKEW_MINUTES):
        errors["effective_at"] = gettext("A status cannot take effect in the future; record it when it does.")
    if report is None and not (note or "").strip():
        errors["note"] = gettext("Give the evidence: cite a report or write a note.")
    elif report is not None and report.review_state == Report.ReviewState.NOT_RELEVANT:
        errors["report"] = gettext(
            "This report is marked not relevant, so readers cannot see it. Mark it relevant first."
        )
    elif report is not None and report.review_state == Report.ReviewState.DUPLICATE:
        errors["report"] = gettext("This report is a duplicate of report %(original)s; cite that one.") % {
            "original": report.duplicate_of_id
        }
    if errors:
        raise ValidationError(errors)


def crossing_record_status(
    *,
    crossing: Crossing,
    status: str,
    effective_at: datetime,
    recorded_by: Any,
    traffic: str = Traffic.ALL,
    certainty: str = CrossingStatus.Certainty.REPORTED,
    report: Report | None = None,
    stated_by: Actor | None = None,
    note: str = "",
    now: datetime | None = None,
) -> CrossingStatus:
    """Append a status row for a crossing; the only way one is ever written.

    A row may be back-dated (the rule orders by ``effective_at``), but not dated in the future: a planned
    opening is news, not a status. A cited report nobody reviewed is marked relevant by whoever records the row,
    in the same transaction (``report_vouch``), so readers always see the evidence a status rests on.
    """
    now = now_or(now)
    note = (note or "").strip()
    crossing_status_check(effective_at=effective_at, report=report, note=note, now=now)
    row = CrossingStatus(
        crossing=crossing,
        status=status,
        traffic=traffic,
        effective_at=effective_at,
        recorded_at=now,
        recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
        certainty=certainty,
        report=report,
        stated_by=stated_by,
        note=note,
    )
    row.full_clean(exclude=["uid"])
    with transaction.atomic():
        # Appends to one crossing are serialised, so readers of the change feed see them in recorded order.
        Crossing.objects.select_for_update().filter(pk=crossing.pk).exists()
        if report is not None:
            report_vouch(report=report, reviewed_by=recorded_by)
        row.save()
        append_change(kind=Change.Kind.CROSSING_STATUS, crossing_status=row, recorded_by=row.recorded_by)
    return row


def crossing_retract_status(*, status_row: CrossingStatus, recorded_by: Any, reason: str) -> CrossingStatusRetraction:
    """Withdraw a status row that should never have been recorded; the row stays, the rule skips it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Say why the status is retracted.")})
    already = ValidationError(gettext("This status has already been retracted."))
    with transaction.atomic():
        # The crossing's lock orders two retractions of one row: the second sees the first's once it commits.
        # The one-to-one key is the last word (a caller holding an older snapshot, a path that skipped the lock):
        # its IntegrityError is the same refusal, inside a savepoint so the caller's transaction stays usable.
        list(Crossing.objects.select_for_update().filter(pk=status_row.crossing_id).values_list("pk", flat=True))
        if CrossingStatusRetraction.objects.filter(status_row=status_row).exists():
            raise already
        try:
            with transaction.atomic():
                retraction = CrossingStatusRetraction.objects.create(
                    status_row=status_row,
                    reason=reason,
                    recorded_at=timezone.now(),
                    recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            if not CrossingStatusRetraction.objects.filter(status_row=status_row).exists():
                raise
            raise already from exc
        append_change(kind=Change.Kind.STATUS_RETRACTION, retraction=retraction, recorded_by=retraction.recorded_by)
    return retraction


def flow_count_record(
    *,
    crossing: Crossing,
    day: date,
    metric: str,
    value: int,
    source: Source,
    recorded_by: Any,
    report: Report | None = None,
    note: str = "",
) -> tuple[FlowCount, bool]:
    """Record one source's figure for a crossing and day; returns (row, created).

    Another source's figure for the same day is another row. The same source giving a new figure for the same
    day corrects its own row, and the old value stays in the row's history.
    """
    if value is None or value < 0:
        raise ValidationError({"value": gettext("A count cannot be negative.")})
    with transaction.atomic():
        row = (
            FlowCount.objects.select_for_update()
            .filter(crossing=crossing, day=day, metric=metric, source=source)
            .first()
        )
        if row is None:
            row = FlowCount(
                crossing=crossing,
                day=day,
                metric=metric,
                value=value,
                source=source,
                report=report,
                note=note,
                recorded_by=recorded_by if getattr(recorded_by, "is_authenticated", False) else None,
            )
            row.full_clean(exclude=["uid"], validate_unique=False)
            set_history_user(row, recorded_by)
            row.save()
            return row, True
        if (row.value, row.report_id, row.note) != (value, report.pk if report else None, note):
            row.value, row.report, row.note = value, report, note
            row.version += 1
            set_history_user(row, recorded_by)
            row.save(update_fields=["value", "report", "note", "version"])
        return row, False
