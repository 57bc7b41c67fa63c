"""Whole answers (API bodies, page fragments) cached under the version of the record they were computed from.

Why this is safe: ``record_version()`` reads one row that PostgreSQL rewrites in the same commit as any change to
the record (migration 0005: deferred triggers on every table pages and API read). An answer is stored under the
version read *before* it was computed, so it reflects that version or a newer one, never an older one; once any
write commits, every reader reads the new version and misses. Nothing has to remember to invalidate anything:
admin edits, services, bulk imports, raw SQL and restores all move the version.

Two things besides the data can change an answer:

- Time. A status row may take effect up to a few minutes after it was recorded, a report may carry a future
  publication time: with nothing written, "now" moves past them. ``next_moment_after()`` finds the first such
  moment after the one an answer was computed for, and the answer expires then.
- Who asks. Callers put everything the answer depends on (path, query, format, the reader's role) into the key.

Caching is off when the version cannot be trusted: on SQLite (``make run``), inside a transaction (its own
uncommitted writes are visible to it but not part of the version), or with ``ANSWER_CACHE_SECONDS=0``. A cache
that fails is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connection
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

_PREFIX = "answer:"
_FOLD_LOCK = 0x7265_636F  # "reco": any constant, the same in every process


# The record's log is folded into one row once it holds this many (one per committed transaction since).
_FOLD_AFTER = 200


def record_version() -> str | None:
    """The version of the record, or None when answers must not be cached here and now.

    The number of committed transactions that changed the record, as this statement sees them (see migration
    0005), prefixed by the database's epoch."""
    if not settings.ANSWER_CACHE_SECONDS or connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT epoch::text FROM tracker_record_epoch), COUNT(*), COALESCE(SUM(weight), 0) "
            "FROM tracker_record_log"
        )
        epoch, rows, total = cursor.fetchone()
        if rows > _FOLD_AFTER:
            _fold(cursor)
    return f"{epoch}:{total}"


def _fold(cursor: Any) -> None:
    """Replace the log's rows by one that carries their sum, in one statement (the sum, hence the version, is the
    same before and after). Rows still being committed are not seen, so not deleted: they count when they land.
    One reader folds at a time; the others go on."""
    cursor.execute(
        "WITH folding AS (SELECT pg_try_advisory_xact_lock(%s) AS mine), "
        "gone AS (DELETE FROM tracker_record_log WHERE (SELECT mine FROM folding) RETURNING weight) "
        "INSERT INTO tracker_record_log (weight) SELECT SUM(weight) FROM gone HAVING COUNT(*) > 0",
        [_FOLD_LOCK],
    )


def answer_key(*parts: object) -> str | None:
    """The cache key of an answer that depends on ``parts`` and on the record; None: do not cache."""
    version = record_version()
    if version is None:
        return None
    # The database's address is part of the key as well as its epoch: a copy made with CREATE DATABASE ... TEMPLATE
    # carries the epoch of the one it was copied from, and the two may share a cache.
    where = (
        connection.settings_dict.get("HOST"),
        connection.settings_dict.get("PORT"),
        connection.settings_dict["NAME"],
    )
    # And the reader's language: a page's cached HTML holds translated words (issue 17); data answers are the same
    # in every language, so for them this only splits the cache.
    digest = hashlib.sha256(repr((version, where, translation.get_language(), *parts)).encode()).hexdigest()
    return _PREFIX + digest


def answer_get(key: str) -> Any:
    """The cached answer, or None."""
    try:
        return cache.get(key)
    except Exception:  # the cache is an accelerator: when it is down, compute
        logger.warning("answer cache unavailable (get)", exc_info=True)
        return None


def answer_put(key: str, value: Any, *, valid_until: datetime | None = None, now: datetime | None = None) -> None:
    """Store an answer until ``ANSWER_CACHE_SECONDS`` pass, or until ``valid_until`` if that comes first."""
    seconds = float(settings.ANSWER_CACHE_SECONDS)
    if valid_until is not None:
        seconds = min(seconds, (valid_until - (now or timezone.now())).total_seconds())
    if seconds < 1:
        return
    try:
        cache.set(key, value, timeout=int(seconds))
    except Exception:
        logger.warning("answer cache unavailable (set)", exc_info=True)


def answer_build_claim(key: str) -> bool:
    """Claim the building of the answer under ``key``: True for the one caller that should build it now.

    When a page's answer expires (each minute for pages of "now"), every process serving it would otherwise
    rebuild it at once, each slower for the others doing the same. The claim lapses after
    ``ANSWER_BUILD_WAIT_SECONDS``, so a builder that died holds no one up for longer. A cache that fails grants the
    claim (everyone builds, as without this)."""
    try:
        return bool(cache.add(key + ":building", 1, timeout=max(1, settings.ANSWER_BUILD_WAIT_SECONDS)))
    except Exception:
        logger.warning("answer cache unavailable (claim)", exc_info=True)
        return True


def answer_build_release(key: str) -> None:
    try:
        cache.delete(key + ":building")
    except Exception:
        logger.warning("answer cache unavailable (release)", exc_info=True)


def answer_wait(key: str, *, poll_seconds: float = 0.02) -> Any:
    """The answer another caller is building under ``key``, once stored; None when the builder finished without
    storing it (an answer too short-lived to keep) or it is not there within ``ANSWER_BUILD_WAIT_SECONDS``: the
    caller then builds it itself."""
    deadline = time.monotonic() + settings.ANSWER_BUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(poll_seconds)
        try:
            found = cache.get_many([key, key + ":building"])
        except Exception:
            logger.warning("answer cache unavailable (wait)", exc_info=True)
            return None
        if found.get(key) is not None:
            return found[key]
        if key + ":building" not in found:
            return None
    return None


def next_moment_after(moment: datetime, *, reports: bool = True) -> datetime | None:
    """The first moment after ``moment`` at which a row already recorded takes effect: a status row, a dispute's
    or agreement's state change, or (with ``reports``) a readable report's publication. None if nothing does.
    An answer computed as of ``moment`` (now) holds until then, if nothing is written. One query, on indexes."""
    from .models import AidDisputeStateChange, CrossingStatus, EvacuationAgreementStateChange, Report
    from .selectors.reports import SHOWN_TO_EDITORS

    quote = connection.ops.quote_name
    parts = [
        f"SELECT MIN(effective_at) FROM {quote(model._meta.db_table)} WHERE effective_at > %(t)s"
        for model in (CrossingStatus, AidDisputeStateChange, EvacuationAgreementStateChange)
    ]
    if reports:
        # Every report a page may show (editors see new ones too): the wider set, so no page outlives its data.
        parts.append(
            f"SELECT MIN(published_at) FROM {quote(Report._meta.db_table)} "
            "WHERE review_state = ANY(%(shown)s) AND published_at > %(t)s"
        )
    sql = "SELECT LEAST(" + ", ".join(f"({part})" for part in parts) + ")"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"t": moment, "shown": [str(state) for state in SHOWN_TO_EDITORS]})
        (value,) = cursor.fetchone()
    return value if isinstance(value, datetime) else None


class _ReusedClients(RedisCacheClient):
    """Django's Redis client builds a new ``redis.Redis`` for every operation, and each one builds its table of
    some 170 response callbacks (0.13 ms, three times per cached API answer). One per connection pool will do:
    they are thread-safe and hold no state of their own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache (``CACHE_URL``), with its clients reused."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClients
