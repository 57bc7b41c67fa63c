"""Full-text search over reports on SQLite (`make run`): an FTS5 index of title and text, kept in step by triggers.

PostgreSQL has its own (migration 0004); this runs on SQLite only. The index is external-content (the text lives
once, in tracker_report; FTS5 reads it back for snippets), Porter-stemmed over unicode61 with diacritics folded, so
that "closing" finds "closed" as PostgreSQL's 'english' does, and Arabic and Hebrew words are still words.

Triggers keep it in step on insert, delete and any update of title or text. A later migration that makes SQLite
remake tracker_report (Django copies the table and drops the old one) drops these triggers with it: such a migration
must run ``CREATE_TRIGGERS`` again; tests/test_search_both_databases.py finds a report written after every
migration, on SQLite, so a lost trigger fails `make test`.
"""

from django.db import migrations

CREATE_TABLE = """
CREATE VIRTUAL TABLE IF NOT EXISTS tracker_report_fts USING fts5(
    title, text, content='tracker_report', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)
"""
CREATE_TRIGGERS = [
    """
    CREATE TRIGGER IF NOT EXISTS tracker_report_fts_insert AFTER INSERT ON tracker_report BEGIN
        INSERT INTO tracker_report_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tracker_report_fts_delete AFTER DELETE ON tracker_report BEGIN
        INSERT INTO tracker_report_fts (tracker_report_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tracker_report_fts_update AFTER UPDATE OF title, text ON tracker_report BEGIN
        INSERT INTO tracker_report_fts (tracker_report_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO tracker_report_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
]
# Reports already stored (a `make run` database from before this migration) are indexed once.
REBUILD = "INSERT INTO tracker_report_fts (tracker_report_fts) VALUES ('rebuild')"
DROP = [
    "DROP TRIGGER IF EXISTS tracker_report_fts_insert",
    "DROP TRIGGER IF EXISTS tracker_report_fts_delete",
    "DROP TRIGGER IF EXISTS tracker_report_fts_update",
    "DROP TABLE IF EXISTS tracker_report_fts",
]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in [CREATE_TABLE, *CREATE_TRIGGERS, REBUILD]:
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in DROP:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0009_crossing_pcodes_crisis_glide")]
    operations = [migrations.RunPython(add, drop)]
