"""Redis is killed (SIGKILL) and restarted in the middle of a burst of queued fetches: the queue comes back from the
append-only file, the worker reconnects and goes on consuming, every due source is polled, and no source is ever
polled twice at once.

Runs its own redis-server (append-only, fsync every second, as docker-compose runs it) on a free port: the shared
Redis is never touched. The worker is a real Celery worker on the test database.
"""

from __future__ import annotations

import itertools
import threading
import time

import pytest
import redis
from celery import Celery
from django.db import transaction
from kombu import Connection

from ingest import pipeline
from ingest.models import FetchRun
from tests.faults import OwnRedis, start_celery_worker, wait_until
from tests.http_server import Recorded, Reply
from tests.ingest_fixtures.support import feed_source, item, rss
from tracker.models import Report, Source

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SOURCES = 16
POLL_SECONDS = 0.4  # each feed answers this slowly, so the burst is still being worked through when Redis dies


@pytest.fixture
def own_redis(tmp_path):  # type: ignore[no-untyped-def]
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def test_a_redis_restart_mid_burst_loses_no_poll_and_never_polls_a_source_twice_at_once(own_redis, allow_server):
    visits: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    def feed(request: Recorded) -> Reply:
        started = time.monotonic()
        time.sleep(POLL_SECONDS)
        n = request.path.rsplit("/", 1)[1]
        with lock:
            visits.append((request.path, started, time.monotonic()))
        return Reply(200, rss([item(int(n), f"Update number {n} from this feed.")]))

    sources = []
    for n in range(SOURCES):
        allow_server.routes[f"/feeds/{n}"] = feed
        sources.append(feed_source(allow_server.url(f"/feeds/{n}")))

    # What beat's poll_due_sources does: claim every due source, queue one fetch each (here, into our own Redis).
    # (Celery's CELERY_BROKER_URL variable would outrank a broker given to the app: the connection is explicit.)
    sender, connection = Celery("fault-test"), Connection(own_redis.url())
    send = lambda pk: sender.send_task("ingest.tasks.fetch_source", args=[pk], connection=connection)  # noqa: E731
    with transaction.atomic():
        queued = pipeline.queue_due_sources(enqueue=send)
    assert queued == SOURCES
    broker = redis.Redis(port=own_redis.port)
    assert broker.llen("celery") == SOURCES, broker.keys("*")
    time.sleep(1.5)  # appendfsync everysec: what was queued a second ago is on disk

    worker = start_celery_worker("redis-fault", allowed_hosts=allow_server.host, CELERY_BROKER_URL=own_redis.url())
    try:
        wait_until(lambda: FetchRun.objects.filter(status="succeeded").count() >= 3, timeout=60, what="a few polls")
        waiting = broker.llen("celery")
        own_redis.kill()
        killed_at = time.monotonic()
        time.sleep(2)
        own_redis.start()
        assert waiting > 0, "Redis was killed with fetches still queued (else the test proves nothing)"

        def every_source_polled() -> bool:
            polled = set(FetchRun.objects.filter(status="succeeded").values_list("source_id", flat=True))
            return polled >= {s.pk for s in sources}

        wait_until(every_source_polled, timeout=90, what="every due source to be polled")

        # The worker goes on consuming after its reconnect: a poll queued now is done too.
        late = feed_source(allow_server.url("/feeds/late"))
        allow_server.routes["/feeds/late"] = Reply(200, rss([item(999, "A late item.")]))
        send(late.pk)
        wait_until(
            lambda: FetchRun.objects.filter(source=late, status="succeeded").exists(),
            timeout=60,
            what="a poll queued after the restart",
        )
    except AssertionError as failure:
        raise AssertionError(f"{failure}\nworker log:\n{worker.output()}") from None
    finally:
        output = worker.output()
        worker.stop()
        connection.release()

    print(  # the figures, for whoever runs this with -s
        f"{waiting} fetches still queued when Redis was killed; {len(visits)} polls of {SOURCES} sources, "
        f"{sum(start > killed_at for _, start, _ in visits)} after the restart"
    )
    assert any(start > killed_at for _, start, _ in visits), "polls went on after the restart"
    by_source: dict[str, list[tuple[float, float]]] = {}
    for path, start, end in visits:
        by_source.setdefault(path, []).append((start, end))
    for path, spans in by_source.items():
        spans.sort()
        for (_, first_end), (second_start, _) in itertools.pairwise(spans):
            assert second_start >= first_end, f"{path} was polled twice at once"
    # Each item stored once, whatever was polled again.
    assert Report.objects.count() == SOURCES + 1
    assert Source.objects.filter(pk__in=[s.pk for s in sources], last_success_at__isnull=True).count() == 0
    assert "Connection to broker lost" in output or "Cannot connect" in output or "reconnect" in output.lower()
