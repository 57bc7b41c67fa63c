"""A new change is mailed soon after it commits; the periodic sweep (``tasks.alerts_sweep``) is the net under this,
so nothing is lost when the broker is down or a message goes missing."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def _kick() -> None:
    from .models import AlertSubscription
    from .tasks import alerts_sweep

    if not AlertSubscription.objects.exists():
        return
    try:
        alerts_sweep.apply_async(retry=False)
    except Exception:  # the broker is unreachable: the periodic sweep will pick the change up
        log.warning("could not queue the alerts sweep; the periodic sweep will send", exc_info=True)


def kick_after_commit(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created:
        transaction.on_commit(_kick)
