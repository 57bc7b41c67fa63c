"""What every page template may use: the reader's role and the staleness rule in force."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .access import is_editor


def pages(request: HttpRequest) -> dict[str, Any]:
    return {
        "viewer_is_editor": is_editor(getattr(request, "user", None)),
        "stale_after_days": settings.STATUS_STALE_AFTER_DAYS,
    }
