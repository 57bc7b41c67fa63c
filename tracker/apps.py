from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Situation tracker")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import ensure_roles_and_schedules

        post_migrate.connect(ensure_roles_and_schedules, dispatch_uid="tracker_roles")

        from .attribution import connect

        connect()  # history rows written by Celery tasks name the task (the audit trail's "who")

        from . import checks  # noqa: F401  (registers the deploy checks: a shared cache when DEBUG is off)
