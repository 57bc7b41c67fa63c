"""A partner's receiver that drips its headers cannot delay ingestion, nor run two attempts of one delivery.

Real Celery workers on Redis, as deployed: one on the default queue (ingestion) and one on the ``webhooks`` queue.
Two webhooks point at a receiver that sends its status line and then one header byte every half second (the attack
that held the whole pool for four minutes); a source poll is queued at the same moment. The poll completes
promptly on its own worker; each delivery attempt ends at its deadline (``API_WEBHOOK_TIMEOUT``, 2 s here), is
counted once, and only one attempt of each ran.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.db import transaction

from ingest.models import FetchRun
from ingest.tasks import fetch_source
from tests.drip_server import DripServer
from tests.factories import CrossingFactory, status
from tests.faults import start_celery_worker, wait_until
from tests.http_server import Reply
from tests.ingest_fixtures.support import CeleryProcess, feed_source, item, rss
from tracker.api import services as api_services
from tracker.api.models import WebhookDelivery

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WEBHOOK_TIMEOUT = 2
SLACK = 2.0  # seconds: a busy 2-core machine, and the worker's own bookkeeping around the request


def start_webhook_worker(allowed_hosts: str, **env: str) -> CeleryProcess:
    worker = CeleryProcess(
        "webhooks",
        [
            "worker", "--pool=prefork", "--concurrency=2", "--queues=webhooks", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--hostname=webhooks@%h", "--loglevel=INFO",
        ],
        allowed_hosts=allowed_hosts,
        extra_env=env,
    )  # fmt: skip
    return worker.wait_for_line(b" ready.")


def test_a_dripping_receiver_cannot_delay_a_source_poll(broker, allow_server, settings):
    drip = DripServer("headers", interval=0.5)
    settings.OUTBOUND_ALLOWED_HOSTS = [allow_server.host, f"{drip.host}:{drip.port}"]
    allow_server.routes["/feed"] = Reply(200, rss([item(1, "Rafah crossing open for aid trucks.")]))
    source = feed_source(allow_server.url("/feed"))
    token = api_services.token_create(partner="Dripping partner", created_by=None).token
    hosts = f"{allow_server.host},{drip.host}:{drip.port}"
    env = {
        "API_WEBHOOK_TIMEOUT": str(WEBHOOK_TIMEOUT),
        "API_WEBHOOK_BACKOFF_BASE": "600",  # no second attempt within the test: any second one would be a bug
        "API_WEBHOOK_HOST_CONCURRENCY": "2",
    }
    for path in ["/one", "/two"]:
        api_services.webhook_register(token=token, url=drip.url(path))
    ingest_worker = start_celery_worker("ingest", allowed_hosts=hosts, concurrency=1, **env)
    webhook_worker = start_webhook_worker(hosts, **env)
    try:
        # One status change (its commit queues the webhook sweep) and a poll, at the same moment.
        with transaction.atomic():
            status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
        queued_at = time.monotonic()
        fetch_source.delay(source.pk)
        wait_until(
            lambda: FetchRun.objects.filter(source=source, status="succeeded").exists(),
            timeout=20,
            what="the source poll",
        )
        poll_took = time.monotonic() - queued_at
        wait_until(lambda: drip.connections >= 2, timeout=20, what="both deliveries to reach the receiver")
        wait_until(
            lambda: WebhookDelivery.objects.filter(last_status__isnull=True).exclude(last_error="").count() == 2,
            timeout=WEBHOOK_TIMEOUT + 20,
            what="both attempts to end",
        )
        time.sleep(WEBHOOK_TIMEOUT + 1)  # room for a second attempt, had anything started one
        deliveries = list(WebhookDelivery.objects.all())
        connections, most_open, held = drip.connections, drip.most_open, list(drip.durations)
    except AssertionError as failure:
        raise AssertionError(
            f"{failure}\ningest log:\n{ingest_worker.output()}\nwebhook log:\n{webhook_worker.output()}"
        ) from None
    finally:
        webhook_worker.stop()
        ingest_worker.stop()
        drip.close()

    print(f"poll took {poll_took:.2f} s; deliveries {[(d.attempts, d.last_error) for d in deliveries]}; "
          f"connections {connections}, held open {[round(x, 2) for x in held]} s")  # fmt: skip
    assert poll_took < 10, f"the poll waited {poll_took:.1f} s behind the dripping receiver"
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert delivery.state == "pending" and delivery.attempts == 1, (delivery.state, delivery.attempts)
        assert "total time" in delivery.last_error, delivery.last_error
        assert delivery.claimed_until is None, "the claim was given back when the attempt ended"
    assert connections == 2 and most_open <= 2, "one attempt of each delivery, never two at once"
    # Each attempt let go of the receiver at its deadline, however steadily the bytes kept coming.
    assert len(held) == 2 and all(seconds < WEBHOOK_TIMEOUT + SLACK for seconds in held), held
