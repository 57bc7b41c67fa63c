"""The map and the status chart as an analyst sees them in Chromium at 1,400 pixels: the map reached from the crisis
page has geography and labels that neither overlap nor leave the drawing (measured on the glyphs the browser drew),
and after a new status the chart shows it beside a Now marker. Screenshots are kept under var/screenshots/; nothing
leaves this machine."""

from __future__ import annotations

from datetime import timedelta
from itertools import combinations

import pytest
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS
from tests.factories import status
from tracker.demo import load_demo
from tracker.models import Crossing, CrossingStatus, Traffic
from tracker.pages.charts import MIN_NEWEST_WIDTH
from tracker.pages.svg import text_width

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Each label the map shows, as the browser drew it: its text, font size, weight and box on screen.
LABELS_JS = """() => {
    const svg = document.querySelector('svg.map');
    const frame = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text.map-label, text.map-place, text.map-grid-label')];
    return {
        frame: [frame.left, frame.top, frame.right, frame.bottom],
        scale: frame.width / svg.viewBox.baseVal.width,
        labels: texts.map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, size: parseFloat(t.getAttribute('font-size')),
                    bold: t.matches('.map-label, .map-place-territory'), width: t.getBBox().width,
                    box: [r.left, r.top, r.right, r.bottom]};
        }),
    };
}"""


def _sign_in(page, live_server, analyst) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_map_from_the_crisis_page_has_geography_and_clear_labels(reference_data, analyst, live_server, browser_page):
    load_demo()
    page, requests = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    _sign_in(page, live_server, analyst)

    # The crisis page links to its crossings on the map: the map is framed on them.
    page.goto(f"{live_server.url}/crises/israel-hamas-war/")
    page.get_by_role("link", name="These crossings on the map").click()
    page.wait_for_url("**/map/?crisis=israel-hamas-war*")
    page.wait_for_load_state("load")
    svg = page.locator("svg.map")
    assert svg.locator('path[data-name="Gaza Strip"]').count() == 1
    assert svg.locator("path.map-coast").count() == 1 and svg.locator("path.map-border").count() == 1
    for name in ("Rafah", "Kerem Shalom", "Erez"):
        assert svg.locator("text.map-label", has_text=name).count() == 1

    drawn = page.evaluate(LABELS_JS)
    frame = drawn["frame"]
    labels = drawn["labels"]
    assert {"Gaza Strip", "ISRAEL"} <= {label["text"] for label in labels}
    for label in labels:
        left, top, right, bottom = label["box"]
        assert left >= frame[0] - 0.5 and right <= frame[2] + 0.5, label
        assert top >= frame[1] - 0.5 and bottom <= frame[3] + 0.5, label
        # The server placed each label by a width it estimated; the real glyphs must fit inside it.
        assert label["width"] <= text_width(label["text"], font_size=label["size"], bold=label["bold"]) + 0.5, label
    for a, b in combinations(labels, 2):
        assert not _overlap(a["box"], b["box"]), (a["text"], b["text"])
    svg.screenshot(path=str(SCREENSHOTS / "map-1400-drawing.png"))
    page.screenshot(path=str(SCREENSHOTS / "map-1400.png"), full_page=True)

    assert requests.outside == [], f"requests left this machine: {requests.outside}"


def test_chart_after_a_new_status_shows_it_beside_now(reference_data, analyst, live_server, browser_page):
    load_demo()
    rafah = Crossing.objects.get(slug="rafah")
    status(
        rafah,
        CrossingStatus.Status.OPEN,
        timezone.now() - timedelta(minutes=4),
        Traffic.PEOPLE,
        note="Test row: open for foreign passport holders.",
        certainty=CrossingStatus.Certainty.CONFIRMED,
    )
    page, requests = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    _sign_in(page, live_server, analyst)
    page.goto(f"{live_server.url}/crossings/rafah/")
    page.wait_for_load_state("load")

    chart = page.locator("svg.chart-bands")
    newest = chart.locator('rect.chart-band[data-kind="people"][data-newest="true"]')
    assert newest.get_attribute("data-status") == "open"
    scale = page.evaluate(
        "() => { const s = document.querySelector('svg.chart-bands'); "
        "return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }"
    )
    box = newest.bounding_box()
    assert box is not None and box["width"] >= MIN_NEWEST_WIDTH * scale - 0.5
    assert chart.locator("text.chart-now-label").text_content() == "Now"
    assert chart.locator("text.chart-band-label", has_text="Open").count() == 1
    chart.scroll_into_view_if_needed()
    page.locator("figure.chart-figure").first.screenshot(path=str(SCREENSHOTS / "chart-after-new-status.png"))

    assert requests.outside == [], f"requests left this machine: {requests.outside}"
