"""The Arabic dashboard, crossing page and map in Chromium at 1,400 pixels, checked as a reader would check them
(issue 17): the page is Arabic and right to left, the status table starts at the right edge, nothing scrolls
sideways, the map's labels keep clear of each other and of the markers, and the chart's words keep clear of its
symbols and lines. Measured on what the browser drew (each text's box), not on what the server meant to draw.
Screenshots: var/screenshots/ar-dashboard-1400.png, ar-crossing-1400.png, ar-map-1400.png."""

from __future__ import annotations

from datetime import date
from itertools import combinations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tracker import services
from tracker.demo import load_demo
from tracker.models import Crossing, FlowCount, Source

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The page's direction and language, its width against what it would scroll to, and the status table's box and
# first and last header cells.
PAGE_JS = """() => {
    const box = el => el ? el.getBoundingClientRect().toJSON() : null;
    const table = document.querySelector('table.status-table');
    return {
        dir: document.documentElement.dir,
        lang: document.documentElement.lang,
        clientWidth: document.documentElement.clientWidth,
        scrollWidth: document.documentElement.scrollWidth,
        table: box(table),
        firstColumn: box(table && table.querySelector('thead th:first-child')),
        lastColumn: box(table && table.querySelector('thead th:last-child')),
    };
}"""

# Every text of an SVG and the marks it must keep clear of, as drawn (screen pixels): on the map each crossing's
# marker; on the chart the bands, the legend's swatches and the Now line.
DRAWING_JS = """(selector) => {
    const svg = document.querySelector(selector);
    const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    return {
        frame: box(svg),
        texts: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => ({
            text: t.textContent, cls: t.getAttribute('class') || '', box: box(t),
        })),
        marks: [...svg.querySelectorAll(
            'a.map-link > :is(rect, circle, polygon), rect.chart-band, rect.chart-legend-swatch, line.chart-now'
        )].map(m => ({cls: m.getAttribute('class') || m.tagName, box: box(m)})),
    };
}"""
STATUS_SYMBOLS = set("✓◐✕?")


def _sign_in_in_arabic(page, live_server, analyst) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.locator('.language-switcher button[value="ar"]').click()  # the reader's choice, kept in a cookie
    page.wait_for_url(f"{live_server.url}/")


def _overlap(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


def _box(rect: dict[str, float]) -> list[float]:
    return [rect["left"], rect["top"], rect["right"], rect["bottom"]]


def _check_page(page, name: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    layout = page.evaluate(PAGE_JS)
    assert (layout["dir"], layout["lang"]) == ("rtl", "ar"), name
    assert layout["scrollWidth"] <= layout["clientWidth"], f"{name}: the page scrolls sideways"
    if layout["table"]:
        # The first column (the crossing) stands at the table's right edge, the last at its left.
        assert abs(layout["firstColumn"]["right"] - layout["table"]["right"]) < 2, f"{name}: {layout}"
        assert abs(layout["lastColumn"]["left"] - layout["table"]["left"]) < 2, f"{name}: {layout}"
    page.screenshot(path=str(SCREENSHOTS / f"ar-{name}-1400.png"), full_page=True)
    return layout  # type: ignore[no-any-return]


def _clashes(drawing: dict, texts: list[dict], marks: list[dict]) -> list[str]:  # type: ignore[type-arg]
    """Texts that run into each other or into a mark, or out of the drawing."""
    found = [f"{a['text']!r} over {b['text']!r}" for a, b in combinations(texts, 2) if _overlap(a["box"], b["box"])]
    found += [f"{t['text']!r} over a {m['cls']}" for t in texts for m in marks if _overlap(t["box"], m["box"])]
    left, _, right, _ = drawing["frame"]
    found += [f"{t['text']!r} cut off" for t in texts if t["box"][0] < left - 0.5 or t["box"][2] > right + 0.5]
    return found


def test_arabic_dashboard_crossing_page_and_map(reference_data, analyst, live_server, browser_page):
    load_demo()
    rafah = Crossing.objects.get(slug="rafah")
    for n, value in enumerate((12, 0, 31)):  # a daily count, so the crossing page draws its bar chart too
        services.flow_count_record(
            crossing=rafah,
            day=date(2023, 10, 20 + n),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=value,
            source=Source.objects.order_by("pk").first(),
            recorded_by=None,
        )
    page, requests = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    _sign_in_in_arabic(page, live_server, analyst)

    _check_page(page, "dashboard")

    page.goto(f"{live_server.url}/crossings/rafah/")
    _check_page(page, "crossing")
    chart = page.evaluate(DRAWING_JS, "svg.chart-bands")
    words = [text for text in chart["texts"] if not set(text["text"]) & STATUS_SYMBOLS]
    assert any("مغلق" in text["text"] for text in words), "the chart names no status in Arabic"
    # A status's symbol and word are texts of their own (one text of both, Chromium draws the ✕ over «مغلق»), and
    # no text runs into another, into a band it does not label, a legend swatch or the Now line.
    assert [t["text"] for t in chart["texts"] if len(t["text"].strip()) > 1 and set(t["text"]) & STATUS_SYMBOLS] == []
    bands = [mark for mark in chart["marks"] if mark["cls"] == "chart-band"]
    others = [mark for mark in chart["marks"] if mark["cls"] != "chart-band"]
    band_labels = [text for text in chart["texts"] if text["cls"] == "chart-band-label"]
    assert band_labels, "no band is labelled"
    assert _clashes(chart, chart["texts"], others) == []
    assert _clashes(chart, [t for t in chart["texts"] if t not in band_labels], bands) == []
    flows = page.evaluate(DRAWING_JS, "svg.chart-flow")
    assert any("أكتوبر" in text["text"] for text in flows["texts"]), "the daily counts' axis names no month in Arabic"
    assert _clashes(flows, flows["texts"], []) == []

    page.goto(f"{live_server.url}/map/")
    _check_page(page, "map")
    drawn = page.evaluate(DRAWING_JS, "svg.map")
    labels = [text for text in drawn["texts"] if "map-label" in text["cls"]]
    assert len(labels) >= 3, "the map labelled fewer than three crossings"
    readable = [text for text in drawn["texts"] if "map-symbol" not in text["cls"]]  # symbols sit on markers
    markers = [mark for mark in drawn["marks"] if mark["cls"] != "line"]
    assert _clashes(drawn, readable, markers) == []
    assert requests.outside == []
