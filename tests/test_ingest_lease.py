"""One poller per source, a dead worker's lease taken over and counted, and a source that kills workers parked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ingest import services
from ingest.models import FetchRun, ParkedTask, SourceLease
from ingest.pipeline import poll_source
from ingest.selectors import due_sources, failing_sources
from tests.http_server import Reply
from tests.ingest_fixtures.support import feed_source, item, rss

pytestmark = pytest.mark.django_db


def test_a_held_lease_is_refused_to_another_holder():
    source = feed_source()
    assert services.lease_acquire(source=source, holder="task-a") is not None
    assert services.lease_acquire(source=source, holder="task-b") is None


def test_a_released_lease_is_free_and_no_run_counts_as_lost():
    source = feed_source()
    services.lease_release(lease=services.lease_acquire(source=source, holder="task-a"))
    lease = services.lease_acquire(source=source, holder="task-b")
    assert lease is not None and lease.unfinished_runs == 0


def test_an_expired_lease_is_taken_over_and_the_dead_run_counted_and_closed():
    source = feed_source()
    services.lease_acquire(source=source, holder="task-a")
    left_running = services.fetch_run_start(source=source, origin="poll", url=source.url, task_id="task-a")
    SourceLease.objects.filter(source=source).update(expires_at=timezone.now() - timedelta(seconds=1))
    lease = services.lease_acquire(source=source, holder="task-b")
    assert lease is not None and lease.unfinished_runs == 1
    left_running.refresh_from_db()
    assert left_running.status == FetchRun.Status.ABANDONED and "worker" in left_running.error


def test_the_same_task_delivered_again_takes_its_own_lease_back():
    source = feed_source()
    services.lease_acquire(source=source, holder="task-a")
    again = services.lease_acquire(source=source, holder="task-a")
    assert again is not None and again.unfinished_runs == 1


def test_a_poll_finds_the_source_busy_while_another_holds_it(allow_server):
    allow_server.routes["/feed"] = Reply(200, rss([item(1)]))
    source = feed_source(allow_server.url("/feed"))
    services.lease_acquire(source=source, holder="someone-else")
    assert poll_source(source.pk, holder="me").status == "busy"
    assert allow_server.requests == [] and FetchRun.objects.count() == 0


def test_a_source_that_killed_its_worker_three_times_is_parked(allow_server, settings):
    settings.INGEST_PARK_AFTER_LOST_RUNS = 3
    allow_server.routes["/feed"] = Reply(200, rss([item(1)]))
    source = feed_source(allow_server.url("/feed"))
    for _ in range(3):  # three deliveries of one task that each died holding the lease
        services.lease_acquire(source=source, holder="task-a")
    outcome = poll_source(source.pk, holder="task-a")
    assert outcome.status == "parked" and allow_server.requests == []
    parked = ParkedTask.objects.get()
    assert (parked.source, parked.task_id, parked.unfinished_runs) == (source, "task-a", 3)
    assert "died 3 times" in parked.reason
    assert FetchRun.objects.get().status == FetchRun.Status.FAILED
    source.refresh_from_db()
    assert "parked" in source.last_error
    assert source not in due_sources() and source in failing_sources()
    assert poll_source(source.pk, holder="task-b").status == "parked", "not polled again until released"


def test_releasing_a_parked_source_lets_it_be_polled_again(allow_server, editor):
    allow_server.routes["/feed"] = Reply(200, rss([item(1)]))
    source = feed_source(allow_server.url("/feed"))
    lease = services.lease_acquire(source=source, holder="task-a")
    parked = services.task_park(lease=lease, task_name="t", task_id="task-a", reason="test")
    assert services.parked_task_release(parked=parked, released_by=editor) is True
    assert services.parked_task_release(parked=parked, released_by=editor) is False
    assert poll_source(source.pk, holder="task-b").status == "succeeded"
    parked.refresh_from_db()
    assert parked.released_by == editor and parked.released_at is not None


def test_a_finished_poll_releases_its_lease(allow_server):
    allow_server.routes["/feed"] = Reply(500, b"")
    source = feed_source(allow_server.url("/feed"))
    poll_source(source.pk, holder="task-a")
    lease = SourceLease.objects.get(source=source)
    assert (lease.holder, lease.unfinished_runs, lease.expires_at) == ("", 0, None)
