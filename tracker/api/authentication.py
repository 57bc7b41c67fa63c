"""Who is asking: a partner's bearer token, or a member of staff signed in to the site."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from . import services
from .models import ApiToken


class Partner:
    """The caller behind a token that carries no user account: authenticated, with no rights beyond reading."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.username = f"partner:{token.partner}"

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def __str__(self) -> str:
        return self.username


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``. A token bound to a user account acts as that user."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        key = key.strip()
        if not key or " " in key:
            raise exceptions.AuthenticationFailed(gettext("Malformed Authorization header: send `Bearer <token>`."))
        try:
            token = services.token_authenticate(key)
        except services.TokenRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return (token.user if token.user is not None else Partner(token)), token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class StaffSessionAuthentication(authentication.SessionAuthentication):
    """A signed-in member of staff (editors, analysts) may use the API from the browser; CSRF applies to writes."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None or not result[0].is_staff:
            return None
        return result
