"""The API marks each status stale, and says when it was last stated, by the pages' rule
(``selectors.status_is_stale``): a status not stated again within ``STATUS_STALE_AFTER_DAYS`` of the moment
described is stale; unknown never is. An answer for "now" turns stale as time passes, cache or no cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils.http import http_date

from tests.factories import CrossingFactory, status
from tracker import selectors
from tracker.models import Crossing, Traffic

T0 = datetime(2023, 10, 20, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _a_week(settings):  # type: ignore[no-untyped-def]
    settings.STATUS_STALE_AFTER_DAYS = 7


def _aid(client, as_of: str = "") -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/crossings/rafah/", {"as_of": as_of} if as_of else {})
    assert response.status_code == 200, response.content
    return response.json()["status"]["aid"]


@pytest.mark.django_db
def test_stale_and_last_stated_at_follow_the_pages_rule_at_many_moments(partner_client):
    crossing = CrossingFactory(name="Rafah")
    status(crossing, "closed", T0)
    status(crossing, "closed", T0 + timedelta(days=5), Traffic.AID)  # "still closed": stated again
    status(crossing, "open", T0 + timedelta(days=20), Traffic.FUEL)
    for hours in range(0, 24 * 30, 13):
        moment = T0 + timedelta(hours=hours)
        body = partner_client.get("/api/v1/crossings/rafah/", {"as_of": moment.isoformat()}).json()
        [with_standing] = selectors.crossings_with_standing(Crossing.objects.filter(pk=crossing.pk), as_of=moment)
        for standing in with_standing.standing:
            shown = body["status"][standing.traffic]
            assert shown["stale"] is standing.stale, (moment, standing.traffic)
            stated = standing.last_stated_at
            assert shown["last_stated_at"] == (stated and stated.isoformat().replace("+00:00", "Z")), moment


@pytest.mark.django_db
def test_unknown_is_never_stale(partner_client):
    CrossingFactory(name="Rafah")
    assert _aid(partner_client) | {"row": None} == {
        "status": "unknown",
        "since": None,
        "last_stated_at": None,
        "stale": False,
        "row": None,
    }


@pytest.mark.django_db
def test_a_status_is_stale_once_not_stated_for_longer_than_the_setting(partner_client, settings):
    crossing = CrossingFactory(name="Rafah")
    status(crossing, "closed", T0)
    week = (T0 + timedelta(days=7)).isoformat()
    later = (T0 + timedelta(days=7, seconds=1)).isoformat()
    assert _aid(partner_client, week)["stale"] is False
    assert _aid(partner_client, later)["stale"] is True
    settings.STATUS_STALE_AFTER_DAYS = 30
    assert _aid(partner_client, later)["stale"] is False


@pytest.mark.django_db(transaction=True)
def test_a_cached_answer_for_now_turns_stale_when_the_status_does(partner_client):
    with time_machine.travel(T0, tick=False) as clock:
        crossing = CrossingFactory(name="Rafah")
        status(crossing, "closed", T0 - timedelta(days=7) + timedelta(minutes=10))
        assert _aid(partner_client)["stale"] is False
        assert _aid(partner_client)["stale"] is False  # cached
        clock.move_to(T0 + timedelta(minutes=11))
        assert _aid(partner_client)["stale"] is True
        listed = partner_client.get("/api/v1/crossings/").json()["results"]
        assert listed[0]["status"]["aid"]["stale"] is True


@pytest.mark.django_db(transaction=True)
def test_if_modified_since_does_not_hide_a_status_that_went_stale(partner_client):
    with time_machine.travel(T0, tick=False) as clock:
        crossing = CrossingFactory(name="Rafah")
        status(crossing, "closed", T0 - timedelta(days=6))
        clock.move_to(T0 + timedelta(hours=1))  # the write has settled: Last-Modified is sent
        first = partner_client.get("/api/v1/crossings/rafah/")
        assert first.json()["status"]["aid"]["stale"] is False and first.has_header("Last-Modified")
        clock.move_to(T0 + timedelta(days=2))  # stale since T0 + 1 day; nothing was written
        again = partner_client.get("/api/v1/crossings/rafah/", headers={"If-Modified-Since": first["Last-Modified"]})
        assert again.status_code == 200 and again.json()["status"]["aid"]["stale"] is True
        assert again["Last-Modified"] == http_date((T0 + timedelta(days=1)).timestamp())
