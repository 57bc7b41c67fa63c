"""Per-token rate limits: a partner over its rate gets 429 with Retry-After.

Counted atomically in the shared cache (``CACHE_URL``: Redis for every web process), in windows of the rate's
period that open at a caller's first request: ``cache.add`` opens the window's counter (expiring with it),
``cache.incr`` (one Redis INCR, which keeps the expiry) counts each request in it. DRF's own throttle reads a list
of times, appends and writes it back, so requests arriving together (in one process or several) all read the same
list and all pass: six of five went through in a burst of fifteen. A window admits at most the rate; a client that
bursts at the end of one window and the start of the next can get twice the rate over that edge, never more.

Every throttled answer says where the caller stands, in the IETF draft's fields (draft-ietf-httpapi-ratelimit-headers
-09/-10, structured fields): ``RateLimit-Policy: "partner";q=600;w=60`` (the quota: q requests per w seconds) and
``RateLimit: "partner";r=599;t=42`` (r requests left, t seconds until the window resets); a 429 adds ``Retry-After``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from ..security import client_ip
from .models import ApiToken


@dataclass(frozen=True)
class RateState:
    """Where a caller stands in its quota after this request."""

    policy: str
    limit: int
    window: int
    remaining: int
    reset: int


STATE_ATTRIBUTE = "rate_limit_state"


def rate_limit_headers(request: HttpRequest, response: HttpResponseBase) -> None:
    """``RateLimit-Policy`` and ``RateLimit`` on an answer to a request the throttle counted."""
    state: RateState | None = getattr(request, STATE_ATTRIBUTE, None)
    if state is None:
        return
    response["RateLimit-Policy"] = f'"{state.policy}";q={state.limit};w={state.window}'
    response["RateLimit"] = f'"{state.policy}";r={state.remaining};t={state.reset}'


class PartnerRateThrottle(SimpleRateThrottle):
    """One bucket per token (per account for staff sessions, per address for anonymous readers)."""

    scope = "partner"
    key: str
    num_requests: int | None  # set by SimpleRateThrottle.__init__ from the rate (the stubs do not declare them)
    duration: int | None

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

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None or self.num_requests is None or self.duration is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        self.key = key
        count = self._count(key)
        self.reset = self._reset(key, count)
        state = RateState(
            policy=self.scope,
            limit=self.num_requests,
            window=int(self.duration),
            remaining=max(0, self.num_requests - count),
            reset=self.reset,
        )
        setattr(request._request, STATE_ATTRIBUTE, state)
        return count <= self.num_requests

    def _reset(self, key: str, count: int) -> int:
        """Seconds until this caller's window closes (at least 1: a window closing now is replaced by the next)."""
        opened = self.now if count == 1 else self.cache.get(f"{key}:opened", self.now)
        return max(1, math.ceil(opened + (self.duration or 0) - self.now))

    def _count(self, key: str) -> int:
        """This request's number in its window: 1 opens the window, later ones count up atomically."""
        duration = int(self.duration or 1)
        for _ in range(3):
            if self.cache.add(key, 1, duration):
                self.cache.set(f"{key}:opened", self.now, duration)  # for Retry-After only
                return 1
            try:
                return int(self.cache.incr(key))
            except ValueError:  # the window closed between add and incr: open the next one
                continue
        return int(self.cache.incr(key))

    reset: int = 1

    def wait(self) -> float | None:
        return self.reset
