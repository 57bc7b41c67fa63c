"""One meaning of ``as_of`` and of staleness on every surface: the same question asked of the pages (HTML and
``?format=csv``) and of the API (JSON, CSV, GeoJSON) gets the same answer, status, stale and last stated, per
crossing and kind of traffic; a value that cannot be read, or a moment in the future, is the same 400 everywhere.

The history is built so that each reading matters: aid opened at 10:00 UTC on 15 October, so "2023-10-15" read as
the start of the day (as the API once did) says closed where the end of the day says open, and
"2023-10-15T08:00-03:00" read without its zone says closed where 11:00 UTC says open.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import CrisisFactory, CrossingFactory, SourceFactory, report, status
from tracker import moments
from tracker.models import Crossing, Report, Traffic

pytestmark = pytest.mark.django_db

CLOSED_AT = datetime(2023, 10, 9, 12, tzinfo=UTC)
AID_OPEN_AT = datetime(2023, 10, 15, 10, tzinfo=UTC)
KINDS = [str(kind) for kind in Traffic.specific()]

Answer = dict[tuple[str, str], tuple[str, bool, datetime | None]]


@pytest.fixture(autouse=True)
def _stale_after_a_week(settings):  # type: ignore[no-untyped-def]
    settings.STATUS_STALE_AFTER_DAYS = 7


@pytest.fixture
def history() -> None:
    crisis = CrisisFactory(name="Gaza")
    rafah = CrossingFactory(name="Rafah", slug="rafah")
    quiet = CrossingFactory(name="Quiet", slug="quiet")
    rafah.crises.add(crisis)
    quiet.crises.add(crisis)
    status(rafah, "closed", CLOSED_AT)
    status(rafah, "open", AID_OPEN_AT, Traffic.AID)


def _moment(text: str) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def _yes(text: str) -> bool:
    assert text in {"true", "false", "yes", "no"}, text
    return text in {"true", "yes"}


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))[1:]  # under the header: the HXL hashtag row


def page_html(client: Any, as_of: str) -> Answer:
    response = client.get("/", {"as_of": as_of})
    assert response.status_code == 200
    html = response.content.decode()
    answer: Answer = {}
    for slug, row in re.findall(r'<tr data-crossing="([^"]+)">(.*?)</tr>', html, flags=re.S):
        for kind, state, stale, stated in re.findall(
            r'data-traffic="(\w+)" data-status="(\w+)" data-stale="(\w+)" data-last-stated-at="([^"]*)"', row
        ):
            answer[(slug, kind)] = (state, _yes(stale), _moment(stated))
    return answer


def page_csv(client: Any, as_of: str) -> Answer:
    rows = _csv(client.get("/", {"as_of": as_of, "format": "csv"}))
    return {
        (r["crossing_slug"], r["traffic"]): (r["status"], _yes(r["stale"]), _moment(r["last_stated_at"])) for r in rows
    }


def _api_status(properties: dict[str, Any]) -> Answer:
    return {
        (properties["slug"], kind): (s["status"], s["stale"], _moment(s["last_stated_at"] or ""))
        for kind, s in properties["status"].items()
    }


def api_json(client: Any, as_of: str) -> Answer:
    response = client.get("/api/v1/crossings/", {"as_of": as_of})
    assert response.status_code == 200, response.content
    answer: Answer = {}
    for crossing in response.json()["results"]:
        answer |= _api_status(crossing)
    return answer


def api_geojson(client: Any, as_of: str) -> Answer:
    response = client.get("/api/v1/crossings/", {"as_of": as_of, "format": "geojson"})
    assert response.status_code == 200, response.content
    answer: Answer = {}
    for feature in response.json()["features"]:
        flat = feature["properties"]  # flat for GIS: status_aid, stale_aid, last_stated_at_aid, ...
        answer |= {
            (feature["id"], kind): (
                flat[f"status_{kind}"],
                flat[f"stale_{kind}"],
                _moment(flat[f"last_stated_at_{kind}"] or ""),
            )
            for kind in KINDS
        }
    return answer


def api_csv(client: Any, as_of: str) -> Answer:
    rows = _csv(client.get("/api/v1/crossings/", {"as_of": as_of, "format": "csv"}))
    return {
        (r["crossing"], kind): (
            r[f"status_{kind}"],
            _yes(r[f"status_{kind}_stale"]),
            _moment(r[f"status_{kind}_last_stated_at"]),
        )
        for r in rows
        for kind in KINDS
    }


SURFACES = {"page": page_html, "page csv": page_csv, "api": api_json, "api csv": api_csv, "api geojson": api_geojson}


def _expected(aid: tuple[str, bool, datetime | None], people_stale: bool) -> Answer:
    closed = ("closed", people_stale, CLOSED_AT)
    answer: Answer = {("quiet", kind): ("unknown", False, None) for kind in KINDS}
    answer |= {("rafah", kind): closed for kind in KINDS}
    answer[("rafah", "aid")] = aid
    return answer


OPEN = ("open", False, AID_OPEN_AT)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # A date alone: the end of that day, UTC.
        ("2023-10-15", _expected(OPEN, people_stale=False)),
        # A date-time without a zone: UTC.
        ("2023-10-15T09:00", _expected(("closed", False, CLOSED_AT), people_stale=False)),
        ("2023-10-15T10:00:00", _expected(OPEN, people_stale=False)),
        # With a zone: converted (08:00 at -03:00 is 11:00 UTC; 12:30 at +03:00 is 09:30 UTC).
        ("2023-10-15T08:00-03:00", _expected(OPEN, people_stale=False)),
        ("2023-10-15T12:30:00+03:00", _expected(("closed", False, CLOSED_AT), people_stale=False)),
        ("2023-10-15T09:30:00Z", _expected(("closed", False, CLOSED_AT), people_stale=False)),
        # Stale: the all-traffic closure was last stated on the 9th, more than seven days before the 20th.
        ("2023-10-20", _expected(OPEN, people_stale=True)),
        ("2023-10-16T12:00:00Z", _expected(OPEN, people_stale=False)),
        ("2023-10-16T12:00:01Z", _expected(OPEN, people_stale=True)),
    ],
)
def test_every_surface_gives_the_same_answer(history, analyst_client, partner_client, as_of, expected):
    for name, ask in SURFACES.items():
        client = partner_client if name.startswith("api") else analyst_client
        assert ask(client, as_of) == expected, name


def test_now_is_the_same_everywhere(history, analyst_client, partner_client):
    answers = {
        name: ask(partner_client if name.startswith("api") else analyst_client, "") for name, ask in SURFACES.items()
    }
    assert all(answer == answers["page"] for answer in answers.values()), answers
    assert answers["page"][("rafah", "aid")] == ("open", True, AID_OPEN_AT)


REFUSED = ["2999-01-01", "2030-01-01T00:00:00Z", "yesterday", "2023-13-01", "2023-10-14T09:30+25:00", "1899-12-31"]


@pytest.mark.parametrize("as_of", REFUSED)
def test_unreadable_or_future_moments_are_the_same_400_everywhere(history, analyst_client, partner_client, as_of):
    with pytest.raises(moments.BadMoment) as refused:
        moments.parse_as_of(as_of)
    message = refused.value.message
    for query in ({"as_of": as_of}, {"as_of": as_of, "format": "csv"}):
        page = analyst_client.get("/", query)
        assert page.status_code == 400
        html = page.content.decode()
        assert "<code>as_of</code>" in html
        assert message.replace("'", "&#x27;") in html
    for fmt in ("json", "csv", "geojson"):
        api = partner_client.get("/api/v1/crossings/", {"as_of": as_of, "format": fmt})
        assert api.status_code == 400, fmt
        assert api["Content-Type"] == "application/json"
        assert api.json()["error"]["fields"] == {"as_of": [message]}
        detail = partner_client.get("/api/v1/crossings/rafah/", {"as_of": as_of})
        assert detail.status_code == 400 and detail.json()["error"]["fields"] == {"as_of": [message]}


def test_the_api_says_which_moment_a_date_alone_means(history, partner_client):
    body = partner_client.get("/api/v1/crossings/rafah/", {"as_of": "2023-10-15"}).json()
    assert body["status_as_of"] == "2023-10-15T23:59:59Z"  # to the second, as every time is written


def test_evidence_is_the_same_in_the_api_json_csv_and_geojson(history, partner_client):
    source = SourceFactory(name="ReliefWeb")
    cited = report(source, title="Flash update 7", url="https://example.org/flash-7")
    Report.objects.filter(pk=cited.pk).update(
        organisations=["OCHA"], country_codes=["PSE", "EGY"], disaster="Gaza conflict", glide="CE-2023-000202-PSE"
    )
    rafah = Crossing.objects.get(slug="rafah")
    status(rafah, "restricted", datetime(2023, 10, 21, tzinfo=UTC), Traffic.FUEL, report=cited, note="")
    expected = {
        "uid": str(cited.uid),
        "title": "Flash update 7",
        "url": "https://example.org/flash-7",
        "source": source.slug,
        "source_name": "ReliefWeb",
        "organisations": ["OCHA"],
        "country_codes": ["PSE", "EGY"],
        "disaster": "Gaza conflict",
        "glide": "CE-2023-000202-PSE",
    }
    crossing = partner_client.get("/api/v1/crossings/rafah/").json()
    assert crossing["status"]["fuel"]["row"]["evidence"]["report"] == expected
    feature = partner_client.get("/api/v1/crossings/rafah/", {"format": "geojson"}).json()["properties"]
    assert (feature["evidence_url_fuel"], feature["evidence_title_fuel"], feature["evidence_source_fuel"]) == (
        "https://example.org/flash-7",
        "Flash update 7",
        "ReliefWeb",
    )
    [history_row] = [
        r for r in partner_client.get("/api/v1/crossings/rafah/history/").json()["results"] if r["traffic"] == "fuel"
    ]
    assert history_row["evidence"]["report"] == expected
    [line] = [r for r in _csv(partner_client.get("/api/v1/crossings/", {"format": "csv"})) if r["crossing"] == "rafah"]
    assert line["status_fuel_report"] == str(cited.uid)
    assert line["status_fuel_report_url"] == "https://example.org/flash-7"
    assert line["status_fuel_report_title"] == "Flash update 7"
    assert line["status_fuel_report_source"] == "ReliefWeb"
    assert line["status_fuel_report_organisation_1"] == "OCHA"
    history_csv = _csv(partner_client.get("/api/v1/crossings/rafah/history/", {"format": "csv"}))
    [fuel] = [r for r in history_csv if r["traffic"] == "fuel"]
    assert (fuel["report_title"], fuel["report_source"], fuel["report_organisation_1"]) == (
        "Flash update 7",
        "ReliefWeb",
        "OCHA",
    )
    listed = partner_client.get(f"/api/v1/reports/{cited.uid}/").json()
    assert {k: listed[k] for k in ("organisations", "country_codes", "disaster", "glide")} == {
        "organisations": ["OCHA"],
        "country_codes": ["PSE", "EGY"],
        "disaster": "Gaza conflict",
        "glide": "CE-2023-000202-PSE",
    }
    reports_csv = _csv(partner_client.get("/api/v1/reports/", {"format": "csv"}))
    assert [(r["organisation_1"], r["country_1"], r["country_2"], r["glide"]) for r in reports_csv] == [
        ("OCHA", "PSE", "EGY", "CE-2023-000202-PSE")
    ]


def test_the_pages_show_evidence_as_the_api_does(history, analyst_client):
    cited = report(SourceFactory(name="ReliefWeb"), title="Flash update 8", url="https://example.org/flash-8")
    Report.objects.filter(pk=cited.pk).update(organisations=["OCHA", "WFP"])
    rafah = Crossing.objects.get(slug="rafah")
    status(rafah, "restricted", datetime(2023, 10, 21, tzinfo=UTC), Traffic.FUEL, report=cited, note="")
    shown = '<a href="https://example.org/flash-8" rel="noopener noreferrer">Flash update 8</a>'
    for url in ("/", "/crossings/rafah/"):
        html = analyst_client.get(url).content.decode()
        assert shown in html and "(Source: <bdi>ReliefWeb</bdi>; by <bdi>OCHA, WFP" in html, url
    [fuel] = [
        r
        for r in _csv(analyst_client.get("/", {"format": "csv"}))
        if r["traffic"] == "fuel" and r["crossing_slug"] == "rafah"
    ]
    assert (fuel["report_title"], fuel["report_url"], fuel["report_source"]) == (
        "Flash update 8",
        "https://example.org/flash-8",
        "ReliefWeb",
    )
    assert (fuel["report_organisation_1"], fuel["report_organisation_2"]) == ("OCHA", "WFP")


def test_since_is_the_start_of_the_run_everywhere(analyst_client, partner_client):
    """A status restated without a break holds "since" its first statement on every surface; "last stated" is the
    latest statement."""
    rafah = CrossingFactory(name="Rafah", slug="rafah")
    rafah.crises.add(CrisisFactory(name="Gaza"))
    status(rafah, "closed", CLOSED_AT)
    restated = CLOSED_AT + timedelta(days=3)
    status(rafah, "closed", restated, Traffic.PEOPLE)
    moment = "2023-10-13"
    page = {r["traffic"]: r for r in _csv(analyst_client.get("/", {"as_of": moment, "format": "csv"}))}
    api = partner_client.get("/api/v1/crossings/rafah/", {"as_of": moment}).json()["status"]
    csv_row = _csv(partner_client.get("/api/v1/crossings/", {"as_of": moment, "format": "csv"}))[0]
    for kind in KINDS:
        assert _moment(page[kind]["since"]) == CLOSED_AT, kind
        assert _moment(api[kind]["since"]) == CLOSED_AT, kind
        assert _moment(csv_row[f"status_{kind}_since"]) == CLOSED_AT, kind
    assert _moment(api["people"]["last_stated_at"]) == restated
    assert _moment(page["people"]["last_stated_at"]) == restated
