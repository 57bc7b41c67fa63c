"""The tracker: Django project and domain app. The Celery app is imported so that tasks bind to it."""

from .celery import app as celery_app

__all__ = ["celery_app"]
