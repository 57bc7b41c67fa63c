"""Whether the site links to its open data (footer), for every template."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def open_data(request: HttpRequest) -> dict[str, bool]:
    return {"open_data": bool(settings.OPEN_DATA)}
