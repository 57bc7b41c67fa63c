"""With only the demo loaded (as `make run` does), every page says something true and useful, and no page asks
the browser to fetch anything from another host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_pages_support import body, text
from tracker.demo import load_demo

pytestmark = pytest.mark.django_db

RAFAH_CLOSED_AT = "2023-10-15 12:00 UTC"
PAGES = {
    "/": ["Israel–Hamas war", "Rafah", "Closed", f"since {RAFAH_CLOSED_AT}", "Aid for Gaza through Rafah"],
    "/?as_of=2023-10-14": ["Rafah", "Unknown", "Blinken meets Saudi Foreign Minister"],
    "/crises/israel-hamas-war/": ["Kerem Shalom", "Erez", "Safe passage for dual nationals through Rafah"],
    "/crossings/rafah/": [
        "Closed to aid convoys while a dispute over aid for Gaza is unresolved.",
        "Stars and Stripes",
    ],
    "/crossings/rafah/?as_of=2023-10-20": [
        "for 5 days, 11 hours",
        "Closed",
        "Status by kind of traffic from 2023-10-13",
    ],
    "/disputes/aid-for-gaza-through-rafah/": ["Negotiating", "Egypt , Israel", "Rafah"],
    "/agreements/safe-passage-for-dual-nationals-through-rafah/": ["Proposed", "Qatar (mediator)", "Dual nationals"],
    "/timeline/": ["US authorises departure of non-emergency staff", "Rafah: closed for people"],
    "/reports/?q=Rafah": ["1 report found", "Antony Blinken's Diplomatic Efforts"],
    "/map/": ["Rafah: ✕ Closed", "Kerem Shalom: ? Unknown", "Erez: ? Unknown"],
}


@pytest.mark.parametrize("url", list(PAGES))
def test_demo_pages_are_meaningful(analyst_client, url):
    load_demo()
    response = analyst_client.get(url)
    assert response.status_code == 200
    page = text(response)
    for expected in PAGES[url]:
        assert expected in page, (url, expected)


def test_pages_load_nothing_from_another_host(analyst_client):
    load_demo()
    for url in PAGES:
        html = body(analyst_client.get(url))
        # Everything the browser fetches by itself: scripts, styles, images, frames, icons, fonts.
        fetched = re.findall(r'<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc="([^"]*)"', html)
        fetched += re.findall(r'<link\b[^>]*\bhref="([^"]*)"', html)
        fetched += re.findall(r"url\(([^)]*)\)", html)
        for address in fetched:
            assert address.startswith(("/", "data:", "#")) and not address.startswith("//"), (url, address)
        assert "<script" not in html  # the pages need no script at all
    css = (Path(settings.BASE_DIR) / "tracker/static/tracker/tracker.css").read_text()
    assert "@import" not in css and "http" not in css.replace("http://www.w3.org", "")
    assert not re.findall(r"url\((?!#)", css)
