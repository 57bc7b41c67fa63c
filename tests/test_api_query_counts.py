"""The number of queries per list request does not grow with the page size (no N+1 anywhere)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActorFactory, CrisisFactory, CrossingFactory, SourceFactory, agreement, dispute, report
from tests.factories import status as record_status
from tracker import services
from tracker.models import AgreementParty, FlowCount, Report, TimelineEvent, Traffic

pytestmark = pytest.mark.django_db


def build(n: int) -> None:
    """``n`` of everything, each with relations (crises, aliases, parties, evidence reports...)."""
    source = SourceFactory(name=f"Source x{n}")
    for i in range(n):
        crisis = CrisisFactory()
        actor = ActorFactory()
        crossing = CrossingFactory()
        crossing.crises.add(crisis)
        crossing.aliases.create(name=f"Alias {crossing.pk}", language="ar")
        evidence = report(source, title=f"Evidence {crossing.pk}")
        services.report_review(report=evidence, state=Report.ReviewState.RELEVANT, reviewed_by=None)
        services.report_link(report=evidence, crossings=[crossing], crises=[crisis])
        record_status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC), report=evidence, stated_by=actor)
        mistaken = record_status(crossing, "open", datetime(2023, 10, 8, tzinfo=UTC), Traffic.PEOPLE)
        services.crossing_retract_status(status_row=mistaken, recorded_by=None, reason="Wrong crossing")
        fight = dispute(crisis)
        fight.parties.add(actor)
        fight.crossings.add(crossing)
        deal = agreement(crisis)
        AgreementParty.objects.create(agreement=deal, actor=actor, role="party")
        deal.eligible.create(group="children")
        event = TimelineEvent.objects.create(
            crisis=crisis, occurred_on=date(2023, 10, 9), kind="statement", title=f"Event {i}"
        )
        event.actors.add(actor)
        event.reports.add(evidence)
        services.flow_count_record(
            crossing=crossing,
            day=date(2023, 10, 9),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=i,
            source=source,
            recorded_by=None,
        )


LISTS = [
    "/api/v1/crises/",
    "/api/v1/actors/",
    "/api/v1/crossings/",
    "/api/v1/aid-disputes/",
    "/api/v1/evacuation-agreements/",
    "/api/v1/timeline/",
    "/api/v1/flows/",
    "/api/v1/reports/",
    "/api/v1/reports/?q=evidence",
    "/api/v1/changes/",
]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_queries_do_not_grow_with_page_size(partner_client, url, django_assert_max_num_queries):
    build(1)
    sep = "&" if "?" in url else "?"
    size = "limit" if "changes" in url else "page_size"
    # A page holding one of everything (the change feed fetches each kind of entry only when a page has it).
    partner_client.get(f"{url}{sep}{size}=50")  # warm up: last-used time, content types
    small = queries(partner_client, f"{url}{sep}{size}=50")
    build(4)
    with django_assert_max_num_queries(small):
        response = partner_client.get(f"{url}{sep}{size}=500")
    results = response.json()["results"]
    assert len(results) >= 4


def test_crossing_history_queries_do_not_grow(partner_client, django_assert_max_num_queries):
    crossing = CrossingFactory(name="Rafah")
    record_status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC))
    partner_client.get("/api/v1/crossings/rafah/history/")
    small = queries(partner_client, "/api/v1/crossings/rafah/history/")
    for day in range(8, 28):
        evidence = report(title=f"R{day}")
        services.report_review(report=evidence, state=Report.ReviewState.RELEVANT, reviewed_by=None)
        record_status(crossing, "open", datetime(2023, 10, day, tzinfo=UTC), report=evidence, stated_by=ActorFactory())
    with django_assert_max_num_queries(small):
        partner_client.get("/api/v1/crossings/rafah/history/?page_size=500")


def test_crossing_list_query_budget(partner_client, django_assert_max_num_queries):
    """Authentication (1), watermark (1), count (1), crossings with status ids (1), status rows (1), two prefetches
    (crises, aliases): a fixed budget whatever the number of crossings."""
    build(3)
    partner_client.get("/api/v1/crossings/")
    with django_assert_max_num_queries(8):  # the run starts ("since"): one query
        partner_client.get("/api/v1/crossings/?page_size=500")
