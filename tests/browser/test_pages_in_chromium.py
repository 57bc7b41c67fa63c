"""An analyst's path through the status pages in a real browser: sign in, read Rafah's status, go back in time,
search reports, export CSV; screenshots are kept under var/screenshots/, and nothing leaves this machine."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.factories import status
from tracker.demo import load_demo
from tracker.models import Crossing, CrossingStatus, Traffic

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rafah_history(reference_data, analyst):  # type: ignore[no-untyped-def]
    """The demo (Rafah closed to aid and people from 2023-10-15), plus a later test row: restricted for people
    from 2023-11-01, so that the dashboard now and the page as of late October differ."""
    load_demo()
    rafah = Crossing.objects.get(slug="rafah")
    status(
        rafah,
        CrossingStatus.Status.RESTRICTED,
        datetime(2023, 11, 1, 9, 0, tzinfo=UTC),
        Traffic.PEOPLE,
        note="Test row: open for listed foreign passport holders only.",
        certainty=CrossingStatus.Certainty.CONFIRMED,
    )
    return rafah


def _cell(page, crossing: str, traffic: str):  # type: ignore[no-untyped-def]
    return page.locator(f'tr[data-crossing="{crossing}"] td[data-traffic="{traffic}"]').first


def test_analyst_reads_rafah_goes_back_in_time_searches_and_exports(rafah_history, analyst, live_server, browser_page):
    page, requests = browser_page

    # Sign in: the dashboard needs an account.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    # Rafah on the dashboard: restricted for people (since 1 Nov 2023), closed to aid, both with their evidence.
    people = _cell(page, "rafah", "people")
    assert people.get_attribute("data-status") == "restricted"
    assert "Restricted" in people.inner_text() and "since 2023-11-01 09:00 UTC" in people.inner_text()
    aid = _cell(page, "rafah", "aid")
    assert aid.get_attribute("data-status") == "closed" and "Stale" in aid.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    # Rafah's own page: bands chart, evidence list.
    page.get_by_role("link", name="Rafah", exact=True).first.click()
    page.wait_for_url("**/crossings/rafah/")
    assert page.locator("svg.chart-bands").count() == 1
    assert "Test row: open for listed foreign passport holders only." in page.inner_text("main")
    assert _cell(page, "rafah", "people").get_attribute("data-status") == "restricted"
    page.screenshot(path=str(SCREENSHOTS / "rafah-now.png"), full_page=True)

    # Back before the change of 1 November: people were closed then, and the page says it shows the past.
    page.locator("#as-of-input").fill("2023-10-20T12:00")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**/crossings/rafah/?as_of=2023-10-20T12*")
    assert _cell(page, "rafah", "people").get_attribute("data-status") == "closed"
    assert "Viewing the past" in page.get_by_test_id("as-of-note").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "rafah-as-of-2023-10-20.png"), full_page=True)

    # Before anything was recorded (the demo's first report is of 15 October): unknown.
    page.locator("#as-of-input").fill("2023-10-14T12:00")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**as_of=2023-10-14T12*")
    assert _cell(page, "rafah", "aid").get_attribute("data-status") == "unknown"

    # Search the reports (from now): the demo's article, with the match marked.
    page.get_by_role("link", name="Back to now").click()
    page.wait_for_url(lambda url: "as_of" not in url)
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("searchbox", name="Search reports").fill("Rafah aid")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/reports/?*q=Rafah+aid*")
    results = page.locator("ol.results > li")
    assert results.count() == 1
    assert "Blinken" in results.first.inner_text()
    assert page.locator("ol.results mark").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "reports-search.png"), full_page=True)

    # Export what the list shows.
    with page.expect_download() as download_info:
        page.get_by_test_id("reports-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("reports-") and download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    hashtags, rows = rows[0], rows[1:]  # HXL: the row under the header holds each column's hashtag
    assert hashtags["source"].startswith("#")
    assert [row["source"] for row in rows] == ["Stars and Stripes"]
    assert "Rafah" in rows[0]["excerpt"]

    # Narrow screen: the dashboard still reads (cards instead of a wide table).
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_load_state("load")  # the style sheet applied
    assert _cell(page, "rafah", "people").is_visible()
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className)"""
    )
    assert too_wide == [], f"wider than a phone: {too_wide}"
    page.screenshot(path=str(SCREENSHOTS / "dashboard-phone.png"), full_page=True)

    assert requests.urls, "the browser made no request at all?"
    assert requests.outside == [], f"requests left this machine: {requests.outside}"
