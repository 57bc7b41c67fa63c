"""Partners see only reports an editor marked relevant: in lists, search, details, citations; paging by cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import CrisisFactory, CrossingFactory, SourceFactory, report, status
from tracker import services
from tracker.models import Report, TimelineEvent

pytestmark = pytest.mark.django_db


def relevant(**fields):
    row = report(SourceFactory(), **fields)
    return services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None)


@pytest.fixture
def mixed():
    """One report in each review state; only ``shown`` may ever reach a partner."""
    shown = relevant(title="Rafah closed to aid", text="Rafah stays closed.")
    new = report(title="Rafah reopened (new)", text="Rafah reopened, says a rumour.")
    rejected = report(title="Rafah rejected", text="Rafah is irrelevant here.")
    services.report_review(report=rejected, state=Report.ReviewState.NOT_RELEVANT, reviewed_by=None)
    duplicate = report(title="Rafah closed to aid", text="Rafah stays closed.")  # same content: a duplicate
    assert duplicate.review_state == Report.ReviewState.DUPLICATE
    return {"shown": shown, "hidden": [new, rejected, duplicate]}


def test_lists_and_search_show_only_relevant_reports(partner_client, mixed):
    listed = partner_client.get("/api/v1/reports/").json()["results"]
    assert [r["uid"] for r in listed] == [str(mixed["shown"].uid)]
    found = partner_client.get("/api/v1/reports/?q=rafah").json()["results"]
    assert [r["uid"] for r in found] == [str(mixed["shown"].uid)]
    body = b"".join(partner_client.get("/api/v1/reports/?format=csv").streaming_content).decode()
    assert all(str(h.uid) not in body for h in mixed["hidden"])


def test_unreviewed_report_detail_is_404(partner_client, mixed):
    for hidden in mixed["hidden"]:
        assert partner_client.get(f"/api/v1/reports/{hidden.uid}/").status_code == 404
    assert partner_client.get(f"/api/v1/reports/{mixed['shown'].uid}/").status_code == 200


def test_unreviewed_reports_are_not_cited_anywhere(partner_client, mixed):
    # A status row can no longer cite an unreviewed report (citing marks it relevant); a timeline event can.
    crossing = CrossingFactory(name="Rafah")
    [new, *_] = mixed["hidden"]
    status(crossing, "open", datetime(2023, 10, 20, tzinfo=UTC), note="on the radio")
    event = TimelineEvent.objects.create(
        crisis=CrisisFactory(), occurred_on=datetime(2023, 10, 20).date(), kind="statement", title="Talks"
    )
    event.reports.add(new, mixed["shown"])
    for url in ["/api/v1/crossings/", "/api/v1/crossings/rafah/history/", "/api/v1/changes/", "/api/v1/timeline/"]:
        body = partner_client.get(url).content.decode()
        assert str(new.uid) not in body, url
    [shown_event] = partner_client.get("/api/v1/timeline/").json()["results"]
    assert [r["uid"] for r in shown_event["reports"]] == [str(mixed["shown"].uid)]


def test_search_is_ranked_with_a_plain_snippet(partner_client):
    body_only = relevant(title="Aid update", text="Trucks waited while the crossing was closing for the night.")
    in_title = relevant(title="Rafah crossing closed", text="Egypt said the crossing is closed to aid.")
    relevant(title="Weather", text="Nothing about borders here.")
    results = partner_client.get("/api/v1/reports/", {"q": "closed crossing"}).json()["results"]
    assert [r["uid"] for r in results] == [str(in_title.uid), str(body_only.uid)]
    assert results[0]["rank"] >= results[1]["rank"] > 0
    assert "closed" in results[0]["snippet"] and "\x02" not in results[0]["snippet"]


def test_cursor_pages_cover_every_report_once_in_order(partner_client):
    base = datetime(2023, 10, 1, tzinfo=UTC)
    expected = []
    for n in range(11):
        # Two reports share each publication time: the cursor must break ties by id.
        row = relevant(title=f"Report {n}", published_at=base + timedelta(hours=n // 2))
        expected.append(row)
    expected.sort(key=lambda r: (r.published_at, r.pk), reverse=True)
    seen, url = [], "/api/v1/reports/?page_size=3"
    while url:
        page = partner_client.get(url).json()
        seen += [r["uid"] for r in page["results"]]
        url = page["next"]
    assert seen == [str(r.uid) for r in expected]


def test_oldest_first_and_search_pages_also_cover_everything(partner_client):
    for n in range(5):
        relevant(title=f"Rafah report {n}", text=f"Rafah {n}", published_at=datetime(2023, 10, 1 + n, tzinfo=UTC))
    for query in ["ordering=published_at", "q=rafah", "q=rafah&ordering=published_at"]:
        seen, url = [], f"/api/v1/reports/?page_size=2&{query}"
        while url:
            page = partner_client.get(url).json()
            seen += [r["title"] for r in page["results"]]
            url = page["next"]
        assert sorted(seen) == [f"Rafah report {n}" for n in range(5)], query
    oldest = partner_client.get("/api/v1/reports/?ordering=published_at").json()["results"]
    assert oldest[0]["title"] == "Rafah report 0"


@pytest.mark.parametrize("cursor", ["eyJwIjogMX0", "eyJvIjogLTF9", "e30", "%%%", "bnVsbA"])
def test_forged_cursor_is_400(partner_client, cursor):
    relevant(title="x")
    response = partner_client.get("/api/v1/reports/", {"cursor": cursor, "q": "x"})
    response2 = partner_client.get("/api/v1/reports/", {"cursor": cursor})
    assert (response.status_code, response2.status_code) == (400, 400)
    assert "cursor" in response.json()["error"]["fields"]


def test_very_long_query_is_400(partner_client):
    response = partner_client.get("/api/v1/reports/", {"q": "rafah " * 200})
    assert response.status_code == 400 and "q" in response.json()["error"]["fields"]
