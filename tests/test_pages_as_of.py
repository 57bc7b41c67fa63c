"""Every page shows the record as it stood at ``?as_of=``; a value the page cannot read is a clear 400."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import CrossingFactory, status
from tests.test_pages_support import build_situation, day, text
from tracker.models import CrossingStatus, Traffic
from tracker.pages.params import BadParameter, parse_as_of, parse_format

NOW = datetime(2023, 12, 1, 12, tzinfo=UTC)


def test_a_date_means_the_end_of_that_day_in_utc():
    assert parse_as_of("2023-10-14", now=NOW).moment == datetime(2023, 10, 14, 23, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2023-10-14T09:30", datetime(2023, 10, 14, 9, 30, tzinfo=UTC)),
        ("2023-10-14 09:30", datetime(2023, 10, 14, 9, 30, tzinfo=UTC)),
        ("2023-10-14T09:30:00Z", datetime(2023, 10, 14, 9, 30, tzinfo=UTC)),
        ("2023-10-14T11:30:00+02:00", datetime(2023, 10, 14, 9, 30, tzinfo=UTC)),
        ("  2023-10-14T09:30  ", datetime(2023, 10, 14, 9, 30, tzinfo=UTC)),
    ],
)
def test_date_times_are_read_with_their_zone_or_as_utc(given, expected):
    parsed = parse_as_of(given, now=NOW)
    assert parsed.moment == expected and not parsed.is_now
    assert parsed.query_value == expected.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_nothing_given_means_now():
    parsed = parse_as_of("", now=NOW)
    assert parsed.moment == NOW and parsed.is_now and parsed.query_value == ""


@pytest.mark.parametrize(
    "given",
    [
        "yesterday",
        "2023-13-01",
        "2023-02-30",
        "2023-10-14T25:00",
        "14/10/2023",
        "0",
        "x" * 41,
        "2023-10-14T",
        "0001-01-01",
        "1899-12-31T23:00",
        "2023-10-14T09:30+25:00",
    ],
)
def test_unreadable_values_are_refused_naming_the_parameter(given):
    with pytest.raises(BadParameter) as refused:
        parse_as_of(given, now=NOW)
    assert refused.value.name == "as_of"


def test_the_future_is_refused_beyond_clock_skew():
    assert parse_as_of((NOW + timedelta(minutes=2)).isoformat(), now=NOW)
    with pytest.raises(BadParameter, match="future"):
        parse_as_of((NOW + timedelta(hours=1)).isoformat(), now=NOW)
    with pytest.raises(BadParameter, match="future"):
        parse_as_of("9999-12-31", now=NOW)


def test_format_is_html_or_csv():
    assert parse_format(None) == "html" and parse_format("CSV") == "csv"
    with pytest.raises(BadParameter):
        parse_format("xlsx")


@pytest.mark.django_db
def test_every_page_answers_a_bad_as_of_with_400_saying_what_is_wrong(analyst_client):
    situation = build_situation(1)
    crossing = situation.crossings[0]
    urls = [
        "/",
        f"/crises/{situation.crisis.slug}/",
        f"/crossings/{crossing.slug}/",
        f"/disputes/{crossing.disputes.get().slug}/",
        f"/agreements/{crossing.agreements.get().slug}/",
        "/timeline/",
        "/reports/",
        "/map/",
    ]
    for url in urls:
        for bad in ("not-a-date", "2023-02-30", "2999-01-01", "0001-01-01"):
            response = analyst_client.get(url, {"as_of": bad})
            assert response.status_code == 400, (url, bad)
            assert "as_of" in text(response)
        response = analyst_client.get(url, {"format": "pdf"})
        assert response.status_code == 400 and "format must be one of html, csv" in text(response)


@pytest.mark.django_db
def test_dashboard_and_crossing_page_show_the_older_status_before_a_change(analyst_client):
    situation = build_situation(1)
    crossing = situation.crossings[0]  # aid: open from day 1, closed from day 3
    now = analyst_client.get("/")
    assert 'data-traffic="aid" data-status="closed"' in now.content.decode()
    before = analyst_client.get("/", {"as_of": day(2).isoformat()})
    assert 'data-traffic="aid" data-status="open"' in before.content.decode()
    assert "Viewing the past" in text(before) and "2023-10-03 00:00 UTC" in text(before)
    page = analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": day(2).isoformat()})
    assert 'data-traffic="aid" data-status="open"' in page.content.decode()
    assert "for 1 day" in text(page)
    first = analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": day(0).date().isoformat()})
    assert 'data-traffic="aid" data-status="unknown"' in first.content.decode()
    assert "No status was recorded for this crossing by the moment shown" in text(first)


@pytest.mark.django_db
def test_links_keep_the_moment_being_shown(analyst_client):
    situation = build_situation(1)
    crossing = situation.crossings[0]
    html = analyst_client.get("/", {"as_of": "2023-10-05T06:00"}).content.decode()
    assert f'href="/crossings/{crossing.slug}/?as_of=2023-10-05T06%3A00%3A00Z"' in html
    assert 'href="/timeline/?as_of=2023-10-05T06%3A00%3A00Z"' in html
    # "Back to now" drops the moment and keeps the rest.
    html = analyst_client.get("/reports/", {"as_of": "2023-10-05", "q": "closed"}).content.decode()
    assert 'href="?q=closed">Back to now' in html


@pytest.mark.django_db
def test_the_moment_cuts_off_everything_dated_after_it(analyst_client):
    situation = build_situation(2)
    moment = {"as_of": "2023-10-03T12:00"}
    timeline = text(analyst_client.get("/timeline/", moment))
    assert f"Statement {situation.crisis.pk}-0" in timeline and f"Statement {situation.crisis.pk}-1" not in timeline
    reports = text(analyst_client.get("/reports/", {"as_of": "2023-10-01"}))
    assert "0 reports" in reports  # the reports were published on 15 October


@pytest.mark.django_db
def test_a_crossing_closed_to_all_traffic_shows_closed_for_every_kind_at_that_moment(analyst_client):
    crossing = CrossingFactory()
    status(crossing, CrossingStatus.Status.OPEN, day(1), Traffic.PEOPLE)
    status(crossing, CrossingStatus.Status.CLOSED, day(5), Traffic.ALL)
    html = analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": day(6).isoformat()}).content.decode()
    for kind in ("people", "aid", "commercial", "fuel"):
        assert f'data-traffic="{kind}" data-status="closed"' in html
    html = analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": day(3).isoformat()}).content.decode()
    assert 'data-traffic="people" data-status="open"' in html and 'data-traffic="aid" data-status="unknown"' in html
