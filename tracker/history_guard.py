"""The database triggers that keep history append-only, and the one way round them for an operator who must prune.

Migrations 0003 and 0008 make the append-only tables refuse UPDATE, DELETE and TRUNCATE, and django-simple-history's
tables (every app's) refuse the same. ``history_maintenance`` switches named triggers off inside one transaction,
as the tables' owner, and logs who asked and why: other sessions wait on the table lock and never see them off.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.apps import apps
from django.db import NotSupportedError, connection, transaction

logger = logging.getLogger("tracker.security")

APPEND_ONLY_TABLES = [  # migration 0003's
    "tracker_crossingstatus",
    "tracker_crossingstatusretraction",
    "tracker_aiddisputestatechange",
    "tracker_evacuationagreementstatechange",
    "tracker_change",
]


def historical_tables() -> list[str]:
    """Every django-simple-history table of every installed app (many-to-many histories included)."""
    tables = []
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if names & {"history_id", "m2m_history_id"}:
            tables.append(model._meta.db_table)
    return sorted(tables)


def guarded_tables() -> list[str]:
    return [*APPEND_ONLY_TABLES, *historical_tables()]


def guard_triggers(table: str) -> list[str]:
    """The names of the triggers that refuse changes to ``table`` on PostgreSQL (both migrations' naming)."""
    return [f"{table}_append_only", f"{table}_no_truncate"]


def _alter(tables: Sequence[str], action: str) -> list[str]:
    qn = connection.ops.quote_name
    return [f"ALTER TABLE {qn(t)} {action} TRIGGER {qn(name)}" for t in tables for name in guard_triggers(t)]


def unguard_sql(tables: Sequence[str]) -> list[str]:
    return _alter(tables, "DISABLE")


def reguard_sql(tables: Sequence[str]) -> list[str]:
    return _alter(tables, "ENABLE")


@contextmanager
def history_maintenance(*, reason: str, tables: Sequence[str] | None = None) -> Iterator[None]:
    """Inside: the named guarded tables (default: all) accept UPDATE, DELETE and TRUNCATE, in this transaction only.

    PostgreSQL only (ALTER TABLE ... DISABLE TRIGGER is transactional and needs the tables' owner); the triggers
    are enabled again before the transaction commits, and a failure rolls everything back, triggers included.
    """
    if connection.vendor != "postgresql":
        raise NotSupportedError("history maintenance needs PostgreSQL (SQLite: see SECURITY.md)")
    if not reason.strip():
        raise ValueError("say why history is being changed")
    chosen = list(tables) if tables is not None else guarded_tables()
    unknown = set(chosen) - set(guarded_tables())
    if unknown:
        raise ValueError(f"not a guarded history table: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        logger.warning("history maintenance: triggers off on %s (%s)", ", ".join(chosen), reason)
        with connection.cursor() as cursor:
            # ALTER TABLE refuses a table with deferred foreign-key checks pending (rows written earlier in this
            # transaction): run them now; Django's keys are deferred again afterwards, as they were.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in unguard_sql(chosen):
                cursor.execute(sql)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            yield
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in reguard_sql(chosen):
                cursor.execute(sql)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
