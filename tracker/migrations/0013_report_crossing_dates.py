"""Each report's link to a crossing with the report's date beside it (``ReportCrossingDate``), kept by triggers.

The links themselves stay Django's own table for ``Report.crossings`` (the admin and the services write them as
before); these triggers copy every insert, update and delete of a link into the dated table, and every change of
a report's ``published_at`` onto its dated links, in the statement that makes it. Existing links are copied once.

On SQLite (``make run``), a later migration that makes SQLite remake tracker_report or tracker_report_crossings
(Django copies the table and drops the old one) drops these triggers with it and must run ``SQLITE_TRIGGERS``
again, as migration 0010 says of its own; tests/test_report_crossing_dates.py writes links after every migration on
both databases, so a lost trigger fails `make test`.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

# The dated table is part of the record pages read: the version trigger of migration 0005 goes on it too
# (tests/test_answer_cache.py checks every table of the app has it). Its rows only ever change with the links'.
record_version = import_module("tracker.migrations.0005_perf_record_version")

DATED = "tracker_reportcrossingdate"
COPY_LINK = f"""
    INSERT INTO {DATED} (link_id, crossing_id, report_id, published_at)
    SELECT NEW.id, NEW.crossing_id, NEW.report_id, r.published_at FROM tracker_report r WHERE r.id = NEW.report_id;
"""
POSTGRESQL_TRIGGERS = f"""
CREATE FUNCTION tracker_report_link_dated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM {DATED} WHERE link_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {COPY_LINK}
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER report_link_dated AFTER INSERT OR UPDATE OR DELETE ON tracker_report_crossings
    FOR EACH ROW EXECUTE FUNCTION tracker_report_link_dated();

CREATE FUNCTION tracker_report_links_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {DATED};
    RETURN NULL;
END
$$;
CREATE TRIGGER report_links_truncated AFTER TRUNCATE ON tracker_report_crossings
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_report_links_truncated();

CREATE FUNCTION tracker_report_redated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {DATED} SET published_at = NEW.published_at WHERE report_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER report_redated AFTER UPDATE OF published_at ON tracker_report
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION tracker_report_redated();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS report_link_dated ON tracker_report_crossings;
DROP TRIGGER IF EXISTS report_links_truncated ON tracker_report_crossings;
DROP TRIGGER IF EXISTS report_redated ON tracker_report;
DROP FUNCTION IF EXISTS tracker_report_link_dated();
DROP FUNCTION IF EXISTS tracker_report_links_truncated();
DROP FUNCTION IF EXISTS tracker_report_redated();
"""
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER IF NOT EXISTS tracker_report_link_dated_insert AFTER INSERT ON tracker_report_crossings BEGIN
        {COPY_LINK}
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS tracker_report_link_dated_update AFTER UPDATE ON tracker_report_crossings BEGIN
        DELETE FROM {DATED} WHERE link_id = OLD.id;
        {COPY_LINK}
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS tracker_report_link_dated_delete AFTER DELETE ON tracker_report_crossings BEGIN
        DELETE FROM {DATED} WHERE link_id = OLD.id;
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS tracker_report_redated AFTER UPDATE OF published_at ON tracker_report
    WHEN OLD.published_at IS NOT NEW.published_at BEGIN
        UPDATE {DATED} SET published_at = NEW.published_at WHERE report_id = NEW.id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tracker_report_link_dated_insert",
    "DROP TRIGGER IF EXISTS tracker_report_link_dated_update",
    "DROP TRIGGER IF EXISTS tracker_report_link_dated_delete",
    "DROP TRIGGER IF EXISTS tracker_report_redated",
]
BACKFILL = f"""
INSERT INTO {DATED} (link_id, crossing_id, report_id, published_at)
SELECT l.id, l.crossing_id, l.report_id, r.published_at
FROM tracker_report_crossings l JOIN tracker_report r ON r.id = l.report_id
"""


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_TRIGGERS, params=None)
        schema_editor.execute(record_version._triggers(DATED), params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)
    else:
        raise NotImplementedError(f"report dates at crossings need triggers written for {vendor}")
    schema_editor.execute(BACKFILL, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0012_actor_aliases"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportCrossingDate",
            fields=[
                (
                    "link_id",
                    models.BigIntegerField(
                        help_text="The id of the report's link to the crossing",
                        primary_key=True,
                        serialize=False,
                        verbose_name="link",
                    ),
                ),
                ("published_at", models.DateTimeField(verbose_name="published at")),
                (
                    "crossing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tracker.crossing",
                        verbose_name="crossing",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="crossing_dates",
                        to="tracker.report",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "report's date at a crossing",
                "verbose_name_plural": "reports' dates at crossings",
                "indexes": [
                    models.Index(fields=["crossing", "-published_at", "-report"], name="report_crossing_by_date")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("report", "crossing"), name="report_crossing_date_unique")
                ],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
