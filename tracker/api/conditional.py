"""ETag and Last-Modified on every successful read, and 304 for a conditional request that matches.

The ETag of a rendered answer (JSON, GeoJSON) is a hash of the body, so it is exact. A CSV export is streamed, so
its body does not exist yet when the headers go out: its ETag is a weak one (``W/"..."``) hashed from what the export
is made from, read before any row is (``version_etag``): the URL, the format, the record's version and the
watermark below, and for "now" answers the moments that change them with nothing written.

Last-Modified comes from a watermark: the latest write to any table the resource is read from (django-simple-history
records every edit, the change feed every history append).
A watermark from the last few minutes is not sent: a write that is still committing, or a status that takes effect
a few minutes after it was recorded, could otherwise hide behind it, and a wrong 304 means a stale status.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from tracker.models import Change


@functools.cache
def _history_table(model: type[Model]) -> str:
    # Looked up once: ``model.history`` builds a new manager (with inspect) at every access, 0.3 ms each.
    return str(model.history.model._meta.db_table)  # type: ignore[attr-defined]


def data_watermark(models: Iterable[type[Model]], *, with_changes: bool = True) -> datetime | None:
    """The latest write to these models' history tables (and to the change feed): one query, each part an
    index-only look at the newest row."""
    parts: list[str] = []
    for model in models:
        table = connection.ops.quote_name(_history_table(model))
        parts.append(f"SELECT (SELECT history_date FROM {table} ORDER BY history_id DESC LIMIT 1) AS t")
    if with_changes:
        table = connection.ops.quote_name(Change._meta.db_table)
        parts.append(f"SELECT (SELECT recorded_at FROM {table} ORDER BY id DESC LIMIT 1) AS t")
    if not parts:
        return None
    # Scalar subqueries, so that one statement runs on PostgreSQL and on SQLite (``make run``).
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(t) FROM ({' UNION ALL '.join(parts)}) AS stamps")
        (value,) = cursor.fetchone()
    if isinstance(value, str):  # SQLite returns text
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def settled(watermark: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """The watermark, if it is old enough to be trusted for If-Modified-Since (else None: no Last-Modified)."""
    if watermark is None:
        return None
    limit = (now or timezone.now()) - timedelta(seconds=settings.API_LAST_MODIFIED_SETTLE_SECONDS)
    return watermark if watermark <= limit else None


def body_etag(content: bytes, content_type: str) -> str:
    digest = hashlib.sha256(content_type.encode() + b"\n" + content).hexdigest()[:32]
    return f'"{digest}"'


def version_etag(parts: Sequence[Any]) -> str:
    """A weak validator from what an answer is made from (not from its bytes): equal parts, equal data."""
    digest = hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


# The request headers an API answer depends on: the format (Accept), who asks (a token, or a staff session).
VARY = ("Accept", "Authorization", "Cookie")


def conditional(
    request: HttpRequest,
    response: HttpResponse | StreamingHttpResponse,
    last_modified: datetime | None,
    *,
    etag: str | None = None,
) -> HttpResponse | StreamingHttpResponse:
    """Add the validators to a 200 response; answer 304 when the request's validators still match. A rendered
    response's ETag is its body's hash; a streamed one's must be given (``version_etag``)."""
    if etag is None:
        assert isinstance(response, HttpResponse)
        etag = body_etag(response.content, response.get("Content-Type", ""))
    response["ETag"] = etag
    timestamp = None
    if last_modified is not None:
        timestamp = int(last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    # Partners' answers depend on who asks; caches must check with us before reusing one.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, VARY)
    # A streamed export answered by a 304 is dropped unread: its rows were never asked of the database. (Not
    # closed: closing a response sends request_finished, which the 304's own close sends once.)
    answer = get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)  # type: ignore[arg-type]
    return answer or response
