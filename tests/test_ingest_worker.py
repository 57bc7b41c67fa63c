"""A real Celery worker on Redis: scheduling, one poller per source, retries, and workers killed mid-task."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ingest.models import FetchRun, ParkedTask
from ingest.parse import parse_document
from ingest.tasks import fetch_source
from tests.conftest import shared_fixture
from tests.faults import wait_until
from tests.http_server import Recorded, Reply
from tests.ingest_fixtures.support import (
    HERE,
    CeleryProcess,
    feed_source,
    item,
    reliefweb_source,
    rss,
    start_beat,
    start_worker,
)
from tracker.models import Report

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FEED = rss([item(1), item(2)])


def real(name: str) -> tuple[bytes, int]:
    """A real feed from ../shared/fixtures/real/ and how many entries it holds."""
    data = shared_fixture(f"real/{name}").read_bytes()
    return data, len(parse_document(data).entries)


@pytest.fixture
def celery(broker, allow_server):  # type: ignore[no-untyped-def]
    """Starts worker and beat processes for the test; all are killed at teardown."""
    started: list[CeleryProcess] = []

    class Starter:
        def worker(self, name: str = "w1", **env: str) -> CeleryProcess:
            started.append(start_worker(name, allowed_hosts=allow_server.host, extra_env=env))
            return started[-1]

        def beat(self) -> CeleryProcess:
            started.append(start_beat(allowed_hosts=allow_server.host))
            return started[-1]

    yield Starter()
    for process in reversed(started):
        process.stop()


def queue_poll(source_id: int) -> None:
    with transaction.atomic():
        transaction.on_commit(lambda: fetch_source.delay(source_id))


def test_beat_runs_poll_due_sources_which_fetches_each_due_source(celery, allow_server):
    from django_celery_beat.models import PeriodicTask

    news, entries = real("feeds-corpus/4288464f77b21d15.xml")  # WSJ world news, as served
    allow_server.routes["/feed"] = Reply(200, news)
    due = feed_source(allow_server.url("/feed"))
    later = feed_source(allow_server.url("/later"), next_poll_at=timezone.now() + timedelta(hours=1))
    PeriodicTask.objects.exclude(name="poll due sources").update(enabled=False)
    PeriodicTask.objects.filter(name="poll due sources").update(last_run_at=timezone.now() - timedelta(minutes=2))
    celery.worker()
    celery.beat()
    polled = FetchRun.objects.filter(source=due, status="succeeded")
    wait_until(polled.exists, timeout=40, what="the due poll")
    assert Report.objects.filter(source=due).count() == entries > 0
    due.refresh_from_db()
    assert due.last_success_at is not None and due.next_poll_at > timezone.now()
    assert [r.path for r in allow_server.requests] == ["/feed"]
    assert not FetchRun.objects.filter(source=later).exists()


def test_a_server_error_then_success_is_retried_by_the_worker(celery, allow_server):
    gdacs, entries = real("gdacs-rss-2019-12-30.xml")
    allow_server.routes["/feed"] = [Reply(500, b"oops"), Reply(200, gdacs)]
    source = feed_source(allow_server.url("/feed"))
    worker = celery.worker()
    queue_poll(source.pk)
    wait_until(lambda: "succeeded" in worker.task_results(), timeout=30, what="the task to retry and finish")
    assert Report.objects.count() == entries == 16
    assert list(FetchRun.objects.order_by("id").values_list("status", "http_status")) == [
        ("failed", 500),
        ("succeeded", 200),
    ]
    source.refresh_from_db()
    assert source.failures_in_row == 0 and "HTTP 500" in source.last_error


def test_a_time_out_is_retried_by_the_worker(celery, allow_server):
    allow_server.routes["/feed"] = [Reply(200, FEED, delay=3), Reply(200, FEED)]
    source = feed_source(allow_server.url("/feed"))
    worker = celery.worker(OUTBOUND_READ_TIMEOUT="1")
    queue_poll(source.pk)
    wait_until(lambda: "succeeded" in worker.task_results(), timeout=30, what="the task to retry and finish")
    assert Report.objects.count() == 2
    first = FetchRun.objects.order_by("id").first()
    assert first.status == FetchRun.Status.FAILED and first.transient and "timed out" in first.error


def test_two_workers_polling_one_source_at_once_fetch_it_once(celery, allow_server):
    news, entries = real("feeds-corpus/3f9eeff5039a008d.xml")  # Al Jazeera, as served
    allow_server.routes["/feed"] = Reply(200, news, delay=2)
    source = feed_source(allow_server.url("/feed"))
    one, two = celery.worker("w1"), celery.worker("w2")
    with transaction.atomic():
        transaction.on_commit(lambda: fetch_source.delay(source.pk))
        transaction.on_commit(lambda: fetch_source.delay(source.pk))
    wait_until(lambda: len(one.task_results() + two.task_results()) == 2, timeout=30, what="both tasks to finish")
    assert sorted(one.task_results() + two.task_results()) == ["busy", "succeeded"]
    assert len(allow_server.requests) == 1
    assert Report.objects.count() == entries > 0 and FetchRun.objects.count() == 1


def test_a_worker_killed_mid_task_loses_nothing_and_duplicates_nothing(celery, allow_server):
    page_one = (HERE / "reliefweb-v2-reports-page.json").read_bytes()
    page_two = (
        b'{"totalCount": 5, "count": 2, "data": ['
        b'{"id": "9100004", "fields": {"title": "Test update four", "url": "https://reliefweb.int/node/9100004"}},'
        b'{"id": "9100005", "fields": {"title": "Test update five", "url": "https://reliefweb.int/node/9100005"}}]}'
    )
    state = {"killed": [], "stored_when_killed": None}
    lock = threading.Lock()

    def serve(request: Recorded) -> Reply:
        if "offset=0" in request.path:
            return Reply(200, page_one)
        with lock:
            if not state["killed"]:
                # The worker is waiting for page two, page one already stored: kill it right there.
                state["stored_when_killed"] = Report.objects.count()
                connection.close()
                state["killed"] = worker.kill_children()
                return Reply(200, page_two, delay=1)
        return Reply(200, page_two)

    allow_server.routes["/v2/reports"] = serve
    source = reliefweb_source(
        allow_server.url("/v2/reports"), params={"appname": "tracker-tests", "limit": 3, "max_pages": 2}
    )
    worker = celery.worker()
    queue_poll(source.pk)
    wait_until(lambda: "succeeded" in worker.task_results(), timeout=40, what="the task to run again and finish")
    assert state["killed"] and state["stored_when_killed"] == 3
    ids = list(Report.objects.values_list("external_id", flat=True))
    assert sorted(ids) == ["9100001", "9100002", "9100003", "9100004", "9100005"], "exactly one copy of each"
    assert sorted(FetchRun.objects.values_list("status", flat=True)) == ["abandoned", "succeeded"]
    assert "worker" in FetchRun.objects.get(status="abandoned").error


def test_a_task_that_keeps_killing_its_worker_is_parked(celery, allow_server):
    kills: list[list[int]] = []

    def kill(request: Recorded) -> Reply:
        kills.append(worker.kill_children())
        return Reply(200, FEED, delay=1)

    allow_server.routes["/feed"] = kill
    source = feed_source(allow_server.url("/feed"))
    worker = celery.worker(INGEST_PARK_AFTER_LOST_RUNS="3")
    queue_poll(source.pk)
    parked = wait_until(lambda: ParkedTask.objects.filter(source=source).first(), timeout=60, what="the task parked")
    wait_until(lambda: "parked" in worker.task_results(), timeout=30, what="the parked task acknowledged")
    assert len(allow_server.requests) == 3 and all(kills)
    assert parked.unfinished_runs == 3 and parked.released_at is None
    assert Report.objects.count() == 0
    statuses = sorted(FetchRun.objects.values_list("status", flat=True))
    assert statuses == ["abandoned", "abandoned", "abandoned", "failed"]
    source.refresh_from_db()
    assert "parked" in source.last_error
