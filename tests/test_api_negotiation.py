"""Content negotiation as HTTP says it: Accept's quality values decide, ``?format=`` wins over Accept, 406 only when
nothing offered is acceptable; every answer says it varies by Accept and Authorization (once each)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import CrossingFactory, status
from tracker.api.negotiation import parse_accept, quality_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def rafah():
    crossing = CrossingFactory(name="Rafah")
    status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC))
    return crossing


def kind(response) -> str:
    assert response.status_code == 200, response.content
    return response["Content-Type"].split(";")[0]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.9, application/json;q=0.8", "text/csv"),
        ("application/json;q=0.8, text/csv;q=0.9", "text/csv"),
        ("text/csv;q=0.5, application/json", "application/json"),
        ("application/geo+json, application/json;q=0.9", "application/geo+json"),
        ("*/*", "application/json"),
        ("text/*", "text/csv"),
        ("application/*;q=0.2, text/csv;q=0.1", "application/json"),
        # JSON ruled out by name; the wildcard leaves CSV and GeoJSON equal, and the endpoint's order picks CSV.
        ("application/json;q=0, */*;q=0.5", "text/csv"),
        ("text/csv; charset=utf-8; q=0.7, application/json; q=0.3", "text/csv"),
        ("", "application/json"),
        ("nonsense", "application/json"),  # nothing readable: no preference
    ],
)
def test_quality_values_decide(partner_client, rafah, accept, expected):
    assert kind(partner_client.get("/api/v1/crossings/", HTTP_ACCEPT=accept)) == expected


@pytest.mark.parametrize(
    ("url", "accept", "expected"),
    [
        ("/api/v1/crossings/?format=json", "text/csv", "application/json"),
        ("/api/v1/crossings/?format=csv", "application/json", "text/csv"),
        ("/api/v1/crossings/?format=geojson", "text/csv;q=1, application/json;q=0.5", "application/geo+json"),
        ("/api/v1/crossings/rafah/?format=json", "application/xml", "application/json"),
        ("/api/v1/crossings/?format=csv", "application/json;q=0, text/csv;q=0", "text/csv"),
    ],
)
def test_the_format_parameter_wins_over_accept(partner_client, rafah, url, accept, expected):
    assert kind(partner_client.get(url, HTTP_ACCEPT=accept)) == expected


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/api/v1/crossings/", "application/xml"),
        ("/api/v1/crossings/", "application/json;q=0, text/csv;q=0, application/geo+json;q=0"),
        ("/api/v1/crossings/rafah/", "text/csv"),  # one crossing is JSON or GeoJSON, never CSV
        ("/api/v1/changes/", "application/geo+json"),
    ],
)
def test_406_only_when_nothing_offered_is_acceptable(partner_client, rafah, url, accept):
    response = partner_client.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"  # errors are JSON whatever was asked
    error = response.json()["error"]
    assert error["code"] == "not_acceptable" and "application/json" in error["message"]


def test_a_format_the_endpoint_does_not_offer_is_a_400_naming_it(partner_client, rafah):
    response = partner_client.get("/api/v1/crossings/rafah/?format=csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"format": ["This endpoint offers: json, geojson."]}


def vary(response) -> list[str]:
    return [part.strip().lower() for part in response["Vary"].split(",")]


@pytest.mark.parametrize(
    ("url", "accept", "code"),
    [
        ("/api/v1/crossings/", "application/json", 200),
        ("/api/v1/crossings/", "text/csv", 200),
        ("/api/v1/crossings/?format=geojson", "", 200),
        ("/api/v1/crossings/rafah/", "", 200),
        ("/api/v1/changes/", "", 200),
        ("/api/v1/crossings/", "application/xml", 406),
        ("/api/v1/crossings/?status=shut", "", 400),
        ("/api/v1/crossings/nowhere/", "", 404),
        ("/api/v1/", "", 200),
    ],
)
def test_every_answer_varies_by_accept_and_authorization_once(partner_client, rafah, url, accept, code):
    response = partner_client.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == code
    names = vary(response)
    assert "accept" in names and "authorization" in names
    assert len(names) == len(set(names)), names  # nothing said twice


def test_a_refused_caller_is_told_the_answer_varies_by_authorization(rafah):
    response = Client().get("/api/v1/crossings/")
    assert response.status_code == 401
    assert {"accept", "authorization"} <= set(vary(response))


def test_a_304_keeps_the_vary_header(partner_client, rafah):
    etag = partner_client.get("/api/v1/crossings/", HTTP_ACCEPT="text/csv")["ETag"]
    again = partner_client.get("/api/v1/crossings/", HTTP_ACCEPT="text/csv", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert {"accept", "authorization"} <= set(vary(again))


def test_accept_parsing_keeps_what_it_can_read():
    ranges = parse_accept("text/csv;q=0.9, bad, */json, application/json;q=x, text/*;q=2, */*;q=0.1")
    assert [(r.kind, r.subtype, r.quality) for r in ranges] == [("text", "csv", 0.9), ("*", "*", 0.1)]
    # The most specific range decides, even when a broader one gives more.
    assert quality_of("text/csv", parse_accept("text/*;q=1, text/csv;q=0.2")) == 0.2
    assert quality_of("application/json", parse_accept("text/csv")) == 0.0
