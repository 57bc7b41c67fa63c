"""What an alert says: status changes read from the change feed (``tracker.selectors.changes_feed``), each with
what held before it by the status pages' own sequence (``crossing_status_changes``), so a feed entry or an e-mail
never disagrees with the pages or the API.

Only recorded statuses and their retractions are in the change feed: a pending status suggestion is not a change,
so nothing about it ever reaches a feed or a mailbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language, gettext, pgettext

from tracker.api.serializers import visible_report
from tracker.models import Change, Crisis, Crossing, CrossingStatus, Traffic
from tracker.selectors import changes_feed, crossing_status_changes
from tracker.selectors.names import actor_names_in, crossing_names_in

from .models import AlertDelivery, AlertSubscription, FeedToken

# The change kinds an alert is about: a crossing's status stated, or a statement withdrawn.
STATUS_KINDS = (Change.Kind.CROSSING_STATUS, Change.Kind.STATUS_RETRACTION)
FEED_LENGTH = 50
UNKNOWN = CrossingStatus.Status.UNKNOWN


@dataclass(frozen=True)
class Transition:
    traffic_label: str
    before: str
    after: str

    @property
    def summary(self) -> str:
        if self.before == self.after:
            return gettext("still %(status)s") % {"status": self.after}
        return pgettext("state change", "%(before)s → %(after)s") % {"before": self.before, "after": self.after}


@dataclass(frozen=True)
class AlertEntry:
    """One status change as a feed entry or an e-mail shows it."""

    change_id: int
    retracted: bool
    crossing: Crossing
    crossing_name: str  # in the language the entry was written in: its alias there, else its own name
    traffic: str
    traffic_label: str
    status: str
    status_label: str
    transitions: list[Transition]
    effective_at: datetime
    recorded_at: datetime
    certainty: str
    stated_by: str
    evidence_title: str
    evidence_url: str
    note: str
    retraction_reason: str = ""
    kinds: list[str] = field(default_factory=list)

    @property
    def change_summary(self) -> str:
        """ "closed → open", or per kind when a status for all traffic ended different statuses."""
        befores = {t.before for t in self.transitions}
        if len(befores) == 1:
            return self.transitions[0].summary
        return "; ".join(f"{t.traffic_label.lower()}: {t.summary}" for t in self.transitions)

    @property
    def title(self) -> str:
        names = {"crossing": self.crossing_name, "traffic": self.traffic_label.lower()}
        if self.retracted:
            return gettext("%(crossing)s: statement retracted (%(status)s for %(traffic)s from %(moment)s UTC)") % {
                **names,
                "status": self.status_label.lower(),
                "moment": f"{self.effective_at:%Y-%m-%d %H:%M}",
            }
        return gettext("%(crossing)s, %(traffic)s: %(change)s") % {**names, "change": self.change_summary}


def subscriber_language(user_id: int) -> str:
    """The language a subscriber's e-mails are written in: that of their latest subscription (one message covers
    all their crossings), English when they follow none."""
    latest = AlertSubscription.objects.filter(user_id=user_id).order_by("-created_at", "-id").first()
    return latest.language if latest else settings.LANGUAGE_CODE


def _label(status: str) -> str:
    return CrossingStatus.Status(status).label.lower()


def _kinds(traffic: str) -> list[str]:
    return [str(k) for k in Traffic.specific()] if traffic == Traffic.ALL else [traffic]


def _before(sequence: dict[str, list[Any]], kind: str, moment: datetime) -> str:
    """The status that held for ``kind`` just before ``moment``, by the pages' holding sequence."""
    held = UNKNOWN
    for change in sequence.get(kind, []):
        if change.at >= moment:
            break
        held = change.status
    return held


def status_row_of(change: Change) -> CrossingStatus:
    """The status row a status change is about: the row stated, or the row withdrawn."""
    if change.crossing_status is not None:
        return change.crossing_status
    if change.retraction is None:
        raise ValueError(f"change #{change.pk} is not about a crossing's status")
    return change.retraction.status_row


def entries_from_changes(changes: Iterable[Change], *, as_of: datetime) -> list[AlertEntry]:
    """Turn change-feed rows into entries, in the active language (crossings named by their alias in it, as the
    pages name them); one holding-sequence query per crossing named, one query for the names."""
    changes = list(changes)
    language = get_language() or settings.LANGUAGE_CODE
    names = crossing_names_in(language) if changes else {}
    speakers = actor_names_in(language) if changes else {}
    rows = [(c, status_row_of(c)) for c in changes if c.kind in STATUS_KINDS]
    sequences: dict[int, dict[str, list[Any]]] = {}
    for _, row in rows:
        if row.crossing_id not in sequences:
            sequences[row.crossing_id] = crossing_status_changes(crossing=row.crossing, as_of=as_of)
    entries = []
    for change, row in rows:
        retraction = change.retraction if change.kind == Change.Kind.STATUS_RETRACTION else None
        kinds = _kinds(row.traffic)
        sequence = sequences[row.crossing_id]
        # Evidence as partners see it: a report judged not relevant after its row was retracted is not shown.
        report = visible_report(row.report)
        entries.append(
            AlertEntry(
                change_id=change.pk,
                retracted=retraction is not None,
                crossing=row.crossing,
                crossing_name=names.get(row.crossing_id, row.crossing.name),
                traffic=row.traffic,
                traffic_label=str(Traffic(row.traffic).label),
                status=row.status,
                status_label=row.get_status_display(),
                transitions=[
                    Transition(
                        traffic_label=str(Traffic(kind).label),
                        before=_label(_before(sequence, kind, row.effective_at)),
                        after=_label(row.status),
                    )
                    for kind in kinds
                ],
                effective_at=row.effective_at,
                recorded_at=change.recorded_at,
                certainty=row.get_certainty_display(),
                stated_by=speakers.get(row.stated_by_id, row.stated_by.name) if row.stated_by else "",
                evidence_title=report.title if report else "",
                evidence_url=report.url if report and report.url else "",
                note=row.note,
                retraction_reason=retraction.reason if retraction else "",
                kinds=kinds,
            )
        )
    return entries


def feed_changes(*, crossing: Crossing | None = None, crisis: Crisis | None = None) -> QuerySet[Change]:
    """The newest status changes, newest first, for one crossing, one crisis's crossings, or all."""
    queryset = changes_feed(kinds=STATUS_KINDS, crossing=crossing, crisis=crisis)
    # The retraction's row and its evidence, which the change feed's prefetch does not join.
    queryset = queryset.prefetch_related(None).select_related(
        "retraction__status_row__crossing",
        "retraction__status_row__report__source",
        "retraction__status_row__stated_by",
    )
    return queryset.order_by("-id")[:FEED_LENGTH]


def changes_by_id(ids: Sequence[int]) -> dict[int, Change]:
    queryset = (
        changes_feed(kinds=STATUS_KINDS)
        .prefetch_related(None)
        .select_related(
            "retraction__status_row__crossing",
            "retraction__status_row__report__source",
            "retraction__status_row__stated_by",
        )
    )
    return {c.pk: c for c in queryset.filter(pk__in=ids)}


def subscriptions_of(user: Any) -> QuerySet[AlertSubscription]:
    return AlertSubscription.objects.filter(user=user).select_related("crossing")


def feed_tokens_of(user: Any) -> QuerySet[FeedToken]:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True)


def recent_deliveries_of(user: Any, days: int = 30) -> QuerySet[AlertDelivery]:
    from django.utils import timezone

    since = timezone.now() - timedelta(days=days)
    return AlertDelivery.objects.filter(user=user, created_at__gte=since).order_by("-id")[:20]
