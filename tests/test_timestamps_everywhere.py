"""One written form of time on every surface (issue 15, finding 2): RFC 3339 in UTC, to the second, ending in Z;
and in CSV a ``#date`` column of the UTC day beside it. Every time field of every format is found and held to a
strict pattern: JSON lists and details, the change feed and webhook payloads, GeoJSON, API CSVs and page CSVs."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from tests.factories import CrossingFactory, SourceFactory, agreement, dispute, report, status
from tests.test_pages_support import body
from tracker import services
from tracker.api.models import Webhook
from tracker.api.serializers import change_payloads
from tracker.models import (
    AidDispute,
    Change,
    Crisis,
    Crossing,
    CrossingStatus,
    EvacuationAgreement,
    FlowCount,
    TimelineEvent,
)
from tracker.timestamps import DAY_PATTERN, PATTERN, rfc3339, utc_day

pytestmark = pytest.mark.django_db

STRICT = re.compile(PATTERN)
DAY = re.compile(DAY_PATTERN)
# Anything that starts like a date-time: must then be the strict form.
LOOKS_TIMED = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d")
TIME_KEY = re.compile(r"(_at|^since|_since|^since_.*|^last_stated_at.*|^status_as_of)$")

# Odd moments on purpose: microseconds, and recorded while the clock said so.
EFFECTIVE = datetime(2023, 10, 20, 9, 30, 15, 123456, tzinfo=UTC)
RECORDED = datetime(2023, 10, 21, 6, 5, 4, 840723, tzinfo=UTC)


@pytest.fixture
def record(api_webhook):
    """A crossing with a status cited by a report, a retracted row, a dispute and an agreement that changed state,
    a flow count, and a webhook: every kind of time the tracker writes."""
    crisis = Crisis.objects.create(name="Gaza 2023", started_on=date(2023, 10, 7))
    crossing = CrossingFactory(name="Rafah", latitude="31.2469", longitude="34.2567")
    crossing.crises.add(crisis)
    source = SourceFactory(name="ReliefWeb")
    with time_machine.travel(RECORDED, tick=False):
        cited = report(source, title="Flash update", url="https://example.org/flash", published_at=EFFECTIVE)
        status(crossing, "closed", EFFECTIVE, "aid", report=cited)
        wrong = status(crossing, "open", EFFECTIVE - timedelta(days=1), "people")
        services.crossing_retract_status(status_row=wrong, reason="Misread", recorded_by=None)
        quarrel = dispute(crisis)
        quarrel.crossings.add(crossing)
        services.accord_change_state(
            entity=quarrel, to_state=AidDispute.State.NEGOTIATING, effective_at=EFFECTIVE, note="Talks", changed_by=None
        )
        deal = agreement(crisis)
        services.accord_change_state(
            entity=deal,
            to_state=EvacuationAgreement.State.AGREED,
            effective_at=EFFECTIVE,
            note="Signed",
            changed_by=None,
        )
        TimelineEvent.objects.create(
            crisis=crisis, occurred_on=date(2023, 10, 18), kind=TimelineEvent.Kind.STATEMENT, title="Statement"
        )
        services.flow_count_record(
            crossing=crossing,
            day=date(2023, 10, 21),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=20,
            source=source,
            recorded_by=None,
        )
    return crossing, quarrel, deal, cited


@pytest.fixture
def api_webhook(partner_token):
    """A webhook written directly: registering one through the API would resolve its host."""
    with time_machine.travel(RECORDED, tick=False):
        return Webhook.objects.create(token=partner_token.token, url="https://example.org/hook", secret="s" * 40)


def times_in(data: Any, key: str = "") -> list[str]:
    """Every time value in a JSON document, checked on the way: a time key holds the strict form or null, and no
    string anywhere looks like a time without being in it."""
    found: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if TIME_KEY.search(k) and not isinstance(v, dict | list):
                assert v is None or (isinstance(v, str) and STRICT.match(v)), (k, v)
            found += times_in(v, k)
    elif isinstance(data, list):
        for item in data:
            found += times_in(item, key)
    elif isinstance(data, str) and LOOKS_TIMED.match(data):
        assert STRICT.match(data), (key, data)
        found.append(data)
    return found


def test_the_one_helper():
    assert rfc3339(datetime(2025, 11, 3, 9, 46, 4, 840723, tzinfo=UTC)) == "2025-11-03T09:46:04Z"
    east = datetime(2025, 11, 3, 1, 0, tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Gaza"))
    assert rfc3339(east) == "2025-11-03T01:00:00Z" and rfc3339(None) is None
    assert utc_day(datetime(2025, 11, 3, 23, 30, tzinfo=UTC)) == "2025-11-03"
    assert utc_day(east) == "2025-11-03" and utc_day(date(2023, 1, 2)) == "2023-01-02"


def json_urls(crossing: Crossing, quarrel: AidDispute, deal: EvacuationAgreement, cited: Any) -> list[str]:
    crisis = crossing.crises.get()
    hook = Webhook.objects.get()
    return [
        "/api/v1/crises/",
        f"/api/v1/crises/{crisis.slug}/",
        "/api/v1/actors/",
        "/api/v1/crossings/",
        "/api/v1/crossings/?as_of=2023-10-20T10:00:00.5%2B02:00",
        f"/api/v1/crossings/{crossing.slug}/",
        f"/api/v1/crossings/{crossing.slug}/history/",
        "/api/v1/aid-disputes/",
        f"/api/v1/aid-disputes/{quarrel.slug}/",
        "/api/v1/evacuation-agreements/",
        f"/api/v1/evacuation-agreements/{deal.slug}/",
        "/api/v1/timeline/",
        "/api/v1/flows/",
        "/api/v1/reports/",
        f"/api/v1/reports/{cited.uid}/",
        "/api/v1/changes/",
        "/api/v1/webhooks/",
        f"/api/v1/webhooks/{hook.uid}/",
    ]


def test_every_json_time_is_rfc3339_utc_seconds(partner_client, record):
    seen = 0
    for url in json_urls(*record):
        response = partner_client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        seen += len(times_in(response.json()))
    assert seen > 40  # the walk found the times it checked


def test_the_moments_themselves_are_kept_to_the_second(partner_client, record):
    crossing = record[0]
    [closed] = [
        r
        for r in partner_client.get(f"/api/v1/crossings/{crossing.slug}/history/").json()["results"]
        if r["status"] == "closed"
    ]
    assert closed["effective_at"] == "2023-10-20T09:30:15Z" and closed["recorded_at"] == "2023-10-21T06:05:04Z"
    aid = partner_client.get(f"/api/v1/crossings/{crossing.slug}/").json()["status"]["aid"]
    assert aid["since"] == "2023-10-20T09:30:15Z"
    as_of = partner_client.get("/api/v1/crossings/", {"as_of": "2023-10-20T12:00:00.5+02:00"}).json()
    assert as_of["results"][0]["status_as_of"] == "2023-10-20T10:00:00Z"


def test_change_feed_and_webhook_payloads(partner_client, record):
    feed = partner_client.get("/api/v1/changes/").json()["results"]
    assert len(times_in(feed)) >= 2 * len(feed)
    payloads = change_payloads(list(Change.objects.values_list("pk", flat=True)))
    assert len(times_in(payloads)) >= len(payloads)


def test_geojson_times(partner_client, record):
    for url in ("/api/v1/crossings/?format=geojson", f"/api/v1/crossings/{record[0].slug}/?format=geojson"):
        response = partner_client.get(url)
        assert response["Content-Type"] == "application/geo+json"
        assert len(times_in(response.json())) >= 2


def csv_times(text: str) -> int:
    """Checks every cell of a CSV with an HXL row; returns how many time cells it held."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, hashtags, *data = rows
    count = 0
    for line in data:
        for name, tag, value in zip(header, hashtags, line, strict=True):
            if not value:
                continue
            if tag.startswith("#meta+datetime"):
                assert STRICT.match(value), (name, value)
                count += 1
            elif tag.startswith("#date"):
                assert DAY.match(value), (name, value)
                count += 1
            else:
                assert not LOOKS_TIMED.match(value) or STRICT.match(value), (name, value)
    return count


API_CSVS = [
    "/api/v1/crises/",
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


@pytest.mark.parametrize("url", API_CSVS)
def test_every_api_csv_time(partner_client, record, url):
    response = partner_client.get(url, {"format": "csv"})
    assert response.status_code == 200
    assert csv_times(body(response)) >= 1


def test_every_page_csv_time(analyst_client, record):
    crossing, quarrel, deal, _cited = record
    urls = [
        "/",
        f"/crises/{crossing.crises.get().slug}/",
        f"/crossings/{crossing.slug}/",
        f"/disputes/{quarrel.slug}/",
        f"/agreements/{deal.slug}/",
        "/timeline/",
        "/reports/",
        "/map/",
    ]
    for url in urls:
        response = analyst_client.get(url, {"format": "csv"})
        assert response.status_code == 200, url
        assert csv_times(body(response)) >= 1, url


def test_retraction_times_too(partner_client, record):
    rows = partner_client.get(f"/api/v1/crossings/{record[0].slug}/history/").json()["results"]
    [retracted] = [r for r in rows if r["retraction"]]
    assert retracted["retraction"]["recorded_at"] == "2023-10-21T06:05:04Z"
    assert CrossingStatus.objects.count() == 2
