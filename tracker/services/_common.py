"""Helpers every service uses: validation errors, time, the change-feed lock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Change

# Any constant works; it only has to be the same in every process that appends to the change feed.
CHANGE_FEED_LOCK_KEY = 0x7472_6163  # "trac"


def require_aware(value: datetime, field: str) -> None:
    if timezone.is_naive(value):
        raise ValidationError({field: "A time zone is required (for example 2023-10-16T09:00:00+00:00)."})


def now_or(value: datetime | None) -> datetime:
    return value if value is not None else timezone.now()


def append_change(**fields: Any) -> Change:
    """Add an entry to the change feed, inside the caller's transaction.

    On PostgreSQL a transaction-level advisory lock is taken first and held until commit, so change ids are
    handed out in commit order: a partner that has read up to id N will never later find an id below N appear.
    SQLite serialises writers on its own.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("append_change must run inside the transaction of the change it records")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHANGE_FEED_LOCK_KEY])
    return Change.objects.create(recorded_at=timezone.now(), **fields)


def set_history_user(obj: Any, user: Any) -> None:
    """Tell django-simple-history who made this change when there is no request (tasks, commands)."""
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user


def add_missing(manager: Any, objects: Any) -> None:
    """Add to a many-to-many only what is missing: an empty add would still write a history row."""
    objects = list(objects)
    present = set(manager.filter(pk__in=[o.pk for o in objects]).values_list("pk", flat=True))
    missing = [o for o in objects if o.pk not in present]
    if missing:
        manager.add(*missing)
