"""While one process rebuilds a page of "now" at the turn of the minute, the others are given the page of the
minute before, if the record has not changed since and nothing recorded has taken effect meanwhile (issue 16: the
wait for that rebuild was the status pages' p99 under load).

These tests commit (``transaction=True``): answers are never cached inside a transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from tests.factories import CrisisFactory, CrossingFactory, status
from tracker import caching
from tracker.pages.fragments import LATEST_GRACE

T0 = datetime(2023, 10, 20, 12, tzinfo=UTC)
pytestmark = pytest.mark.django_db(transaction=True)


def someone_is_building(moment: datetime) -> None:
    """Another process has claimed the dashboard of ``moment``'s minute (an analyst's, at ``/``)."""
    key = caching.answer_key(
        "page", "dashboard", "/", False, f"now:{moment:%Y-%m-%dT%H:%M}", settings.STATUS_STALE_AFTER_DAYS
    )
    assert key is not None and caching.answer_build_claim(key)


@pytest.fixture
def rafah_going_stale(settings):  # type: ignore[no-untyped-def]
    """Rafah's status turns stale at the turn of T0's minute: the page of the minute before does not say so."""
    settings.STATUS_STALE_AFTER_DAYS = 7
    settings.ANSWER_BUILD_WAIT_SECONDS = 5
    with time_machine.travel(T0, tick=False) as clock:
        crossing = CrossingFactory(name="Rafah")
        crossing.crises.add(CrisisFactory())
        status(crossing, "closed", T0 - timedelta(days=7) + timedelta(seconds=30))
        yield clock, crossing


def test_a_reader_is_given_the_minute_before_while_another_rebuilds(analyst_client, rafah_going_stale, monkeypatch):
    clock, _ = rafah_going_stale
    assert "Stale" not in analyst_client.get("/").content.decode()
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    someone_is_building(T0 + timedelta(minutes=1))
    monkeypatch.setattr(caching, "answer_wait", lambda key: pytest.fail("waited instead of reading the last page"))
    assert "Stale" not in analyst_client.get("/").content.decode()  # the minute before, from the same record


def test_nobody_builds_it_the_reader_builds_the_new_minute_at_once(analyst_client, rafah_going_stale):
    clock, _ = rafah_going_stale
    analyst_client.get("/")
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    assert "Stale" in analyst_client.get("/").content.decode()


def test_the_minute_before_is_given_for_a_minute_at_most(analyst_client, rafah_going_stale, settings):
    clock, _ = rafah_going_stale
    analyst_client.get("/")
    late = T0 + timedelta(minutes=1) + LATEST_GRACE
    clock.move_to(late)
    someone_is_building(late)
    settings.ANSWER_BUILD_WAIT_SECONDS = 0  # the builder never finishes: the reader builds it itself
    assert "Stale" in analyst_client.get("/").content.decode()


def test_after_a_write_nobody_is_given_the_page_of_before(analyst_client, rafah_going_stale, settings):
    clock, crossing = rafah_going_stale
    assert 'data-status="closed"' in analyst_client.get("/").content.decode()
    clock.move_to(T0 + timedelta(minutes=1, seconds=1))
    status(crossing, "open", T0 + timedelta(minutes=1))
    someone_is_building(T0 + timedelta(minutes=1, seconds=1))
    settings.ANSWER_BUILD_WAIT_SECONDS = 0
    page = analyst_client.get("/").content.decode()
    assert 'data-status="open"' in page and 'data-status="closed"' not in page


def test_not_past_a_moment_a_recorded_status_takes_effect(analyst_client, rafah_going_stale, settings):
    clock, crossing = rafah_going_stale
    status(crossing, "open", T0 + timedelta(minutes=1, seconds=2))  # recorded ahead of its time
    assert 'data-status="open"' not in analyst_client.get("/").content.decode()
    clock.move_to(T0 + timedelta(minutes=1, seconds=3))
    someone_is_building(T0 + timedelta(minutes=1, seconds=3))
    settings.ANSWER_BUILD_WAIT_SECONDS = 0
    assert 'data-status="open"' in analyst_client.get("/").content.decode()
