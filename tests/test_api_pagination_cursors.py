"""Every list pages by cursor: following ``next`` visits each row once, in the list's order, whatever ``ordering``
says, even while rows are written between pages. Page numbers still answer for one release, marked deprecated; a
page past the end says why it is empty."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest

from tests.factories import ActorFactory, CrisisFactory, CrossingFactory, SourceFactory, agreement, dispute, status
from tracker import services
from tracker.api.pagination import encode_cursor
from tracker.models import FlowCount, TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    crises = [CrisisFactory(name=f"Crisis {n}", started_on=date(2023, 1 + n % 3, 1)) for n in range(5)]
    crossings = [CrossingFactory(name=f"Crossing {n}") for n in range(5)]
    for n, crossing in enumerate(crossings):
        crossing.crises.add(crises[0])
        status(crossing, "open", datetime(2023, 10, 1 + n, tzinfo=UTC))
        status(crossing, "closed", datetime(2023, 10, 10 + n, tzinfo=UTC))
    source = SourceFactory()
    for n in range(5):
        ActorFactory(name=f"Party {n}")
        # Two days share each value and metric: ties that only the primary key breaks.
        services.flow_count_record(
            crossing=crossings[n % 2],
            day=date(2023, 10, 1 + n // 2),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=10,
            source=source,
            recorded_by=None,
        )
        TimelineEvent.objects.create(
            crisis=crises[0], occurred_on=date(2023, 10, 1 + n // 2), kind="statement", title=f"Event {n}"
        )
        dispute(crises[0], opened_on=date(2023, 10, 1 + n // 2))
        agreement(crises[0], announced_on=date(2023, 10, 1 + n // 2))
    return {"crises": crises, "crossings": crossings}


def with_params(url: str, **params: object) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def walk(client, url: str, key: str) -> tuple[list, int]:
    """Every row of a list by following ``next`` (two rows a page), and how many pages that took."""
    seen, pages = [], 0
    response = client.get(url if "page_size=" in url else with_params(url, page_size=2))
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row[key] for row in body["results"]]
        pages += 1
        if body["next"] is None:
            assert body["next_cursor"] is None and "Link" not in response
            return seen, pages
        assert response["Link"] == f'<{body["next"]}>; rel="next"'
        response = client.get(body["next"])


LISTS = [
    ("/api/v1/crossings/", "slug"),
    ("/api/v1/crossings/?ordering=-name", "slug"),
    ("/api/v1/crises/", "slug"),
    ("/api/v1/crises/?ordering=started_on", "slug"),
    ("/api/v1/crises/?ordering=-started_on", "slug"),
    ("/api/v1/actors/", "slug"),
    ("/api/v1/aid-disputes/", "slug"),
    ("/api/v1/aid-disputes/?ordering=opened_on", "slug"),
    ("/api/v1/evacuation-agreements/", "slug"),
    ("/api/v1/timeline/", "uid"),
    ("/api/v1/timeline/?ordering=occurred_on", "uid"),
    ("/api/v1/flows/", "uid"),
    ("/api/v1/flows/?ordering=value", "uid"),
    ("/api/v1/flows/?ordering=-value", "uid"),
    ("/api/v1/crossings/crossing-0/history/", "uid"),
]


@pytest.mark.parametrize(("url", "key"), LISTS)
def test_following_next_visits_every_row_once_in_order(partner_client, world, url, key):
    whole = partner_client.get(with_params(url, page_size=500)).json()
    assert whole["next"] is None
    expected = [row[key] for row in whole["results"]]
    assert len(expected) >= 2, "the list needs rows to page through"
    seen, pages = walk(partner_client, url, key)
    assert seen == expected
    assert pages == (len(expected) + 1) // 2
    assert whole["count"] == len(expected)


def test_webhooks_page_by_cursor(partner_client, partner_token, monkeypatch):
    from tracker.api.models import Webhook

    for n in range(3):
        Webhook.objects.create(token=partner_token.token, url=f"https://hooks.example.org/{n}", secret="s" * 32)
    seen, pages = walk(partner_client, "/api/v1/webhooks/", "url")
    assert seen == [f"https://hooks.example.org/{n}" for n in range(3)] and pages == 2


def test_a_row_written_between_pages_is_neither_repeated_nor_skipped(partner_client, world):
    first = partner_client.get("/api/v1/crossings/", {"page_size": 2}).json()
    assert [row["slug"] for row in first["results"]] == ["crossing-0", "crossing-1"]
    CrossingFactory(name="Crossing 00")  # sorts before everything not yet seen, after what was
    CrossingFactory(name="Crossing 9")
    rest, _ = walk(partner_client, first["next"], "slug")
    assert rest == ["crossing-2", "crossing-3", "crossing-4", "crossing-9"]


@pytest.mark.parametrize("descending", [False, True])
def test_nulls_come_last_and_are_paged_through(descending):
    """A list ordered on a field that may be empty still pages to the end, in either direction: empty ones last."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from tests.factories import country
    from tracker.api.pagination import Cursors
    from tracker.models import Actor

    for n, iso3 in enumerate(["EGY", None, "ISR", None, "JOR", "EGY"]):
        ActorFactory(name=f"Actor {n}", country=iso3 and country(iso3))
    queryset = Actor.objects.filter(name__startswith="Actor ").order_by(
        "-country__iso3" if descending else "country__iso3", "name"
    )
    seen: list[str] = []
    params: dict[str, object] = {"page_size": 2}
    while True:
        paginator = Cursors()
        seen += [a.name for a in paginator.paginate_queryset(queryset, Request(APIRequestFactory().get("/", params)))]
        if paginator.next_cursor is None:
            break
        params = {"page_size": 2, "cursor": paginator.next_cursor}
    with_country = (
        ["Actor 4", "Actor 2", "Actor 0", "Actor 5"] if descending else ["Actor 0", "Actor 5", "Actor 2", "Actor 4"]
    )
    assert seen == [*with_country, "Actor 1", "Actor 3"]


def test_a_cursor_for_another_order_is_a_400(partner_client, world):
    cursor = partner_client.get("/api/v1/flows/", {"page_size": 2}).json()["next_cursor"]
    response = partner_client.get("/api/v1/flows/", {"cursor": cursor, "ordering": "value"})
    assert response.status_code == 400
    assert "ordering" in response.json()["error"]["fields"]["cursor"][0]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        encode_cursor({"o": "name,pk", "k": ["Crossing 1"]}),  # too few keys
        encode_cursor({"o": "name,pk", "k": ["Crossing 1", "seven"]}),  # not a key of this field
        encode_cursor({"o": "name,pk", "k": "Crossing 1"}),
        encode_cursor({"k": ["Crossing 1", 1]}),
        # beyond the column's range (orjson cannot even write it)
        base64.urlsafe_b64encode(json.dumps({"o": "name,pk", "k": ["Crossing 1", 10**30]}).encode()).decode(),
        encode_cursor({"o": "name,pk", "k": ["Crossing\x001", 1]}),  # PostgreSQL text holds no NUL
        encode_cursor({"o": "name,pk", "k": [{"a": 1}, [1]]}),
    ],
)
def test_a_cursor_we_did_not_make_is_a_400_naming_it(partner_client, world, cursor):
    response = partner_client.get("/api/v1/crossings/", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["error"]["fields"]


def test_a_date_cursor_that_is_not_a_date_is_a_400(partner_client, world):
    cursor = encode_cursor({"o": "-started_on,name,pk", "k": ["yesterday", "x", 1]})
    response = partner_client.get("/api/v1/crises/", {"cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()["error"]["fields"]


def test_page_numbers_still_answer_with_a_deprecation_header(partner_client, world):
    response = partner_client.get("/api/v1/crossings/", {"page": 2, "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["slug"] for row in body["results"]] == ["crossing-2", "crossing-3"]
    assert response["Deprecation"].startswith("@") and int(response["Deprecation"][1:]) > 0
    assert 'rel="deprecation"' in response["Link"]
    assert "Deprecation" not in partner_client.get("/api/v1/crossings/")


def test_a_page_past_the_end_says_how_many_pages_there_are(partner_client, world):
    response = partner_client.get("/api/v1/crossings/", {"page": 999, "page_size": 2})
    assert response.status_code == 404
    message = response.json()["error"]["message"]
    assert "no page 999" in message and "3 pages of 2" in message and "cursor" in message


def test_page_and_cursor_together_are_a_400(partner_client, world):
    cursor = partner_client.get("/api/v1/crossings/", {"page_size": 2}).json()["next_cursor"]
    response = partner_client.get("/api/v1/crossings/", {"page": 1, "cursor": cursor})
    assert response.status_code == 400 and "page" in response.json()["error"]["fields"]


def test_an_empty_list_has_no_next(partner_client):
    body = partner_client.get("/api/v1/flows/").json()
    assert body == {"count": 0, "next": None, "next_cursor": None, "results": []}


def test_history_rows_with_equal_times_page_by_their_key(partner_client, world):
    crossing = world["crossings"][0]
    moment = datetime(2023, 11, 1, tzinfo=UTC)
    for kind in ("people", "aid", "fuel"):
        status(crossing, "open", moment, kind)
    status(crossing, "open", moment - timedelta(days=1), "commercial")
    whole = [r["uid"] for r in partner_client.get(f"/api/v1/crossings/{crossing.slug}/history/").json()["results"]]
    seen, _ = walk(partner_client, f"/api/v1/crossings/{crossing.slug}/history/", "uid")
    assert seen == whole and len(set(seen)) == 6
