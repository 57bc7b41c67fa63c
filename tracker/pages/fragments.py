"""The heavy part of a page, cached under the record's version (``tracker.caching``): rebuilt as soon as anything
in the record changes, and kept no longer than the page's own precision allows.

A page of the record as it stood at a given moment (``?as_of=``) is the same until the record changes. A page of
"now" also changes as time passes (how long a status has held, whether it is stale, a status recorded ahead of
the moment it takes effect): it is kept to the end of the minute it was built in (pages show time to the minute)
and never past the next moment at which something already recorded takes effect.

When a page of "now" expires at the turn of the minute, one process rebuilds it (a second or more on a large
record, several under load) and, rather than wait for it, the others are given the page of the minute before,
built from the same version of the record: for at most ``LATEST_GRACE`` past its minute and never past a moment at
which something recorded takes effect (issue 16: that wait was the pages' p99 under load; waiters that gave up
after ``ANSWER_BUILD_WAIT_SECONDS`` built it too, each slower for the others). After a write the version moves and
nobody is given the page of before: readers wait for the new one, as they always have.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .. import caching
from .access import is_editor
from .params import AsOf

T = TypeVar("T")

# How long past its own minute a page of "now" may be given while the next one is being built: a page that shows
# time to the minute is then at most a minute behind, as a page cached at the start of a minute is at its end.
LATEST_GRACE = timedelta(minutes=1)


def cached_fragment(request: HttpRequest, as_of: AsOf, name: str, build: Callable[[], T]) -> T:
    """``build()`` (plain, picklable data: HTML text and the like) for this page, query string, reader's role and
    moment; from the cache when it holds one built from the record as it is now."""
    page = ("page", name, request.get_full_path(), is_editor(request.user))
    moment = as_of.query_value or f"now:{as_of.moment:%Y-%m-%dT%H:%M}"
    key = caching.answer_key(*page, moment, settings.STATUS_STALE_AFTER_DAYS)
    if key is None:
        return build()
    cached = caching.answer_get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    # The same page of "now" for any minute, under the same version of the record (the key holds the version).
    latest_key = caching.answer_key("latest", *page, settings.STATUS_STALE_AFTER_DAYS) if as_of.is_now else None
    # One process builds; the others wait for its answer (built from the same version of the record, for the same
    # minute) instead of all building it at once.
    claimed = caching.answer_build_claim(key)
    if not claimed:
        if latest_key is not None:
            latest = caching.answer_get(latest_key)
            if latest is not None and timezone.now() < latest[1]:
                return latest[0]  # type: ignore[no-any-return]
        cached = caching.answer_wait(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    try:
        value = build()
        valid_until = upcoming = None
        if as_of.is_now:
            valid_until = as_of.moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
            upcoming = caching.next_moment_after(as_of.moment)
            if upcoming is not None:
                valid_until = min(valid_until, upcoming)
        caching.answer_put(key, value, valid_until=valid_until)
        if latest_key is not None and valid_until is not None:
            _keep_latest(latest_key, value, valid_until=valid_until, upcoming=upcoming)
    finally:
        if claimed:
            caching.answer_build_release(key)
    return value


def _keep_latest(key: str, value: object, *, valid_until: datetime, upcoming: datetime | None) -> None:
    """Keep ``value`` as the page to give while the next minute's is being built: a little past its own minute,
    never past ``upcoming`` (a row recorded ahead of its time takes effect then, and the page would be wrong)."""
    serve_until = valid_until + LATEST_GRACE
    if upcoming is not None:
        serve_until = min(serve_until, upcoming)
    caching.answer_put(key, (value, serve_until), valid_until=serve_until)
