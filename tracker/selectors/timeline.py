"""One timeline of what happened: dated events, crossing status changes and dispute/agreement state changes.

Each kind is read newest first by its own query and the streams are merged, so a page of the timeline costs the
same few queries however long the record. Retracted status rows are left out: they never held.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext, gettext_lazy, pgettext

from ..models import (
    Actor,
    AidDisputeStateChange,
    Crisis,
    Crossing,
    CrossingStatus,
    CrossingStatusRetraction,
    EvacuationAgreementStateChange,
    Report,
    TimelineEvent,
    Traffic,
)
from .names import Namer, crossing_names_in
from .reports import reports_visible, shown_states

# What the kind filter offers besides the event kinds themselves.
STATUS, DISPUTE, AGREEMENT, EVENTS = "status", "dispute", "agreement", "events"
ENTRY_KINDS = [
    (EVENTS, gettext_lazy("All dated events")),
    *TimelineEvent.Kind.choices,
    (STATUS, gettext_lazy("Crossing status changes")),
    (DISPUTE, gettext_lazy("Aid dispute state changes")),
    (AGREEMENT, gettext_lazy("Evacuation agreement state changes")),
]


@dataclass
class TimelineEntry:
    """One line of the timeline. ``at`` is None for events, which are dated to the day."""

    sort_key: datetime
    day: date
    at: datetime | None
    category: str  # "event", STATUS, DISPUTE or AGREEMENT
    label: str  # what kind of development, in words
    title: str
    detail: str
    crisis: Crisis | None
    link_view: str
    link_slug: str
    reports: list[Report] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    status: str = ""
    certainty: str = ""
    obj: Any = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _visible(report: Report | None, include_unreviewed: bool) -> list[Report]:
    if report is None or report.review_state not in shown_states(include_unreviewed=include_unreviewed):
        return []
    return [report]


def _events(
    crises: Sequence[Crisis] | None,
    kinds: set[str],
    actor: Actor | None,
    as_of: datetime,
    since: date | None,
    until: date | None,
    include_unreviewed: bool,
) -> QuerySet[TimelineEvent]:
    events = TimelineEvent.objects.filter(occurred_on__lte=as_of.date())
    if crises is not None:
        events = events.filter(crisis__in=crises)
    if EVENTS not in kinds:
        events = events.filter(kind__in=kinds & set(TimelineEvent.Kind.values))
    if actor is not None:
        events = events.filter(actors=actor)
    if since:
        events = events.filter(occurred_on__gte=since)
    if until:
        events = events.filter(occurred_on__lte=until)
    visible = reports_visible(include_unreviewed=include_unreviewed)
    return (
        events.select_related("crisis")
        .prefetch_related("actors", Prefetch("reports", queryset=visible.select_related("source")))
        .order_by("-occurred_on", "title", "-id")
    )


def _moments(queryset: QuerySet[Any], *, as_of: datetime, since: date | None, until: date | None) -> QuerySet[Any]:
    queryset = queryset.filter(effective_at__lte=as_of)
    if since:
        queryset = queryset.filter(effective_at__gte=_day_start(since))
    if until:
        queryset = queryset.filter(effective_at__lt=_day_start(until) + timedelta(days=1))
    return queryset.order_by("-effective_at", "-recorded_at", "-id")


def _statuses(crises: Sequence[Crisis] | None, actor: Actor | None, **window: Any) -> QuerySet[CrossingStatus]:
    rows = CrossingStatus.objects.exclude(Exists(CrossingStatusRetraction.objects.filter(status_row=OuterRef("pk"))))
    if crises is not None:
        # The crises' crossings read first, as a list: as a semi-join beside the five tables the rows are read
        # with, PostgreSQL spent 6 ms planning a query it runs in 0.2 (the dashboard names every crisis under way;
        # issue 16). One query more, 4 ms less planning.
        crossing_ids = set(
            Crossing.crises.through.objects.filter(crisis__in=crises).values_list("crossing_id", flat=True)
        )
        rows = rows.filter(crossing_id__in=crossing_ids)
    if actor is not None:
        rows = rows.filter(stated_by=actor)
    return _moments(rows, **window).select_related("crossing", "report__source", "stated_by")


def _dispute_changes(
    crises: Sequence[Crisis] | None, actor: Actor | None, **window: Any
) -> QuerySet[AidDisputeStateChange]:
    rows = AidDisputeStateChange.objects.all()
    if crises is not None:
        rows = rows.filter(dispute__crisis__in=crises)
    if actor is not None:
        rows = rows.filter(dispute__in=actor.disputes.all())
    return _moments(rows, **window).select_related("dispute__crisis", "report__source")


def _agreement_changes(
    crises: Sequence[Crisis] | None, actor: Actor | None, **window: Any
) -> QuerySet[EvacuationAgreementStateChange]:
    rows = EvacuationAgreementStateChange.objects.all()
    if crises is not None:
        rows = rows.filter(agreement__crisis__in=crises)
    if actor is not None:
        rows = rows.filter(agreement__parties__actor=actor).distinct()
    return _moments(rows, **window).select_related("agreement__crisis", "report__source")


def _event_entry(event: TimelineEvent) -> TimelineEntry:
    return TimelineEntry(
        sort_key=_day_start(event.occurred_on),
        day=event.occurred_on,
        at=None,
        category="event",
        label=event.get_kind_display(),
        title=event.title,
        detail=" · ".join(part for part in (event.description, event.location) if part),
        crisis=event.crisis,
        link_view="pages:crisis",
        link_slug=event.crisis.slug,
        reports=list(event.reports.all()),
        actors=list(event.actors.all()),
        obj=event,
    )


def _status_entry(row: CrossingStatus, include_unreviewed: bool, name: Callable[[Crossing], str]) -> TimelineEntry:
    return TimelineEntry(
        sort_key=row.effective_at,
        day=row.effective_at.date(),
        at=row.effective_at,
        category=STATUS,
        # Words in the active language: the page's reader's, or English for the CSV (built under an override).
        label=gettext("Crossing status"),
        title=gettext("%(crossing)s: %(status)s for %(traffic)s")
        % {
            "crossing": name(row.crossing),
            "status": row.get_status_display().lower(),
            "traffic": str(Traffic(row.traffic).label).lower(),
        },
        detail=row.note,
        crisis=None,
        link_view="pages:crossing",
        link_slug=row.crossing.slug,
        reports=_visible(row.report, include_unreviewed),
        actors=[row.stated_by] if row.stated_by else [],
        status=row.status,
        certainty=row.certainty,
        obj=row,
    )


def _accord_entry(change: Any, include_unreviewed: bool) -> TimelineEntry:
    is_dispute = isinstance(change, AidDisputeStateChange)
    entity = change.dispute if is_dispute else change.agreement
    before = change.get_from_state_display() if change.from_state else ""
    after = change.get_to_state_display()
    return TimelineEntry(
        sort_key=change.effective_at,
        day=change.effective_at.date(),
        at=change.effective_at,
        category=DISPUTE if is_dispute else AGREEMENT,
        label=gettext("Aid dispute") if is_dispute else gettext("Evacuation agreement"),
        title=(
            pgettext("state change", "%(name)s: %(before)s → %(after)s")
            % {"name": entity, "before": before.lower(), "after": after.lower()}
            if before
            else gettext("%(name)s: recorded as %(after)s") % {"name": entity, "after": after.lower()}
        ),
        detail=change.note,
        crisis=entity.crisis,
        link_view="pages:dispute" if is_dispute else "pages:agreement",
        link_slug=entity.slug,
        reports=_visible(change.report, include_unreviewed),
        obj=change,
    )


def _streams(
    *,
    crises: Sequence[Crisis] | None,
    kinds: Iterable[str] | None,
    actor: Actor | None,
    as_of: datetime,
    since: date | None,
    until: date | None,
    include_unreviewed: bool,
    limit: int | None,
) -> list[Iterator[TimelineEntry]]:
    wanted = set(kinds or []) or {EVENTS, STATUS, DISPUTE, AGREEMENT}
    window = {"as_of": as_of, "since": since, "until": until}

    def cut(queryset: QuerySet[Any]) -> Iterable[Any]:
        # Pages read a bounded slice of each stream; exports read them through in chunks.
        return queryset[:limit] if limit is not None else queryset.iterator(chunk_size=500)

    streams: list[Iterator[TimelineEntry]] = []
    if wanted & {EVENTS, *TimelineEvent.Kind.values}:
        events = _events(crises, wanted, actor, as_of, since, until, include_unreviewed)
        streams.append(_event_entry(e) for e in cut(events))
    if STATUS in wanted:
        name = Namer(crossing_names_in)  # the active language's names: the reader's on a page, English in a CSV
        streams.append(_status_entry(r, include_unreviewed, name) for r in cut(_statuses(crises, actor, **window)))
    if DISPUTE in wanted:
        streams.append(_accord_entry(c, include_unreviewed) for c in cut(_dispute_changes(crises, actor, **window)))
    if AGREEMENT in wanted:
        streams.append(_accord_entry(c, include_unreviewed) for c in cut(_agreement_changes(crises, actor, **window)))
    return streams


def timeline_entries(
    *,
    as_of: datetime,
    crises: Sequence[Crisis] | None = None,
    kinds: Iterable[str] | None = None,
    actor: Actor | None = None,
    since: date | None = None,
    until: date | None = None,
    include_unreviewed: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[TimelineEntry]:
    """Up to ``limit`` entries after ``offset``, newest first, as the record stood at ``as_of``. ``kinds`` takes
    the values of ``ENTRY_KINDS`` (none: everything). At most six queries."""
    streams = _streams(
        crises=crises,
        kinds=kinds,
        actor=actor,
        as_of=as_of,
        since=since,
        until=until,
        include_unreviewed=include_unreviewed,
        limit=offset + limit,
    )
    merged = heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
    return list(islice(merged, offset, offset + limit))


def timeline_stream(
    *,
    as_of: datetime,
    crises: Sequence[Crisis] | None = None,
    kinds: Iterable[str] | None = None,
    actor: Actor | None = None,
    since: date | None = None,
    until: date | None = None,
    include_unreviewed: bool = False,
) -> Iterator[TimelineEntry]:
    """Every matching entry, newest first, read in chunks (for exports)."""
    streams = _streams(
        crises=crises,
        kinds=kinds,
        actor=actor,
        as_of=as_of,
        since=since,
        until=until,
        include_unreviewed=include_unreviewed,
        limit=None,
    )
    return heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
