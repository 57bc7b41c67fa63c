"""Writes about the tracker's own machinery."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import WorkerHeartbeat
from ._common import set_history_user


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    beat, _ = WorkerHeartbeat.objects.update_or_create(hostname=hostname[:255], defaults={"last_seen": timezone.now()})
    return beat


def source_set_enabled(*, source: Any, enabled: bool, changed_by: Any) -> Any:
    """Pause or resume polling of a source."""
    from ..models import Source

    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        if locked.enabled != enabled:
            locked.enabled = enabled
            locked.version += 1
            set_history_user(locked, changed_by)
            locked.save(update_fields=["enabled", "version"])
    return locked
