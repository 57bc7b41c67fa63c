"""Writes about reports and the status suggestions they raise.

``report_store`` holds the deduplication rule, so a report entered by hand in the admin and one ingested from a
feed are judged the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import (
    AidDispute,
    Crisis,
    Crossing,
    CrossingStatus,
    EvacuationAgreement,
    Report,
    Source,
    StatusSuggestion,
    Traffic,
)
from ..text import canonical_url, content_hash, html_to_text, sanitize_html
from ._common import add_missing, now_or, require_aware, set_history_user
from .crossings import crossing_record_status


@dataclass(frozen=True)
class StoreResult:
    report: Report
    outcome: str  # "new", "updated", "unchanged" or "duplicate"


# Fields an update from the same source may change; review decisions and links stay as editors left them.
_REFRESHED_FIELDS = (
    "url",
    "canonical_url",
    "title",
    "summary_html",
    "text",
    "published_at",
    "published_at_estimated",
    "language",
    "content_hash",
    "raw",
)


def report_store(
    *,
    source: Source,
    title: str,
    url: str = "",
    external_id: str = "",
    summary_html: str = "",
    text: str = "",
    published_at: datetime | None = None,
    fetched_at: datetime | None = None,
    language: str = "",
    raw: str = "",
) -> StoreResult:
    """Store one item from a source, or refresh the row it already has.

    The same item from the same source (its external id, else its canonical URL) updates that row; the same
    story already held from anywhere (same canonical URL or content hash) is stored as a duplicate of the first.
    Safe to run twice and safe to run concurrently: the unique constraints decide, and a lost race becomes an
    update.
    """
    title = " ".join((title or "").split())[:1000]
    url = (url or "").strip()[:2000]
    external_id = (external_id or "").strip()[:500]
    if not title and not url:
        raise ValidationError("A report needs a title or a link.")
    fetched_at = now_or(fetched_at)
    require_aware(fetched_at, "fetched_at")
    if published_at is not None:
        require_aware(published_at, "published_at")
    summary = sanitize_html(summary_html)
    plain = (text or "").strip() or html_to_text(summary)
    fields: dict[str, Any] = {
        "url": url if canonical_url(url) else "",
        "canonical_url": canonical_url(url),
        "title": title,
        "summary_html": summary,
        "text": plain,
        "published_at": published_at or fetched_at,
        "published_at_estimated": published_at is None,
        "language": (language or "")[:12],
        "content_hash": content_hash(title, plain),
        "raw": raw,
    }
    if not fields["title"] and not fields["url"]:
        raise ValidationError("A report needs a title or an http(s) link.")
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _store_once(source, external_id, fields, fetched_at)
        except IntegrityError:
            # Another worker stored the same item between our lookup and our insert: look again, now finding it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _same_item(source: Source, external_id: str, canonical: str) -> Report | None:
    mine = Report.objects.select_for_update().filter(source=source)
    if external_id:
        return mine.filter(external_id=external_id).first()
    if canonical:
        return mine.filter(external_id="", canonical_url=canonical).first()
    return None


def _store_once(source: Source, external_id: str, fields: dict[str, Any], fetched_at: datetime) -> StoreResult:
    existing = _same_item(source, external_id, fields["canonical_url"])
    if existing is not None:
        if existing.published_at_estimated is False and fields["published_at_estimated"]:
            # A date once given is not replaced by a fetch time.
            fields = {**fields, "published_at": existing.published_at, "published_at_estimated": False}
        changed = [name for name in _REFRESHED_FIELDS if getattr(existing, name) != fields[name]]
        if not changed:
            return StoreResult(existing, "unchanged")
        for name in changed:
            setattr(existing, name, fields[name])
        existing.fetched_at = fetched_at
        existing.version += 1
        existing.save(update_fields=[*changed, "fetched_at", "version", "updated_at"])
        return StoreResult(existing, "updated")

    same_story = Q(content_hash=fields["content_hash"])
    if fields["canonical_url"]:
        same_story |= Q(canonical_url=fields["canonical_url"])
    original = Report.objects.filter(same_story, duplicate_of__isnull=True).order_by("id").first()
    report = Report(source=source, external_id=external_id, fetched_at=fetched_at, **fields)
    if original is not None:
        report.review_state = Report.ReviewState.DUPLICATE
        report.duplicate_of = original
    report.save()
    return StoreResult(report, "duplicate" if original is not None else "new")


def report_review(*, report: Report, state: str, reviewed_by: Any) -> Report:
    """An editor's verdict on a report: relevant (shown to analysts and partners) or not relevant."""
    if state not in {Report.ReviewState.RELEVANT, Report.ReviewState.NOT_RELEVANT, Report.ReviewState.NEW}:
        raise ValidationError({"review_state": "A report can be marked new, relevant or not relevant."})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        # Reviewing a report marked duplicate overrides the machine: the editor says it is a story of its own.
        locked.review_state = state
        if state == Report.ReviewState.NEW:
            locked.reviewed_by, locked.reviewed_at = None, None
        else:
            locked.reviewed_by, locked.reviewed_at = reviewed_by, timezone.now()
        locked.duplicate_of = None
        locked.version += 1
        set_history_user(locked, reviewed_by)
        locked.save(
            update_fields=[
                "review_state",
                "reviewed_by",
                "reviewed_at",
                "duplicate_of",
                "version",
                "updated_at",
            ]
        )
    return locked


def report_link(
    *,
    report: Report,
    crossings: list[Crossing] | None = None,
    crises: list[Crisis] | None = None,
    disputes: list[AidDispute] | None = None,
    agreements: list[EvacuationAgreement] | None = None,
) -> None:
    """Add links from a report to what it is about; existing links stay (adding twice is harmless)."""
    with transaction.atomic():
        for manager, targets in [
            (report.crossings, crossings),
            (report.crises, crises),
            (report.disputes, disputes),
            (report.agreements, agreements),
        ]:
            if targets:
                add_missing(manager, targets)


def suggestion_raise(
    *,
    report: Report,
    crossing: Crossing,
    proposed_status: str,
    traffic: str = Traffic.ALL,
    evidence: str,
    matched_phrase: str = "",
) -> tuple[StatusSuggestion, bool]:
    """Propose a status change read in a report; the same report never raises the same suggestion twice."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": "A suggestion needs the sentence it was read from."})
    if proposed_status not in CrossingStatus.Status.values or traffic not in Traffic.values:
        raise ValidationError("Unknown status or traffic kind.")
    try:
        with transaction.atomic():
            return StatusSuggestion.objects.get_or_create(
                report=report,
                crossing=crossing,
                proposed_status=proposed_status,
                traffic=traffic,
                defaults={"evidence": evidence[:4000], "matched_phrase": matched_phrase[:200]},
            )
    except IntegrityError:
        existing = StatusSuggestion.objects.get(
            report=report, crossing=crossing, proposed_status=proposed_status, traffic=traffic
        )
        return existing, False


def _decide(suggestion: StatusSuggestion) -> StatusSuggestion:
    locked = StatusSuggestion.objects.select_for_update().select_related("report", "crossing").get(pk=suggestion.pk)
    if locked.state != StatusSuggestion.State.PENDING:
        raise ValidationError(f"This suggestion was already {locked.get_state_display().lower()}.")
    return locked


def suggestion_accept(
    *,
    suggestion: StatusSuggestion,
    decided_by: Any,
    effective_at: datetime | None = None,
    certainty: str = CrossingStatus.Certainty.REPORTED,
    note: str = "",
) -> CrossingStatus:
    """Accept a suggestion: a status row citing its report is appended, and the suggestion points at it."""
    with transaction.atomic():
        locked = _decide(suggestion)
        row = crossing_record_status(
            crossing=locked.crossing,
            status=locked.proposed_status,
            traffic=locked.traffic,
            effective_at=effective_at or min(locked.report.published_at, timezone.now()),
            recorded_by=decided_by,
            certainty=certainty,
            report=locked.report,
            note=note or f"From the report: “{locked.evidence[:900]}”",
        )
        locked.state = StatusSuggestion.State.ACCEPTED
        locked.decided_at, locked.decided_by, locked.resulting_status = timezone.now(), decided_by, row
        locked.decision_note = note
        locked.version += 1
        set_history_user(locked, decided_by)
        locked.save(
            update_fields=[
                "state",
                "decided_at",
                "decided_by",
                "resulting_status",
                "decision_note",
                "version",
            ]
        )
    suggestion.refresh_from_db()
    return row


def suggestion_reject(*, suggestion: StatusSuggestion, decided_by: Any, note: str = "") -> StatusSuggestion:
    with transaction.atomic():
        locked = _decide(suggestion)
        locked.state = StatusSuggestion.State.REJECTED
        locked.decided_at, locked.decided_by, locked.decision_note = timezone.now(), decided_by, note
        locked.version += 1
        set_history_user(locked, decided_by)
        locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note", "version"])
    suggestion.refresh_from_db()
    return suggestion
