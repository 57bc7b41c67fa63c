"""Reads behind an editor's decision on status suggestions: the queue, one suggestion with what it rests on, and
exactly what accepting would publish (the confirmation pages show this before anything is written)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Crossing, CrossingAlias, CrossingStatus, StatusSuggestion, Traffic
from .standing import Standing, crossings_with_standing

QUEUE_ORDER = ("-created_at", "-id")


def suggestion_queue() -> QuerySet[StatusSuggestion]:
    """Pending suggestions in the order editors work through them: newest raised first."""
    return StatusSuggestion.objects.filter(state=StatusSuggestion.State.PENDING).order_by(*QUEUE_ORDER)


def suggestion_neighbours(suggestion: StatusSuggestion) -> tuple[StatusSuggestion | None, StatusSuggestion | None]:
    """The pending suggestions before and after this one in the queue (two queries on the queue's index)."""
    at, pk = suggestion.created_at, suggestion.pk
    newer = Q(created_at__gt=at) | Q(created_at=at, id__gt=pk)
    older = Q(created_at__lt=at) | Q(created_at=at, id__lt=pk)
    queue = StatusSuggestion.objects.filter(state=StatusSuggestion.State.PENDING).select_related("crossing")
    return (
        queue.filter(newer).order_by("created_at", "id").first(),
        queue.filter(older).order_by(*QUEUE_ORDER).first(),
    )


def suggestion_siblings(suggestion: StatusSuggestion) -> list[StatusSuggestion]:
    """The other open suggestions raised by the same report."""
    return list(
        StatusSuggestion.objects.filter(report_id=suggestion.report_id, state=StatusSuggestion.State.PENDING)
        .exclude(pk=suggestion.pk)
        .select_related("crossing")
        .order_by("crossing__name", "traffic", "id")
    )


def crossing_standing_now(crossing: Crossing, *, as_of: datetime | None = None) -> list[Standing]:
    """The crossing's status for each specific kind of traffic, since when, and whether it is stale."""
    (with_standing,) = crossings_with_standing(Crossing.objects.filter(pk=crossing.pk), as_of=as_of or timezone.now())
    return list(with_standing.standing)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Proposal:
    """A status as it would be published by accepting a suggestion (the editor's corrections applied)."""

    crossing: Crossing
    status: str
    traffic: str
    effective_at: datetime
    suggestion: StatusSuggestion | None = None


@dataclass(frozen=True)
class PlannedChange:
    """What publishing a proposal does to one crossing's status for one specific kind of traffic, now."""

    proposal: Proposal
    traffic: str
    current: CrossingStatus | None
    takes_hold: bool  # False: a newer row for this kind keeps holding, the new one only enters the history

    @property
    def traffic_label(self) -> str:
        return str(Traffic(self.traffic).label)  # in the reader's language, when read

    @property
    def current_status(self) -> str:
        return self.current.status if self.current else CrossingStatus.Status.UNKNOWN

    @property
    def new_status(self) -> str:
        return self.proposal.status if self.takes_hold else self.current_status


def publication_plan(proposals: Sequence[Proposal]) -> list[PlannedChange]:
    """Each specific kind of traffic each proposal changes, from what to what: an ``all`` proposal touches all
    four. Three queries for any number of proposals. The new row holds now unless a row for that kind took effect
    later than it (the status rule: latest ``effective_at``; a tie goes to the later recorded, the new one)."""
    ids = {proposal.crossing.pk for proposal in proposals}
    now = timezone.now()
    standing = {
        crossing.pk: crossing.status_by_traffic  # type: ignore[attr-defined]
        for crossing in crossings_with_standing(Crossing.objects.filter(pk__in=ids), as_of=now)
    }
    plan = []
    for proposal in proposals:
        kinds = Traffic.specific() if proposal.traffic == Traffic.ALL else [Traffic(proposal.traffic)]
        for kind in kinds:
            current = standing[proposal.crossing.pk][kind]
            holds = current is None or proposal.effective_at >= current.effective_at
            plan.append(PlannedChange(proposal=proposal, traffic=kind, current=current, takes_hold=holds))
    return plan


def crossing_names(crossing: Crossing) -> list[str]:
    """The crossing's name and aliases, longest first (so "Kerem Shalom crossing" is marked before "Kerem")."""
    names = {crossing.name, *CrossingAlias.objects.filter(crossing=crossing).values_list("name", flat=True)}
    return sorted((name for name in names if name.strip()), key=len, reverse=True)


def mark_words(text: str, words: Sequence[str]) -> SafeString:
    """``text`` escaped, with every occurrence of ``words`` (case-insensitive) in ``<mark>``."""
    wanted = [re.escape(word) for word in words if word and word.strip()]
    if not wanted:
        return mark_safe(escape(text))
    pattern = re.compile("|".join(wanted), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))
