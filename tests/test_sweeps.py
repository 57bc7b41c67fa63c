"""The receiver that queues a consumer's sweep once a change commits (tracker/sweeps.py)."""

from __future__ import annotations

import logging
import sys
import types

import pytest

from tracker.sweeps import sweep_after_commit

pytestmark = pytest.mark.django_db  # on_commit callbacks need a connection


@pytest.fixture
def task(monkeypatch):  # type: ignore[no-untyped-def]
    """A stand-in Celery task at a dotted path, recording what was queued (or failing as an unreachable broker)."""
    module = types.ModuleType("sweeps_probe")
    calls: list[dict[str, object]] = []

    class Task:
        broken = False

        def apply_async(self, **options: object) -> None:
            if self.broken:
                raise ConnectionError("broker unreachable")
            calls.append(options)

    module.sweep = Task()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sweeps_probe", module)
    return module.sweep, calls  # type: ignore[attr-defined]


def test_queued_once_the_change_commits_and_only_for_a_new_change(task, django_capture_on_commit_callbacks):
    _, calls = task
    receiver = sweep_after_commit("sweeps_probe.sweep", wanted=lambda: True, what="probe")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receiver(sender=None, instance=None, created=True)
        receiver(sender=None, instance=None, created=False)
    assert len(callbacks) == 1 and calls == []  # nothing before the commit, nothing for an update
    callbacks[0]()
    assert calls == [{"retry": False}]


def test_nothing_is_queued_when_nobody_waits(task, django_capture_on_commit_callbacks):
    _, calls = task
    receiver = sweep_after_commit("sweeps_probe.sweep", wanted=lambda: False, what="probe")
    with django_capture_on_commit_callbacks(execute=True):
        receiver(sender=None, instance=None, created=True)
    assert calls == []


def test_an_unreachable_broker_is_logged_and_leaves_the_write_alone(task, caplog, django_capture_on_commit_callbacks):
    sweep, calls = task
    sweep.broken = True
    receiver = sweep_after_commit("sweeps_probe.sweep", wanted=lambda: True, what="probe")
    with caplog.at_level(logging.WARNING, logger="tracker.sweeps"), django_capture_on_commit_callbacks(execute=True):
        receiver(sender=None, instance=None, created=True)
    assert calls == []
    assert "could not queue the probe sweep; the periodic sweep will catch up" in caplog.text
