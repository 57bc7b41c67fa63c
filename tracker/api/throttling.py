"""Per-token rate limits: a partner over its rate gets 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from ..security import client_ip
from .models import ApiToken


class PartnerRateThrottle(SimpleRateThrottle):
    """One bucket per token (per account for staff sessions, per address for anonymous readers)."""

    scope = "partner"

    def get_rate(self) -> str | None:
        # Read at each request, not at import, so that the setting can change in tests and per deployment.
        return settings.API_THROTTLE_RATE or None

    def get_ident(self, request: Request) -> str:
        # The sign-in lockout's rule (tracker.security.client_ip, TRUSTED_PROXY_COUNT), not DRF's own reading of
        # X-Forwarded-For: a client cannot pick a fresh bucket per request by forging the header.
        return client_ip(request._request) or "unknown"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
