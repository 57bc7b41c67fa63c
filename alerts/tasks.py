"""Thin Celery tasks for e-mail alerts: each calls one service function; the database decides what is left to do.

They run on the default queue (not ``webhooks``): a slow SMTP server delays alerts, never a partner's webhook.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="alerts.tasks.alerts_sweep", ignore_result=True)
def alerts_sweep() -> None:
    """Match new changes to subscribers, send what is due now, and queue the digests whose hour has come."""
    new = services.alerts_queue_new_changes()
    for delivery_id in dict.fromkeys([*new, *services.deliveries_due()]):
        alert_send.delay(delivery_id)
    for user_id in services.digests_due():
        digest_send.delay(user_id)


@shared_task(name="alerts.tasks.alert_send", acks_late=True)
def alert_send(delivery_id: int) -> str:
    """One message; a failure is retried by the sweep after its pause (counted in the database, not here)."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(name="alerts.tasks.digest_send", acks_late=True)
def digest_send(user_id: int) -> str:
    return services.digest_send(user_id=user_id)
