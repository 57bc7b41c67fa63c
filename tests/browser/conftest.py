"""Headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, against pytest-django's live server.

Playwright's own browser download cannot work here, so the tests point it at the system Chromium. When that is
missing the tests skip with the reason on a developer's machine, and fail in CI (CI=true), where `.ci/run`
installs it first: a browser test that quietly does not run would hide a broken page.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def restore_reference_data() -> None:
    """Put back what migrations load (countries) and post_migrate makes (groups, schedules).

    A live-server test runs outside a transaction, so pytest-django empties every table after it; the tests that
    come next expect the database as migrations left it.
    """
    from django.apps import apps

    from tracker.models import Country
    from tracker.roles import ensure_periodic_tasks, ensure_roles

    if not Country.objects.exists():
        importlib.import_module("tracker.migrations.0002_countries").load_countries(apps, None)
    ensure_roles()
    ensure_periodic_tasks()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    yield
    if nextitem is None or "transactional_db" not in getattr(item, "fixturenames", ()):
        return  # the session ends here (the test database goes with it), or nothing was emptied
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        restore_reference_data()


@pytest.fixture
def reference_data(transactional_db) -> None:  # type: ignore[no-untyped-def]
    """Countries, groups and schedules, even if an earlier live-server test emptied the tables."""
    restore_reference_data()


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = f"Chromium not found at {CHROMIUM} (install Debian's chromium package, or set CHROMIUM_PATH)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message}; CI must run the browser tests", pytrace=False)
    pytest.skip(message)


class RequestLog:
    """Every request the browser made, and those that would have left this machine (blocked, and recorded)."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.outside: list[str] = []

    def record(self, url: str) -> None:
        self.urls.append(url)
        host = (urlsplit(url).hostname or "").lower()
        scheme = urlsplit(url).scheme
        if scheme in {"http", "https", "ws", "wss"} and host not in LOCAL_HOSTS:
            self.outside.append(url)


@pytest.fixture
def browser_page(live_server, monkeypatch) -> Iterator[tuple[object, RequestLog]]:  # type: ignore[no-untyped-def]
    """A fresh Chromium page whose every request is logged; requests to other hosts are refused."""
    _require_chromium()
    # Playwright's sync API keeps an event loop on this thread, which makes Django refuse ORM calls here (the
    # flush after the test among them). Nothing async touches the database: the live server answers in threads.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log = RequestLog()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})

        context.on("request", lambda request: log.record(request.url))

        def refuse_outside(route) -> None:  # type: ignore[no-untyped-def]
            host = (urlsplit(route.request.url).hostname or "").lower()
            if host in LOCAL_HOSTS:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", refuse_outside)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page, log
        finally:
            context.close()
            browser.close()
