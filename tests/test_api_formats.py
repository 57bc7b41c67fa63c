"""Formats: CSV for every list (streamed, HXL hashtag row, ISO codes beside country names), GeoJSON for crossings."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from tests.factories import CrossingFactory, SourceFactory, report, status
from tracker import services
from tracker.demo import load_demo
from tracker.models import Crossing, FlowCount, Report, Traffic

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/crises/",
    "/api/v1/actors/",
    "/api/v1/crossings/",
    "/api/v1/crossings/rafah/history/",
    "/api/v1/aid-disputes/",
    "/api/v1/evacuation-agreements/",
    "/api/v1/timeline/",
    "/api/v1/flows/",
    "/api/v1/reports/",
    "/api/v1/changes/",
    "/api/v1/webhooks/",
]
HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")


@pytest.fixture
def demo():
    load_demo()
    rafah_report = Report.objects.get()
    services.report_review(report=rafah_report, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    services.flow_count_record(
        crossing=Crossing.objects.get(slug="rafah"),
        day=date(2023, 10, 21),
        metric=FlowCount.Metric.AID_TRUCKS,
        value=20,
        source=SourceFactory(),
        recorded_by=None,
    )


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response.streaming, "CSV exports are streamed"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("url", LISTS)
def test_every_list_exports_csv_with_an_hxl_row(partner_client, demo, url):
    rows = read_csv(partner_client.get(url, {"format": "csv"}))
    header, hashtags = rows[0], rows[1]
    assert len(header) == len(hashtags)
    assert all(HXL_TAG.match(tag) for tag in hashtags), hashtags


def test_accept_header_chooses_csv_too(partner_client, demo):
    rows = read_csv(partner_client.get("/api/v1/crises/", HTTP_ACCEPT="text/csv"))
    assert rows[0][0] == "crisis"


def test_crossings_csv_has_iso_codes_beside_names_and_status_per_traffic(partner_client, demo):
    rows = read_csv(partner_client.get("/api/v1/crossings/?format=csv"))
    header, hashtags, *data = rows
    by_name = {row[header.index("crossing")]: dict(zip(header, row, strict=True)) for row in data}
    rafah = by_name["rafah"]
    assert {rafah["side_a"], rafah["side_b"]} == {"Egypt", "Palestine, State of"} or rafah["side_a_iso3"] in {
        "EGY",
        "PSE",
    }
    assert rafah["side_a_iso3"] in {"EGY", "PSE"} and rafah["side_b_iso3"] in {"EGY", "PSE"}
    assert rafah["status_aid"] == "closed"
    assert rafah["status_commercial"] == "unknown"
    assert hashtags[header.index("crossing")] == "#loc+crossing+code"
    assert hashtags[header.index("status_aid")] == "#status+aid"
    assert hashtags[header.index("side_a_iso3")] == "#country+code+v_iso3+side_a"
    assert "#crisis+code" in hashtags and any(tag.startswith("#date") for tag in hashtags)
    assert rafah["crossing_name_ar_1"] and hashtags[header.index("crossing_name_ar_1")] == "#loc+name+crossing+i_ar"
    assert rafah["crossing_name_he_1"] and hashtags[header.index("crossing_name_he_1")] == "#loc+name+crossing+i_he"


def test_csv_is_the_whole_list_not_a_page(partner_client, settings):
    for n in range(7):
        CrossingFactory(name=f"Crossing {n:02}")
    settings.API_PAGE_SIZE = 2
    settings.API_CSV_CHUNK = 3
    rows = read_csv(partner_client.get("/api/v1/crossings/?format=csv"))
    assert len(rows) == 2 + 7


def test_csv_names_the_evidence_a_status_cites(partner_client):
    # A status may cite only a report readers can see: citing an unreviewed one marks it relevant (the service).
    crossing = CrossingFactory(name="Erez")
    cited = report(SourceFactory(name="ReliefWeb"), title="Flash update", url="https://example.org/flash")
    Report.objects.filter(pk=cited.pk).update(organisations=["OCHA", "WFP"])
    status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC), report=cited)
    body = b"".join(partner_client.get("/api/v1/crossings/?format=csv").streaming_content).decode()
    [header, _hxl, row] = list(csv.reader(io.StringIO(body)))
    line = dict(zip(header, row, strict=True))
    assert line["status_aid_report"] == str(cited.uid)
    assert line["status_aid_report_url"] == "https://example.org/flash"
    assert line["status_aid_report_title"] == "Flash update"
    assert line["status_aid_report_source"] == "ReliefWeb"
    # One value per cell: the organisations side by side under one hashtag.
    assert [line["status_aid_report_organisation_1"], line["status_aid_report_organisation_2"]] == ["OCHA", "WFP"]
    assert "status_aid_report_organisation_3" not in line


def test_errors_stay_json_when_csv_was_asked(partner_client):
    response = partner_client.get("/api/v1/crossings/?format=csv&status=shut")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_geojson_is_a_feature_collection_with_status(partner_client, demo):
    CrossingFactory(name="Nowhere in particular")
    response = partner_client.get("/api/v1/crossings/?format=geojson")
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    features = {f["id"]: f for f in body["features"]}
    rafah = features["rafah"]
    assert rafah["type"] == "Feature"
    assert rafah["geometry"]["type"] == "Point"
    longitude, latitude = rafah["geometry"]["coordinates"]
    assert 34 < longitude < 35 and 31 < latitude < 32, "GeoJSON is [longitude, latitude]"
    assert rafah["properties"]["status_aid"] == "closed"
    assert "latitude" not in rafah["properties"]
    assert features["nowhere-in-particular"]["geometry"] is None


def test_geojson_via_accept_and_for_one_crossing(partner_client, demo):
    feature = partner_client.get("/api/v1/crossings/rafah/", HTTP_ACCEPT="application/geo+json").json()
    assert feature["type"] == "Feature" and feature["id"] == "rafah"


def test_changes_csv_lists_each_change(partner_client):
    crossing = CrossingFactory(name="Erez")
    status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC), Traffic.PEOPLE)
    status(crossing, "open", datetime(2023, 10, 9, tzinfo=UTC), Traffic.PEOPLE)
    header, _, *data = read_csv(partner_client.get("/api/v1/changes/?format=csv"))
    assert [row[header.index("status")] for row in data] == ["closed", "open"]
