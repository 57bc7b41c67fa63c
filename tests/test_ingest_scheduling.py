"""Scheduling: due sources are queued once each, after the claim commits; paused, manual and parked ones are not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ingest import services
from ingest.pipeline import queue_due_sources
from ingest.tasks import fetch_source
from tests.factories import SourceFactory
from tests.ingest_fixtures.support import feed_source
from tracker import services as tracker_services
from tracker.services.sources import backoff_delay

pytestmark = pytest.mark.django_db


def test_due_sources_are_queued_once_the_claim_commits(django_capture_on_commit_callbacks):
    now = timezone.now()
    never_polled = feed_source()
    overdue = feed_source(next_poll_at=now - timedelta(minutes=1))
    feed_source(next_poll_at=now + timedelta(minutes=5))  # not yet
    feed_source(enabled=False)  # paused
    SourceFactory()  # manual: nothing to poll
    queued: list[int] = []
    with django_capture_on_commit_callbacks() as callbacks:
        count = queue_due_sources(enqueue=queued.append, now=now)
        assert queued == [], "nothing is queued before the transaction commits"
    for callback in callbacks:
        callback()
    assert count == 2 and sorted(queued) == sorted([never_polled.pk, overdue.pk])


def test_a_claimed_source_is_not_queued_again_until_its_poll_is_done(django_capture_on_commit_callbacks):
    source = feed_source()
    queued: list[int] = []
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_sources(enqueue=queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_sources(enqueue=queued.append)
    assert queued == [source.pk]
    source.refresh_from_db()
    assert source.next_poll_at > timezone.now()


def test_two_schedulers_claiming_at_once_queue_a_source_once():
    source = feed_source()
    now = timezone.now()
    until = now + timedelta(minutes=5)
    assert tracker_services.source_poll_claim(source=source, until=until, now=now) is True
    assert tracker_services.source_poll_claim(source=source, until=until, now=now) is False


def test_a_parked_source_is_not_queued(django_capture_on_commit_callbacks):
    source = feed_source()
    lease = services.lease_acquire(source=source, holder="dead")
    services.task_park(lease=lease, task_name="ingest.tasks.fetch_source", task_id="dead", reason="test")
    queued: list[int] = []
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_sources(enqueue=queued.append)
    assert queued == []


def test_the_beat_task_queues_fetch_tasks(monkeypatch, django_capture_on_commit_callbacks):
    from ingest.tasks import poll_due_sources

    source = feed_source()
    sent: list[int] = []
    monkeypatch.setattr(fetch_source, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_due_sources() == 1
    assert sent == [source.pk]


def test_poll_due_sources_is_scheduled_every_minute_and_editable():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="poll due sources")
    assert task.task == "ingest.tasks.poll_due_sources" and task.enabled
    assert (task.interval.every, task.interval.period) == (60, "seconds")


@pytest.mark.parametrize(
    "failures,minutes", [(0, 30), (1, 30), (2, 60), (3, 120), (4, 240), (7, 1440), (30, 1440), (10_000, 1440)]
)
def test_backoff_doubles_per_failure_and_is_capped(settings, failures, minutes):
    settings.INGEST_MAX_BACKOFF_MINUTES = 1440
    assert backoff_delay(interval_minutes=30, failures_in_row=failures) == timedelta(minutes=minutes)


def test_a_success_resets_the_failures_and_keeps_the_last_error():
    source = feed_source(poll_interval_minutes=10)
    now = timezone.now()
    tracker_services.source_poll_failed(source=source, polled_at=now, error="HTTP 500")
    tracker_services.source_poll_failed(source=source, polled_at=now, error="HTTP 502")
    tracker_services.source_poll_succeeded(source=source, polled_at=now, etag='"e"')
    source.refresh_from_db()
    assert (source.failures_in_row, source.last_error, source.etag) == (0, "HTTP 502", '"e"')
    assert source.next_poll_at == now + timedelta(minutes=10)


def test_health_writes_leave_the_editors_version_and_history_alone():
    source = feed_source()
    version, history = source.version, source.history.count()
    tracker_services.source_poll_failed(source=source, polled_at=timezone.now(), error="boom")
    source.refresh_from_db()
    assert (source.version, source.history.count()) == (version, history)


def test_health_times_must_be_aware():
    from datetime import datetime

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        tracker_services.source_poll_succeeded(source=feed_source(), polled_at=datetime(2023, 10, 16))
