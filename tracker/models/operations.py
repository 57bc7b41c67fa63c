"""Rows about the tracker's own machinery."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the heartbeat task; /readyz reports workers gone quiet."""

    hostname = models.CharField(_("host name"), max_length=255, unique=True)
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return gettext("%(host)s at %(moment)s") % {
            "host": self.hostname,
            "moment": f"{self.last_seen:%Y-%m-%d %H:%M:%S}",
        }
