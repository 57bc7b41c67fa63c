"""Database triggers that refuse UPDATE and DELETE on history tables, whatever the client.

The ORM refuses too (``AppendOnlyModel``); these hold against raw SQL, other tools and future mistakes.
"""

from django.db import migrations

APPEND_ONLY_TABLES = [
    "tracker_crossingstatus",
    "tracker_crossingstatusretraction",
    "tracker_aiddisputestatechange",
    "tracker_evacuationagreementstatechange",
    "tracker_change",
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION tracker_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % refused; record a correction instead', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in APPEND_ONLY_TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION tracker_refuse_history_change()"
            )
    elif vendor == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {op} refused'); END"
                )
    else:
        raise RuntimeError(f"no append-only triggers for database vendor {vendor!r}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in APPEND_ONLY_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tracker_refuse_history_change()")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0002_countries")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
