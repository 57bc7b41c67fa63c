"""Work that follows a new change in the change feed (webhook deliveries, alert e-mails) is queued as soon as the
change commits; each consumer's periodic sweep is the net under this, so nothing is lost when the broker is down
or a message goes missing. One receiver for every consumer, so they all behave alike."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def sweep_after_commit(task: str, *, wanted: Callable[[], bool], what: str) -> Callable[..., None]:
    """A ``post_save`` receiver for ``Change`` that queues the Celery task ``task`` (a dotted path, imported when
    first needed) once the change commits, when ``wanted()`` says anyone is waiting for it; ``what`` names the
    consumer in the warning logged when the broker cannot be reached."""

    def queue() -> None:
        if not wanted():
            return
        try:
            import_string(task).apply_async(retry=False)
        except Exception:  # the broker is unreachable: the periodic sweep will pick the change up
            log.warning("could not queue the %s sweep; the periodic sweep will catch up", what, exc_info=True)

    def receiver(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
        if created:
            transaction.on_commit(queue)

    return receiver
