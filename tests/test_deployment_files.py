"""docker-compose.yml, the Dockerfile and production settings, checked by reading, since Docker cannot run here."""

from __future__ import annotations

import importlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: str) -> list[str]:
    command = COMPOSE["services"][service]["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_compose_has_the_full_stack_with_health_checks():
    services = COMPOSE["services"]
    for name in ["db", "redis", "web", "worker", "beat"]:
        assert name in services, name
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert "appendonly" in " ".join(command_of("redis")), "Redis keeps queued tasks across restarts"


def test_app_services_build_from_our_dockerfile():
    dockerfile = ROOT / "Dockerfile"
    assert dockerfile.exists()
    for name in ["web", "worker", "beat", "migrate"]:
        assert COMPOSE["services"][name]["build"] == ".", name
    assert "pip install" in dockerfile.read_text()


def test_the_image_holds_every_package_the_templates_and_the_translations():
    """Docker cannot run here, so the Dockerfile is read: every Python package pyproject installs, the templates and
    the translation catalogues (compiled in the image, since the .mo files are not committed) are copied."""
    import re

    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) ", dockerfile, re.MULTILINE))
    packages = re.search(r"include = \[(.*?)\]", (ROOT / "pyproject.toml").read_text()).group(1)
    for package in re.findall(r'"(\w+)\*"', packages):
        assert package in copied, f"{package}/ is installed by pyproject but not copied into the image"
    assert {"templates", "locale", "manage.py"} <= copied
    assert "compilemessages" in dockerfile


def test_web_runs_gunicorn_on_our_wsgi_application():
    command = command_of("web")
    assert command[0] == "gunicorn"
    module, attribute = command[1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))


@pytest.mark.parametrize("service,role", [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_celery_on_our_app(service, role):
    command = command_of(service)
    assert command[:2] == ["celery", "-A"] and role in command
    from celery import Celery

    app_module = importlib.import_module(command[2])
    assert isinstance(app_module.celery_app, Celery)


def test_management_commands_named_in_compose_exist():
    commands = get_commands()
    for name, service in COMPOSE["services"].items():
        for part in [command_of(name) if "command" in service else [], service.get("healthcheck", {}).get("test", [])]:
            words = part if isinstance(part, list) else shlex.split(part)
            if "manage.py" in words:
                assert words[words.index("manage.py") + 1] in commands, f"{name}: {words}"


def test_production_settings_pass_check_deploy():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x7!kP2#vQ9@mL4$wR8^tY3&zB6*nH1(jD5)gF0-sA_eC-uI+oK=",
        "ALLOWED_HOSTS": "tracker.example.org",
        "SECURE_SSL_REDIRECT": "1",
        "DATABASE_URL": "sqlite:////tmp/check-deploy.sqlite3",
        "CACHE_URL": "redis://127.0.0.1:6379/1",  # one cache for every web process (tracker.E001 without it)
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "variable,value,message",
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must point"),
        ("CELERY_TASK_TIME_LIMIT", "ten", "must be an integer"),
    ],
)
def test_nonsense_settings_are_refused_at_start(variable, value, message):
    env = {**os.environ, "DEBUG": "1", variable: value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and message in result.stderr


def test_secret_key_is_required_in_production():
    # No .env either: a developer's, written by `make run`, would hand it a key.
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {
        "DEBUG": "0",
        "TRACKER_ENV_FILE": "/nonexistent",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_migrations_are_checked_without_any_environment():
    """`makemigrations --check` reads only models and migrations: a bare checkout answers it with no settings, while
    everything that serves or checks the deployment still refuses to run without a key (above)."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_env_example_lists_every_setting_the_tracker_reads():
    """.env.example is where an operator learns what can be set: every variable settings.py reads is in it."""
    import re

    source = (ROOT / "tracker" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', source))
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read - listed == set()
