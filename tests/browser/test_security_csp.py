"""The Content-Security-Policy as a browser enforces it: Chromium walks the admin, the pages and the API docs and
reports no violation, and what depends on scripts still works (Swagger UI renders the schema; the periodic-task
form explains a crontab in words, from our static script)."""

from __future__ import annotations

import pytest
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from ingest import services as ingest_services
from ingest.models import QuarantinedItem
from tracker.demo import load_demo
from tracker.models import Crossing, Report, Source

PASSWORD = "pw-for-tests-only"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_no_page_breaks_the_content_security_policy(reference_data, superuser, live_server, browser_page):
    load_demo()
    source = Source.objects.get(slug="stars-and-stripes")
    ingest_services.quarantine_record(
        source=source, kind=QuarantinedItem.Kind.DOCUMENT, reason="not a feed", raw=b"<html>x</html>"
    )
    crontab = CrontabSchedule.objects.create(minute="30", hour="6")
    task = PeriodicTask.objects.get(name="poll due sources")
    rafah = Crossing.objects.get(slug="rafah")
    report = Report.objects.first()
    page, requests = browser_page
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: script error {error}"))

    # Sign in through the admin's own form (counted by the lockout, which lets a right password through).
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    for path in [
        "/admin/",
        "/admin/tracker/crossing/",
        f"/admin/tracker/crossing/{rafah.pk}/change/",
        f"/admin/tracker/crossing/{rafah.pk}/history/",
        f"/admin/tracker/report/{report.pk}/history/",
        "/admin/tracker/change/",  # a list without actions (Django writes an inline style for those)
        "/admin/tracker/crossingstatus/add/",
        f"/admin/ingest/quarantineditem/{QuarantinedItem.objects.get().pk}/change/",
        "/admin/audit/",
        "/admin/django_celery_beat/periodictask/",
        "/",
        "/crossings/rafah/",
        "/map/",
        "/timeline/",
        "/reports/?q=Rafah",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")

    # The periodic-task form: choosing a crontab shows it in words (our static script, not an inline one).
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/{task.pk}/change/")
    page.select_option("#id_crontab", str(crontab.pk))
    help_text = page.locator(".field-crontab .help").inner_text()
    assert "In words:" in help_text and "6:30" in help_text.replace("06:30", "6:30"), help_text

    # Swagger UI, started by the split view's separate script: the schema's title and operations appear.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "partner API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10

    assert violations == [], "\n".join(violations)
    assert requests.outside == [], requests.outside
