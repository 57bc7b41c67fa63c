"""System checks for deployment (``manage.py check --deploy``): settings that work in one process and fail in many."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Backends whose counts live in one process (or nowhere): each gunicorn worker would keep its own API throttle.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With DEBUG off the API's rate limit must be counted in one place for every web process, not per process."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache is per process ({backend.rsplit('.', 1)[-1]}): with several web processes each "
            "counts the API's rate limit on its own, so a token gets its rate once per process.",
            hint="Set CACHE_URL to a Redis all web processes share, e.g. redis://127.0.0.1:6379/1 (README, Full stack)",
            id="tracker.E001",
        )
    ]
