"""Fetching a source's document through the guarded client (``tracker.outbound``), and judging what came back.

Every outcome is one of: content, "not modified" (a 304 to our conditional GET), or a ``FetchFailure`` that says
whether it may pass by itself (time-outs, connection errors, 5xx, 408, 429: ``transient``) or needs someone to
act (every other 4xx, refused addresses, oversized responses, too many redirects).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from tracker import outbound
from tracker.models import Source

ACCEPT_FEED = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"
ACCEPT_JSON = "application/json"
RELIEFWEB_V2_REPORTS = "https://api.reliefweb.int/v2/reports"
RELIEFWEB_DEFAULT_LIMIT = 50
RELIEFWEB_MAX_LIMIT = 1000
# Our own keys in Source.params; everything else is passed to the API as given.
RELIEFWEB_OWN_PARAMS = {"max_pages"}


class FetchFailure(Exception):
    """No usable document; ``transient`` says whether trying again later may help."""

    def __init__(
        self, reason: str, *, transient: bool, http_status: int | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Fetched:
    status: int
    url: str  # after redirects
    body: bytes
    content_type: str
    etag: str
    last_modified: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _api_error_message(body: bytes) -> str:
    """The error a JSON API put in its body (ReliefWeb: ``{"error": {"type": ..., "message": ...}}``), if any."""
    try:
        payload: Any = orjson.loads(body[:65536])
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(payload, dict):
        return ""
    error = payload.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error.get("type") or "")[:500]
    if isinstance(error, str):
        return error[:500]
    return str(payload.get("message") or "")[:500]


def is_reliefweb_v1(url: str) -> bool:
    return bool(re.search(r"/v1(/|$)", urlsplit(url).path))


def judge(response: outbound.Response, *, source_kind: str) -> Fetched:
    """Content or not-modified; anything else becomes a ``FetchFailure`` saying what happened and what to do."""
    status = response.status
    if status == 304 or 200 <= status < 300:
        return Fetched(
            status=status,
            url=response.url,
            body=response.body,
            content_type=response.header("content-type"),
            etag=response.header("etag")[:500],
            last_modified=response.header("last-modified")[:100],
        )
    detail = _api_error_message(response.body)
    suffix = f": {detail}" if detail else ""
    if status == 410 and source_kind == Source.Kind.RELIEFWEB and is_reliefweb_v1(response.url):
        raise FetchFailure(
            f"the ReliefWeb API v1 is retired (HTTP 410 Gone); change this source's URL to "
            f"{RELIEFWEB_V2_REPORTS} and give it an approved appname{suffix}",
            transient=False,
            http_status=status,
        )
    if status == 403 and source_kind == Source.Kind.RELIEFWEB:
        raise FetchFailure(
            "ReliefWeb refused the request (HTTP 403): it only answers pre-approved appnames; request one at "
            f"https://apidoc.reliefweb.int/parameters#appname and put it in this source's params{suffix}",
            transient=False,
            http_status=status,
        )
    if status == 429 or status == 408 or status >= 500:
        retry_after = response.retry_after_seconds()
        wait = f"; asked to wait {retry_after} s" if retry_after is not None else ""
        raise FetchFailure(
            f"HTTP {status} from {urlsplit(response.url).netloc}{wait}{suffix}",
            transient=True,
            http_status=status,
            retry_after=retry_after,
        )
    if status == 410:
        raise FetchFailure(
            f"HTTP 410 Gone: the publisher removed this address{suffix}", transient=False, http_status=410
        )
    if 300 <= status < 400:
        raise FetchFailure(f"HTTP {status} redirect without a Location header", transient=False, http_status=status)
    raise FetchFailure(
        f"HTTP {status} from {urlsplit(response.url).netloc}{suffix}", transient=False, http_status=status
    )


def fetch(url: str, *, source_kind: str, etag: str = "", last_modified: str = "") -> Fetched:
    """One guarded GET, conditional when we hold an ETag or Last-Modified from the last success."""
    accept = ACCEPT_JSON if source_kind == Source.Kind.RELIEFWEB else ACCEPT_FEED
    try:
        response = outbound.fetch(url, headers={"Accept": accept}, etag=etag, last_modified=last_modified)
    except outbound.OutboundError as exc:
        raise FetchFailure(exc.reason, transient=exc.transient) from exc
    return judge(response, source_kind=source_kind)


# --- ReliefWeb paging -----------------------------------------------------------------------------------------


def reliefweb_page_url(source: Source, *, offset: int) -> str:
    """The URL of one page of a ReliefWeb v2 ``reports`` query, from the source's URL and params.

    ``params`` holds ``appname`` (required by ReliefWeb) and any API parameter to pass on, e.g.
    ``{"appname": "...", "filter[field]": "primary_country.iso3", "filter[value]": "pse"}``; ``limit`` sets
    the page size and ``max_pages`` (ours) how many pages one poll reads.
    """
    parts = urlsplit(source.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    params = {k: v for k, v in (source.params or {}).items() if k not in RELIEFWEB_OWN_PARAMS}
    query.update({str(k): v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in params.items()})
    if not str(query.get("appname", "")).strip() and not is_reliefweb_v1(source.url):
        raise FetchFailure(
            "this ReliefWeb source has no appname: ReliefWeb's v2 API requires one; add "
            '{"appname": "<your approved appname>"} to the source\'s params',
            transient=False,
        )
    try:
        limit = int(query.get("limit", RELIEFWEB_DEFAULT_LIMIT))
    except ValueError:
        raise FetchFailure(f"params.limit must be a number, got {query['limit']!r}", transient=False) from None
    query["limit"] = str(max(1, min(limit, RELIEFWEB_MAX_LIMIT)))
    query.setdefault("profile", "full")
    query.setdefault("preset", "latest")
    query["offset"] = str(offset)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(sorted(query.items())), ""))


def reliefweb_max_pages(source: Source) -> int:
    try:
        return max(1, int((source.params or {}).get("max_pages", 1)))
    except (TypeError, ValueError):
        return 1
