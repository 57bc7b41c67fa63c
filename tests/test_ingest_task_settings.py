"""Tasks are acknowledged late, redelivered when their worker dies, and time-limited inside the broker's patience."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    assert visibility is None or int(visibility) > settings.INGEST_MAX_RETRY_AFTER_SECONDS


def test_a_retry_wait_as_long_as_the_visibility_timeout_is_refused_at_start():
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11",
        "CELERY_VISIBILITY_TIMEOUT": "400",
        "INGEST_MAX_RETRY_AFTER_SECONDS": "400",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**env, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "must be below CELERY_VISIBILITY_TIMEOUT" in result.stderr


def test_tasks_have_stable_names_for_the_schedule():
    assert (fetch_source.name, poll_due_sources.name) == ("ingest.tasks.fetch_source", "ingest.tasks.poll_due_sources")
