"""How a crossing's status stands: since when it has held, whether it is stale, and how it got there.

These read the same rows as the status rule (``status.py``): for traffic T, the rows for T or for all traffic that
took effect at or before the moment and were not retracted; among rows that took effect at the same moment the
later recorded wins (the rule's ``STATUS_PRECEDENCE``). At each moment a row took effect, the winner there is what
the rule says held from then on; the *holding sequence* is those winners in order of effect.

- "since" is where the current run of equal status began in that sequence, which is earlier than the latest row
  when several rows in a row said the same ("closed", then "still closed" a week later: closed since the first).
- "stale": the status has not been stated again (by any row, reported or confirmed) within
  ``STATUS_STALE_AFTER_DAYS`` of the moment shown, so nobody has told us lately that it still holds.
- "bands": the holding sequence with equal neighbours merged, clipped to a window, for the crossing page's chart.

"Since" is found by the database (one query however many crossings, in SQL that PostgreSQL and SQLite both run);
a crossing's whole sequence, for its chart, is read in one query and walked here. Tests check both against
``crossing_status_as_of`` at many moments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from ..models import Crossing, CrossingStatus, CrossingStatusRetraction, Traffic
from .status import EVIDENCE_UNREAD, attach_statuses, crossings_annotated_with_status, status_rows_in_effect

UNKNOWN = CrossingStatus.Status.UNKNOWN


def db_moment(value: Any) -> datetime:
    """A datetime read back from raw SQL: PostgreSQL returns it aware, SQLite as UTC text."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a datetime from the database: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _run_starts_sql(crossing_count: int) -> str:
    """Per crossing and specific kind of traffic: the status in effect, the last moment a different status held
    (the break), and the first moment after it that anything held: the start of the run.

    Each step is a correlated subquery that walks the ``status_rule_lookup`` index backwards from the moment
    and stops at the first row it wants, so the cost follows the length of the current run, not the whole history
    (300 crossings with 1,000 rows each: 15 ms instead of 800 ms for the window-function sequence). A row at a
    moment counts only if it wins there (the rule's precedence: later recorded, then higher id) and is not
    retracted, exactly as in ``crossing_status_changes``.
    """
    statuses = connection.ops.quote_name(CrossingStatus._meta.db_table)
    retractions = connection.ops.quote_name(CrossingStatusRetraction._meta.db_table)
    crossings = connection.ops.quote_name(Crossing._meta.db_table)
    kinds = ", ".join(["(%s)"] * len(Traffic.specific()))
    ids = ", ".join(["%s"] * crossing_count)

    def rows(alias: str, outer: str) -> str:
        """Rows of the outer pair's crossing, for its kind or all traffic, in effect by the moment, not retracted."""
        return (
            f"{alias}.crossing_id = {outer}.crossing_id AND ({alias}.traffic = {outer}.kind OR {alias}.traffic = %s) "
            f"AND {alias}.effective_at <= %s "
            f"AND NOT EXISTS (SELECT 1 FROM {retractions} r WHERE r.status_row_id = {alias}.id)"
        )

    return f"""
        WITH kinds (kind) AS (VALUES {kinds}),
        base AS (
            SELECT c.id AS crossing_id, k.kind FROM {crossings} c CROSS JOIN kinds k WHERE c.id IN ({ids})
        ),
        pairs AS (
            SELECT b.crossing_id, b.kind,
                   (SELECT s.status FROM {statuses} s WHERE {rows("s", "b")}
                    ORDER BY s.effective_at DESC, s.recorded_at DESC, s.id DESC LIMIT 1) AS status
            FROM base b
        ),
        breaks AS (
            SELECT p.crossing_id, p.kind,
                   (SELECT s.effective_at FROM {statuses} s WHERE {rows("s", "p")} AND s.status <> p.status
                      AND NOT EXISTS (
                          SELECT 1 FROM {statuses} w WHERE {rows("w", "p")} AND w.effective_at = s.effective_at
                          AND (w.recorded_at > s.recorded_at OR (w.recorded_at = s.recorded_at AND w.id > s.id))
                      )
                    ORDER BY s.effective_at DESC LIMIT 1) AS broke_at
            FROM pairs p
            WHERE p.status IS NOT NULL
        )
        SELECT b.crossing_id, b.kind,
               (SELECT s.effective_at FROM {statuses} s WHERE {rows("s", "b")}
                  AND s.effective_at > COALESCE(b.broke_at, %s)
                ORDER BY s.effective_at LIMIT 1)
        FROM breaks b
    """


def status_run_starts(crossing_ids: Iterable[int], *, as_of: datetime) -> dict[tuple[int, str], datetime]:
    """(crossing id, traffic kind) -> when the status holding at ``as_of`` began to hold without a break.

    Kinds with nothing known are absent. One query.
    """
    ids = sorted(set(crossing_ids))
    if not ids:
        return {}
    moment = connection.ops.adapt_datetimefield_value(as_of)
    every_row = [str(Traffic.ALL), moment]  # the parameters of one ``rows()`` condition
    params = [
        *[str(kind) for kind in Traffic.specific()],
        *ids,
        *every_row,  # pairs: the status in effect
        *every_row,  # breaks: the row that differs
        *every_row,  # ... and wins at its moment
        *every_row,  # the first row after the break (or ever: a bound the index can use, unlike "IS NULL OR")
        connection.ops.adapt_datetimefield_value(datetime(1, 1, 1, tzinfo=UTC)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_run_starts_sql(len(ids)), params)
        return {(crossing_id, kind): db_moment(start) for crossing_id, kind, start in cursor.fetchall()}


def stale_after() -> timedelta:
    return timedelta(days=settings.STATUS_STALE_AFTER_DAYS)


def status_is_stale(row: CrossingStatus | None, *, as_of: datetime, max_age: timedelta | None = None) -> bool:
    """Whether the status ``row`` (the one holding at ``as_of``) was last stated longer ago than ``max_age``.

    Unknown (no row) is not "stale": it is shown as unknown, which already says we do not know.
    """
    if row is None:
        return False
    return as_of - row.effective_at > (max_age if max_age is not None else stale_after())


@dataclass(frozen=True)
class Standing:
    """The status of one crossing for one kind of traffic at a moment, with since when and how fresh."""

    traffic: str
    row: CrossingStatus | None
    since: datetime | None
    as_of: datetime
    stale: bool

    @property
    def status(self) -> str:
        return self.row.status if self.row else UNKNOWN

    @property
    def traffic_label(self) -> str:
        return str(Traffic(self.traffic).label)  # in the reader's language, when read

    @property
    def held_for(self) -> timedelta | None:
        return self.as_of - self.since if self.since else None

    @property
    def last_stated_at(self) -> datetime | None:
        return self.row.effective_at if self.row else None


def crossings_with_standing(
    queryset: QuerySet[Crossing] | None = None, *, as_of: datetime, max_age: timedelta | None = None
) -> list[Crossing]:
    """Crossings, each with ``status_by_traffic`` (the rule's rows) and ``standing``: a ``Standing`` per specific
    kind of traffic, in ``Traffic.specific()`` order. Three queries whatever the number of crossings and rows
    (the two sides, which every page names, come in the first)."""
    queryset = (queryset if queryset is not None else Crossing.objects.all()).select_related("side_a", "side_b")
    crossings = attach_statuses(list(crossings_annotated_with_status(queryset, as_of=as_of)))
    starts = status_run_starts((c.pk for c in crossings), as_of=as_of)
    for crossing in crossings:
        crossing.standing = [  # type: ignore[attr-defined]
            Standing(
                traffic=kind,
                row=(row := crossing.status_by_traffic[kind]),  # type: ignore[attr-defined]
                since=starts.get((crossing.pk, kind)) if row else None,
                as_of=as_of,
                stale=status_is_stale(row, as_of=as_of, max_age=max_age),
            )
            for kind in Traffic.specific()
        ]
    return crossings


@dataclass(frozen=True)
class Band:
    """A stretch of time over which one status held for one kind of traffic (``row`` is the run's first row)."""

    start: datetime
    end: datetime
    status: str
    row: CrossingStatus | None = None


@dataclass(frozen=True)
class StatusChange:
    """A point in the holding sequence where the status for one kind of traffic changed (or first became known)."""

    at: datetime
    status: str
    row_id: int


def crossing_status_changes(*, crossing: Crossing, as_of: datetime) -> dict[str, list[StatusChange]]:
    """Per specific kind of traffic, the moments up to ``as_of`` at which the status changed, oldest first.
    One query.

    The crossing's rows in effect by ``as_of`` (not retracted) are read once, in the order of the status rule's
    precedence reversed (effect, then recording, then id), and walked per kind: the last row at each moment is the
    one that wins there, and a change is a winner whose status differs from the one before. As window functions
    over the rows joined to each kind, the same took 10 ms of a cold crossing page for 1,000 rows (issue 16)."""
    rows = list(
        status_rows_in_effect(crossing=crossing, traffic=None, as_of=as_of)
        .reverse()
        .values_list("traffic", "effective_at", "status", "id")
    )
    every = str(Traffic.ALL)
    changes: dict[str, list[StatusChange]] = {}
    for kind in (str(k) for k in Traffic.specific()):
        runs: list[StatusChange] = []
        winner: tuple[datetime, str, int] | None = None
        for traffic, at, status, row_id in rows:
            if traffic != kind and traffic != every:
                continue
            if winner is not None and at != winner[0] and (not runs or runs[-1].status != winner[1]):
                runs.append(StatusChange(at=winner[0], status=winner[1], row_id=winner[2]))
            winner = (at, status, row_id)
        if winner is not None and (not runs or runs[-1].status != winner[1]):
            runs.append(StatusChange(at=winner[0], status=winner[1], row_id=winner[2]))
        changes[kind] = runs
    return changes


def status_bands(
    changes: dict[str, list[StatusChange]], *, start: datetime, end: datetime, with_rows: bool = True
) -> dict[str, list[Band]]:
    """The bands of equal status between ``start`` and ``end`` (the as-of moment ``changes`` were read at); time
    before the first known row is an ``unknown`` band. One query, for the rows that begin the bands shown; none
    with ``with_rows=False`` (each band's ``row`` is then None): the chart draws status and time only, and reading
    the evidence of ~3,000 bands was a tenth of a cold crossing page (issue 16)."""
    if start >= end:
        raise ValueError("the window must start before it ends")
    spans: dict[str, list[tuple[datetime, datetime, StatusChange | None]]] = {}
    for kind, runs in changes.items():
        kind_spans: list[tuple[datetime, datetime, StatusChange | None]] = []
        if not runs or runs[0].at > start:
            kind_spans.append((start, min(runs[0].at, end) if runs else end, None))
        for index, change in enumerate(runs):
            until = runs[index + 1].at if index + 1 < len(runs) else end
            if until <= max(change.at, start):
                continue  # ended before the window, or began at its very end: no width to draw
            kind_spans.append((max(change.at, start), until, change))
        spans[kind] = kind_spans
    rows: dict[int, CrossingStatus] = {}
    if with_rows:
        wanted = {change.row_id for kind_spans in spans.values() for _, _, change in kind_spans if change}
        rows = (
            CrossingStatus.objects.select_related("report__source", "stated_by").defer(*EVIDENCE_UNREAD).in_bulk(wanted)
        )
    return {
        kind: [
            Band(
                start=band_start,
                end=band_end,
                status=change.status if change else UNKNOWN,
                row=rows.get(change.row_id) if change else None,
            )
            for band_start, band_end, change in kind_spans
        ]
        for kind, kind_spans in spans.items()
    }
