"""Who is asking, by network address: one rule for the sign-in lockout (django-axes) and the API's per-address
throttle (``tracker.api.throttling``)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: with ``TRUSTED_PROXY_COUNT`` proxies in front, the one the outermost of them saw.

    X-Forwarded-For is read from the right: each trusted proxy appends the address it received from, so the entry
    ``TRUSTED_PROXY_COUNT`` places from the end was written by our own outermost proxy, and whatever a client put
    to the left of it (to dodge the per-address limit, or to lock someone else out) is ignored. A header that is
    missing, too short or not an address falls back to the socket's peer.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
