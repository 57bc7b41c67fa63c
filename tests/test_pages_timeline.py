"""The timeline: dated events, status changes and accord state changes in one list, newest first, filtered."""

from __future__ import annotations

import pytest

from tests.factories import ActorFactory, CrossingFactory, status
from tests.test_pages_support import build_situation, count_queries, csv_rows, day, text
from tracker import services
from tracker.models import AidDispute, CrossingStatus, TimelineEvent
from tracker.pages.views import TIMELINE_PER_PAGE

pytestmark = pytest.mark.django_db


def titles(client, **query) -> list[str]:  # type: ignore[no-untyped-def]
    html = client.get("/timeline/", query).content.decode()
    return [part.split("</a>")[0].split(">")[-1] for part in html.split('<p class="timeline-title">')[1:]]


def test_events_status_changes_and_state_changes_are_merged_newest_first(analyst_client):
    situation = build_situation(1)
    crossing, disputed = situation.crossings[0], situation.crossings[0].disputes.get()
    services.accord_change_state(
        entity=disputed, to_state=AidDispute.State.STALLED, changed_by=None, effective_at=day(16)
    )
    found = titles(analyst_client)
    assert found[0] == f"{disputed.name}: open → stalled"
    assert f"{crossing.name}: restricted for people" in found
    assert f"Statement {situation.crisis.pk}-0" in found
    assert found.index(f"{crossing.name}: closed for all traffic") < found.index(
        f"{crossing.name}: open for all traffic"
    )


def test_retracted_rows_never_happened_and_are_left_out(analyst_client):
    crossing = CrossingFactory(name="Erez")
    wrong = status(crossing, CrossingStatus.Status.OPEN, day(2))
    services.crossing_retract_status(status_row=wrong, recorded_by=None, reason="mistake")
    assert "Erez: open for all traffic" not in titles(analyst_client)


def test_filters_by_crisis_kind_actor_and_dates(analyst_client):
    first, second = build_situation(1), build_situation(1)
    only_first = titles(analyst_client, crisis=first.crisis.slug)
    assert f"Statement {first.crisis.pk}-0" in only_first and f"Statement {second.crisis.pk}-0" not in only_first
    statuses = titles(analyst_client, kind="status")
    assert statuses and all(": " in t and " for " in t for t in statuses)
    statements = titles(analyst_client, kind=TimelineEvent.Kind.STATEMENT)
    assert sorted(statements) == sorted([f"Statement {first.crisis.pk}-0", f"Statement {second.crisis.pk}-0"])
    assert titles(analyst_client, kind=TimelineEvent.Kind.MILITARY) == []
    party = first.crossings[0].disputes.get().parties.first()
    by_actor = titles(analyst_client, actor=party.slug)
    assert f"Statement {first.crisis.pk}-0" in by_actor and f"Statement {second.crisis.pk}-0" not in by_actor
    window = titles(analyst_client, since="2023-10-04", until="2023-10-04", kind="status")
    assert window and all("closed" in t for t in window)


@pytest.mark.parametrize(
    "query",
    [
        {"crisis": "no-such-crisis"},
        {"kind": "gossip"},
        {"actor": "nobody"},
        {"since": "yesterday"},
        {"since": "2023-10-05", "until": "2023-10-01"},
        {"since": "0001-01-01"},
        {"page": "0"},
        {"page": "x"},
        {"page": "100000"},
    ],
)
def test_bad_filters_are_a_400_that_names_them(analyst_client, query):
    response = analyst_client.get("/timeline/", query)
    assert response.status_code == 400
    assert "The filters could not be used" in text(response)
    assert (
        response.status_code == 400 and analyst_client.get("/timeline/", {**query, "format": "csv"}).status_code == 400
    )


def test_pages_of_the_timeline(analyst_client):
    crossing = CrossingFactory(name="Kerem Shalom")
    for n in range(TIMELINE_PER_PAGE + 5):
        status(crossing, CrossingStatus.Status.CLOSED if n % 2 else CrossingStatus.Status.OPEN, day(n / 10))
    first, second = titles(analyst_client), titles(analyst_client, page="2")
    assert len(first) == TIMELINE_PER_PAGE and len(second) == 5
    page = analyst_client.get("/timeline/").content.decode()
    assert 'rel="next" href="?page=2"' in page and 'rel="prev"' not in page
    assert titles(analyst_client, page="9") == []


def test_timeline_csv_has_every_matching_entry(analyst_client):
    situation = build_situation(2)
    rows = csv_rows(analyst_client.get("/timeline/", {"format": "csv", "crisis": situation.crisis.slug}))
    assert {row["category"] for row in rows} == {"event", "status", "dispute", "agreement"}
    statement = next(row for row in rows if row["title"] == f"Statement {situation.crisis.pk}-1")
    assert statement["date"] == "2023-10-04" and statement["time"] == ""
    assert statement["report_1"] == situation.reports[1].title and statement["link"].startswith("/crises/")
    assert rows == sorted(rows, key=lambda row: row["time"] or row["date"] + "T00:00:00Z", reverse=True)


def test_timeline_queries_do_not_grow_with_the_data(analyst_client):
    situation = build_situation(1)
    small = count_queries(analyst_client, "/timeline/")
    small_csv = count_queries(analyst_client, "/timeline/?format=csv")
    build_situation(5, crisis=situation.crisis)
    for n in range(5):
        event = TimelineEvent.objects.create(
            crisis=situation.crisis, occurred_on=day(n).date(), kind="other", title=f"More {n}"
        )
        event.actors.add(ActorFactory())
    assert count_queries(analyst_client, "/timeline/") == small
    assert count_queries(analyst_client, "/timeline/?format=csv") == small_csv
    assert small <= 12, small


@pytest.mark.parametrize("query", [{"crisis": "\x00"}, {"since": "2023-10-01\x00"}])
def test_a_nul_in_a_filter_is_a_plain_400(analyst_client, query):
    # Refused by tracker/middleware.py for every page alike, before the filter form reads it.
    assert analyst_client.get("/timeline/", query).status_code == 400
