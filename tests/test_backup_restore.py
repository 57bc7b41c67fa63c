"""`make backup` then `make restore` into an empty database gives back the same record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
SNAPSHOT = """
import json
from django.apps import apps
from tracker import selectors
counts = {m._meta.db_table: m._default_manager.count() for m in apps.get_models()}
status = {c.slug: {k: (r.uid.hex if r else None) for k, r in c.status_by_traffic.items()}
          for c in selectors.crossings_with_status()}
print(json.dumps({"counts": counts, "status": status}))
"""


def recreate(name: str) -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def drop(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: list[str], url: str, **env: str) -> str:
    result = subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DEBUG": "1", "DATABASE_URL": url, "CELERY_BROKER_URL": "filesystem://", **env},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.slow
def test_backup_then_restore_into_an_empty_database_round_trips_the_record(tmp_path):
    source, target = "tracker_backup_source", "tracker_backup_target"
    try:
        source_url = recreate(source)
        run([sys.executable, "manage.py", "migrate", "--noinput"], source_url)
        run([sys.executable, "manage.py", "load_demo"], source_url)
        before = json.loads(
            run([sys.executable, "manage.py", "shell", "--no-imports", "-c", SNAPSHOT], source_url).splitlines()[-1]
        )

        dump = run(["bin/backup"], source_url, BACKUP_DIR=str(tmp_path)).strip()
        assert Path(dump).name.startswith("tracker-") and Path(dump).stat().st_size > 0

        target_url = recreate(target)
        run(["bin/restore", dump], target_url)
        after = json.loads(
            run([sys.executable, "manage.py", "shell", "--no-imports", "-c", SNAPSHOT], target_url).splitlines()[-1]
        )
        assert after == before
        assert before["status"]["rafah"]["aid"] is not None

        # It is a database of its own for the answer cache: a new epoch, so answers cached for the source (sharing
        # a cache) are never served for it.
        epochs = []
        for url in (source_url, target_url):
            with psycopg.connect(url) as conn:
                epochs.append(conn.execute("SELECT epoch FROM tracker_record_epoch").fetchone()[0])
        assert epochs[0] != epochs[1]

        # The restored database keeps its guards: history is still append-only.
        with psycopg.connect(target_url) as conn, pytest.raises(psycopg.errors.RestrictViolation):
            conn.execute("UPDATE tracker_crossingstatus SET status = 'open'")

        # A second restore into the now non-empty database is refused, and changes nothing.
        refused = subprocess.run(
            ["bin/restore", dump],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "DATABASE_URL": target_url},
        )
        assert refused.returncode == 1 and "empty database" in refused.stderr
    finally:
        drop(source)
        drop(target)


def test_restore_refuses_a_missing_file():
    result = subprocess.run(
        ["bin/restore", "/nonexistent.dump"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"{SERVER}/postgres"},
    )
    assert result.returncode == 2 and "no such file" in result.stderr


def test_backup_refuses_a_database_that_is_not_postgresql():
    result = subprocess.run(
        ["bin/backup"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": "sqlite:///var/x.sqlite3"},
    )
    assert result.returncode == 2 and "PostgreSQL" in result.stderr
