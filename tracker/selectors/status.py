"""The status rule, once: pages, API and admin all ask these functions.

The rule: the status of crossing X for traffic T as of moment t is the row, among X's rows for T or for all
traffic that took effect at or before t and were not retracted, with the latest ``effective_at``; rows that took
effect at the same moment are ranked by ``recorded_at``, so a later correction wins, then by id. No row: unknown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from ..models import (
    Crossing,
    CrossingStatus,
    CrossingStatusRetraction,
    Traffic,
)

# The precedence among rows in effect: first is the one that holds.
STATUS_PRECEDENCE = ("-effective_at", "-recorded_at", "-id")
# A status row's evidence is shown by its title, link and source: the report's text, raw item and summary (most
# of its row) are never read with it.
EVIDENCE_UNREAD = ("report__text", "report__raw", "report__summary_html")


def _traffic_kinds(traffic: str) -> list[str]:
    if traffic not in Traffic.values:
        raise ValueError(f"unknown traffic kind {traffic!r}")
    return [Traffic.ALL] if traffic == Traffic.ALL else [traffic, Traffic.ALL]


def status_rows_in_effect(*, crossing: Any, traffic: str | None, as_of: datetime) -> QuerySet[CrossingStatus]:
    """The rows that could hold for ``traffic`` at ``as_of`` (for any kind of traffic: ``None``), best first.
    ``crossing`` may be an ``OuterRef``."""
    retracted = CrossingStatusRetraction.objects.filter(status_row=OuterRef("pk"))
    rows = CrossingStatus.objects.filter(crossing=crossing, effective_at__lte=as_of)
    if traffic is not None:
        rows = rows.filter(traffic__in=_traffic_kinds(traffic))
    return rows.exclude(Exists(retracted)).order_by(*STATUS_PRECEDENCE)


def crossing_status_as_of(
    *, crossing: Crossing, traffic: str = Traffic.ALL, as_of: datetime | None = None
) -> CrossingStatus | None:
    """The status row that holds for ``traffic`` at ``as_of`` (default: now), or None when nothing is known."""
    moment = as_of or timezone.now()
    return (
        status_rows_in_effect(crossing=crossing, traffic=traffic, as_of=moment)
        .select_related("report__source", "stated_by", "recorded_by")
        .defer(*EVIDENCE_UNREAD)
        .first()
    )


def _annotation(traffic: str) -> str:
    return f"status_{traffic}_row_id"


def crossings_annotated_with_status(
    queryset: QuerySet[Crossing] | None = None, *, as_of: datetime | None = None
) -> QuerySet[Crossing]:
    """Crossings, each annotated with the id of the row that holds for every specific kind of traffic."""
    moment = as_of or timezone.now()
    queryset = queryset if queryset is not None else Crossing.objects.all()
    return queryset.annotate(
        **{
            _annotation(kind): Subquery(
                status_rows_in_effect(crossing=OuterRef("pk"), traffic=kind, as_of=moment).values("pk")[:1]
            )
            for kind in Traffic.specific()
        }
    )


def attach_statuses(crossings: list[Crossing]) -> list[Crossing]:
    """Resolve the annotated ids into rows (one query) as ``crossing.status_by_traffic[kind]``."""
    ids = {getattr(c, _annotation(kind)) for c in crossings for kind in Traffic.specific()} - {None}
    rows = {
        row.pk: row
        for row in CrossingStatus.objects.filter(pk__in=ids)
        .select_related("report__source", "stated_by", "recorded_by")
        .defer(*EVIDENCE_UNREAD)
    }
    for crossing in crossings:
        crossing.status_by_traffic = {  # type: ignore[attr-defined]
            kind: rows.get(getattr(crossing, _annotation(kind))) for kind in Traffic.specific()
        }
    return crossings


def crossings_with_status(
    queryset: QuerySet[Crossing] | None = None, *, as_of: datetime | None = None
) -> list[Crossing]:
    """Crossings with ``status_by_traffic``: the row in effect for each specific kind of traffic (or None).

    Two queries whatever the number of crossings.
    """
    return attach_statuses(list(crossings_annotated_with_status(queryset, as_of=as_of)))


def crossing_status_history(*, crossing: Crossing) -> QuerySet[CrossingStatus]:
    """Every row of a crossing, retracted ones included, newest effect first."""
    return (
        CrossingStatus.objects.filter(crossing=crossing)
        .select_related("report__source", "stated_by", "recorded_by", "retraction")
        .defer(*EVIDENCE_UNREAD)
        .order_by(*STATUS_PRECEDENCE)
    )


def status_history_all() -> QuerySet[CrossingStatus]:
    """Every row of every crossing, retracted ones included, by crossing then newest effect first: the open-data
    history file. A row's evidence is still shown only as readers may see it (the CSV writers' rule)."""
    return (
        CrossingStatus.objects.select_related("crossing", "report__source", "stated_by", "recorded_by", "retraction")
        .defer(*EVIDENCE_UNREAD)
        .order_by("crossing__name", "crossing_id", *STATUS_PRECEDENCE)
    )
