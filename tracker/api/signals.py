"""New changes reach webhooks soon after they commit (``tracker.sweeps``); the periodic sweep
(``tasks.webhooks_sweep``) is the net under this."""

from __future__ import annotations

from tracker.sweeps import sweep_after_commit


def _any_active_webhook() -> bool:
    from .models import Webhook

    return Webhook.objects.filter(active=True).exists()


queue_webhooks_after_commit = sweep_after_commit(
    "tracker.api.tasks.webhooks_sweep", wanted=_any_active_webhook, what="webhook"
)
