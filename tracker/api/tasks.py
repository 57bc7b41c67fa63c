"""Thin Celery tasks for webhooks: each calls one service function; the database decides what is left to do.

Both run on the ``webhooks`` queue (``CELERY_TASK_ROUTES``), consumed by a worker of its own, so a partner's slow
receiver never takes a slot ingestion needs.
"""

from __future__ import annotations

import random
from typing import Any

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="tracker.api.tasks.webhooks_sweep", ignore_result=True)
def webhooks_sweep() -> None:
    """Queue deliveries for new changes, and re-queue any due delivery whose message was lost."""
    new = services.webhooks_queue_new_changes()
    for delivery_id in dict.fromkeys([*new, *services.deliveries_due()]):
        webhook_deliver.delay(delivery_id)


@shared_task(
    bind=True,
    name="tracker.api.tasks.webhook_deliver",
    ignore_result=True,
    max_retries=None,
    acks_late=True,
    # The request ends by API_WEBHOOK_TIMEOUT (outbound's deadline); these are the net under it, and the
    # delivery's claim (services.delivery_claim_seconds) outlasts the hard limit.
    soft_time_limit=settings.API_WEBHOOK_TIMEOUT + 20,
    time_limit=services.delivery_task_time_limit(),
)
def webhook_deliver(self: Any, delivery_id: int) -> None:
    """One attempt; a failure comes back after the delivery's backoff (counted in the database, not here)."""
    outcome = services.webhook_deliver(delivery_id=delivery_id)
    if outcome.state == "busy":
        # The receiving host has its most deliveries in flight: come back shortly (nothing was counted).
        raise self.retry(countdown=(outcome.retry_in or 5) + random.uniform(0, 3))
    if outcome.state == "retry" and outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
