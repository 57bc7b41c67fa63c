"""`make run`'s embedded default: migrations, triggers and the demo work on SQLite too."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_migrate_and_load_demo_on_sqlite(tmp_path: Path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "TRACKER_VAR_DIR": str(tmp_path),
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput")
    assert "Demo loaded" in manage("load_demo")
    assert "nothing changed" in manage("load_demo")
    assert "editor" in manage("demo_accounts", "--password", "a-long-demo-password")

    db = sqlite3.connect(tmp_path / "db.sqlite3")
    assert db.execute("SELECT count(*) FROM tracker_crossingstatus").fetchone()[0] == 2
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE tracker_crossingstatus SET status = 'open'")
