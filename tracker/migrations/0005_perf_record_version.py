"""The record's version, for caches that must never serve an answer older than the data; and an index on status
rows by moment.

Every transaction that changes a table of the record adds one row to ``tracker_record_log`` (a statement trigger,
once per transaction), committed with the change itself. The version is the number of such transactions the
reader can see (the sum of ``weight``): it grows with every commit, in whatever order transactions commit, and it
is read in one statement, so it never runs ahead of the data a later statement reads. Only inserts are involved,
so writers never wait for each other here (a single counter row updated at commit would make two committing
transactions wait on each other's locks and deadlock). Readers fold old rows into one now and then, keeping the
sum (``tracker.caching``). ``tracker_record_epoch`` holds a random id that tells apart databases sharing a cache.

Tables left out change nothing any reader sees: the history mirrors (written with their table), worker heartbeats,
a source's polling health and a user's last sign-in (excluded by a WHEN clause). A test checks that every other
table of the app has the trigger, so a new model cannot be forgotten. PostgreSQL only: on SQLite (``make run``)
nothing is cached.
"""

from django.db import migrations, models

# Every table whose rows pages or the API show, directly or through a relation.
RECORD_TABLES = [
    "tracker_country",
    "tracker_actor",
    "tracker_crisis",
    "tracker_crisis_countries",
    "tracker_crossing",
    "tracker_crossing_crises",
    "tracker_crossingalias",
    "tracker_crossingstatus",
    "tracker_crossingstatusretraction",
    "tracker_flowcount",
    "tracker_aiddispute",
    "tracker_aiddispute_parties",
    "tracker_aiddispute_crossings",
    "tracker_aiddisputestatechange",
    "tracker_evacuationagreement",
    "tracker_evacuationagreement_crossings",
    "tracker_agreementparty",
    "tracker_agreementeligibility",
    "tracker_evacuationagreementstatechange",
    "tracker_change",
    "tracker_timelineevent",
    "tracker_timelineevent_actors",
    "tracker_timelineevent_reports",
    "tracker_source",
    "tracker_report",
    "tracker_report_crises",
    "tracker_report_crossings",
    "tracker_report_disputes",
    "tracker_report_agreements",
    "tracker_statussuggestion",
    "auth_user",  # pages name who recorded a status
]

# Columns whose updates no reader sees: a source's polling health, a user's last sign-in.
UNSEEN_COLUMNS = {
    "tracker_source": [
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "failures_in_row",
        "next_poll_at",
        "etag",
        "last_modified",
    ],
    "auth_user": ["last_login"],
}

FUNCTION = """
CREATE TABLE tracker_record_epoch (id smallint PRIMARY KEY CHECK (id = 1), epoch uuid NOT NULL);
INSERT INTO tracker_record_epoch (id, epoch) VALUES (1, gen_random_uuid());
CREATE TABLE tracker_record_log (id bigserial PRIMARY KEY, weight bigint NOT NULL DEFAULT 1 CHECK (weight > 0));

CREATE FUNCTION tracker_record_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One row per transaction: the flag is local to the transaction (and undone with a rolled-back savepoint,
    -- like the row itself).
    IF current_setting('tracker.record_changed', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('tracker.record_changed', 'yes', true);
        INSERT INTO tracker_record_log DEFAULT VALUES;
    END IF;
    RETURN NULL;
END
$$;
"""


def _triggers(table: str) -> str:
    run = "EXECUTE FUNCTION tracker_record_changed();"
    truncated = f"CREATE TRIGGER record_truncated AFTER TRUNCATE ON {table} FOR EACH STATEMENT {run}"
    unseen = UNSEEN_COLUMNS.get(table)
    if not unseen:
        return f"""
CREATE TRIGGER record_written AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH STATEMENT {run}
{truncated}
"""
    # Updates that touch only unseen columns do not change the record: those are judged row by row.
    columns = ", ".join(f"'{column}'" for column in unseen)
    return f"""
CREATE TRIGGER record_written AFTER INSERT OR DELETE ON {table} FOR EACH STATEMENT {run}
CREATE TRIGGER record_updated AFTER UPDATE ON {table} FOR EACH ROW
    WHEN ((to_jsonb(OLD) - ARRAY[{columns}]) IS DISTINCT FROM (to_jsonb(NEW) - ARRAY[{columns}])) {run}
{truncated}
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in RECORD_TABLES:
        schema_editor.execute(_triggers(table), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in RECORD_TABLES:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS record_written ON {table}; DROP TRIGGER IF EXISTS record_updated ON {table}; "
            f"DROP TRIGGER IF EXISTS record_truncated ON {table};",
            params=None,
        )
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS tracker_record_changed(); DROP TABLE IF EXISTS tracker_record_log; "
        "DROP TABLE IF EXISTS tracker_record_epoch;",
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0004_report_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [
        migrations.AddIndex(
            model_name="crossingstatus",
            index=models.Index(fields=["effective_at", "recorded_at", "id"], name="status_effective_order"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
