"""The machinery, read only: the change feed and worker heartbeats."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    Change,
    WorkerHeartbeat,
)
from .common import (
    ReadOnlyAdmin,
)


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "recorded_at", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("recorded_by",)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("hostname", "last_seen", "is_fresh")

    @admin.display(description=_("consuming"), boolean=True)
    def is_fresh(self, beat: WorkerHeartbeat) -> bool:
        """A worker that has not run the heartbeat lately is not taking tasks, even if its process is alive."""
        return beat.last_seen >= timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
