"""The heavy part of a page, cached under the record's version (``tracker.caching``): rebuilt as soon as anything
in the record changes, and kept no longer than the page's own precision allows.

A page of the record as it stood at a given moment (``?as_of=``) is the same until the record changes. A page of
"now" also changes as time passes (how long a status has held, whether it is stale, a status recorded ahead of
the moment it takes effect): it is kept to the end of the minute it was built in (pages show time to the minute)
and never past the next moment at which something already recorded takes effect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest

from .. import caching
from .access import is_editor
from .params import AsOf

T = TypeVar("T")


def cached_fragment(request: HttpRequest, as_of: AsOf, name: str, build: Callable[[], T]) -> T:
    """``build()`` (plain, picklable data: HTML text and the like) for this page, query string, reader's role and
    moment; from the cache when it holds one built from the record as it is now."""
    moment = as_of.query_value or f"now:{as_of.moment:%Y-%m-%dT%H:%M}"
    key = caching.answer_key(
        "page", name, request.get_full_path(), is_editor(request.user), moment, settings.STATUS_STALE_AFTER_DAYS
    )
    if key is None:
        return build()
    cached = caching.answer_get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    # One process builds; the others wait for its answer (built from the same version of the record, for the same
    # minute) instead of all building it at once.
    claimed = caching.answer_build_claim(key)
    if not claimed:
        cached = caching.answer_wait(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    try:
        value = build()
        valid_until = None
        if as_of.is_now:
            valid_until = as_of.moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
            upcoming = caching.next_moment_after(as_of.moment)
            if upcoming is not None:
                valid_until = min(valid_until, upcoming)
        caching.answer_put(key, value, valid_until=valid_until)
    finally:
        if claimed:
            caching.answer_build_release(key)
    return value
