"""Reads behind the analysts' pages: the dashboard, and the crisis, crossing, dispute and agreement pages.

Every read takes the moment to show (``as_of``) and answers as the record stood then: statuses by the status rule,
disputes and agreements by their state history, events, reports and counts by their dates. Each function runs a
fixed number of queries whatever the amount of data (the tests assert it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from ..models import (
    AgreementParty,
    AidDispute,
    AidDisputeStateChange,
    Crisis,
    Crossing,
    EvacuationAgreement,
    EvacuationAgreementStateChange,
    FlowCount,
    Report,
    StatusSuggestion,
)
from .reports import latest_reports_about, reports_for_readers, reports_visible
from .standing import Band, crossing_status_changes, crossings_with_standing, db_moment, status_bands
from .timeline import TimelineEntry, timeline_entries

LATEST_EVENTS = 8
LATEST_REPORTS = 8
# The dashboard names this many disputes and agreements per crisis (the latest to change state); the crisis page
# lists them all. A long crisis has dozens of each, and listing every one on the page meant to be read at a
# glance made it megabytes long.
DASHBOARD_ACCORDS = 10
# The dashboard shows this many crises in full, the first to be listed (active ones, then the latest to begin); it
# names all the others, each linked to its own page, and pages through them. The benchmark's fifty crises in full
# were a page of 1.4 MB that took 0.3 s of a core to rebuild (issue 16): a dashboard is read at a glance.
DASHBOARD_CRISES = 10
PAGE_REPORTS = 12
FLOW_DAYS = 60
# Default chart window: from a little before the first change to the moment shown, at most ten years.
CHART_MIN_MARGIN = timedelta(days=2)
CHART_MAX_SPAN = timedelta(days=3650)
CHART_EMPTY_SPAN = timedelta(days=30)


# --- disputes and agreements as of a moment ---------------------------------------------------------------------


def _latest_change(changes: QuerySet[Any], link: str, as_of: datetime) -> QuerySet[Any]:
    """The change in effect at ``as_of`` for the outer row (the same precedence as the status rule)."""
    return changes.filter(**{link: OuterRef("pk")}, effective_at__lte=as_of).order_by(
        "-effective_at", "-recorded_at", "-id"
    )


def agreement_parties() -> Prefetch:
    """An agreement's parties with their actors, as every list of agreements names them."""
    return Prefetch("parties", queryset=AgreementParty.objects.select_related("actor"))


def disputes_as_of(queryset: QuerySet[AidDispute] | None = None, *, as_of: datetime) -> QuerySet[AidDispute]:
    """Disputes on record at ``as_of``, each with ``state_as_of`` and ``state_since`` from its state history."""
    queryset = queryset if queryset is not None else AidDispute.objects.all()
    latest = _latest_change(AidDisputeStateChange.objects.all(), "dispute", as_of)
    return (
        queryset.annotate(
            state_as_of=Subquery(latest.values("to_state")[:1]),
            state_since=Subquery(latest.values("effective_at")[:1]),
        )
        .filter(state_as_of__isnull=False)
        .select_related("crisis")
        .prefetch_related("parties", "crossings")
    )


def agreements_as_of(
    queryset: QuerySet[EvacuationAgreement] | None = None, *, as_of: datetime
) -> QuerySet[EvacuationAgreement]:
    """Agreements on record at ``as_of``, each with ``state_as_of`` and ``state_since``."""
    queryset = queryset if queryset is not None else EvacuationAgreement.objects.all()
    latest = _latest_change(EvacuationAgreementStateChange.objects.all(), "agreement", as_of)
    return (
        queryset.annotate(
            state_as_of=Subquery(latest.values("to_state")[:1]),
            state_since=Subquery(latest.values("effective_at")[:1]),
        )
        .filter(state_as_of__isnull=False)
        .select_related("crisis")
        .prefetch_related(
            agreement_parties(),
            "eligible",
            "crossings",
        )
    )


def crises_active_as_of(as_of: datetime) -> QuerySet[Crisis]:
    """Crises under way at ``as_of``: started by then, and not ended by then (nor closed, if no end is dated).
    Active ones first, then those being monitored."""
    day = as_of.date()
    under_way = Q(ended_on__isnull=True, state__in=[Crisis.State.ACTIVE, Crisis.State.MONITORING]) | Q(
        ended_on__gte=day
    )
    return Crisis.objects.filter(Q(started_on__lte=day) & under_way).order_by("state", "-started_on", "name")


# --- reports and suggestions --------------------------------------------------------------------------------------


def suggestions_pending_as_of(as_of: datetime) -> QuerySet[StatusSuggestion]:
    """Suggestions raised by ``as_of`` and not yet decided then (for editors)."""
    return (
        StatusSuggestion.objects.filter(created_at__lte=as_of)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__gt=as_of))
        .select_related("crossing", "report__source")
        .order_by("-created_at", "-id")
    )


# --- the dashboard ----------------------------------------------------------------------------------------------


@dataclass
class CrisisBlock:
    crisis: Crisis
    crossings: list[Crossing] = field(default_factory=list)
    disputes: list[AidDispute] = field(default_factory=list)
    agreements: list[EvacuationAgreement] = field(default_factory=list)
    # On the dashboard: how many more open disputes and agreements than those listed the crisis has.
    more_disputes: int = 0
    more_agreements: int = 0

    @property
    def open_disputes(self) -> list[AidDispute]:
        return [d for d in self.disputes if d.state_as_of != AidDispute.State.RESOLVED]  # type: ignore[attr-defined]


def _latest_per_crisis_sql(model: type[Any], changes: type[Any], link: str, crisis_count: int, skip: bool) -> str:
    """The ``limit`` latest to change state of each crisis's disputes (or agreements) on record at a moment: their
    ids, state then, since when, and how many their crisis has in all, latest first.

    Each one's state is its change in effect by the status rule's precedence (``_latest_change``), found once per
    row by a window over the change history: as a correlated subquery, the ORM repeated it in the select, the
    filter and both windows, four index probes and sorts for each of 3,000 disputes (24 ms of a cold dashboard;
    issue 16). Window functions only, so PostgreSQL and SQLite both run it."""
    accords = connection.ops.quote_name(model._meta.db_table)
    history = connection.ops.quote_name(changes._meta.db_table)
    column = connection.ops.quote_name(changes._meta.get_field(link).column)
    crises = ", ".join(["%s"] * crisis_count)
    return f"""
        WITH latest AS (
            SELECT c.{column} AS accord_id, c.to_state, c.effective_at,
                   ROW_NUMBER() OVER (
                       PARTITION BY c.{column} ORDER BY c.effective_at DESC, c.recorded_at DESC, c.id DESC
                   ) AS n
            FROM {history} c JOIN {accords} a ON a.id = c.{column}
            WHERE a.crisis_id IN ({crises}) AND c.effective_at <= %s
        ),
        ranked AS (
            SELECT a.id, a.name, l.to_state, l.effective_at,
                   ROW_NUMBER() OVER (PARTITION BY a.crisis_id ORDER BY l.effective_at DESC, a.name) AS place,
                   COUNT(*) OVER (PARTITION BY a.crisis_id) AS in_crisis
            FROM {accords} a JOIN latest l ON l.accord_id = a.id AND l.n = 1
            {"WHERE l.to_state <> %s" if skip else ""}
        )
        SELECT id, to_state, effective_at, in_crisis FROM ranked WHERE place <= %s ORDER BY effective_at DESC, name
    """


def latest_per_crisis(
    queryset: QuerySet[Any], *, crisis_ids: list[int], as_of: datetime, limit: int, skip_state: str | None = None
) -> list[Any]:
    """Of ``queryset``'s disputes or agreements (its model, with whatever it prefetches), the ``limit`` latest to
    change state by ``as_of`` in each of ``crisis_ids``, latest first, leaving out those in ``skip_state``. Each
    has ``state_as_of`` and ``state_since`` (as ``disputes_as_of`` gives them) and ``in_crisis``: how many its
    crisis has (not in ``skip_state``). Two queries and the prefetches."""
    model = queryset.model
    changes, link = (
        (AidDisputeStateChange, "dispute") if model is AidDispute else (EvacuationAgreementStateChange, "agreement")
    )
    if not crisis_ids:
        return []
    params: list[Any] = [*crisis_ids, connection.ops.adapt_datetimefield_value(as_of)]
    if skip_state is not None:
        params.append(skip_state)
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(_latest_per_crisis_sql(model, changes, link, len(crisis_ids), skip_state is not None), params)
        ranked = cursor.fetchall()
    rows = queryset.in_bulk([pk for pk, *_ in ranked])
    shown = []
    for pk, state, since, in_crisis in ranked:
        row = rows[pk]
        row.state_as_of, row.state_since, row.in_crisis = state, db_moment(since), in_crisis
        shown.append(row)
    return shown


@dataclass
class Dashboard:
    as_of: datetime
    crises: list[CrisisBlock]  # the crises shown in full: those of this page
    latest: list[TimelineEntry]
    reports: list[Report]
    under_way: list[Crisis] = field(default_factory=list)  # every crisis under way, shown or not
    page: Page[Crisis] | None = None  # which of them this page shows, when not all
    unreviewed: list[Report] = field(default_factory=list)
    suggestions: list[StatusSuggestion] = field(default_factory=list)


def _blocks(
    crises: list[Crisis], *, as_of: datetime, max_age: timedelta | None, accords: int | None = None
) -> list[CrisisBlock]:
    """Each crisis with its crossings' standing, its disputes and its agreements as of ``as_of``. With ``accords``,
    only that many of the latest open disputes and of the latest agreements per crisis (``more_*`` counts the
    rest)."""
    blocks = {crisis.pk: CrisisBlock(crisis=crisis) for crisis in crises}
    if not blocks:
        return []
    through = Crossing.crises.through.objects.filter(crisis_id__in=blocks).values_list("crisis_id", "crossing_id")
    members: dict[int, list[int]] = {}
    for crisis_id, crossing_id in through:
        members.setdefault(crossing_id, []).append(crisis_id)
    crossings = crossings_with_standing(
        Crossing.objects.filter(pk__in=members).select_related("side_a", "side_b"), as_of=as_of, max_age=max_age
    )
    for crossing in crossings:
        for crisis_id in members[crossing.pk]:
            blocks[crisis_id].crossings.append(crossing)
    disputes: Iterable[AidDispute]
    agreements: Iterable[EvacuationAgreement]
    if accords is None:
        disputes = disputes_as_of(AidDispute.objects.filter(crisis_id__in=blocks), as_of=as_of)
        agreements = agreements_as_of(EvacuationAgreement.objects.filter(crisis_id__in=blocks), as_of=as_of)
    else:
        # The dashboard names each one's parties, nothing else: the crossings and who may leave (a thousand more
        # rows to read and build on a large record) are for the crisis page and the accord's own page.
        disputes = latest_per_crisis(
            AidDispute.objects.select_related("crisis").prefetch_related("parties"),
            crisis_ids=list(blocks),
            as_of=as_of,
            limit=accords,
            skip_state=AidDispute.State.RESOLVED,
        )
        agreements = latest_per_crisis(
            EvacuationAgreement.objects.select_related("crisis").prefetch_related(agreement_parties()),
            crisis_ids=list(blocks),
            as_of=as_of,
            limit=accords,
        )
    for dispute in disputes:
        blocks[dispute.crisis_id].disputes.append(dispute)
    for agreement in agreements:
        blocks[agreement.crisis_id].agreements.append(agreement)
    if accords is not None:
        for block in blocks.values():
            listed_disputes, listed_agreements = len(block.disputes), len(block.agreements)
            in_crisis = [d.in_crisis for d in block.disputes]  # type: ignore[attr-defined]
            block.more_disputes = max(in_crisis, default=0) - listed_disputes
            in_crisis = [a.in_crisis for a in block.agreements]  # type: ignore[attr-defined]
            block.more_agreements = max(in_crisis, default=0) - listed_agreements
    return list(blocks.values())


def dashboard(
    *,
    as_of: datetime,
    include_unreviewed: bool,
    max_age: timedelta | None = None,
    page: int | None = None,
    per_page: int = DASHBOARD_CRISES,
) -> Dashboard:
    """Everything the dashboard shows at ``as_of``: of the crises under way, the ``page``-th ``per_page`` in full
    (their crossings' standing, disputes and agreements; every one without a ``page``, as the CSV has them), and
    the names of all. About 14 queries (16 for editors), whatever the data."""
    crises = list(crises_active_as_of(as_of))
    shown = crises
    pages = None
    if page is not None:
        pages = Paginator(crises, per_page).get_page(page)
        shown = list(pages)
    blocks = _blocks(shown, as_of=as_of, max_age=max_age, accords=DASHBOARD_ACCORDS)
    reports = list(reports_for_readers().filter(published_at__lte=as_of).select_related("source")[:LATEST_REPORTS])
    result = Dashboard(
        as_of=as_of,
        crises=blocks,
        under_way=crises,
        page=pages,
        latest=timeline_entries(crises=crises, as_of=as_of, limit=LATEST_EVENTS) if crises else [],
        reports=reports,
    )
    if include_unreviewed:
        result.unreviewed, result.suggestions = editor_queue(as_of=as_of)
    return result


def editor_queue(*, as_of: datetime) -> tuple[list[Report], list[StatusSuggestion]]:
    """What waits for editors at ``as_of``: the latest unreviewed reports and pending suggestions. Two queries."""
    unreviewed = list(
        Report.objects.filter(review_state=Report.ReviewState.NEW, fetched_at__lte=as_of)
        .select_related("source")
        .order_by("-fetched_at", "-id")[:LATEST_REPORTS]
    )
    return unreviewed, list(suggestions_pending_as_of(as_of)[:LATEST_REPORTS])


# --- a crisis -----------------------------------------------------------------------------------------------------


@dataclass
class CrisisPage:
    block: CrisisBlock
    events: list[TimelineEntry]
    reports: list[Report]


def crisis_page(
    crisis: Crisis, *, as_of: datetime, include_unreviewed: bool, max_age: timedelta | None = None
) -> CrisisPage:
    [block] = _blocks([crisis], as_of=as_of, max_age=max_age)
    reports = (
        reports_visible(include_unreviewed=include_unreviewed)
        .filter(crises=crisis, published_at__lte=as_of)
        .select_related("source")[:PAGE_REPORTS]
    )
    return CrisisPage(
        block=block,
        events=timeline_entries(crises=[crisis], as_of=as_of, limit=20),
        reports=list(reports),
    )


# --- a crossing ---------------------------------------------------------------------------------------------------


@dataclass
class FlowSeries:
    """One metric's daily figures at a crossing, per source, over ``days`` (oldest first)."""

    metric: str
    label: str
    days: list[date]
    by_source: dict[str, dict[date, int]]


@dataclass
class CrossingPage:
    crossing: Crossing
    window_start: datetime
    bands: dict[str, list[Band]]
    history: list[Any]
    flows: list[FlowSeries]
    flow_rows: list[FlowCount]
    disputes: list[AidDispute]
    agreements: list[EvacuationAgreement]
    reports: list[Report]
    suggestions: list[StatusSuggestion] = field(default_factory=list)
    history_more: bool = False  # the page shows the latest rows only; there are older ones


def default_chart_start(changes: dict[str, list[Any]], as_of: datetime) -> datetime:
    """A window that shows how the current status came about: from a little before the first change on record
    (a twelfth of the span, at least two days) to the moment shown; ten years at most, a month when nothing is
    known."""
    first = min((runs[0].at for runs in changes.values() if runs), default=None)
    if first is None:
        return as_of - CHART_EMPTY_SPAN
    margin = max(CHART_MIN_MARGIN, (as_of - first) / 12)
    return max(first - margin, as_of - CHART_MAX_SPAN)


def flow_series(crossing: Crossing, *, as_of: datetime, days: int = FLOW_DAYS) -> tuple[list[FlowSeries], list[Any]]:
    """The daily figures of the ``days`` days up to the latest day with a figure on or before ``as_of``; also the
    rows themselves (for the table under the chart). Two queries."""
    counts = FlowCount.objects.filter(crossing=crossing, day__lte=as_of.date())
    last_day = counts.order_by("-day").values_list("day", flat=True).first()
    if last_day is None:
        return [], []
    first_day = last_day - timedelta(days=days - 1)
    rows = list(
        counts.filter(day__gte=first_day).select_related("source", "report").order_by("metric", "day", "source__name")
    )
    span = [first_day + timedelta(days=n) for n in range(days)]
    series: dict[str, FlowSeries] = {}
    for row in rows:
        entry = series.setdefault(
            row.metric,
            FlowSeries(metric=row.metric, label=row.get_metric_display(), days=span, by_source={}),
        )
        entry.by_source.setdefault(row.source.name, {})[row.day] = row.value
    return list(series.values()), rows


def crossing_page(
    crossing: Crossing,
    *,
    as_of: datetime,
    include_unreviewed: bool,
    window_days: int | None = None,
    max_age: timedelta | None = None,
    history_limit: int | None = None,
    suggestions: bool = True,
) -> CrossingPage:
    """Everything the crossing page shows. ``crossing`` must come from ``crossings_with_standing``.

    ``history_limit``: at most that many status rows, the latest (one more is read, so ``history_more`` can say
    whether there are others). ``suggestions``: for editors (``include_unreviewed``), the pending ones."""
    from .status import crossing_status_history

    changes = crossing_status_changes(crossing=crossing, as_of=as_of)
    start = as_of - timedelta(days=window_days) if window_days else default_chart_start(changes, as_of)
    flows, flow_rows = flow_series(crossing, as_of=as_of)
    page = CrossingPage(
        crossing=crossing,
        window_start=start,
        bands=status_bands(changes, start=start, end=as_of, with_rows=False),  # the chart shows no evidence
        history=list(
            crossing_status_history(crossing=crossing).filter(effective_at__lte=as_of)[
                : None if history_limit is None else history_limit + 1
            ]
        ),
        flows=flows,
        flow_rows=flow_rows,
        # Listed by name, state and parties: their crossings and who may leave are for their own pages.
        disputes=list(
            disputes_as_of(AidDispute.objects.filter(crossings=crossing), as_of=as_of)
            .prefetch_related(None)
            .prefetch_related("parties")
        ),
        agreements=list(
            agreements_as_of(EvacuationAgreement.objects.filter(crossings=crossing), as_of=as_of)
            .prefetch_related(None)
            .prefetch_related(agreement_parties())
        ),
        reports=latest_reports_about(crossing, as_of=as_of, include_unreviewed=include_unreviewed, limit=PAGE_REPORTS),
    )
    if history_limit is not None and len(page.history) > history_limit:
        page.history, page.history_more = page.history[:history_limit], True
    if include_unreviewed and suggestions:
        page.suggestions = crossing_suggestions(as_of=as_of, crossing_slug=crossing.slug)
    return page


def crossing_suggestions(*, as_of: datetime, crossing_slug: str) -> list[StatusSuggestion]:
    """Suggestions about one crossing pending at ``as_of`` (for editors). One query."""
    return list(suggestions_pending_as_of(as_of).filter(crossing__slug=crossing_slug)[:PAGE_REPORTS])


# --- a dispute or an agreement -------------------------------------------------------------------------------------


@dataclass
class AccordPage:
    entity: AidDispute | EvacuationAgreement
    history: list[Any]
    crossings: list[Crossing]
    reports: list[Report]


def accord_page(
    entity: AidDispute | EvacuationAgreement,
    *,
    as_of: datetime,
    include_unreviewed: bool,
    max_age: timedelta | None = None,
) -> AccordPage:
    """A dispute or agreement (from ``disputes_as_of`` / ``agreements_as_of``) with its history up to ``as_of``,
    its crossings' statuses then, and its reports."""
    from .accords import accord_state_history

    reports = reports_visible(include_unreviewed=include_unreviewed).filter(published_at__lte=as_of)
    reports = reports.filter(disputes=entity) if isinstance(entity, AidDispute) else reports.filter(agreements=entity)
    return AccordPage(
        entity=entity,
        history=list(accord_state_history(entity).filter(effective_at__lte=as_of).select_related("report__source")),
        crossings=crossings_with_standing(
            Crossing.objects.filter(pk__in=[c.pk for c in entity.crossings.all()]), as_of=as_of, max_age=max_age
        ),
        reports=list(reports.select_related("source")[:PAGE_REPORTS]),
    )
