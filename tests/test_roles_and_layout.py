"""Groups exist after migrate with the right rights, and the code keeps its one-way dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_editors_change_and_analysts_only_view():
    editors = set(Group.objects.get(name="editors").permissions.values_list("codename", flat=True))
    analysts = set(Group.objects.get(name="analysts").permissions.values_list("codename", flat=True))
    assert {"change_crossing", "add_crossingstatus", "change_statussuggestion", "change_source"} <= editors
    assert "change_crossingstatus" not in editors and "delete_crossingstatus" not in editors
    assert {"view_crossing", "view_crossingstatus", "view_report"} <= analysts
    assert not any(not code.startswith("view_") for code in analysts)


@pytest.mark.django_db
def test_heartbeat_is_scheduled_and_editable():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="worker heartbeat")
    assert task.task == "tracker.tasks.heartbeat" and task.enabled


def imported_modules(package: str) -> set[str]:
    names = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


def test_tracker_never_imports_ingest():
    assert not {name for name in imported_modules("tracker") if name == "ingest" or name.startswith("ingest.")}
