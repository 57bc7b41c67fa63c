"""Reads of the change feed: every status row, retraction and state change, in the order they were committed.

Paging by ``id`` is safe because ids are handed out in commit order (``tracker.services._common.append_change``):
once a reader has seen id N, no change with a lower id can appear later.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from ..models import (
    AidDisputeStateChange,
    Change,
    Crisis,
    Crossing,
    CrossingStatusRetraction,
    EvacuationAgreementStateChange,
)

# Everything a feed entry shows: status rows (nearly every entry) joined in the same query; retractions and state
# changes in one query each, and only when the page holds some. Joining all fifteen tables at once cost 14 ms of
# planning for every page; a report's text, raw item and summary (most of its row) are never read.
_FEED_JOINS = ("crossing_status__crossing", "crossing_status__report__source", "crossing_status__stated_by")
_UNREAD = ("text", "raw", "summary_html")


def _feed_prefetches() -> list[Prefetch[Any]]:
    return [
        Prefetch(
            "retraction",
            queryset=CrossingStatusRetraction.objects.select_related("status_row__crossing"),
        ),
        Prefetch(
            "dispute_change",
            queryset=AidDisputeStateChange.objects.select_related("dispute", "report__source").defer(
                *(f"report__{name}" for name in _UNREAD)
            ),
        ),
        Prefetch(
            "agreement_change",
            queryset=EvacuationAgreementStateChange.objects.select_related("agreement", "report__source").defer(
                *(f"report__{name}" for name in _UNREAD)
            ),
        ),
    ]


def changes_feed(
    *,
    after: int = 0,
    kinds: Iterable[str] | None = None,
    crossing: Crossing | None = None,
    crisis: Crisis | None = None,
) -> QuerySet[Change]:
    """Changes with an id above ``after``, oldest first, with every row they point at joined in."""
    queryset = (
        Change.objects.filter(id__gt=after)
        .select_related(*_FEED_JOINS)
        .defer(*(f"crossing_status__report__{name}" for name in _UNREAD))
        .prefetch_related(*_feed_prefetches())
        .order_by("id")
    )
    kinds = list(kinds or [])
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    if crossing is not None:
        queryset = queryset.filter(Q(crossing_status__crossing=crossing) | Q(retraction__status_row__crossing=crossing))
    if crisis is not None:
        in_crisis = Crossing.crises.through.objects.filter(crisis=crisis).values("crossing_id")
        queryset = queryset.filter(
            Q(crossing_status__crossing_id__in=in_crisis)
            | Q(retraction__status_row__crossing_id__in=in_crisis)
            | Q(dispute_change__dispute__crisis=crisis)
            | Q(agreement_change__agreement__crisis=crisis)
        )
    return queryset


def latest_change_id() -> int:
    """The id of the newest change, 0 when the feed is empty (a new webhook starts after it)."""
    return Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
