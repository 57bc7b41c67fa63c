"""Reads the pipeline and the admin share: what to look for in reports, which sources are due or failing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from tracker.models import Crossing, CrossingAlias, Source

from .link import Phrase, Snapshot
from .models import EntryFingerprint, StatusPhrase

POLLED_KINDS = (Source.Kind.FEED, Source.Kind.RELIEFWEB)


def link_snapshot() -> Snapshot:
    """Every crossing's names and crises, and the enabled status phrases, in four queries.

    Building the indexes (folding every name and phrase) costs more than reading the rows, and a worker polling
    many small feeds would pay it on every run: the last snapshot is kept per process and reused while the rows
    read are the same, so an edit is still seen by the very next run.
    """
    global _last_snapshot
    # In the models' own order, as before: where two phrases tie, the first one read wins.
    names_rows = tuple(Crossing.objects.values_list("id", "name"))
    alias_rows = tuple(CrossingAlias.objects.values_list("crossing_id", "name"))
    crisis_rows = tuple(
        Crossing.crises.through.objects.values_list("crossing_id", "crisis_id").order_by("crossing_id", "crisis_id")
    )
    phrase_rows = tuple(
        StatusPhrase.objects.filter(enabled=True).values_list("phrase", "kind", "proposed_status", "traffic")
    )
    rows = (names_rows, alias_rows, crisis_rows, phrase_rows)
    if _last_snapshot is not None and _last_snapshot[0] == rows:
        return _last_snapshot[1]
    names: dict[int, list[str]] = defaultdict(list)
    crises_of: dict[int, list[int]] = defaultdict(list)
    for crossing_id, name in names_rows:
        names[crossing_id].append(name)
    for crossing_id, alias in alias_rows:
        names[crossing_id].append(alias)
    for crossing_id, crisis_id in crisis_rows:
        crises_of[crossing_id].append(crisis_id)
    phrases = [
        Phrase(text=phrase, kind=kind, status=status, traffic=traffic) for phrase, kind, status, traffic in phrase_rows
    ]
    snapshot = Snapshot(names=dict(names), phrases=phrases, crises_of=dict(crises_of))
    _last_snapshot = (rows, snapshot)
    return snapshot


_last_snapshot: tuple[Any, Snapshot] | None = None


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
