"""Who may read the status pages: editors, analysts and superusers; anyone when PAGES_OPEN_TO_ANONYMOUS is on.

Editors additionally see material not yet reviewed (new reports, pending suggestions), always marked as such.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ..roles import ANALYSTS, EDITORS

_GROUPS_CACHE = "_pages_group_names"


def _group_names(user: Any) -> set[str]:
    # One query per request, however many times templates and views ask.
    cached = getattr(user, _GROUPS_CACHE, None)
    if cached is None:
        if not hasattr(user, "groups"):
            return set()  # not an account: a partner's token (the API docs page renders with this context too)
        cached = set(user.groups.filter(name__in=(EDITORS, ANALYSTS)).values_list("name", flat=True))
        setattr(user, _GROUPS_CACHE, cached)
    return cached


def is_editor(user: Any) -> bool:
    """Editors and superusers: they keep the record, so they see what is not reviewed yet."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or EDITORS in _group_names(user))


def may_read(user: Any) -> bool:
    """Whether ``user`` may read the pages (anonymous readers only when the setting opens them)."""
    if settings.PAGES_OPEN_TO_ANONYMOUS:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or _group_names(user))
