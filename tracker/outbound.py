"""The one way the tracker talks to other hosts: guarded HTTP for ingestion and webhooks.

Guards, all here so they exist once:

- only http and https;
- every address the host name resolves to must be globally routable (no loopback, private, link-local,
  carrier-grade NAT, multicast, reserved or unspecified address, nor an IPv4 one hidden in IPv6), unless the host
  is on ``settings.OUTBOUND_ALLOWED_HOSTS`` (from ``INGEST_ALLOWED_HOSTS``);
- the connection goes to an address that was checked, and the peer address of the socket is checked again once
  connected, so a DNS answer that changes between check and connect (rebinding) cannot slip past;
- every redirect hop is checked the same way, and there are at most ``max_redirects`` of them;
- one deadline for the whole call (``total_timeout``), kept by the clock: connect, TLS, the status line, the
  headers and the body all count toward it, every hop of a redirect too. Each socket wait is cut to the time left,
  and a watchdog shuts the socket down at the deadline, so a server that drips its headers a byte at a time (which
  no per-read time-out, nor urllib3's ``Timeout(total=...)``, ever stops) cannot hold a worker past it;
- a size cap enforced while streaming: the body is never read past the cap;
- conditional GET (ETag / Last-Modified); a User-Agent that names the project.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.util.ssl_ import create_urllib3_context

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
TOTAL_TIME_MESSAGE = "response took longer than the total time allowed"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class HeaderDefectsWithoutTraceback(logging.Filter):
    """urllib3 logs a server's malformed headers as a warning with a full traceback. The server is not ours and the
    request fails or is cut by our deadline anyway; a hostile receiver should cost a log line, not a stack per
    attempt (settings.LOGGING hangs this on ``urllib3.connection``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Failed to parse headers"):
            record.exc_info = None
            record.exc_text = None
        return True


class OutboundError(Exception):
    """A request that did not produce a response; ``transient`` says whether trying again later may help."""

    transient = False

    def __init__(self, reason: str, *, url: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url


class AddressRefused(OutboundError):
    """The URL's scheme, host or address is not one we may reach."""


class TooManyRedirects(OutboundError):
    pass


class ResponseTooLarge(OutboundError):
    pass


class FetchTimeout(OutboundError):
    transient = True


class ConnectionFailed(OutboundError):
    transient = True


@dataclass
class Response:
    status: int
    url: str  # the final URL, after redirects
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""
    redirects: list[str] = field(default_factory=list)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def retry_after_seconds(self, *, now: float | None = None) -> int | None:
        """Retry-After as seconds (it may be given as seconds or as an HTTP date), or None."""
        value = self.header("retry-after").strip()
        if not value:
            return None
        if value.isdigit():
            return int(value)
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0, int(moment.timestamp() - (now if now is not None else time.time())))


# --- address rules -------------------------------------------------------------------------------------------


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in ipaddress.ip_network("64:ff9b::/96"):  # NAT64: the IPv4 host is in the last 32 bits
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: str | IPAddress) -> bool:
    """True when an address is globally routable; anything internal, special or hidden behind IPv6 is not."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_is_public(embedded)
    return bool(
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_unspecified
        and not ip.is_private
    )


def _allowed_hosts() -> set[str]:
    return {entry.lower() for entry in getattr(settings, "OUTBOUND_ALLOWED_HOSTS", [])}


def host_is_allowlisted(host: str, port: int) -> bool:
    allowed = _allowed_hosts()
    host = host.lower().rstrip(".")
    return host in allowed or f"{host}:{port}" in allowed


def resolve_checked(host: str, port: int, *, url: str = "") -> list[str]:
    """The addresses to connect to; refused unless every address the name has is public (or the host allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailed(f"cannot resolve host {host!r}: {exc}", url=url) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise ConnectionFailed(f"host {host!r} has no address", url=url)
    if not host_is_allowlisted(host, port):
        bad = [a for a in addresses if not address_is_public(a)]
        if bad:
            raise AddressRefused(
                f"refused: {host} resolves to non-public address {', '.join(bad)} "
                "(add the host to INGEST_ALLOWED_HOSTS if it is meant to be reached)",
                url=url,
            )
    return addresses


# --- connections pinned to checked addresses -----------------------------------------------------------------


class _PinnedMixin:
    """Connects to addresses that were checked, then checks the socket's peer again."""

    pinned_addresses: list[str]
    allow_private: bool
    port: int
    timeout: Any

    watchdog: _Watchdog | None = None

    def _new_conn(self) -> socket.socket:
        last_error: OSError | None = None
        for address in self.pinned_addresses:
            try:
                sock = socket.create_connection((address, self.port), timeout=self.timeout)
            except OSError as exc:
                last_error = exc
                continue
            if self.watchdog is not None:
                self.watchdog.watch(sock)
            peer = sock.getpeername()[0]
            if not self.allow_private and not address_is_public(peer):
                sock.close()
                raise AddressRefused(f"refused: connected peer {peer} is not a public address")
            return sock
        raise ConnectionFailed(f"cannot connect: {last_error}")


class _Watchdog:
    """Shuts the connection's socket down when the deadline passes, whatever the reading code is waiting for.

    http.client reads the status line and headers line by line, each ``recv`` with the socket's own time-out; a
    server that sends one byte just before each time-out would keep it reading forever. A shutdown makes the
    blocked ``recv`` return at once, and the caller sees the deadline has passed. The watchdog holds a duplicate
    of the socket's descriptor (a TLS wrapper takes the original over), so it never touches a descriptor number
    that was closed and reused.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer: threading.Timer | None = None

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock.dup())
            if self._timer is None:
                self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._fire)
                self._timer.daemon = True
                self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            for sock in self._socks:
                sock.close()
            self._socks.clear()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


def _open(url: str, connect_timeout: float) -> tuple[HTTPConnection, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise AddressRefused(f"refused: only http and https may be fetched, not {scheme or 'no scheme'!r}", url=url)
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(f"refused: malformed address {url!r}", url=url) from exc
    if not host:
        raise AddressRefused(f"refused: no host in {url!r}", url=url)
    if parts.username or parts.password:
        raise AddressRefused("refused: credentials in URLs are not sent", url=url)
    addresses = resolve_checked(host, port, url=url)
    cls: type[HTTPConnection] = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    kwargs: dict[str, Any] = {"timeout": connect_timeout}
    if scheme == "https":
        kwargs["ssl_context"] = create_urllib3_context()
        kwargs["cert_reqs"] = "CERT_REQUIRED"
    connection = cls(host, port, **kwargs)
    connection.pinned_addresses = addresses  # type: ignore[attr-defined]
    connection.allow_private = host_is_allowlisted(host, port)  # type: ignore[attr-defined]
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return connection, target


def _read_capped(raw: Any, *, max_bytes: int, deadline: float, url: str) -> bytes:
    declared = raw.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(f"response of {int(declared):,} bytes exceeds the {max_bytes:,}-byte cap", url=url)
    chunks, size = [], 0
    # read1: at most one read from the socket per call, so a server that drips bytes meets the deadline check
    # after each of them instead of after a full chunk.
    while chunk := raw.read1(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(f"response exceeds the {max_bytes:,}-byte cap (stopped reading)", url=url)
        if time.monotonic() > deadline:
            raise FetchTimeout(TOTAL_TIME_MESSAGE, url=url)
        chunks.append(chunk)
        _cut_to_deadline(raw, deadline)
    return b"".join(chunks)


def _cut_to_deadline(raw: Any, deadline: float) -> None:
    """The socket waits at most the time left (the watchdog is the net under this)."""
    sock = getattr(getattr(raw, "_fp", None), "fp", None)
    sock = getattr(getattr(sock, "raw", None), "_sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(0.01, min(sock.gettimeout() or 3600.0, deadline - time.monotonic())))


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    total_timeout: float | None = None,
    max_redirects: int = 5,
) -> Response:
    """Make one guarded request, following redirects hop by hop; HTTP error statuses are returned, not raised."""
    max_bytes = max_bytes if max_bytes is not None else settings.OUTBOUND_MAX_BYTES
    connect_timeout = connect_timeout if connect_timeout is not None else settings.OUTBOUND_CONNECT_TIMEOUT
    read_timeout = read_timeout if read_timeout is not None else settings.OUTBOUND_READ_TIMEOUT
    total_timeout = total_timeout if total_timeout is not None else settings.OUTBOUND_TOTAL_TIMEOUT
    deadline = time.monotonic() + total_timeout
    request_headers = {
        "User-Agent": settings.OUTBOUND_USER_AGENT,
        "Accept-Encoding": "identity",
        **(headers or {}),
    }
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified

    hops: list[str] = []
    current = url
    for _hop in range(max_redirects + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(TOTAL_TIME_MESSAGE, url=current)
        connection, target = _open(current, min(connect_timeout, remaining))
        watchdog = _Watchdog(deadline)
        connection.watchdog = watchdog  # type: ignore[attr-defined]
        try:
            try:
                connection.connect()
                # urllib3 applies ``timeout`` to the socket again when the response is read: from here on, it is
                # the read time-out, never longer than the time left.
                connection.timeout = max(0.01, min(read_timeout, watchdog.remaining()))
                connection.request(method, target, body=body, headers=request_headers, preload_content=False)
                raw = connection.getresponse()
            except OutboundError as exc:
                exc.url = exc.url or current
                raise
            except (TimeoutError, ReadTimeoutError) as exc:
                if watchdog.fired or watchdog.remaining() <= 0:
                    raise FetchTimeout(TOTAL_TIME_MESSAGE, url=current) from exc
                raise FetchTimeout(f"timed out waiting for {urlsplit(current).netloc}", url=current) from exc
            except (OSError, Urllib3HTTPError, http.client.HTTPException, ValueError) as exc:
                if watchdog.fired or watchdog.remaining() <= 0:
                    raise FetchTimeout(TOTAL_TIME_MESSAGE, url=current) from exc
                raise ConnectionFailed(f"connection to {urlsplit(current).netloc} failed: {exc}", url=current) from exc
            response_headers = {name.lower(): value for name, value in raw.headers.items()}
            if raw.status in REDIRECT_STATUSES and "location" in response_headers:
                hops.append(current)
                current = urljoin(current, response_headers["location"])
                if raw.status == 303 or (raw.status in {301, 302} and method == "POST"):
                    method, body = "GET", None
                continue
            try:
                content = (
                    b""
                    if method == "HEAD" or raw.status == 304
                    else _read_capped(raw, max_bytes=max_bytes, deadline=deadline, url=current)
                )
            except (TimeoutError, ReadTimeoutError) as exc:
                if watchdog.fired or watchdog.remaining() <= 0:
                    raise FetchTimeout(TOTAL_TIME_MESSAGE, url=current) from exc
                raise FetchTimeout(f"timed out reading from {urlsplit(current).netloc}", url=current) from exc
            except (ProtocolError, OSError, Urllib3HTTPError, http.client.HTTPException, ValueError) as exc:
                if watchdog.fired or watchdog.remaining() <= 0:
                    raise FetchTimeout(TOTAL_TIME_MESSAGE, url=current) from exc
                raise ConnectionFailed(f"reading from {urlsplit(current).netloc} failed: {exc}", url=current) from exc
            if watchdog.fired:
                # The shutdown may read as a clean end of the body: what was read is not the whole answer.
                raise FetchTimeout(TOTAL_TIME_MESSAGE, url=current)
            return Response(status=raw.status, url=current, headers=response_headers, body=content, redirects=hops)
        finally:
            watchdog.stop()
            connection.close()
    raise TooManyRedirects(f"more than {max_redirects} redirects", url=url)
