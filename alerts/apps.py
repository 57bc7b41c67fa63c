"""The alerts app: on each new change, a sweep is queued after commit; beat runs the same sweep every minute."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from tracker.models import Change

        from .signals import kick_after_commit

        post_save.connect(kick_after_commit, sender=Change, dispatch_uid="alerts_kick_on_change")
        post_migrate.connect(ensure_alerts_schedule, sender=self, dispatch_uid="alerts_schedule")


# Created once, after migrate, like the tracker's own periodic tasks (tracker/roles.py); editors may change it.
SWEEP_NAME = "e-mail alerts"
SWEEP_TASK = "alerts.tasks.alerts_sweep"
SWEEP_EVERY_SECONDS = 60


def ensure_alerts_schedule(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if PeriodicTask.objects.using(using).filter(name=SWEEP_NAME).exists():
        return
    interval, _ = IntervalSchedule.objects.using(using).get_or_create(
        every=SWEEP_EVERY_SECONDS, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.using(using).create(name=SWEEP_NAME, task=SWEEP_TASK, interval=interval)
