"""Every write to the ingestion pipeline's own rows: leases, fetch runs, quarantine, parked tasks, fingerprints.

Reports, links and suggestions are tracker rows and go through ``tracker.services``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from tracker.models import Source

from .models import EntryFingerprint, FetchRun, ParkedTask, QuarantinedItem, SourceLease

# --- leases: one poller per source ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Lease:
    source_id: int
    holder: str
    unfinished_runs: int  # runs in a row, before this one, whose holder died without releasing
    expires_at: datetime


def lease_acquire(*, source: Source, holder: str, process: str = "", seconds: int | None = None) -> Lease | None:
    """Take the source for one run, or None when another holder has it (or its polling is parked).

    A conditional UPDATE that must change exactly one row: the lease is free, expired, or already ours (the same
    task delivered again after its worker died). Taking over a lease nobody released counts one more run lost.
    """
    if not holder:
        raise ValueError("a lease needs a holder")
    now = timezone.now()
    expires = now + timedelta(seconds=seconds or settings.INGEST_LEASE_SECONDS)
    SourceLease.objects.get_or_create(source_id=source.pk)
    taken = (
        SourceLease.objects.filter(Q(holder="") | Q(expires_at__lt=now) | Q(holder=holder), source_id=source.pk)
        .filter(parked_at__isnull=True)
        .update(
            unfinished_runs=Case(When(holder="", then=F("unfinished_runs")), default=F("unfinished_runs") + 1),
            holder=holder[:255],
            process=process[:255],
            acquired_at=now,
            expires_at=expires,
        )
    )
    if taken != 1:
        return None
    lost = SourceLease.objects.values_list("unfinished_runs", flat=True).get(source_id=source.pk)
    if lost:
        # Whatever a dead holder left "running" will never finish: say so, so the record explains the gap.
        FetchRun.objects.filter(source=source, status=FetchRun.Status.RUNNING).update(
            status=FetchRun.Status.ABANDONED,
            finished_at=now,
            error="the worker running this poll was lost (killed or crashed) before it finished; it was run again",
        )
    return Lease(source_id=source.pk, holder=holder, unfinished_runs=lost, expires_at=expires)


def lease_renew(*, lease: Lease, seconds: int | None = None) -> bool:
    """Extend our lease (between batches of a long run); False means it is no longer ours."""
    expires = timezone.now() + timedelta(seconds=seconds or settings.INGEST_LEASE_SECONDS)
    return SourceLease.objects.filter(source_id=lease.source_id, holder=lease.holder).update(expires_at=expires) == 1


def lease_release(*, lease: Lease) -> None:
    """The run ended, well or badly, but it ended: the source is free and no run is counted lost."""
    SourceLease.objects.filter(source_id=lease.source_id, holder=lease.holder).update(
        holder="", process="", expires_at=None, unfinished_runs=0
    )


def task_park(*, lease: Lease, task_name: str, task_id: str, reason: str) -> ParkedTask:
    """Set a source's polling aside after it kept killing its worker; an editor releases it in the admin."""
    now = timezone.now()
    with transaction.atomic():
        SourceLease.objects.filter(source_id=lease.source_id, holder=lease.holder).update(
            holder="", process="", expires_at=None, parked_at=now
        )
        try:
            with transaction.atomic():
                return ParkedTask.objects.create(
                    task_name=task_name,
                    task_id=task_id[:255],
                    source_id=lease.source_id,
                    unfinished_runs=lease.unfinished_runs,
                    reason=reason,
                    parked_at=now,
                )
        except IntegrityError:
            return ParkedTask.objects.get(source_id=lease.source_id, released_at__isnull=True)


def parked_task_release(*, parked: ParkedTask, released_by: Any) -> bool:
    """An editor lets a parked source be polled again (after fixing what killed the worker, one hopes).

    Returns False when it was already released. The caller queues a poll once this commits.
    """
    with transaction.atomic():
        updated = ParkedTask.objects.filter(pk=parked.pk, released_at__isnull=True).update(
            released_at=timezone.now(), released_by=released_by
        )
        if updated:
            SourceLease.objects.filter(source_id=parked.source_id).update(parked_at=None, unfinished_runs=0)
    return updated == 1


# --- fetch runs -----------------------------------------------------------------------------------------------


@dataclass
class Counts:
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejected: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return (
            f"new {self.new}, updated {self.updated}, unchanged {self.unchanged}, duplicate {self.duplicate}, "
            f"rejected {self.rejected} (of {self.seen} seen)"
        )


def fetch_run_start(*, source: Source, origin: str, url: str, task_id: str = "") -> FetchRun:
    return FetchRun.objects.create(
        source=source, origin=origin, url=url[:2000], task_id=task_id[:255], started_at=timezone.now()
    )


def fetch_run_finish(
    *,
    run: FetchRun,
    status: str,
    counts: Counts,
    http_status: int | None = None,
    pages: int = 0,
    bytes_received: int = 0,
    error: str = "",
    transient: bool = False,
    warnings: Iterable[str] = (),
) -> FetchRun:
    """Close a run with what it did; a run already closed (marked abandoned meanwhile) is left as it is."""
    if status == FetchRun.Status.RUNNING:
        raise ValueError("a run finishes in a final status")
    if status == FetchRun.Status.FAILED and not error.strip():
        error = "failed without a reason (a bug: please report it)"
    fields = {
        "status": status,
        "finished_at": timezone.now(),
        "http_status": http_status,
        "pages": pages,
        "bytes_received": bytes_received,
        "entries_seen": counts.seen,
        "entries_new": counts.new,
        "entries_updated": counts.updated,
        "entries_unchanged": counts.unchanged,
        "entries_duplicate": counts.duplicate,
        "entries_rejected": counts.rejected,
        "error": error[:10_000],
        "transient": transient,
        "warnings": "\n".join(warnings)[:10_000],
    }
    FetchRun.objects.filter(pk=run.pk, status=FetchRun.Status.RUNNING).update(**fields)
    run.refresh_from_db()
    return run


# --- quarantine -----------------------------------------------------------------------------------------------


def quarantine_record(
    *,
    source: Source,
    kind: str,
    reason: str,
    raw: bytes,
    run: FetchRun | None = None,
    title: str = "",
    url: str = "",
) -> QuarantinedItem:
    """Keep what could not be stored, with why; the same bytes from the same source are kept once and counted."""
    now = timezone.now()
    digest = QuarantinedItem.hash_of(raw)
    reason = (reason or "unknown reason").strip()[:10_000]
    with transaction.atomic():
        updated = QuarantinedItem.objects.filter(source=source, raw_sha256=digest).update(
            times_seen=F("times_seen") + 1, last_seen_at=now, reason=reason, fetch_run=run
        )
        if not updated:
            try:
                with transaction.atomic():
                    return QuarantinedItem.objects.create(
                        source=source,
                        fetch_run=run,
                        kind=kind,
                        reason=reason,
                        title=title.replace("\x00", "")[:1000],
                        url=url.replace("\x00", "")[:2000],
                        raw=raw,
                        raw_size=len(raw),
                        raw_sha256=digest,
                        first_seen_at=now,
                        last_seen_at=now,
                    )
            except IntegrityError:  # the same bytes, quarantined by another run a moment ago
                QuarantinedItem.objects.filter(source=source, raw_sha256=digest).update(
                    times_seen=F("times_seen") + 1, last_seen_at=now
                )
    return QuarantinedItem.objects.get(source=source, raw_sha256=digest)


# --- fingerprints ---------------------------------------------------------------------------------------------


def fingerprints_record(*, source: Source, entries: Iterable[tuple[str, str, int]]) -> None:
    """Remember (identity, fingerprint, report id) of entries just stored, in one statement."""
    now = timezone.now()
    rows = {
        identity: EntryFingerprint(
            source=source, key=identity, fingerprint=fingerprint, report_id=report_id, seen_at=now
        )
        for identity, fingerprint, report_id in entries
    }
    if rows:
        EntryFingerprint.objects.bulk_create(
            list(rows.values()),
            update_conflicts=True,
            unique_fields=["source", "key"],
            update_fields=["fingerprint", "report", "seen_at"],
        )
