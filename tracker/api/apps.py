from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tracker.api"
    label = "api"
    verbose_name = "Partner API"
    default_auto_field = "django.db.models.BigAutoField"
