"""A real Celery worker on Redis sends alerts: the kick after commit reaches it, and a worker killed in the middle
of a batch leaves each subscriber with exactly one message once the sweep runs again."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime

import pytest
from django.db import transaction

from alerts import services as alert_services
from alerts.models import AlertDelivery, AlertSubscription
from alerts.tasks import alerts_sweep
from tests.alerts_support import OPEN, situation
from tests.faults import wait_until
from tests.ingest_fixtures.support import CeleryProcess, start_worker
from tests.smtp_server import SmtpServer
from tracker import services
from tracker.models import Traffic

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CLAIM_SECONDS = 30  # the shortest ALERTS_CLAIM_SECONDS allows


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def worker(broker, smtp):  # type: ignore[no-untyped-def]
    started: list[CeleryProcess] = []

    def start() -> CeleryProcess:
        env = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "60",
            "ALERTS_CLAIM_SECONDS": str(CLAIM_SECONDS),
        }
        started.append(start_worker(f"alerts{len(started)}", allowed_hosts="127.0.0.1", extra_env=env))
        return started[-1]

    yield start
    for process in reversed(started):
        process.stop()


def readers(editor, django_user_model, names):  # type: ignore[no-untyped-def]
    world = situation(editor)
    users = []
    for name in names:
        user = django_user_model.objects.create_user(username=name, email=f"{name}@example.org")
        user.groups.add(*editor.groups.all())
        alert_services.subscription_set(user=user, crossing=world.rafah, traffic=["people"], delivery="immediate")
        users.append(user)
    return world, users


def record_opening(world, editor):  # type: ignore[no-untyped-def]
    with transaction.atomic():  # the kick is queued when this commits
        return services.crossing_record_status(
            crossing=world.rafah,
            status=OPEN,
            traffic=Traffic.PEOPLE,
            effective_at=datetime(2023, 11, 10, tzinfo=UTC),
            recorded_by=editor,
            note="Opened to the wounded",
        )


def all_sent() -> bool:
    return set(AlertDelivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_recorded_status_reaches_the_subscribers_through_the_worker(editor, django_user_model, smtp, worker):
    world, _ = readers(editor, django_user_model, ["dana", "eli"])
    worker()

    record_opening(world, editor)

    wait_until(lambda: len(smtp.mailbox.received) == 2, timeout=60, what="two messages")
    assert sorted(r for m in smtp.mailbox.received for r in m.recipients) == ["dana@example.org", "eli@example.org"]
    # The server has the message a moment before the worker marks its delivery sent.
    wait_until(all_sent, timeout=30, what="every delivery marked sent")


def test_a_worker_killed_mid_batch_leaves_one_message_per_subscriber(editor, django_user_model, smtp, worker):
    world, _ = readers(editor, django_user_model, ["dana", "eli", "fatima"])
    # The worker is caught talking to the server about eli's message, before any of it is sent.
    smtp.mailbox.hold_rcpt["eli@example.org"] = 120
    first = worker()
    record_opening(world, editor)
    wait_until(smtp.mailbox.holding.is_set, timeout=60, what="the worker mid-way through eli's message")

    for pid in first.children():
        os.kill(pid, signal.SIGKILL)
    first.stop()
    worker()  # a new worker; eli's delivery is claimed by the dead one until its claim expires
    wait_until(
        lambda: {m.recipients[0] for m in smtp.mailbox.received} == {"dana@example.org", "fatima@example.org"},
        timeout=60,
        what="the messages the dead worker had not started",
    )
    assert AlertDelivery.objects.get(user__username="eli").state == "pending"

    # The periodic sweep (run by beat every minute) finds eli's delivery once the claim has expired.
    wait_until(
        lambda: alert_services.deliveries_due() != [], timeout=CLAIM_SECONDS + 15, what="the dead claim expiring"
    )
    alerts_sweep.delay()
    wait_until(lambda: len(smtp.mailbox.received) == 3, timeout=60, what="eli's message")
    alerts_sweep.delay()  # and again: nothing more goes out
    wait_until(lambda: not alert_services.deliveries_due(), timeout=30, what="nothing due")

    assert sorted(r for m in smtp.mailbox.received for r in m.recipients) == [
        "dana@example.org", "eli@example.org", "fatima@example.org",
    ]  # fmt: skip
    wait_until(all_sent, timeout=30, what="every delivery marked sent")
    assert AlertSubscription.objects.count() == 3
