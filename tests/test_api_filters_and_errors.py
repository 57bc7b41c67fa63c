"""Filters narrow each list; a value that names nothing, a malformed date, an unknown parameter: 400 naming it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import CrisisFactory, CrossingFactory, SourceFactory, agreement, dispute, report, status
from tracker import services
from tracker.models import AidDispute, Country, FlowCount, Report, TimelineEvent, Traffic

pytestmark = pytest.mark.django_db


def slugs(response, key: str = "slug") -> list[str]:
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


def error(response, status_code: int = 400) -> dict:
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()["error"]
    assert set(body) == {"code", "message", "fields"}
    return body


@pytest.fixture
def world():
    gaza = CrisisFactory(name="Gaza")
    sudan = CrisisFactory(name="Sudan", started_on=date(2023, 4, 15))
    sudan.countries.add(Country.objects.get(iso3="SDN"))
    rafah = CrossingFactory(name="Rafah")
    rafah.crises.add(gaza)
    adre = CrossingFactory(name="Adre", side_a=Country.objects.get(iso3="TCD"), side_b=Country.objects.get(iso3="SDN"))
    adre.crises.add(sudan)
    status(rafah, "closed", datetime(2023, 10, 7, tzinfo=UTC), Traffic.AID)
    status(adre, "open", datetime(2023, 10, 7, tzinfo=UTC))
    return {"gaza": gaza, "sudan": sudan, "rafah": rafah, "adre": adre}


def test_crossings_by_crisis_country_and_status(partner_client, world):
    assert slugs(partner_client.get("/api/v1/crossings/?crisis=sudan")) == ["adre"]
    assert slugs(partner_client.get("/api/v1/crossings/?country=SDN")) == ["adre"]
    assert slugs(partner_client.get("/api/v1/crossings/?country=EGY")) == ["rafah"]
    assert slugs(partner_client.get("/api/v1/crossings/?status=closed")) == ["rafah"]
    assert slugs(partner_client.get("/api/v1/crossings/?status=open&traffic=people")) == ["adre"]
    assert slugs(partner_client.get("/api/v1/crossings/?ordering=-name")) == ["rafah", "adre"]


def test_updated_since_finds_crossings_with_new_status_rows(partner_client, world):
    later = timezone.now() + timedelta(days=1)
    with time_machine.travel(later):
        status(world["adre"], "closed", timezone.now(), Traffic.FUEL)
    since = (later - timedelta(minutes=1)).isoformat()
    assert slugs(partner_client.get("/api/v1/crossings/", {"updated_since": since})) == ["adre"]


def test_crises_by_state_and_country(partner_client, world):
    assert slugs(partner_client.get("/api/v1/crises/?country=SDN")) == ["sudan"]
    assert slugs(partner_client.get("/api/v1/crises/?state=closed")) == []
    assert slugs(partner_client.get("/api/v1/crises/?ordering=name")) == ["gaza", "sudan"]


def test_disputes_by_crisis_state_crossing_and_dates(partner_client, world):
    first = dispute(world["gaza"], name="Inspections", subject=AidDispute.Subject.INSPECTION)
    first.crossings.add(world["rafah"])
    dispute(world["sudan"], name="Fuel", opened_on=date(2023, 9, 1))
    assert slugs(partner_client.get("/api/v1/aid-disputes/?crisis=gaza")) == ["inspections"]
    assert slugs(partner_client.get("/api/v1/aid-disputes/?crossing=rafah")) == ["inspections"]
    assert slugs(partner_client.get("/api/v1/aid-disputes/?subject=inspection")) == ["inspections"]
    assert slugs(partner_client.get("/api/v1/aid-disputes/?opened_before=2023-09-30")) == ["fuel"]
    services.accord_change_state(entity=first, to_state=AidDispute.State.NEGOTIATING, changed_by=None)
    assert slugs(partner_client.get("/api/v1/aid-disputes/?state=negotiating")) == ["inspections"]


def test_agreements_by_state_and_crisis(partner_client, world):
    agreement(world["gaza"], name="Dual nationals")
    assert slugs(partner_client.get("/api/v1/evacuation-agreements/?crisis=gaza&state=proposed")) == ["dual-nationals"]
    assert slugs(partner_client.get("/api/v1/evacuation-agreements/?crisis=sudan")) == []


def test_timeline_and_flows_by_date_range(partner_client, world):
    for day in (10, 20):
        TimelineEvent.objects.create(
            crisis=world["gaza"], occurred_on=date(2023, 10, day), kind="statement", title=f"Event {day}"
        )
        services.flow_count_record(
            crossing=world["rafah"],
            day=date(2023, 10, day),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=day,
            source=SourceFactory(),
            recorded_by=None,
        )
    assert slugs(partner_client.get("/api/v1/timeline/?date_from=2023-10-15"), "title") == ["Event 20"]
    assert slugs(partner_client.get("/api/v1/flows/?day_to=2023-10-15&crisis=gaza"), "value") == [10]
    assert slugs(partner_client.get("/api/v1/flows/?crossing=adre"), "value") == []


def test_reports_by_crossing_and_publication_date(partner_client, world):
    for day in (10, 20):
        row = report(title=f"Report {day}", published_at=datetime(2023, 10, day, tzinfo=UTC))
        services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None)
        if day == 20:
            services.report_link(report=row, crossings=[world["rafah"]])
    assert slugs(partner_client.get("/api/v1/reports/?crossing=rafah"), "title") == ["Report 20"]
    assert slugs(partner_client.get("/api/v1/reports/?published_before=2023-10-15T00:00:00Z"), "title") == ["Report 10"]


@pytest.mark.parametrize(
    "url,param",
    [
        ("/api/v1/crossings/?crisis=atlantis", "crisis"),
        ("/api/v1/crossings/?country=XXX", "country"),
        ("/api/v1/crossings/?status=shut", "status"),
        ("/api/v1/crossings/?traffic=all&status=open", "traffic"),
        ("/api/v1/crossings/?updated_since=last-week", "updated_since"),
        ("/api/v1/crossings/?ordering=secret", "ordering"),
        ("/api/v1/crossings/?stauts=closed", "stauts"),
        ("/api/v1/crossings/?page=0", "page"),
        ("/api/v1/crossings/?page=two", "page"),
        ("/api/v1/crossings/?page_size=-5", "page_size"),
        ("/api/v1/crossings/?format=xml", "format"),
        ("/api/v1/crossings/rafah/?format=csv", "format"),
        ("/api/v1/crises/?format=geojson", "format"),
        ("/api/v1/aid-disputes/?state=won", "state"),
        ("/api/v1/aid-disputes/?opened_after=2023-02-30", "opened_after"),
        ("/api/v1/evacuation-agreements/?party=nobody", "party"),
        ("/api/v1/timeline/?kind=rumour", "kind"),
        ("/api/v1/flows/?metric=camels", "metric"),
        ("/api/v1/reports/?published_after=soon", "published_after"),
        ("/api/v1/reports/?cursor=not-a-cursor", "cursor"),
        ("/api/v1/reports/?ordering=title", "ordering"),
        ("/api/v1/changes/?after=42", "after"),
        ("/api/v1/changes/?kind=gossip", "kind"),
        ("/api/v1/changes/?limit=0", "limit"),
        ("/api/v1/crossings/rafah/history/?effective_after=tuesday", "effective_after"),
    ],
)
def test_bad_parameter_is_400_naming_it(partner_client, world, url, param):
    body = error(partner_client.get(url))
    assert body["code"] == "invalid"
    assert param in body["fields"], body
    assert f"`{param}`" in body["message"]


def test_page_past_the_end_is_404_saying_why(partner_client, world):
    body = error(partner_client.get("/api/v1/crossings/?page=99"), 404)
    assert body["code"] == "not_found"
    assert body["message"].startswith("There is no page 99: this list has 1 page of 50.")


def test_page_size_is_capped(partner_client, world, settings):
    settings.API_MAX_PAGE_SIZE = 1
    response = partner_client.get("/api/v1/crossings/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert response.json()["count"] == 2


def test_unsatisfiable_accept_header_is_406(partner_client, world):
    response = partner_client.get("/api/v1/crossings/", HTTP_ACCEPT="application/xml")
    assert error(response, 406)["code"] == "not_acceptable"


def test_method_not_allowed_is_405_in_the_error_shape(partner_client, world):
    assert error(partner_client.delete("/api/v1/crossings/rafah/"), 405)["code"] == "method_not_allowed"


def test_malformed_json_body_is_400(editor_client, world):
    response = editor_client.post("/api/v1/crossings/rafah/history/", data="{not json", content_type="application/json")
    assert error(response)["code"] in {"parse_error", "invalid"}
