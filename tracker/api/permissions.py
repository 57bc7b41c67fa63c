"""What a caller may do: read when authenticated (or when anonymous reading is switched on); write only with an
editor's rights."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from .models import ApiToken


def is_authenticated(request: Request) -> bool:
    return bool(request.user and request.user.is_authenticated)


class ReadAccess(permissions.BasePermission):
    """Reading needs a token or a staff session, unless ``API_ANONYMOUS_READ`` opens it to everyone."""

    message = _("Send `Authorization: Bearer <token>`.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method not in permissions.SAFE_METHODS:
            return is_authenticated(request)
        return is_authenticated(request) or settings.API_ANONYMOUS_READ


class MayRecordStatus(permissions.BasePermission):
    """Appending a crossing status: the same right an editor needs in the admin."""

    message = _("Only editors may record a status; partner tokens read.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_authenticated(request) and request.user.has_perm("tracker.add_crossingstatus")


class TokenHolder(permissions.BasePermission):
    """Webhooks belong to a token: only a caller that sent one may list or manage them."""

    message = _("Webhooks belong to a partner token: send `Authorization: Bearer <token>`.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken)
