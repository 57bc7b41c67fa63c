"""Reads the pipeline and the admin share: what to look for in reports, which sources are due or failing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from tracker.models import Crossing, CrossingAlias, Source

from .link import Phrase, Snapshot
from .models import EntryFingerprint, StatusPhrase

POLLED_KINDS = (Source.Kind.FEED, Source.Kind.RELIEFWEB)


def link_snapshot() -> Snapshot:
    """Every crossing's names and crises, and the enabled status phrases, in three queries."""
    names: dict[int, list[str]] = defaultdict(list)
    crises_of: dict[int, list[int]] = defaultdict(list)
    for crossing_id, name in Crossing.objects.values_list("id", "name"):
        names[crossing_id].append(name)
    for crossing_id, alias in CrossingAlias.objects.values_list("crossing_id", "name"):
        names[crossing_id].append(alias)
    for crossing_id, crisis_id in Crossing.crises.through.objects.values_list("crossing_id", "crisis_id"):
        crises_of[crossing_id].append(crisis_id)
    phrases = [
        Phrase(text=phrase, kind=kind, status=status, traffic=traffic)
        for phrase, kind, status, traffic in StatusPhrase.objects.filter(enabled=True).values_list(
            "phrase", "kind", "proposed_status", "traffic"
        )
    ]
    return Snapshot(names=dict(names), phrases=phrases, crises_of=dict(crises_of))


def due_sources(*, now: datetime | None = None) -> QuerySet[Source]:
    """Enabled feed and API sources whose next poll has come, and whose polling is not parked."""
    now = now or timezone.now()
    return (
        Source.objects.filter(enabled=True, kind__in=POLLED_KINDS)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .exclude(ingest_lease__parked_at__isnull=False)
        .order_by("next_poll_at", "pk")
    )


def failing_sources() -> QuerySet[Source]:
    """Sources an editor should look at: failed several polls in a row, or parked after killing workers."""
    return (
        Source.objects.filter(
            Q(failures_in_row__gte=settings.INGEST_FLAG_AFTER_FAILURES) | Q(ingest_lease__parked_at__isnull=False)
        )
        .select_related("ingest_lease")
        .order_by("-failures_in_row", "name")
    )


def fingerprints_unchanged(*, source: Source, entries: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (identity, fingerprint) pairs that are stored exactly so already; one query."""
    wanted = set(entries)
    if not wanted:
        return set()
    keys = list({identity for identity, _ in wanted})
    held = EntryFingerprint.objects.filter(source=source, key__in=keys).values_list("key", "fingerprint")
    return wanted & set(held)
