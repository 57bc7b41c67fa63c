"""The pipeline: fetch, parse, clean, deduplicate, store, link, suggest; and the record of each run.

``poll_source`` is what a worker runs for one source (the Celery task is a thin wrapper); ``ingest_bytes`` runs
the same steps on bytes from elsewhere (``manage.py ingest_file``, the corpus test, the benchmark).

Re-running is safe because the database says so: a lease (``ingest.services.lease_acquire``) lets one run at a
time touch a source; reports are stored by ``tracker.services.report_store_many`` (the rule of
``report_store``, for a whole batch in a few statements), whose unique keys turn a second store of the same item
into an update; links and suggestions are added in bulk, and suggestions are unique per report, crossing, status
and traffic. Entries are stored in batches, one transaction each, so a worker killed mid-run loses at most the
batch in hand, which the next run stores again.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker import services as tracker_services
from tracker.models import Source
from tracker.services import ReportItem, ReportLinks, SuggestionItem

from . import selectors, services
from .clean import CleanEntry, Rejected, clean_entry, identify
from .fetch import FetchFailure, fetch, reliefweb_max_pages, reliefweb_page_url
from .link import Snapshot, read
from .models import FetchRun, ParkedTask, QuarantinedItem
from .parse import ParsedDocument, ParsedEntry, ParseError, parse_document
from .services import Counts, Lease

logger = logging.getLogger(__name__)

FETCH_TASK = "ingest.tasks.fetch_source"


@dataclass
class PollOutcome:
    """What one run came to. ``status`` is a fetch-run status, or ``busy`` / ``parked`` / ``skipped``."""

    status: str
    counts: Counts = field(default_factory=Counts)
    error: str = ""
    transient: bool = False
    retry_in: int | None = None  # seconds: the task should try again this soon
    run: FetchRun | None = None


class LeaseLost(Exception):
    pass


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- storing ---------------------------------------------------------------------------------------------------


class _Store:
    """Stores one run's entries; holds what the run reads once (names and phrases, crossing and crisis rows)."""

    def __init__(self, source: Source, run: FetchRun, fetched_at: datetime, counts: Counts, lease: Lease | None):
        self.source, self.run, self.fetched_at, self.counts, self.lease = source, run, fetched_at, counts, lease
        self._snapshot: Snapshot | None = None
        self._batches = 0

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = selectors.link_snapshot()
        return self._snapshot

    def document(self, doc: ParsedDocument, *, base_url: str = "") -> None:
        batch_size = settings.INGEST_BATCH_SIZE
        for start in range(0, len(doc.entries), batch_size):
            # Renewed before each batch but the run's first (the lease was just taken): a lease lost meanwhile
            # stops the run before it writes more, and a one-batch run pays no renewal.
            if self._batches and self.lease is not None and not services.lease_renew(lease=self.lease):
                raise LeaseLost("this run's lease on the source expired and was taken by another run")
            self._batches += 1
            self._batch(doc.entries[start : start + batch_size], base_url or doc.link)

    def _batch(self, entries: list[ParsedEntry], base_url: str) -> None:
        self.counts.seen += len(entries)
        # Entries stored exactly so already are found in one query, before anything is cleaned.
        identified = [(entry, *identify(entry, base_url=base_url)) for entry in entries]
        unchanged = selectors.fingerprints_unchanged(
            source=self.source, entries=[(identity, fingerprint) for _, identity, fingerprint in identified]
        )
        todo: list[CleanEntry] = []
        for entry, identity, fingerprint in identified:
            if (identity, fingerprint) in unchanged:
                self.counts.unchanged += 1
                continue
            try:
                todo.append(
                    clean_entry(
                        entry,
                        base_url=base_url,
                        max_bytes=settings.INGEST_MAX_ENTRY_BYTES,
                        identified=(identity, fingerprint),
                    )
                )
            except Rejected as rejected:
                self._quarantine(rejected.reason, entry.raw, title=entry.title, url=entry.url)
        if not todo:
            return
        with transaction.atomic():
            stored = self._store(todo)
            services.fingerprints_record(source=self.source, entries=stored)

    def _store(self, entries: list[CleanEntry]) -> list[tuple[str, str, int]]:
        """Store, link and suggest a batch together; if the database refuses any of it, entry by entry.

        One entry the database refuses (a value it will not take) fails the statement that carries the whole
        batch: the batch is rolled back to its savepoint and stored again one entry at a time, so that only
        that entry is quarantined, with the reason, and the others are stored.
        """
        try:
            with transaction.atomic():
                outcomes, stored, refused = self._store_together(entries)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: poll_source records it; never retried entry by entry
        except Exception as exc:
            logger.info("batch of %s stored entry by entry after: %r", self.source, exc)
        else:
            self._settle(outcomes, refused)
            return stored
        stored = []
        for entry in entries:
            try:
                with transaction.atomic():
                    outcomes, one, refused = self._store_together([entry])
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # one bad entry must not cost the others: it is kept, with the reason
                logger.warning("entry of %s not stored: %r", self.source, exc)
                refused = [(entry, exc)]
                outcomes, one = [], []
            self._settle(outcomes, refused)
            stored.extend(one)
        return stored

    def _settle(self, outcomes: list[str], refused: list[tuple[CleanEntry, Exception]]) -> None:
        for outcome in outcomes:
            self.counts.add(outcome)
        for entry, exc in refused:
            self._quarantine(f"not stored: {type(exc).__name__}: {exc}", entry.raw.encode(), entry.title, entry.url)

    def _store_together(
        self, entries: list[CleanEntry]
    ) -> tuple[list[str], list[tuple[str, str, int]], list[tuple[CleanEntry, Exception]]]:
        """(outcomes, stored (identity, fingerprint, report id), refused) of entries stored in a few statements."""
        results = tracker_services.report_store_many(
            source=self.source,
            items=[
                ReportItem(
                    title=entry.title,
                    url=entry.url,
                    external_id=entry.external_id,
                    summary_html=entry.summary_html,
                    text=entry.text,
                    published_at=entry.published_at,
                    language=entry.language,
                    raw=entry.raw,
                    organisations=entry.organisations,
                    country_codes=entry.country_codes,
                    disaster=entry.disaster,
                    glide=entry.glide,
                )
                for entry in entries
            ],
            fetched_at=self.fetched_at,
        )
        outcomes: list[str] = []
        stored: list[tuple[str, str, int]] = []
        refused: list[tuple[CleanEntry, Exception]] = []
        links: list[ReportLinks] = []
        suggestions: list[SuggestionItem] = []
        snapshot = self.snapshot
        for entry, result in zip(entries, results, strict=True):
            if isinstance(result, ValidationError):
                refused.append((entry, result))
                continue
            report_id = result.report.pk
            outcomes.append(result.outcome)
            stored.append((entry.identity, entry.fingerprint, report_id))
            # An unchanged report keeps its links as editors left them (a removed link is not put back).
            if result.outcome == "unchanged":
                continue
            found = read(entry.title, entry.text, snapshot)
            if not found:
                continue
            links.append(
                ReportLinks(
                    report_id=report_id,
                    # Crossings and crises of the snapshot, read in this run: rows that exist.
                    crossing_ids=sorted(found.crossing_ids),
                    crisis_ids=sorted(found.crisis_ids),
                )
            )
            # A duplicate tells the same story as a report already held, which raised its own suggestions.
            if result.outcome != "duplicate":
                suggestions.extend(
                    SuggestionItem(
                        report_id=report_id,
                        crossing_id=suggestion.crossing_id,
                        proposed_status=suggestion.status,
                        traffic=suggestion.traffic,
                        evidence=suggestion.evidence,
                        matched_phrase=suggestion.phrase,
                        confidence=suggestion.confidence,
                        reason=suggestion.reason,
                    )
                    for suggestion in found.suggestions
                )
        tracker_services.report_link_many(links=links)
        tracker_services.suggestion_raise_many(suggestions=suggestions)
        return outcomes, stored, refused

    def _quarantine(self, reason: str, raw: bytes | str, title: str = "", url: str = "") -> None:
        self.counts.rejected += 1
        services.quarantine_record(
            source=self.source,
            kind=QuarantinedItem.Kind.ENTRY,
            reason=reason,
            raw=raw.encode("utf-8") if isinstance(raw, str) else raw,
            run=self.run,
            title=title,
            url=url,
        )


# --- one poll --------------------------------------------------------------------------------------------------


@dataclass
class _Fetching:
    pages: int = 0
    bytes_received: int = 0
    http_status: int | None = None
    warnings: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


def _fetch_and_store(source: Source, store: _Store, state: _Fetching) -> None:
    """Fetch every page the source has for this poll and store it; raises FetchFailure / ParseError."""
    if source.kind == Source.Kind.RELIEFWEB:
        offset = 0
        for page in range(reliefweb_max_pages(source)):
            url = reliefweb_page_url(source, offset=offset)
            first = page == 0
            fetched = fetch(
                url,
                source_kind=source.kind,
                etag=source.etag if first else "",
                last_modified=source.last_modified if first else "",
            )
            state.http_status = fetched.status
            if fetched.not_modified:
                state.not_modified = first
                return
            if first:
                state.etag, state.last_modified = fetched.etag, fetched.last_modified
            state.pages += 1
            state.bytes_received += len(fetched.body)
            doc = _parse(source, store.run, fetched.body, "reliefweb", fetched.content_type)
            store.document(doc, base_url=fetched.url)
            offset += len(doc.entries)
            if not doc.entries or doc.total is None or offset >= doc.total:
                return
        return
    fetched = fetch(source.url, source_kind=source.kind, etag=source.etag, last_modified=source.last_modified)
    state.http_status = fetched.status
    if fetched.not_modified:
        state.not_modified = True
        return
    state.etag, state.last_modified = fetched.etag, fetched.last_modified
    state.pages, state.bytes_received = 1, len(fetched.body)
    doc = _parse(source, store.run, fetched.body, "feed", fetched.content_type)
    state.warnings.extend(doc.warnings)
    store.document(doc, base_url=fetched.url)


def _parse(source: Source, run: FetchRun, body: bytes, format: str, content_type: str) -> ParsedDocument:
    try:
        return parse_document(body, format=format, content_type=content_type)
    except ParseError as error:
        if body:
            services.quarantine_record(
                source=source, kind=QuarantinedItem.Kind.DOCUMENT, reason=error.reason, raw=body, run=run, url=run.url
            )
        raise


def _retry_in(failure: FetchFailure, *, attempt: int, max_retries: int) -> int | None:
    """Seconds before the task tries again, or None: not transient, out of retries, or asked to wait too long."""
    if not failure.transient or attempt >= max_retries:
        return None
    longest = settings.INGEST_MAX_RETRY_AFTER_SECONDS
    if failure.retry_after is not None:
        return failure.retry_after if failure.retry_after <= longest else None
    return min(settings.INGEST_RETRY_BASE_SECONDS * (2**attempt), longest)


def poll_source(
    source_id: int,
    *,
    holder: str,
    task_name: str = FETCH_TASK,
    attempt: int = 0,
    max_retries: int = 0,
    process: str = "",
) -> PollOutcome:
    """Poll one source now: the whole pipeline, its health and its fetch run. Never raises for bad input.

    ``holder`` names this run for the lease (a Celery task id: the same task delivered again may take its own
    lease back). ``attempt`` / ``max_retries``: when a transient failure may still be retried, ``retry_in`` says
    when, and the source's next poll is set no earlier.
    """
    source = Source.objects.filter(pk=source_id).first()
    if source is None or source.kind not in selectors.POLLED_KINDS or not source.url:
        return PollOutcome("skipped", error="no such feed or API source")
    lease = services.lease_acquire(source=source, holder=holder, process=process or process_name())
    if lease is None:
        parked = ParkedTask.objects.filter(source=source, released_at__isnull=True).exists()
        return PollOutcome("parked" if parked else "busy")
    try:
        if lease.unfinished_runs >= settings.INGEST_PARK_AFTER_LOST_RUNS:
            return _park(source, lease, task_name, holder)
        return _poll(source, lease, holder=holder, attempt=attempt, max_retries=max_retries)
    finally:
        services.lease_release(lease=lease)


def _park(source: Source, lease: Lease, task_name: str, holder: str) -> PollOutcome:
    reason = (
        f"parked: the worker died {lease.unfinished_runs} times in a row while polling this source (killed, out "
        "of memory or crashed); it is not polled again until an editor releases it under Ingestion > Parked tasks"
    )
    services.task_park(lease=lease, task_name=task_name, task_id=holder, reason=reason)
    run = services.fetch_run_start(source=source, origin=FetchRun.Origin.POLL, url=source.url, task_id=holder)
    services.fetch_run_finish(run=run, status=FetchRun.Status.FAILED, counts=Counts(), error=reason)
    tracker_services.source_poll_failed(source=source, polled_at=timezone.now(), error=reason)
    logger.error("%s: %s", source, reason)
    return PollOutcome("parked", error=reason, run=run)


def _poll(source: Source, lease: Lease, *, holder: str, attempt: int, max_retries: int) -> PollOutcome:
    run = services.fetch_run_start(source=source, origin=FetchRun.Origin.POLL, url=source.url, task_id=holder)
    polled_at = timezone.now()
    counts = Counts()
    state = _Fetching()
    store = _Store(source, run, polled_at, counts, lease)
    error, transient, retry_in, retry_after = "", False, None, None
    try:
        _fetch_and_store(source, store, state)
    except FetchFailure as failure:
        error, transient, retry_after = failure.reason, failure.transient, failure.retry_after
        state.http_status = failure.http_status or state.http_status
        retry_in = _retry_in(failure, attempt=attempt, max_retries=max_retries)
    except ParseError as failure:
        error = failure.reason
    except SoftTimeLimitExceeded:
        error = f"stopped at the task's soft time limit ({settings.CELERY_TASK_SOFT_TIME_LIMIT} s)"
    except LeaseLost as lost:
        error = str(lost)
    except Exception as exc:  # a bug, or the database went away: recorded, so the source shows it
        logger.exception("polling %s failed", source)
        error = f"internal error: {type(exc).__name__}: {exc}"
    if not error:
        status = FetchRun.Status.NOT_MODIFIED if state.not_modified else FetchRun.Status.SUCCEEDED
        tracker_services.source_poll_succeeded(
            source=source, polled_at=polled_at, etag=state.etag, last_modified=state.last_modified
        )
    else:
        status = FetchRun.Status.FAILED
        wait = retry_in if retry_in is not None else retry_after
        retry_at = polled_at + timedelta(seconds=wait) if wait is not None else None
        tracker_services.source_poll_failed(source=source, polled_at=polled_at, error=error, retry_at=retry_at)
        logger.warning("polling %s failed%s: %s", source, " (will retry)" if retry_in is not None else "", error)
    run = services.fetch_run_finish(
        run=run,
        status=status,
        counts=counts,
        http_status=state.http_status,
        pages=state.pages,
        bytes_received=state.bytes_received,
        error=error,
        transient=transient,
        warnings=state.warnings,
    )
    return PollOutcome(status, counts=counts, error=error, transient=transient, retry_in=retry_in, run=run)


# --- bytes from elsewhere ------------------------------------------------------------------------------------


class SourceBusy(Exception):
    pass


def ingest_bytes(source: Source, data: bytes, *, format: str = "auto", label: str = "") -> PollOutcome:
    """Run the pipeline on bytes already in hand (a local file): same parsing, cleaning, storing and linking.

    Recorded as a fetch run of origin ``file``; the source's polling health is left alone. Raises
    ``SourceBusy`` when a poll of the same source is running.
    """
    holder = f"file:{process_name()}:{uuid.uuid4().hex[:8]}"
    lease = services.lease_acquire(source=source, holder=holder, process=process_name())
    if lease is None:
        raise SourceBusy(f"{source} is being polled right now; try again in a moment")
    try:
        run = services.fetch_run_start(source=source, origin=FetchRun.Origin.FILE, url=label, task_id=holder)
        counts = Counts()
        store = _Store(source, run, timezone.now(), counts, lease)
        error, warnings = "", []
        try:
            doc = _parse(source, run, data, format, "")
            warnings = doc.warnings
            store.document(doc)
        except ParseError as failure:
            error = failure.reason
        except LeaseLost as lost:
            error = str(lost)
        except Exception as exc:
            logger.exception("ingesting %s into %s failed", label, source)
            error = f"internal error: {type(exc).__name__}: {exc}"
        status = FetchRun.Status.FAILED if error else FetchRun.Status.SUCCEEDED
        run = services.fetch_run_finish(
            run=run,
            status=status,
            counts=counts,
            pages=1,
            bytes_received=len(data),
            error=error,
            warnings=warnings,
        )
        return PollOutcome(status, counts=counts, error=error, run=run)
    finally:
        services.lease_release(lease=lease)


# --- scheduling ----------------------------------------------------------------------------------------------


def queue_due_sources(*, enqueue: Callable[[int], object], now: datetime | None = None) -> int:
    """Claim every due source and queue one poll for each once the claim commits; returns how many."""
    now = now or timezone.now()
    # Until the queued poll has run, the source is not due again; if the task is lost, it is after this long.
    until = now + timedelta(seconds=settings.INGEST_LEASE_SECONDS)
    queued = 0
    for source in selectors.due_sources(now=now).only("pk"):
        with transaction.atomic():
            if tracker_services.source_poll_claim(source=source, until=until, now=now):
                transaction.on_commit(partial(enqueue, source.pk))
                queued += 1
    return queued
