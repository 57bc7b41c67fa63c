"""Writes about status suggestions: raising them from reports, and an editor's decision on each.

The machine proposes; a person decides. Accepting appends a status row through ``crossing_record_status`` (which
vouches for the report, so readers see the evidence), at a moment somebody stated: the report's own date, or the
time the editor sets when the report gave none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Actor, Crossing, CrossingStatus, Report, StatusSuggestion, Traffic
from ._common import history_bulk_create, insert_new_rows, set_history_user
from .crossings import crossing_record_status

UNDATED_REPORT_MESSAGE = _(
    "The report gave no date (its time is the moment it was fetched), so nobody stated when this took effect. "
    "Set the effective time from the report's text."
)


@dataclass(frozen=True, slots=True)
class SuggestionItem:
    """A status read in a report, to be proposed (``suggestion_raise_many`` takes these)."""

    report_id: int
    crossing_id: int
    proposed_status: str
    traffic: str = Traffic.ALL
    evidence: str = ""
    matched_phrase: str = ""
    confidence: float = 1.0
    reason: str = ""


def suggestion_raise(
    *,
    report: Report,
    crossing: Crossing,
    proposed_status: str,
    traffic: str = Traffic.ALL,
    evidence: str,
    matched_phrase: str = "",
    confidence: float = 1.0,
    reason: str = "",
) -> tuple[StatusSuggestion, bool]:
    """Propose a status change read in a report; the same report never raises the same suggestion twice, and
    holds at most one open question per crossing and kind of traffic (returned when it is already there)."""
    item = SuggestionItem(
        report.pk, crossing.pk, proposed_status, traffic, evidence, matched_phrase, confidence, reason
    )
    created = suggestion_raise_many(suggestions=[item])
    if created:
        return created[0], True
    same = StatusSuggestion.objects.filter(report=report, crossing=crossing, traffic=traffic)
    existing = (
        same.filter(proposed_status=proposed_status).first() or same.filter(state=StatusSuggestion.State.PENDING).get()
    )
    return existing, False


def suggestion_raise_many(*, suggestions: Iterable[SuggestionItem]) -> list[StatusSuggestion]:
    """Propose many status changes at once; returns those that are new (a report raises each one once).

    The unique keys decide: (report, crossing, status, traffic), so a suggestion raised already, or raised by
    another writer at the same moment, is skipped; and one pending suggestion per (report, crossing, traffic), so
    a second reading of the same question waits until the first is decided. The new ones get their history rows,
    signed like any other.
    """
    rows: dict[tuple[int, int, str], StatusSuggestion] = {}
    for item in suggestions:
        evidence = (item.evidence or "").strip()
        if not evidence:
            raise ValidationError({"evidence": gettext("A suggestion needs the sentence it was read from.")})
        if item.proposed_status not in CrossingStatus.Status.values or item.traffic not in Traffic.values:
            raise ValidationError(gettext("Unknown status or traffic kind."))
        if not 0 <= item.confidence <= 1:
            raise ValidationError({"confidence": gettext("A confidence is between 0 and 1.")})
        key = (item.report_id, item.crossing_id, item.traffic)
        rows.setdefault(  # the first reading of a suggestion is its evidence, as when raised one by one
            key,
            StatusSuggestion(
                report_id=item.report_id,
                crossing_id=item.crossing_id,
                proposed_status=item.proposed_status,
                traffic=item.traffic,
                evidence=evidence[:4000],
                matched_phrase=(item.matched_phrase or "")[:200],
                confidence=item.confidence,
                reason=(item.reason or "")[:2000],
            ),
        )
    if not rows:
        return []
    with transaction.atomic():
        # In key order, so that two writers raising the same suggestions wait on each other, never crosswise.
        created = insert_new_rows([rows[key] for key in sorted(rows)])
        history_bulk_create(created)
    return created


def _decide(suggestion: StatusSuggestion) -> StatusSuggestion:
    locked = StatusSuggestion.objects.select_for_update().select_related("report", "crossing").get(pk=suggestion.pk)
    if locked.state != StatusSuggestion.State.PENDING:
        if locked.state == StatusSuggestion.State.ACCEPTED:
            raise ValidationError(gettext("This suggestion was already accepted."))
        raise ValidationError(gettext("This suggestion was already rejected."))
    return locked


def suggestion_effective_at(suggestion: StatusSuggestion, effective_at: datetime | None = None) -> datetime:
    """When an accepted suggestion takes effect: the time the editor set, else the report's own date.

    A report that gave no date has only the moment it was fetched, which nobody stated: the editor must set one.
    """
    if effective_at is not None:
        return effective_at
    report = suggestion.report
    if report.published_at_estimated:
        raise ValidationError({"effective_at": UNDATED_REPORT_MESSAGE})
    return min(report.published_at, timezone.now())


def suggestion_accept(
    *,
    suggestion: StatusSuggestion,
    decided_by: Any,
    crossing: Crossing | None = None,
    status: str | None = None,
    traffic: str | None = None,
    effective_at: datetime | None = None,
    certainty: str = CrossingStatus.Certainty.REPORTED,
    stated_by: Actor | None = None,
    note: str = "",
) -> CrossingStatus:
    """Accept a suggestion, as proposed or as the editor corrected it: a status row citing its report is appended,
    the report is marked relevant (reviewed by the editor), and the suggestion points at the row; all or nothing.
    """
    with transaction.atomic():
        locked = _decide(suggestion)
        row = crossing_record_status(
            crossing=crossing or locked.crossing,
            status=status or locked.proposed_status,
            traffic=traffic or locked.traffic,
            effective_at=suggestion_effective_at(locked, effective_at),
            recorded_by=decided_by,
            certainty=certainty,
            report=locked.report,
            stated_by=stated_by,
            note=note or f"From the report: “{locked.evidence[:900]}”",
        )
        locked.state = StatusSuggestion.State.ACCEPTED
        locked.decided_at, locked.decided_by, locked.resulting_status = timezone.now(), _person(decided_by), row
        locked.decision_note = note
        locked.version += 1
        set_history_user(locked, decided_by)
        locked.save(update_fields=["state", "decided_at", "decided_by", "resulting_status", "decision_note", "version"])
    suggestion.refresh_from_db()
    return row


def suggestion_reject(
    *, suggestion: StatusSuggestion, decided_by: Any, reason: str, note: str = ""
) -> StatusSuggestion:
    """Reject a suggestion for a reason from the short list (``other`` needs the note to say why)."""
    note = (note or "").strip()
    if reason not in StatusSuggestion.RejectionReason.values:
        raise ValidationError({"rejection_reason": gettext("Choose why the suggestion is wrong.")})
    if reason == StatusSuggestion.RejectionReason.OTHER and not note:
        raise ValidationError({"decision_note": gettext("Say why in the note when the reason is “other”.")})
    with transaction.atomic():
        locked = _decide(suggestion)
        locked.state = StatusSuggestion.State.REJECTED
        locked.decided_at, locked.decided_by = timezone.now(), _person(decided_by)
        locked.rejection_reason, locked.decision_note = reason, note
        locked.version += 1
        set_history_user(locked, decided_by)
        locked.save(update_fields=["state", "decided_at", "decided_by", "rejection_reason", "decision_note", "version"])
    suggestion.refresh_from_db()
    return suggestion


def _person(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
