"""Celery tasks of the tracker itself (ingestion's live in ``ingest.tasks``)."""

from __future__ import annotations

import socket

from celery import shared_task

from . import services


@shared_task(name="tracker.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Proves a worker is consuming: /readyz reports a worker whose heartbeat is older than the limit."""
    services.worker_heartbeat_record(hostname=heartbeat.request.hostname or socket.gethostname())
