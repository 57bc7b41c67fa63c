"""The README's commands in a new shell, after `make run` has written its .env (issue 16).

Each command runs in a clean environment: PATH and HOME only, plus TRACKER_ENV_FILE naming the .env that
bin/write-dotenv wrote into a temporary folder (the repository's own .env, if a developer has one, is left alone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_FEED = ROOT / "tracker" / "static" / "demo" / "rafah-kerem-shalom-feed.xml"

pytestmark = pytest.mark.slow


def clean_env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **extra}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def dotenv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fresh-shell")
    env_file, var = folder / ".env", folder / "var"
    result = run([sys.executable, "bin/write-dotenv", str(env_file), "--var-dir", str(var)], clean_env())
    assert result.returncode == 0, result.stderr
    return env_file, var


def test_write_dotenv_writes_a_private_development_file_once(dotenv):
    env_file, var = dotenv
    text = env_file.read_text()
    assert "DEBUG=1\n" in text
    assert f"DATABASE_URL=sqlite:///{var / 'tracker.sqlite3'}\n" in text
    assert "CELERY_BROKER_URL=filesystem://\n" in text
    settings = dict(line.partition("=")[::2] for line in text.splitlines() if line and not line.startswith("#"))
    assert len(settings["SECRET_KEY"]) > 40
    assert env_file.stat().st_mode & 0o777 == 0o600
    run([sys.executable, "bin/write-dotenv", str(env_file), "--var-dir", str(var)], clean_env())
    assert env_file.read_text() == text, "a second make run keeps the key, and with it every session"


def test_readme_commands_work_in_a_new_shell(dotenv):
    env_file, _ = dotenv
    env = clean_env(TRACKER_ENV_FILE=str(env_file))
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
    for args in (
        [python, "manage.py", "--help"],
        [python, "manage.py", "migrate", "--noinput", "-v", "0"],
        [python, "manage.py", "load_demo"],
        [python, "manage.py", "create_api_token", "--help"],
    ):
        result = run(args, env)
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    token = run([python, "manage.py", "create_api_token", "--partner", "OCHA oPt"], env)
    assert token.returncode == 0, token.stderr
    assert "OCHA oPt" in token.stdout + token.stderr
    ingested = run([python, "manage.py", "ingest_file", str(DEMO_FEED), "--source", "tracker-demo-feed"], env)
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "new" in ingested.stdout
    celery = run([python, "-m", "celery", "-A", "tracker", "report"], env)
    assert celery.returncode == 0, celery.stderr
    assert "filesystem" in celery.stdout


def test_demo_passwords_stay_the_same_across_runs_and_can_be_changed(dotenv):
    env_file, var = dotenv
    env = clean_env(TRACKER_ENV_FILE=str(env_file))
    assert run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env).returncode == 0
    first = run([sys.executable, "manage.py", "demo_accounts", "--quiet"], env)
    second = run([sys.executable, "manage.py", "demo_accounts", "--quiet"], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and "editor" in first.stdout and "analyst" in first.stdout
    kept = var / "demo-accounts.json"
    assert kept.stat().st_mode & 0o777 == 0o600
    changed = run([sys.executable, "manage.py", "demo_accounts", "--quiet", "--password", "a-long-demo-password"], env)
    assert changed.returncode == 0, changed.stderr
    assert json.loads(kept.read_text()) == {"editor": "a-long-demo-password", "analyst": "a-long-demo-password"}
    again = run([sys.executable, "manage.py", "demo_accounts", "--quiet"], env)
    assert "a-long-demo-password" in again.stdout
    login = run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth.models import User;"
            "print(User.objects.get(username='analyst').check_password('a-long-demo-password'))",
        ],
        env,
    )
    assert login.stdout.strip().endswith("True"), login.stdout + login.stderr


def test_production_still_refuses_to_start_without_a_key(tmp_path):
    env = clean_env(TRACKER_ENV_FILE=str(tmp_path / "no-such-file"), DEBUG="0")
    result = run([sys.executable, "manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_environment_wins_over_the_file(dotenv):
    env_file, _ = dotenv
    env = clean_env(TRACKER_ENV_FILE=str(env_file), DEBUG="0")
    result = run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"], env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False")
