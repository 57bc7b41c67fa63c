"""A partner's webhook receiver is down for an hour while changes keep being recorded: once it is back, every change
is delivered, none is lost and none is sent twice.

The clock is moved with time-machine, half a minute at a time over three hours, and at each step the periodic
sweep does what ``tracker.api.tasks.webhooks_sweep`` does (queue deliveries for new changes, attempt every due
one). The receiver is a real HTTP server on a fixed local port, stopped (connections refused) and started again.
Production backoff: 30 s doubling, at most an hour between attempts, ten attempts.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from tests.factories import CrossingFactory
from tests.faults import free_port
from tracker import services
from tracker.api import services as api_services
from tracker.api.models import WebhookDelivery

pytestmark = pytest.mark.django_db

STEP = timedelta(seconds=30)  # how often the sweep runs (roles.PERIODIC_TASKS)


class Receiver:
    """A partner's endpoint: answers 200 and keeps what it got, or is down (nothing listens on its port)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[dict] = []
        self._server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def sweep() -> None:
    """One run of the periodic sweep, in this process."""
    queued = api_services.webhooks_queue_new_changes()
    for delivery_id in dict.fromkeys([*queued, *api_services.deliveries_due()]):
        api_services.webhook_deliver(delivery_id=delivery_id)


def test_a_receiver_down_for_an_hour_gets_every_change_once_when_it_is_back(settings):
    settings.API_WEBHOOK_MAX_ATTEMPTS = 10
    settings.API_WEBHOOK_BACKOFF_BASE = 30
    settings.API_WEBHOOK_BACKOFF_MAX = 3600
    receiver = Receiver()
    settings.OUTBOUND_ALLOWED_HOSTS = [f"127.0.0.1:{receiver.port}"]
    token = api_services.token_create(partner="Receiver down", created_by=None).token
    api_services.webhook_register(token=token, url=f"http://127.0.0.1:{receiver.port}/hook")
    rafah = CrossingFactory(name="Rafah")
    start = timezone.now().replace(microsecond=0)
    down_at, back_at, end = start + timedelta(minutes=1), start + timedelta(minutes=61), start + timedelta(hours=3)
    # Changes recorded before, during and at the very end of the outage.
    record_at = [start, start + timedelta(minutes=2), start + timedelta(minutes=10), start + timedelta(minutes=30)]
    record_at += [start + timedelta(minutes=59), start + timedelta(minutes=62)]
    statuses = ["closed", "open", "restricted", "closed", "open", "restricted"]

    receiver.up()
    try:
        moment = start
        with time_machine.travel(moment, tick=False) as clock:
            while moment <= end:
                clock.move_to(moment)
                if moment == down_at:
                    receiver.down()
                if moment == back_at:
                    receiver.up()
                for index, when in enumerate(record_at):
                    if when == moment:
                        services.crossing_record_status(
                            crossing=rafah,
                            status=statuses[index],
                            traffic="aid",
                            effective_at=datetime(2023, 10, 16 + index, tzinfo=UTC),
                            recorded_by=None,
                            note=f"change {index}",
                        )
                sweep()
                moment += STEP
    finally:
        receiver.down()

    deliveries = list(WebhookDelivery.objects.order_by("change_id"))
    print(  # the figures, for whoever runs this with -s
        [(d.attempts, str(d.delivered_at - back_at) if d.delivered_at else None) for d in deliveries]
    )
    assert len(deliveries) == len(record_at), "one delivery per change"
    assert all(d.state == WebhookDelivery.State.DELIVERED for d in deliveries), [
        (d.state, d.last_error) for d in deliveries
    ]
    received = [r["delivery"] for r in receiver.received]
    assert sorted(received) == sorted(str(d.uid) for d in deliveries), "every change arrived, and only once"
    rows = sorted(str(uid) for uid in rafah.statuses.values_list("uid", flat=True))
    assert sorted(r["change"]["status"]["uid"] for r in receiver.received) == rows, "each status row, once"
    during = [d for d in deliveries if down_at <= d.created_at < back_at]
    assert len(during) == 4 and all(d.attempts > 1 for d in during), "the outage was felt, and retried"
    # Once back, the receiver gets the backlog within the longest pause between attempts.
    assert all(d.delivered_at <= back_at + timedelta(seconds=settings.API_WEBHOOK_BACKOFF_MAX) for d in deliveries)
    assert max(d.attempts for d in deliveries) < settings.API_WEBHOOK_MAX_ATTEMPTS, "never given up"
