"""Full-text search over reports on PostgreSQL: a stored generated tsvector of title and text, GIN-indexed.

Not declared on the model (SQLite, used by `make run`, has no tsvector); ``tracker.selectors.reports`` reads it.
Text is cut at 100,000 characters for the vector, well under PostgreSQL's 1 MB tsvector limit.
"""

from django.db import migrations

ADD = """
ALTER TABLE tracker_report ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, left(coalesce(text, ''), 100000)), 'B')
) STORED;
CREATE INDEX report_search_vector ON tracker_report USING gin (search_vector);
"""
DROP = """
DROP INDEX IF EXISTS report_search_vector;
ALTER TABLE tracker_report DROP COLUMN IF EXISTS search_vector;
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_append_only_triggers")]
    operations = [migrations.RunPython(add, drop)]
