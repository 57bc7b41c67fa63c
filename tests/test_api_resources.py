"""Every resource of the partner API answers with its documented fields, stable identifiers and no row ids."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tests.factories import CrossingFactory, SourceFactory, agreement, dispute, report, status
from tracker import services
from tracker.demo import load_demo
from tracker.models import (
    AidDispute,
    CrossingStatus,
    EvacuationAgreement,
    FlowCount,
    Report,
    TimelineEvent,
    Traffic,
)

pytestmark = pytest.mark.django_db

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def demo():
    load_demo()


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_crises_list_and_detail_carry_iso_codes(partner_client, demo):
    [crisis] = results(partner_client.get("/api/v1/crises/"))
    assert crisis["slug"] == "israel-hamas-war"
    assert {"iso3": "EGY", "iso2": "EG", "name": "Egypt"} in crisis["countries"]
    detail = partner_client.get("/api/v1/crises/israel-hamas-war/").json()
    assert detail == crisis


def test_actors_list_names_country_by_code(partner_client, demo):
    actors = {a["slug"]: a for a in results(partner_client.get("/api/v1/actors/?page_size=100"))}
    assert actors["egypt"]["country"]["iso3"] == "EGY"
    assert actors["unrwa"]["country"] is None
    assert partner_client.get("/api/v1/actors/qatar/").json()["kind"] == "state"


def test_crossings_show_current_status_per_traffic_with_evidence(partner_client, demo):
    rafah = partner_client.get("/api/v1/crossings/rafah/").json()
    assert rafah["side_a"]["iso3"] in {"EGY", "PSE"}
    aid = rafah["status"]["aid"]
    assert aid["status"] == "closed"
    assert aid["row"]["traffic"] == "aid"
    assert aid["since"] == aid["row"]["effective_at"]
    assert aid["row"]["evidence"]["note"]
    assert UUID.match(aid["row"]["uid"])
    assert set(rafah["status"]) == {"people", "aid", "commercial", "fuel"}


def test_crossing_without_rows_is_unknown_for_every_traffic(partner_client):
    CrossingFactory(name="Quiet")
    quiet = partner_client.get("/api/v1/crossings/quiet/").json()
    assert {kind: s["status"] for kind, s in quiet["status"].items()} == dict.fromkeys(
        ["people", "aid", "commercial", "fuel"], "unknown"
    )
    assert quiet["status"]["aid"]["row"] is None


def test_history_lists_every_row_including_retracted(partner_client):
    crossing = CrossingFactory(name="Erez")
    first = status(crossing, "open", datetime(2023, 10, 1, tzinfo=UTC))
    status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC))
    services.crossing_retract_status(status_row=first, recorded_by=None, reason="Misread the report")
    rows = results(partner_client.get("/api/v1/crossings/erez/history/"))
    assert [r["status"] for r in rows] == ["closed", "open"]
    assert rows[1]["retraction"]["reason"] == "Misread the report"
    assert rows[0]["retraction"] is None


def test_history_of_unknown_crossing_is_404_in_the_error_shape(partner_client):
    response = partner_client.get("/api/v1/crossings/nowhere/history/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_disputes_and_agreements_carry_parties_and_state_history(partner_client, demo):
    [row] = results(partner_client.get("/api/v1/aid-disputes/"))
    assert row["slug"] == "aid-for-gaza-through-rafah"
    assert {p["slug"] for p in row["parties"]} == {"egypt", "israel"}
    assert row["state_changes"][0]["to_state"] == row["state"]
    [deal] = results(partner_client.get("/api/v1/evacuation-agreements/"))
    assert {(p["actor"]["slug"], p["role"]) for p in deal["parties"]} >= {("qatar", "mediator")}
    assert deal["eligible"]
    assert partner_client.get(f"/api/v1/evacuation-agreements/{deal['slug']}/").json() == deal


def test_timeline_events_are_addressed_by_uuid(partner_client, demo):
    events = results(partner_client.get("/api/v1/timeline/?page_size=100"))
    assert len(events) == TimelineEvent.objects.count()
    first = events[0]
    assert UUID.match(first["uid"])
    assert partner_client.get(f"/api/v1/timeline/{first['uid']}/").json() == first


def test_flows_list_both_sources_for_the_same_day(partner_client):
    crossing = CrossingFactory(name="Kerem Shalom")
    for name, value in [("UN", 20), ("COGAT", 35)]:
        services.flow_count_record(
            crossing=crossing,
            day=date(2023, 10, 21),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=value,
            source=SourceFactory(name=name),
            recorded_by=None,
        )
    rows = results(partner_client.get("/api/v1/flows/"))
    assert sorted((r["source"]["slug"], r["value"]) for r in rows) == [("cogat", 35), ("un", 20)]
    assert partner_client.get(f"/api/v1/flows/{rows[0]['uid']}/").json() == rows[0]


def test_reports_detail_has_text(partner_client):
    row = report(title="Rafah shut", text="The crossing is shut.")
    services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    detail = partner_client.get(f"/api/v1/reports/{row.uid}/").json()
    assert detail["text"] == "The crossing is shut."
    assert detail["source"]["slug"] == row.source.slug


def test_no_response_exposes_a_row_id(partner_client, demo):
    crossing = CrossingFactory(name="Ids")
    status(crossing, "open", datetime(2023, 10, 1, tzinfo=UTC), Traffic.PEOPLE)
    dispute(name="Another dispute")
    agreement(name="Another agreement")
    for url in [
        "/api/v1/crises/",
        "/api/v1/actors/",
        "/api/v1/crossings/",
        "/api/v1/crossings/rafah/history/",
        "/api/v1/aid-disputes/",
        "/api/v1/evacuation-agreements/",
        "/api/v1/timeline/",
        "/api/v1/reports/",
        "/api/v1/changes/",
    ]:
        body = partner_client.get(url).content.decode()
        assert '"id"' not in body and '"pk"' not in body, url


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/"])
def test_unknown_path_under_api_is_json_404(partner_client, path):
    for response in (partner_client.get(path), partner_client.post(path, {})):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_control_character_in_an_api_path_is_a_json_400(partner_client):
    # Refused by tracker/middleware.py before any route is looked up, in the API's error shape.
    for response in (
        partner_client.get("/api/v1/crossings/a%0Ab/history/"),
        partner_client.post("/api/v1/crossings/a%0Ab/history/", {}),
    ):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "bad_request"


def test_counts_in_list_match_database(partner_client, demo):
    assert partner_client.get("/api/v1/aid-disputes/").json()["count"] == AidDispute.objects.count()
    assert partner_client.get("/api/v1/evacuation-agreements/").json()["count"] == EvacuationAgreement.objects.count()
    assert CrossingStatus.objects.exists()
