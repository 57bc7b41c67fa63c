"""Helpers shared by the status-page tests (tests/test_pages_*.py); no tests of its own.

``build_situation(size)`` writes a situation through the services (crises, crossings with status history, disputes,
agreements, events, reports, counts); the query-count tests load a page on a small and on a larger one and require
the same number of queries.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import unescape

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActorFactory,
    CrisisFactory,
    CrossingFactory,
    SourceFactory,
    agreement,
    dispute,
    report,
    status,
)
from tracker import services
from tracker.models import (
    AgreementParty,
    Crisis,
    Crossing,
    CrossingStatus,
    FlowCount,
    Report,
    StatusSuggestion,
    TimelineEvent,
    Traffic,
)

T0 = datetime(2023, 10, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def body(response) -> str:  # type: ignore[no-untyped-def]
    """The response body as text, streamed or not."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8")


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's visible text, tags stripped and spaces collapsed (for reading assertions)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", body(response), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def csv_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The data rows of a page CSV: under the header, the HXL hashtag row (every cell a hashtag) is skipped."""
    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert rows and all(value.startswith("#") for value in rows[0].values()), "no HXL hashtag row"
    return rows[1:]


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    """A client of its own for ``user`` (the ``*_client`` fixtures share one client, so one login at a time)."""
    client = Client()
    client.force_login(user)
    return client


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body(response)  # a streamed response runs its queries while it is read
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@dataclass
class Situation:
    crisis: Crisis
    crossings: list[Crossing] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)


def relevant_report(**fields) -> Report:  # type: ignore[no-untyped-def]
    row = report(**fields)
    return services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None)


def build_situation(size: int, *, crisis: Crisis | None = None) -> Situation:
    """``size`` crossings with a few status rows each, ``size`` disputes, agreements, events, reports, counts and
    pending suggestions, all in one crisis."""
    crisis = crisis or CrisisFactory(started_on=date(2023, 10, 1))
    source = SourceFactory()
    situation = Situation(crisis=crisis)
    first = crisis.crossings.count()  # names stay unique when a crisis grows by a second call
    for n in range(first, first + size):
        crossing = CrossingFactory(latitude=31 + n / 10, longitude=34 + n / 10)
        crossing.crises.add(crisis)
        tag = f"{crisis.pk}-{n}"
        evidence = relevant_report(source=source, title=f"Crossing {tag} closed", text=f"Crossing {tag} closed to aid")
        services.report_link(report=evidence, crossings=[crossing], crises=[crisis])
        status(crossing, CrossingStatus.Status.OPEN, day(1))
        status(crossing, CrossingStatus.Status.CLOSED, day(3 + n), report=evidence, stated_by=ActorFactory())
        status(crossing, CrossingStatus.Status.RESTRICTED, day(4 + n), Traffic.PEOPLE)
        for offset in range(3):
            services.flow_count_record(
                crossing=crossing,
                day=(day(2 + offset)).date(),
                metric=FlowCount.Metric.AID_TRUCKS,
                value=10 + offset,
                source=source,
                recorded_by=None,
            )
        parties = [ActorFactory(), ActorFactory()]
        disputed = dispute(crisis, name=f"Dispute {tag}")
        disputed.parties.add(*parties)
        disputed.crossings.add(crossing)
        services.report_link(report=evidence, disputes=[disputed])
        accord = agreement(crisis, name=f"Agreement {tag}")
        accord.crossings.add(crossing)
        AgreementParty.objects.create(agreement=accord, actor=parties[0], role=AgreementParty.Role.PARTY)
        event = TimelineEvent.objects.create(
            crisis=crisis, occurred_on=day(2 + n).date(), kind=TimelineEvent.Kind.STATEMENT, title=f"Statement {tag}"
        )
        event.actors.add(parties[0])
        event.reports.add(evidence)
        unreviewed = report(source=source, title=f"Unreviewed {tag}", text=f"Crossing {tag} reopened")
        services.suggestion_raise(
            report=unreviewed, crossing=crossing, proposed_status=CrossingStatus.Status.OPEN, evidence="reopened"
        )
        situation.crossings.append(crossing)
        situation.reports.append(evidence)
    assert StatusSuggestion.objects.filter(state=StatusSuggestion.State.PENDING).count() >= size
    return situation
