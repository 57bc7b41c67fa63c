"""An editor's whole path from an ingested report to a published status, in a real browser: a feed with an undated
item and an Arabic item is ingested; the editor opens the queue, reads the evidence on the decision page, is refused
when accepting the undated item without a time, sets the time, narrows the traffic to aid and accepts. The analyst's
page, the API's JSON and its CSV then show the status with the report as evidence. Screenshots of the list and the
decision page at 1,400 pixels are kept under var/screenshots/."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from datetime import UTC, datetime

import pytest

from ingest.pipeline import ingest_bytes
from tests.browser.conftest import SCREENSHOTS
from tracker.api import services as api_services
from tracker.demo import load_demo
from tracker.models import Crossing, CrossingStatus, Report, Source, StatusSuggestion

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)
WIDTH = 1400

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Crossings desk</title><link>https://news.example.org/</link><language>en</language>
<description>Crossing news</description>
<item>
  <title>Kerem Shalom opened and allowed aid trucks through</title>
  <link>https://news.example.org/kerem-shalom-opened</link>
  <guid>kerem-shalom-opened</guid>
  <description>Kerem Shalom opened and allowed aid trucks through, officials said.</description>
</item>
<item>
  <title>إغلاق معبر رفح أمام المسافرين</title>
  <link>https://news.example.org/ar/rafah</link>
  <guid>ar-rafah</guid>
  <pubDate>Mon, 16 Oct 2023 08:00:00 GMT</pubDate>
  <description>أعلنت السلطات إغلاق معبر رفح أمام المسافرين والجرحى حتى إشعار آخر.</description>
</item>
</channel></rss>
""".encode()


def _api(url: str, key: str) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # the live server, on loopback
        return response.headers.get("Content-Type", ""), response.read().decode()


def test_editor_decides_an_undated_suggestion_and_every_reader_sees_it(
    reference_data, editor, analyst, live_server, browser_page
):
    page, requests = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    load_demo()
    source = Source.objects.create(
        name="Crossings desk", slug="crossings-desk", kind="feed", url="https://news.example.org/rss"
    )
    outcome = ingest_bytes(source, FEED, label="crossings-desk.xml")
    undated = Report.objects.get(source=source, external_id="kerem-shalom-opened")
    arabic = Report.objects.get(source=source, external_id="ar-rafah")
    assert undated.published_at_estimated and not arabic.published_at_estimated, outcome
    kerem = Crossing.objects.get(slug="kerem-shalom")
    suggestion = StatusSuggestion.objects.filter(report=undated, crossing=kerem).order_by("id").first()
    assert suggestion is not None, "the linker raised no suggestion for the undated item"

    # The editor signs in and opens the queue.
    page.goto(f"{live_server.url}/admin/login/?next=/admin/tracker/statussuggestion/%3Fstate__exact%3Dpending")
    page.locator("#id_username").fill(editor.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/tracker/statussuggestion/?state__exact=pending")
    listing = page.inner_text("#result_list")
    assert "estimated" in listing and "Crossings desk" in listing
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH  # the list fits the screen
    page.screenshot(path=str(SCREENSHOTS / "suggestions-list-1400.png"), full_page=True)

    # The decision page shows the evidence.
    page.goto(f"{live_server.url}/admin/tracker/statussuggestion/{suggestion.pk}/change/")
    evidence = page.locator("blockquote.evidence-sentence")
    assert "Kerem Shalom" in evidence.locator("mark").first.inner_text()
    facts = page.inner_text("table.report-facts")
    assert "Crossings desk" in facts and "No date given." in facts
    page.screenshot(path=str(SCREENSHOTS / "suggestion-decision-1400.png"), full_page=True)

    # Accepting without a time is refused, and nothing is published.
    page.locator("#id_effective_at").fill("")
    page.get_by_role("button", name="Accept and publish").click()
    page.wait_for_load_state()
    assert "The report gave no date" in page.inner_text(".accept-form .errorlist")
    assert not CrossingStatus.objects.filter(report=undated).exists()

    # The editor sets the time, narrows the traffic to aid, and accepts.
    page.locator("#id_effective_at").fill("2023-10-21T10:30")
    page.locator("#id_traffic").select_option("aid")
    page.locator("#id_status").select_option("open")
    page.get_by_role("button", name="Accept and publish").click()
    page.wait_for_load_state()
    assert "Accepted and published" in page.inner_text("ul.messagelist")
    row = CrossingStatus.objects.get(report=undated)
    assert (row.crossing, row.status, row.traffic) == (kerem, "open", "aid")
    assert row.effective_at == datetime(2023, 10, 21, 10, 30, tzinfo=UTC)
    undated.refresh_from_db()
    assert undated.review_state == Report.ReviewState.RELEVANT and undated.reviewed_by == editor

    # The analyst's page names the report as the evidence.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next=/crossings/kerem-shalom/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/crossings/kerem-shalom/")
    aid = page.locator('tr[data-crossing="kerem-shalom"] td[data-traffic="aid"]').first
    assert aid.get_attribute("data-status") == "open"
    assert undated.title in aid.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "kerem-shalom-after-decision.png"), full_page=True)
    assert not requests.outside

    # The API, as a partner reads it: JSON and CSV name the report.
    key = api_services.token_create(partner="Browser test partner", created_by=None).key
    _, body = _api(f"{live_server.url}/api/v1/crossings/kerem-shalom/", key)
    status = json.loads(body)["status"]["aid"]
    assert status["status"] == "open"
    assert status["row"]["evidence"]["report"]["title"] == undated.title
    content_type, body = _api(f"{live_server.url}/api/v1/crossings/?format=csv", key)
    assert content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))[1:]  # under the header: the HXL tags
    kerem_row = next(r for r in rows if "kerem-shalom" in r.values())
    assert kerem_row["status_aid"] == "open"
    assert undated.title in [value for name, value in kerem_row.items() if name.startswith("status_aid_")]
