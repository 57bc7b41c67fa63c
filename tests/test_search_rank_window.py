"""Search ranks the most recent matches only (SEARCH_RANK_WINDOW); every match stays reachable in date order."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import SourceFactory, report
from tests.test_pages_support import text
from tracker import selectors, services
from tracker.models import Report

pytestmark = pytest.mark.django_db
START = datetime(2023, 10, 1, tzinfo=UTC)


@pytest.fixture
def five_matches(settings):
    """Five reports about Rafah, one a day; the oldest matches best (the word is in its title, twice)."""
    settings.SEARCH_RANK_WINDOW = 3
    source = SourceFactory()
    rows = []
    for day in range(5):
        title = "Rafah closed, Rafah shut" if day == 0 else f"Update {day}"
        row = report(source, title=title, text=f"Day {day}: Rafah news.", published_at=START + timedelta(days=day))
        rows.append(services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None))
    return rows


def test_ranked_search_covers_the_most_recent_matches_best_first(five_matches):
    found = list(selectors.reports_search(selectors.reports_for_readers(), "rafah"))
    assert sorted(r.published_at for r in found) == [START + timedelta(days=d) for d in (2, 3, 4)]
    assert [r.rank for r in found] == sorted((r.rank for r in found), reverse=True)


def test_unranked_search_finds_every_match(five_matches):
    found = selectors.reports_search(selectors.reports_for_readers(), "rafah", ranked=False)
    assert {r.pk for r in found} == {r.pk for r in five_matches}


def test_api_ranks_the_window_and_pages_through_every_match_in_date_order(partner_client, five_matches):
    ranked = partner_client.get("/api/v1/reports/", {"q": "rafah", "page_size": 2})
    first = ranked.json()
    second = partner_client.get(first["next"]).json()
    assert first["results"][0]["rank"] >= first["results"][1]["rank"]
    assert len(first["results"] + second["results"]) == 3 and second["next"] is None
    seen, url = [], "/api/v1/reports/?q=rafah&ordering=-published_at&page_size=2"
    while url:
        page = partner_client.get(url).json()
        seen += [r["uid"] for r in page["results"]]
        url = page["next"]
    assert seen == [str(r.uid) for r in reversed(five_matches)]


def test_api_csv_of_a_search_holds_every_match_newest_first(partner_client, five_matches):
    response = partner_client.get("/api/v1/reports/", {"q": "rafah", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]  # HXL row
    assert [row["uid"] for row in rows] == [str(r.uid) for r in reversed(five_matches)]
    assert all("Rafah" in row["snippet"] for row in rows)


def test_page_says_when_older_matches_lie_beyond_the_ranked_ones(analyst_client, five_matches):
    page = text(analyst_client.get("/reports/", {"q": "rafah"}))
    assert "The 3 most recent matching reports, best matches first." in page
    assert "narrow the dates to search further back" in page
    narrowed = text(analyst_client.get("/reports/", {"q": "rafah", "until": "2023-10-02"}))
    assert "2 reports found, best matches first." in narrowed


def test_page_says_nothing_of_a_window_where_search_has_none(analyst_client, five_matches, monkeypatch):
    """Without PostgreSQL's full-text search (SQLite under `make run`) every match is listed: no window to mention."""
    from tracker import selectors

    monkeypatch.setattr(selectors, "search_supported", lambda: False)
    page = text(analyst_client.get("/reports/", {"q": "rafah"}))
    assert "most recent matching reports" not in page
    assert "narrow the dates to search further back" not in page
