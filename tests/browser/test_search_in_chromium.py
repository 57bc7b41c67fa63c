"""Search highlighting as an analyst sees it, in Chromium at 1,400 pixels: matched words marked in titles and
snippets, a crossing found by its Arabic and Hebrew names, hostile text shown as text. The screenshot is kept at
var/screenshots/search-highlight-1400.png."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.factories import CrossingFactory, SourceFactory, report
from tracker import services
from tracker.models import CrossingAlias, Report

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rafah_reports(reference_data):  # type: ignore[no-untyped-def]
    rafah = CrossingFactory(name="Rafah")
    for name, language in [("معبر رفح", "ar"), ("رفح", "ar"), ("מעבר רפיח", "he"), ("רפיח", "he")]:
        CrossingAlias.objects.create(crossing=rafah, name=name, language=language)
    source = SourceFactory(name="Wire")
    start = datetime(2023, 10, 14, 9, tzinfo=UTC)
    rows = [
        ("Rafah crossing closed to aid", "Egypt said the Rafah crossing is closing to aid convoys for now."),
        ("Kerem Shalom trucks", "Trucks passed Kerem Shalom while Rafah stayed shut."),
        ("إغلاق معبر رفح", "قالت مصر إن معبر رفح مغلق أمام المساعدات."),
        ("מעבר רפיח נסגר", "מצרים הודיעה כי מעבר רפיח סגור."),
        ("<img src=x onerror=alert(1)> Rafah", "Rafah <script>alert('x')</script> & the convoys"),
        ("Weather", "Rain in the north."),
    ]
    for day, (title, text) in enumerate(rows):
        row = report(source, title=title, text=text, published_at=start + timedelta(days=day))
        services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None)
        if title != "Weather":
            services.report_link(report=row, crossings=[rafah])
    return rafah


def test_search_marks_matches_in_titles_and_snippets(rafah_reports, analyst, live_server, browser_page):
    page, requests = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}/accounts/login/?next=/reports/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/reports/")

    page.get_by_role("searchbox", name="Search reports").fill("Rafah -Kerem")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/reports/?*q=Rafah+-Kerem*")
    results = page.locator("ol.results > li")
    assert results.count() == 4  # English, Arabic, Hebrew, and the hostile one; not Kerem Shalom, not the weather
    assert "4 reports found" in page.locator(".result-count").inner_text()
    marked = [text.strip() for text in page.locator("ol.results mark").all_inner_texts()]
    assert {"Rafah", "رفح", "רפיח"} <= set(marked), marked
    assert page.locator("ol.results .report-title mark").count() >= 3  # titles too
    # The mark is painted: a background of its own, unlike the words around it.
    background = page.locator("ol.results mark").first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    # Hostile text is shown as text: no image, no script element from it, and no dialog opened.
    assert page.locator("ol.results img, ol.results script").count() == 0
    # (PostgreSQL's ts_headline drops tag-like text from a snippet, so the title, always shown whole, is read.)
    hostile = results.filter(has_text="onerror")
    assert "<img src=x onerror=alert(1)> Rafah" in hostile.locator(".report-title").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "search-highlight-1400.png"), full_page=True)
    assert requests.outside == []
