"""Helpers every service uses: validation errors, time, the change-feed lock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..attribution import current_actor
from ..models import Change

M = TypeVar("M", bound=models.Model)

# Rows per INSERT statement: PostgreSQL takes at most 65,535 parameters in one, and a report row has about 20.
INSERT_ROWS_PER_STATEMENT = 1000

# Any constant works; it only has to be the same in every process that appends to the change feed.
CHANGE_FEED_LOCK_KEY = 0x7472_6163  # "trac"


def require_aware(value: datetime, field: str) -> None:
    if timezone.is_naive(value):
        raise ValidationError({field: gettext("A time zone is required (for example 2023-10-16T09:00:00+00:00).")})


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


def insert_new_rows(objs: Sequence[M]) -> list[M]:
    """Insert rows that a unique key may refuse; returns those inserted, with their primary keys set.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: a row another transaction holds already (committed, or
    committing: PostgreSQL waits for it to finish) is skipped, not an error, so the caller looks again and finds
    it. Django's ``bulk_create(ignore_conflicts=True)`` cannot tell which rows went in; the public id (``uid``,
    set in Python) maps the returned rows back. SQLite (the embedded default) speaks the same SQL.
    """
    if not objs:
        return []
    meta = type(objs[0])._meta
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    key: Any = meta.get_field("uid")
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    columns = ", ".join(quote(field.column) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    by_key = {key.get_db_prep_save(key.value_from_object(obj), connection): obj for obj in objs}
    inserted: list[M] = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), INSERT_ROWS_PER_STATEMENT):
            chunk = objs[start : start + INSERT_ROWS_PER_STATEMENT]
            params = [
                field.get_db_prep_save(field.pre_save(obj, add=True), connection) for obj in chunk for field in fields
            ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row_sql] * len(chunk))} "
                f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}, {quote(key.column)}",
                params,
            )
            for pk, uid in cursor.fetchall():
                obj = by_key[uid]
                obj.pk = pk
                obj._state.adding = False
                inserted.append(obj)
    return inserted


def history_bulk_create(objs: Sequence[models.Model], *, update: bool = False) -> None:
    """History rows for rows written in bulk, signed as ``save()`` would sign them.

    simple-history's bulk writer sends no ``pre_create_historical_record``, so the receiver that names a running
    task (``tracker.attribution``) is not called: the same rule is applied here, row by row. A signed-in user
    (``set_history_user`` or the request) is recorded as the author; with none, the acting task is the reason.
    """
    if not objs:
        return
    history = type(objs[0]).history  # type: ignore[attr-defined]
    actor = current_actor()
    if actor:
        for obj in objs:
            if history.model.get_default_history_user(obj) is None and not getattr(obj, "_change_reason", None):
                obj._change_reason = actor  # type: ignore[attr-defined]
    history.bulk_history_create(objs, update=update, batch_size=INSERT_ROWS_PER_STATEMENT)
