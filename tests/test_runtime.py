"""A web worker's garbage collector is tuned once the application is loaded (tracker/runtime.py, issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = "import gc, json, tracker.wsgi; print(json.dumps([gc.get_threshold()[0], gc.get_freeze_count()]))"


def worker_gc(**env: str) -> list[int]:
    """Load the WSGI application as gunicorn does, in a process of its own, and read its collector's state."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    import json

    return list(json.loads(result.stdout.strip().splitlines()[-1]))


def test_loading_the_wsgi_application_freezes_start_up_objects_and_raises_the_threshold():
    threshold, frozen = worker_gc()
    assert threshold == 10_000
    assert frozen > 10_000  # Django, the settings, the URL patterns: never walked by a collection again


def test_the_threshold_is_a_setting_and_700_gives_pythons_own_back():
    assert worker_gc(GC_GEN0_THRESHOLD="700")[0] == 700


def test_a_threshold_out_of_bounds_is_refused_at_start():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, "GC_GEN0_THRESHOLD": "5"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "GC_GEN0_THRESHOLD" in result.stderr
