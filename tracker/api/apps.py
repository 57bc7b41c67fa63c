from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "tracker.api"
    label = "api"
    verbose_name = _("Partner API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from tracker.models import Change

        from .signals import queue_webhooks_after_commit

        post_save.connect(queue_webhooks_after_commit, sender=Change, dispatch_uid="api_webhooks_on_change")
