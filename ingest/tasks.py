"""Celery tasks: thin. They take ids, call the pipeline, and turn a transient failure into a retry.

Queued only once the transaction that asks for them commits (``transaction.on_commit``); acknowledged late and
rejected (so redelivered) when their worker dies, per settings; the pipeline makes a second run harmless.
"""

from __future__ import annotations

import os
import uuid

from celery import Task, shared_task
from django.conf import settings

from . import pipeline


@shared_task(bind=True, name="ingest.tasks.fetch_source", acks_late=True, reject_on_worker_lost=True)
def fetch_source(self: Task, source_id: int) -> str:
    """Poll one source; transient failures (time-outs, 5xx, 429) come back after a growing pause."""
    outcome = pipeline.poll_source(
        source_id,
        holder=self.request.id or f"eager:{uuid.uuid4().hex}",
        task_name=self.name,
        attempt=self.request.retries,
        max_retries=settings.INGEST_TASK_MAX_RETRIES,
        process=f"{self.request.hostname or 'worker'}:{os.getpid()}",
    )
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=settings.INGEST_TASK_MAX_RETRIES)
    return outcome.status


@shared_task(name="ingest.tasks.poll_due_sources")
def poll_due_sources() -> int:
    """Run by beat every minute: one ``fetch_source`` per due source."""
    return pipeline.queue_due_sources(enqueue=fetch_source.delay)
