"""``crossings/?as_of=`` answers the status at any past moment, from hand-built histories, by THE status rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.factories import CrossingFactory, status
from tracker import services
from tracker.models import Traffic

pytestmark = pytest.mark.django_db


def t(day: int, hour: int = 12) -> datetime:
    return datetime(2023, 10, day, hour, tzinfo=UTC)


@pytest.fixture
def rafah():
    """Rafah's October, by hand:

    - 7th: closed to all traffic
    - 12th: open for people only
    - 14th: open to aid (recorded), then on the 20th someone back-dates a correction for the 14th: restricted
    - 16th: closed to people, retracted later as a misreading
    """
    crossing = CrossingFactory(name="Rafah")
    status(crossing, "closed", t(7))
    status(crossing, "open", t(12), Traffic.PEOPLE)
    status(crossing, "open", t(14), Traffic.AID)
    mistaken = status(crossing, "closed", t(16), Traffic.PEOPLE)
    services.crossing_retract_status(status_row=mistaken, recorded_by=None, reason="Misread a headline")
    status(crossing, "restricted", t(14), Traffic.AID, note="Correction: only 20 trucks a day")
    return crossing


def picture(client, moment: str) -> dict[str, str]:
    response = client.get("/api/v1/crossings/rafah/", {"as_of": moment})
    assert response.status_code == 200, response.content
    body = response.json()
    return {kind: s["status"] for kind, s in body["status"].items()} | {"as_of": body["status_as_of"]}


def test_without_as_of_the_status_is_now(partner_client, rafah):
    body = partner_client.get("/api/v1/crossings/rafah/").json()
    assert body["status_as_of"] is None
    assert body["status"]["aid"]["status"] == "restricted"
    assert body["status"]["people"]["status"] == "open"


def test_before_any_row_everything_is_unknown(partner_client, rafah):
    assert picture(partner_client, "2023-10-01T00:00:00Z") == {
        "people": "unknown",
        "aid": "unknown",
        "commercial": "unknown",
        "fuel": "unknown",
        "as_of": "2023-10-01T00:00:00Z",
    }


def test_a_row_for_all_traffic_applies_to_every_kind(partner_client, rafah):
    view = picture(partner_client, "2023-10-08T00:00:00Z")
    assert {k: view[k] for k in ("people", "aid", "commercial", "fuel")} == dict.fromkeys(
        ["people", "aid", "commercial", "fuel"], "closed"
    )


def test_a_specific_row_overrides_all_for_its_kind_only(partner_client, rafah):
    view = picture(partner_client, "2023-10-13T00:00:00Z")
    assert (view["people"], view["aid"], view["fuel"]) == ("open", "closed", "closed")


def test_a_backdated_correction_wins_over_the_row_it_corrects(partner_client, rafah):
    assert picture(partner_client, "2023-10-15T00:00:00Z")["aid"] == "restricted"


def test_a_retracted_row_never_held(partner_client, rafah):
    assert picture(partner_client, "2023-10-17T00:00:00Z")["people"] == "open"


def test_the_moment_itself_is_included(partner_client, rafah):
    assert picture(partner_client, "2023-10-12T12:00:00Z")["people"] == "open"
    assert picture(partner_client, "2023-10-12T11:59:59Z")["people"] == "closed"


def test_as_of_without_offset_is_utc(partner_client, rafah):
    assert picture(partner_client, "2023-10-12T12:00:00")["people"] == "open"


def test_as_of_applies_to_the_list_too(partner_client, rafah):
    CrossingFactory(name="Erez")
    rows = partner_client.get("/api/v1/crossings/", {"as_of": "2023-10-13T00:00:00Z"}).json()["results"]
    assert {r["slug"]: r["status"]["people"]["status"] for r in rows} == {"erez": "unknown", "rafah": "open"}


def test_status_filter_uses_the_picture_as_of(partner_client, rafah):
    CrossingFactory(name="Erez")
    closed_aid = partner_client.get(
        "/api/v1/crossings/", {"as_of": "2023-10-13T00:00:00Z", "status": "closed", "traffic": "aid"}
    ).json()["results"]
    assert [r["slug"] for r in closed_aid] == ["rafah"]
    open_later = partner_client.get(
        "/api/v1/crossings/", {"as_of": "2023-10-15T00:00:00Z", "status": "open", "traffic": "aid"}
    ).json()["results"]
    assert open_later == []
    unknown = partner_client.get("/api/v1/crossings/", {"status": "unknown", "traffic": "fuel"}).json()["results"]
    assert [r["slug"] for r in unknown] == ["erez"]


@pytest.mark.parametrize("bad", ["yesterday", "2023-13-01", "2023-10-16T25:00:00Z", "1697446800"])
def test_malformed_as_of_is_400_naming_it(partner_client, rafah, bad):
    response = partner_client.get("/api/v1/crossings/rafah/", {"as_of": bad})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["as_of"]
