"""ETag and Last-Modified on list and detail responses; a conditional request that still matches gets 304."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.http import http_date

from tests.factories import CrisisFactory, CrossingFactory, status
from tracker.models import Traffic

pytestmark = pytest.mark.django_db


@pytest.fixture
def rafah():
    crossing = CrossingFactory(name="Rafah")
    status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC))
    return crossing


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/crossings/",
        "/api/v1/crossings/rafah/",
        "/api/v1/changes/",
        "/api/v1/crossings/rafah/history/",
        "/api/v1/crossings/?format=geojson",
    ],
)
def test_matching_etag_answers_304_without_a_body(partner_client, rafah, url):
    first = partner_client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"')
    again = partner_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_new_status_changes_the_etag(partner_client, rafah):
    etag = partner_client.get("/api/v1/crossings/rafah/")["ETag"]
    status(rafah, "open", datetime(2023, 10, 20, tzinfo=UTC), Traffic.PEOPLE)
    response = partner_client.get("/api/v1/crossings/rafah/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["status"]["people"]["status"] == "open"


def test_etag_differs_by_format_and_as_of(partner_client, rafah):
    tags = {
        partner_client.get("/api/v1/crossings/rafah/")["ETag"],
        partner_client.get("/api/v1/crossings/rafah/?format=geojson")["ETag"],
        partner_client.get("/api/v1/crossings/rafah/?as_of=2023-10-01T00:00:00Z")["ETag"],
    }
    assert len(tags) == 3


def test_responses_must_be_revalidated_and_vary_by_credentials(partner_client, rafah):
    response = partner_client.get("/api/v1/crossings/")
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]


def test_fresh_data_gets_no_last_modified(partner_client, rafah):
    assert not partner_client.get("/api/v1/crossings/").has_header("Last-Modified")


def test_settled_data_gets_last_modified_and_if_modified_since_answers_304(partner_client, rafah):
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        response = partner_client.get("/api/v1/crossings/")
        last_modified = response["Last-Modified"]
        assert partner_client.get("/api/v1/crossings/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_a_write_after_last_modified_defeats_if_modified_since(partner_client, rafah):
    CrisisFactory()
    later = timezone.now() + timedelta(hours=1)
    with time_machine.travel(later):
        last_modified = partner_client.get("/api/v1/crises/")["Last-Modified"]
        CrisisFactory()
    with time_machine.travel(later + timedelta(hours=1)):
        assert partner_client.get("/api/v1/crises/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_if_modified_since_is_ignored_when_data_is_fresh(partner_client, rafah):
    tomorrow = http_date((timezone.now() + timedelta(days=1)).timestamp())
    assert partner_client.get("/api/v1/crossings/", HTTP_IF_MODIFIED_SINCE=tomorrow).status_code == 200


# --- every format: CSV exports are streamed, so their validators come from the data's version, not the body ------

CSV_URLS = [
    "/api/v1/crossings/?format=csv",
    "/api/v1/crossings/?format=csv&as_of=2023-10-10",
    "/api/v1/crossings/rafah/history/?format=csv",
    "/api/v1/changes/?format=csv",
    "/api/v1/crises/?format=csv",
    "/api/v1/actors/?format=csv",
    "/api/v1/aid-disputes/?format=csv",
    "/api/v1/evacuation-agreements/?format=csv",
    "/api/v1/timeline/?format=csv",
    "/api/v1/flows/?format=csv",
    "/api/v1/reports/?format=csv",
]


@pytest.mark.parametrize("url", CSV_URLS)
def test_csv_has_a_weak_etag_and_answers_304(partner_client, rafah, url):
    first = partner_client.get(url)
    assert first.status_code == 200 and first["Content-Type"].startswith("text/csv")
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert b"".join(first.streaming_content)  # the export itself is still there
    again = partner_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b"" and again["ETag"] == etag


def test_the_same_list_in_each_format_has_its_own_etag(partner_client, rafah):
    tags = {partner_client.get("/api/v1/crossings/", {"format": fmt})["ETag"] for fmt in ("json", "csv", "geojson")} | {
        partner_client.get("/api/v1/crossings/", {"format": "csv", "status": "closed"})["ETag"]
    }
    assert len(tags) == 4


def test_a_new_status_changes_the_csv_etag(partner_client, rafah):
    etag = partner_client.get("/api/v1/crossings/?format=csv")["ETag"]
    status(rafah, "open", datetime(2023, 10, 20, tzinfo=UTC), Traffic.PEOPLE)
    response = partner_client.get("/api/v1/crossings/?format=csv", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert b"open" in b"".join(response.streaming_content)


def test_a_status_going_stale_changes_the_csv_etag_with_nothing_written(partner_client, rafah):
    from tracker.selectors.standing import stale_after

    status(rafah, "open", timezone.now() - stale_after() + timedelta(hours=1), Traffic.PEOPLE)
    etag = partner_client.get("/api/v1/crossings/?format=csv")["ETag"]
    assert partner_client.get("/api/v1/crossings/?format=csv", HTTP_IF_NONE_MATCH=etag).status_code == 304
    with time_machine.travel(timezone.now() + timedelta(hours=2)):  # the people status is stale now
        response = partner_client.get("/api/v1/crossings/?format=csv", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and response["ETag"] != etag


@pytest.mark.parametrize("fmt", ["csv", "geojson", "json"])
def test_settled_data_gets_last_modified_and_304_in_every_format(partner_client, rafah, fmt):
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        response = partner_client.get("/api/v1/crossings/", {"format": fmt})
        last_modified = response["Last-Modified"]
        again = partner_client.get("/api/v1/crossings/", {"format": fmt}, HTTP_IF_MODIFIED_SINCE=last_modified)
        assert again.status_code == 304
        CrisisFactory()  # a write: the answer may have changed
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        again = partner_client.get("/api/v1/crossings/", {"format": fmt}, HTTP_IF_MODIFIED_SINCE=last_modified)
        assert again.status_code == 200


def test_fresh_csv_gets_no_last_modified(partner_client, rafah):
    assert not partner_client.get("/api/v1/crossings/?format=csv").has_header("Last-Modified")
