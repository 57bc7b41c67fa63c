"""The Arabic interface in Chromium at 1,400 pixels: the reader picks Arabic with the switcher, and the dashboard, a
crossing page and the map read right to left (header, tables and evidence mirrored by the one stylesheet), while the
map keeps its geography. Screenshots under var/screenshots/rtl-*-1400.png; nothing leaves this machine."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tracker.demo import load_demo

PASSWORD = "pw-for-tests-only"  # the named users' password (tests/conftest.py)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Where things stand on screen: the header's brand and switcher, a status table's first and last columns.
LAYOUT_JS = """() => {
    const box = el => el ? el.getBoundingClientRect().toJSON() : null;
    const table = document.querySelector('table.status-table');
    return {
        dir: document.documentElement.dir,
        lang: document.documentElement.lang,
        width: document.documentElement.clientWidth,
        scrollWidth: document.documentElement.scrollWidth,
        brand: box(document.querySelector('.brand')),
        firstColumn: box(table && table.querySelector('thead th:first-child')),
        lastColumn: box(table && table.querySelector('thead th:last-child')),
        mapMarkers: [...document.querySelectorAll('svg.map a')].map(a => {
            // The marker itself (not its label, whose words and so placement change with the language).
            const marker = [...a.children].find(el => !['title', 'text'].includes(el.tagName.toLowerCase()));
            const frame = a.closest('svg').getBoundingClientRect(), r = marker.getBoundingClientRect();
            return [a.getAttribute('href'), {x: r.x - frame.x, y: r.y - frame.y}];
        }),
    };
}"""


def _sign_in(page, live_server, analyst) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_dashboard_crossing_and_map_read_right_to_left(reference_data, analyst, live_server, browser_page):
    load_demo()
    page, requests = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    _sign_in(page, live_server, analyst)
    page.goto(f"{live_server.url}/map/")
    english_map = page.evaluate(LAYOUT_JS)
    assert english_map["dir"] == "ltr" and english_map["mapMarkers"], "the map drew no crossing"
    # The reader chooses Arabic on the map page and comes back to it.
    page.locator('.language-switcher button[value="ar"]').click()
    page.wait_for_url(f"{live_server.url}/map/")
    shots = {"dashboard": "/", "crossing": "/crossings/rafah/", "map": "/map/"}
    for name, path in shots.items():
        page.goto(f"{live_server.url}{path}")
        layout = page.evaluate(LAYOUT_JS)
        assert (layout["dir"], layout["lang"]) == ("rtl", "ar"), name  # the cookie kept the choice
        assert layout["scrollWidth"] <= layout["width"], f"{name}: the page scrolls sideways"
        assert layout["brand"]["right"] > layout["width"] / 2, f"{name}: the header does not start on the right"
        if layout["firstColumn"]:
            assert layout["firstColumn"]["left"] > layout["lastColumn"]["left"], f"{name}: table not mirrored"
        page.screenshot(path=str(SCREENSHOTS / f"rtl-{name}-1400.png"), full_page=True)
        if name == "map":
            # Geography is not mirrored: every crossing's marker where the English map has it.
            english = {href.split("?")[0]: rect for href, rect in english_map["mapMarkers"]}
            for href, rect in layout["mapMarkers"]:
                before = english[href.split("?")[0]]
                assert abs(rect["x"] - before["x"]) < 2 and abs(rect["y"] - before["y"]) < 2, href
    assert requests.outside == []
