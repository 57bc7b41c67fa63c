"""New changes reach webhooks soon after they commit; the periodic sweep (``tasks.webhooks_sweep``) is the net
under this, so nothing is lost when the broker is down or a message goes missing."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def _queue_scan() -> None:
    from .models import Webhook
    from .tasks import webhooks_sweep

    if not Webhook.objects.filter(active=True).exists():
        return
    try:
        webhooks_sweep.apply_async(retry=False)
    except Exception:  # the broker is unreachable: the periodic sweep will pick the change up
        log.warning("could not queue the webhook sweep; the periodic sweep will deliver", exc_info=True)


def queue_webhooks_after_commit(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created:
        transaction.on_commit(_queue_scan)
