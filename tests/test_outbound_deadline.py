"""One deadline for every outbound call: connect, headers and body all count, kept by the clock.

Each case is a local server in a thread on loopback: one that drips its headers (the attack that held the worker
pool: a status line, then a header byte every few seconds), one that drips its body, one that says nothing. Each
call must end by its deadline, plus a small slack for the machine.
"""

from __future__ import annotations

import time

import pytest
import urllib3

from tests.drip_server import DripServer
from tracker import outbound

SLACK = 0.75  # seconds past the deadline a busy 2-core machine may take to notice it


@pytest.fixture
def drip(settings):  # type: ignore[no-untyped-def]
    servers: list[DripServer] = []

    def start(mode: str, interval: float = 0.2) -> DripServer:
        server = DripServer(mode, interval=interval)
        settings.OUTBOUND_ALLOWED_HOSTS = [server.host]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.mark.parametrize("mode", ["headers", "body", "silent"])
def test_every_call_ends_by_its_total_deadline(drip, mode):
    server = drip(mode)
    started = time.monotonic()
    with pytest.raises(outbound.FetchTimeout) as error:
        # A generous per-read time-out: only the total may stop a drip.
        outbound.fetch(server.url(), read_timeout=5, total_timeout=1.5)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5 + SLACK, f"{mode}: {elapsed:.2f} s for a 1.5 s deadline"
    assert error.value.transient


def test_a_webhook_style_post_to_a_header_drip_ends_by_its_deadline(drip):
    server = drip("headers", interval=0.1)
    started = time.monotonic()
    with pytest.raises(outbound.FetchTimeout, match="total time"):
        outbound.fetch(server.url(), method="POST", body=b"{}", total_timeout=1, read_timeout=1, max_redirects=0)
    assert time.monotonic() - started < 1 + SLACK


def test_the_deadline_counts_from_the_start_not_from_the_last_byte(drip):
    # Each byte comes well within the 1 s read time-out; only the clock stops it.
    server = drip("headers", interval=0.3)
    started = time.monotonic()
    with pytest.raises(outbound.FetchTimeout):
        outbound.fetch(server.url(), read_timeout=1, total_timeout=2)
    assert 1.8 < time.monotonic() - started < 2 + SLACK


def test_urllib3_total_timeout_alone_does_not_stop_a_header_drip(drip):
    """Why outbound keeps its own clock: urllib3's ``Timeout(total=0.5)`` is still reading headers after 2 s."""
    import threading

    server = drip("headers", interval=0.1)
    pool = urllib3.PoolManager(retries=False)
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(pool.request("GET", server.url(), timeout=urllib3.Timeout(total=0.5)))
        except Exception as exc:  # any ending is recorded
            outcome.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(2.0)
    assert thread.is_alive() and not outcome, "urllib3 stopped a header drip by its total after all"
    server.close()  # ends the drip; the thread then finishes
    thread.join(5)


def test_a_normal_answer_is_unaffected(allow_server):
    from tests.http_server import Reply

    allow_server.routes["/ok"] = Reply(200, b"fine")
    started = time.monotonic()
    response = outbound.fetch(allow_server.url("/ok"), total_timeout=1)
    assert response.body == b"fine"
    assert time.monotonic() - started < 1


def test_a_receivers_malformed_headers_cost_a_log_line_not_a_traceback(drip, caplog):
    """When the deadline cuts a header drip, urllib3 finds the half-sent header malformed and logs it with a stack;
    the soak counted one per attempt. The line stays (it says which URL misbehaved), the stack goes."""
    server = drip("headers", interval=0.6)  # one byte, "X", before the deadline: a header line with no colon
    with caplog.at_level("WARNING", logger="urllib3.connection"), pytest.raises(outbound.FetchTimeout):
        outbound.fetch(server.url(), total_timeout=1, read_timeout=1, max_redirects=0)
    defects = [r for r in caplog.records if r.getMessage().startswith("Failed to parse headers")]
    assert defects, "the drip no longer provokes urllib3's warning: this test checks nothing"
    assert all(r.exc_info is None and not r.exc_text for r in defects)
