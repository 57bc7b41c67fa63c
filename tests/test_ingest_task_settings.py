"""Tasks are acknowledged late, redelivered when their worker dies, and time-limited inside the broker's patience."""

from __future__ import annotations

from django.conf import settings

from ingest.tasks import fetch_source, poll_due_sources
from tracker.celery import app


def test_a_fetch_is_acknowledged_late_and_requeued_if_its_worker_dies():
    assert fetch_source.acks_late is True and fetch_source.reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_soft_limit_under_hard_limit_under_visibility_timeout_and_the_lease_outlives_a_task():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert visibility is None or int(visibility) > settings.CELERY_TASK_TIME_LIMIT  # None: filesystem broker
    assert settings.INGEST_LEASE_SECONDS > settings.CELERY_TASK_TIME_LIMIT


def test_tasks_have_stable_names_for_the_schedule():
    assert (fetch_source.name, poll_due_sources.name) == ("ingest.tasks.fetch_source", "ingest.tasks.poll_due_sources")
