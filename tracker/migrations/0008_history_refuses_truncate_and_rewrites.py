"""Who changed what cannot be erased: TRUNCATE is refused on the append-only tables (0003 refused UPDATE and
DELETE only), and django-simple-history's tables (every app's historical models, found in the migration state,
their many-to-many history too) refuse UPDATE, DELETE and TRUNCATE.

SQLite has no TRUNCATE (its ``DELETE FROM t`` fires the DELETE triggers, which refuse it). An operator who must prune
history disables the triggers by name inside one transaction: SECURITY.md, ``tracker.history_guard``.
"""

from django.db import migrations

APPEND_ONLY_TABLES = [  # as in 0003
    "tracker_crossingstatus",
    "tracker_crossingstatusretraction",
    "tracker_aiddisputestatechange",
    "tracker_evacuationagreementstatechange",
    "tracker_change",
]


def historical_tables(apps):
    """Every simple-history table in the migration state: a ``history_id`` (the model's history) or an
    ``m2m_history_id`` (its many-to-many history) marks one."""
    tables = []
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if names & {"history_id", "m2m_history_id"}:
            tables.append(model._meta.db_table)
    return sorted(tables)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    history = historical_tables(apps)
    if vendor == "postgresql":
        # tracker_refuse_history_change() comes from 0003; it names the table and the operation refused.
        for table in [*APPEND_ONLY_TABLES, *history]:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION tracker_refuse_history_change()"
            )
        for table in history:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION tracker_refuse_history_change()"
            )
    elif vendor == "sqlite":
        for table in history:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {op} refused'); END"
                )
    else:
        raise RuntimeError(f"no append-only triggers for database vendor {vendor!r}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    history = historical_tables(apps)
    if vendor == "postgresql":
        for table in [*APPEND_ONLY_TABLES, *history]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        for table in history:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for table in history:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0007_suggestion_confidence_reason_one_pending"),
        ("ingest", "0002_seed_status_phrases"),  # ingest's StatusPhrase keeps history too
    ]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
