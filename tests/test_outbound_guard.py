"""Outgoing HTTP refuses internal addresses, caps sizes and times, and follows redirects only to allowed places."""

from __future__ import annotations

import socket

import pytest

from tests.http_server import Reply
from tracker import outbound


def test_allowlisted_local_server_is_fetched_with_our_user_agent(allow_server):
    allow_server.routes["/feed"] = Reply(200, b"<rss/>", {"Content-Type": "application/rss+xml", "ETag": '"v1"'})
    response = outbound.fetch(allow_server.url("/feed"))
    assert (response.status, response.body, response.header("etag")) == (200, b"<rss/>", '"v1"')
    assert "SituationTracker" in allow_server.requests[0].headers["user-agent"]


def test_loopback_without_allowlist_is_refused_before_any_request(http_server):
    http_server.routes["/feed"] = Reply(200, b"secret")
    with pytest.raises(outbound.AddressRefused, match=r"non-public address 127\.0\.0\.1"):
        outbound.fetch(http_server.url("/feed"))
    assert http_server.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
        "http://127.0.0.1:9/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://10.0.0.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://224.0.0.1/",  # multicast
        "http://0.0.0.0/",
        "http://[fe80::1]/",
    ],
)
def test_redirect_to_an_internal_address_is_refused(allow_server, target):
    allow_server.routes["/feed"] = Reply(302, b"", {"Location": target})
    with pytest.raises(outbound.AddressRefused):
        outbound.fetch(allow_server.url("/feed"))
    assert len(allow_server.requests) == 1, "only the allowed first hop was requested"


@pytest.mark.parametrize(
    "address,public",
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("192.168.1.1", False),
        ("172.16.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("240.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::7f00:1", False),
        ("2002:7f00:1::", False),
        ("fc00::1", False),
        ("::", False),
    ],
)
def test_address_rules(address, public):
    assert outbound.address_is_public(address) is public


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "file:///etc/passwd", "gopher://x/", "example.org/feed"])
def test_other_schemes_are_refused(url):
    with pytest.raises(outbound.AddressRefused, match="only http and https"):
        outbound.fetch(url)


def test_name_that_resolves_to_loopback_is_refused(monkeypatch, http_server):
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: real("127.0.0.1", *a, **k))
    with pytest.raises(outbound.AddressRefused):
        outbound.fetch(f"http://innocent.example:{http_server.port}/")
    assert http_server.requests == []


def test_connected_peer_is_checked_again(monkeypatch, http_server):
    """DNS rebinding: the check saw a public address, the socket ended up on loopback. Refused after connect."""
    real_getaddrinfo = socket.getaddrinfo

    def lying_resolver(host, *args, **kwargs):
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", http_server.port))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lying_resolver)
    real_connect = socket.create_connection
    monkeypatch.setattr(
        socket, "create_connection", lambda address, *a, **k: real_connect(("127.0.0.1", address[1]), *a, **k)
    )
    with pytest.raises(outbound.AddressRefused, match=r"connected peer 127\.0\.0\.1"):
        outbound.fetch(f"http://rebind.example:{http_server.port}/")
    assert http_server.requests == []


def test_body_over_the_cap_is_refused_by_its_declared_length(allow_server):
    allow_server.routes["/big"] = Reply(200, b"x" * 5000)
    with pytest.raises(outbound.ResponseTooLarge, match="exceeds"):
        outbound.fetch(allow_server.url("/big"), max_bytes=1024)


def test_body_over_the_cap_is_cut_off_while_streaming(allow_server):
    sent = []

    def endless():
        for _ in range(10_000):
            sent.append(1)
            yield b"y" * 65536

    allow_server.routes["/stream"] = Reply(200, endless())
    with pytest.raises(outbound.ResponseTooLarge, match="stopped reading"):
        outbound.fetch(allow_server.url("/stream"), max_bytes=1024 * 1024)
    assert len(sent) < 200, "the client stopped reading long before the server ran out"


def test_slow_server_times_out(allow_server):
    allow_server.routes["/slow"] = Reply(200, b"late", delay=2)
    with pytest.raises(outbound.FetchTimeout) as error:
        outbound.fetch(allow_server.url("/slow"), read_timeout=0.3)
    assert error.value.transient


def test_dripping_server_hits_the_total_deadline(allow_server):
    import time

    def drip():
        for _ in range(50):
            time.sleep(0.1)
            yield b"." * 10

    allow_server.routes["/drip"] = Reply(200, drip())
    with pytest.raises(outbound.FetchTimeout, match="total time"):
        outbound.fetch(allow_server.url("/drip"), read_timeout=1, total_timeout=0.5)


def test_conditional_get_sends_validators_and_returns_304(allow_server):
    def handler(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"")
        return Reply(200, b"<rss/>", {"ETag": '"v1"'})

    allow_server.routes["/feed"] = handler
    response = outbound.fetch(allow_server.url("/feed"), etag='"v1"', last_modified="Mon, 16 Oct 2023 10:00:00 GMT")
    assert response.status == 304 and response.body == b""
    assert allow_server.requests[0].headers["if-modified-since"] == "Mon, 16 Oct 2023 10:00:00 GMT"


def test_redirects_are_followed_to_allowed_hops_and_capped(allow_server):
    allow_server.routes["/a"] = Reply(301, b"", {"Location": "/b"})
    allow_server.routes["/b"] = Reply(200, b"arrived")
    response = outbound.fetch(allow_server.url("/a"))
    assert response.body == b"arrived" and response.redirects == [allow_server.url("/a")]
    allow_server.routes["/loop"] = Reply(302, b"", {"Location": "/loop"})
    with pytest.raises(outbound.TooManyRedirects):
        outbound.fetch(allow_server.url("/loop"), max_redirects=3)
    assert len([r for r in allow_server.requests if r.path == "/loop"]) == 4


def test_error_statuses_are_returned_with_retry_after(allow_server):
    allow_server.routes["/busy"] = Reply(429, b"slow down", {"Retry-After": "120"})
    response = outbound.fetch(allow_server.url("/busy"))
    assert response.status == 429 and response.retry_after_seconds() == 120


def test_refused_connection_is_transient(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1:9"]
    with pytest.raises(outbound.ConnectionFailed) as error:
        outbound.fetch("http://127.0.0.1:9/")
    assert error.value.transient
