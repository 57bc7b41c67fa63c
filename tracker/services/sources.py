"""Writes about a source's health: polls claimed, succeeded and failed, and when it is next due.

Health columns are written with a queryset ``update()``: they are the machine's bookkeeping, not an editor's
change, so they neither bump ``version`` (an editor's open form stays valid) nor add a history row per poll.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Source
from ._common import require_aware

POLLED_KINDS = (Source.Kind.FEED, Source.Kind.RELIEFWEB)


def backoff_delay(*, interval_minutes: int, failures_in_row: int) -> timedelta:
    """How long a source that failed ``failures_in_row`` times waits: its interval, doubled per failure, capped."""
    cap = timedelta(minutes=settings.INGEST_MAX_BACKOFF_MINUTES)
    exponent = min(max(failures_in_row - 1, 0), 20)
    return min(timedelta(minutes=max(interval_minutes, 1)) * (2**exponent), cap)


def source_poll_claim(*, source: Source, until: datetime, now: datetime | None = None) -> bool:
    """Claim a due source for one poll: its next poll moves to ``until``, so it is not queued again meanwhile.

    A conditional UPDATE that must change exactly one row: two schedulers asking at once queue it once.
    """
    now = now or timezone.now()
    require_aware(until, "until")
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    claimed = Source.objects.filter(due, pk=source.pk, enabled=True, kind__in=POLLED_KINDS).update(next_poll_at=until)
    return claimed == 1


def source_poll_succeeded(
    *,
    source: Source,
    polled_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A poll worked (new content or a 304): failures reset, next poll after the source's interval.

    ``etag`` / ``last_modified`` replace the stored validators when given (a 304 keeps the ones we sent).
    """
    require_aware(polled_at, "polled_at")
    with transaction.atomic():
        locked = Source.objects.select_for_update().only("pk", "poll_interval_minutes").get(pk=source.pk)
        fields: dict[str, object] = {
            "last_polled_at": polled_at,
            "last_success_at": polled_at,
            "failures_in_row": 0,
            "next_poll_at": polled_at + timedelta(minutes=locked.poll_interval_minutes),
        }
        if etag is not None:
            fields["etag"] = etag[:500]
        if last_modified is not None:
            fields["last_modified"] = last_modified[:100]
        Source.objects.filter(pk=source.pk).update(**fields)


def source_poll_failed(*, source: Source, polled_at: datetime, error: str, retry_at: datetime | None = None) -> int:
    """A poll failed: the error is kept, failures in a row counted, the next poll backed off (exponentially, capped).

    ``retry_at``: a retry is already planned (or the server asked us to wait): the next poll is not before it.
    Returns the failures in a row, this one included.
    """
    require_aware(polled_at, "polled_at")
    error = (error or "unknown error").strip()[:4000]
    with transaction.atomic():
        locked = (
            Source.objects.select_for_update().only("pk", "poll_interval_minutes", "failures_in_row").get(pk=source.pk)
        )
        failures = locked.failures_in_row + 1
        next_poll = polled_at + backoff_delay(interval_minutes=locked.poll_interval_minutes, failures_in_row=failures)
        if retry_at is not None and retry_at > next_poll:
            next_poll = retry_at
        Source.objects.filter(pk=source.pk).update(
            last_polled_at=polled_at,
            last_error=error,
            last_error_at=polled_at,
            failures_in_row=failures,
            next_poll_at=next_poll,
        )
    return failures
