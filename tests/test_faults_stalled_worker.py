"""A worker that stays alive but stops consuming (its consumer cancelled, as after a broker reconnect that went wrong;
or its processes frozen) no longer runs the heartbeat task: its heartbeat goes stale and /readyz and the admin
show it, while the healthy worker beside it stays fresh; once it consumes again it shows fresh again.

Real workers and beat; the heartbeat runs every second and counts as stale after three (production: every minute,
stale after WORKER_HEARTBEAT_MAX_AGE, five minutes by default)."""

from __future__ import annotations

import os
import re
import signal
import socket
from datetime import timedelta

import pytest
from celery.utils.nodenames import worker_direct
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.faults import start_celery_worker, wait_until
from tests.ingest_fixtures.support import start_beat
from tracker.celery import app as celery_app

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STALE_AFTER = 3  # seconds


def heartbeat_every_second() -> None:
    fast, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name="worker heartbeat").update(
        interval=fast, enabled=True, last_run_at=timezone.now() - timedelta(minutes=5)
    )
    PeriodicTask.objects.exclude(name="worker heartbeat").update(enabled=False)


def workers(client) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return client.get("/readyz").json()["workers"]


def consuming_in_admin(client, hostname: str) -> bool:  # type: ignore[no-untyped-def]
    """The "consuming" column of the worker's row in the admin's list of heartbeats."""
    html = client.get("/admin/tracker/workerheartbeat/").content.decode()
    row = next(r for r in re.findall(r"<tr.*?</tr>", html, re.S) if hostname in r)
    return 'alt="True"' in row


def test_a_worker_that_stops_consuming_shows_stale_in_readyz_and_the_admin(broker, settings, client, superuser):
    settings.WORKER_HEARTBEAT_MAX_AGE = STALE_AFTER
    client.force_login(superuser)
    heartbeat_every_second()
    host = socket.gethostname()
    stalled, healthy = f"stall-a@{host}", f"stall-b@{host}"
    one = start_celery_worker("stall-a", allowed_hosts="", concurrency=1)
    two = start_celery_worker("stall-b", allowed_hosts="", concurrency=1)
    beat = start_beat(allowed_hosts="")
    try:
        wait_until(lambda: set(workers(client)["fresh"]) == {stalled, healthy}, timeout=30, what="both beating")

        # Alive, answering its control channel, but consuming nothing from its task queues (the shared one and its
        # own), as a worker whose consumer did not come back after a broker reconnect.
        for queue in ("celery", worker_direct(stalled).name):
            replies = celery_app.control.cancel_consumer(queue, destination=[stalled], reply=True, timeout=5)
            assert replies, "the worker confirmed it stopped consuming"
        wait_until(lambda: stalled in workers(client)["stale"], timeout=30, what="the stalled worker to go stale")
        state = workers(client)
        assert state["fresh"] == [healthy] and state["status"] == "ok", state
        assert celery_app.control.ping(destination=[stalled], timeout=5), "still alive: only consuming stopped"
        assert one.process.poll() is None
        assert not consuming_in_admin(client, stalled) and consuming_in_admin(client, healthy)
        assert client.get("/readyz").status_code == 200, "a stale worker does not make the web server unready"

        # Consuming again: fresh again.
        for queue in ("celery", worker_direct(stalled).name):
            celery_app.control.add_consumer(queue, destination=[stalled], reply=True, timeout=5)
        wait_until(lambda: stalled in workers(client)["fresh"], timeout=30, what="the worker to recover")

        # Frozen (SIGSTOP): no heartbeat either; only the healthy one remains, then none.
        frozen = [one.process.pid, *one.children()]
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        try:
            wait_until(lambda: stalled in workers(client)["stale"], timeout=30, what="the frozen worker to go stale")
            assert consuming_in_admin(client, healthy) and not consuming_in_admin(client, stalled)
            two.stop()
            wait_until(lambda: workers(client)["status"] == "no recent heartbeat", timeout=30, what="no worker left")
        finally:
            for pid in frozen:
                os.kill(pid, signal.SIGCONT)
    except AssertionError as failure:
        raise AssertionError(
            f"{failure}\nreadyz: {workers(client)}\nbeat:\n{beat.output()[-2000:]}\nworker a:\n{one.output()[-2000:]}"
        ) from None
    finally:
        beat.stop()
        one.stop()
        two.stop()
