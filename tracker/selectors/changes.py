"""Reads of the change feed: every status row, retraction and state change, in the order they were committed.

Paging by ``id`` is safe because ids are handed out in commit order (``tracker.services._common.append_change``):
once a reader has seen id N, no change with a lower id can appear later.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from ..models import Change, Crisis, Crossing

# Everything a feed entry shows, fetched in the same query as the entries.
_FEED_JOINS = (
    "crossing_status__crossing",
    "crossing_status__report__source",
    "crossing_status__stated_by",
    "retraction__status_row__crossing",
    "dispute_change__dispute",
    "dispute_change__report__source",
    "agreement_change__agreement",
    "agreement_change__report__source",
)


def changes_feed(
    *,
    after: int = 0,
    kinds: Iterable[str] | None = None,
    crossing: Crossing | None = None,
    crisis: Crisis | None = None,
) -> QuerySet[Change]:
    """Changes with an id above ``after``, oldest first, with every row they point at joined in."""
    queryset = Change.objects.filter(id__gt=after).select_related(*_FEED_JOINS).order_by("id")
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
