"""Searching reports: full text with marked matches, filters, pages; analysts see only what an editor passed."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.factories import CrisisFactory, CrossingFactory, SourceFactory, report
from tests.test_pages_support import count_queries, csv_rows, relevant_report, signed_in, text
from tracker import services
from tracker.pages.views import REPORTS_PER_PAGE

pytestmark = pytest.mark.django_db


def listed(client, **query) -> list[str]:  # type: ignore[no-untyped-def]
    html = client.get("/reports/", query).content.decode()
    titles = [part.split("</p>")[0] for part in html.split('<p class="report-title">')[1:]]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", title)).strip() for title in titles]


def test_search_finds_stemmed_words_and_marks_them(analyst_client):
    relevant_report(title="Rafah crossing closed", text="Egypt said the Rafah crossing is closed to aid convoys.")
    relevant_report(title="Weather", text="Rain in the north.")
    page = analyst_client.get("/reports/", {"q": "closing crossings"})
    html = page.content.decode()
    assert "1 report found, best matches first." in text(page)
    assert "<mark>crossing</mark>" in html and "<mark>closed</mark>" in html
    assert "Weather" not in html


def test_matches_are_escaped_around_the_marks(analyst_client):
    relevant_report(title="Odd", text='Rafah "closed" & x<y')
    html = analyst_client.get("/reports/", {"q": "rafah"}).content.decode()
    opening = '<p class="snippet" dir="auto">'
    snippet = html[html.index(opening) + len(opening) : html.index("</p>", html.index(opening))]
    assert snippet.startswith("<mark>Rafah</mark> &quot;closed")
    assert '"' not in snippet and "<" not in snippet.replace("<mark>", "").replace("</mark>", "")


def test_analysts_see_only_relevant_reports_editors_also_unreviewed_ones_marked(analyst_client, editor):
    relevant_report(title="Rafah reviewed")
    unreviewed = report(title="Rafah unreviewed")
    not_relevant = report(title="Rafah rejected")
    services.report_review(report=not_relevant, state="not_relevant", reviewed_by=None)
    assert listed(analyst_client, q="rafah") == ["Rafah reviewed"]
    html = signed_in(editor).get("/reports/", {"q": "rafah"}).content.decode()
    assert "<mark>Rafah</mark> unreviewed" in html and "rejected" not in html  # matched words marked in titles
    assert '<span class="unreviewed">Unreviewed</span>' in html
    assert f'href="/admin/tracker/report/{unreviewed.pk}/change/">Review in admin' in html


def test_filters_by_source_crisis_crossing_and_publication_dates(analyst_client):
    un, press = SourceFactory(name="UN"), SourceFactory(name="Press")
    crisis, crossing = CrisisFactory(), CrossingFactory()
    a = relevant_report(source=un, title="A", published_at=datetime(2023, 10, 10, tzinfo=UTC))
    b = relevant_report(source=press, title="B", published_at=datetime(2023, 10, 20, tzinfo=UTC))
    services.report_link(report=a, crises=[crisis])
    services.report_link(report=b, crossings=[crossing])

    def found(**query):  # type: ignore[no-untyped-def]
        return [t.strip() for t in listed(analyst_client, **query)]

    assert found(source="un") == ["A"]
    assert found(crisis=crisis.slug) == ["A"]
    assert found(crossing=crossing.slug) == ["B"]
    assert found(since="2023-10-15") == ["B"] and found(until="2023-10-10") == ["A"]
    assert found(since="2023-10-10", until="2023-10-20") == ["B", "A"]  # newest first without search words


@pytest.mark.parametrize(
    "query",
    [
        {"source": "nope"},
        {"crisis": "nope"},
        {"crossing": "nope"},
        {"since": "2023-13-01"},
        {"since": "2023-10-20", "until": "2023-10-01"},
        {"q": "x" * 301},
        {"page": "-1"},
    ],
)
def test_bad_filters_are_a_400_naming_the_field(analyst_client, query):
    response = analyst_client.get("/reports/", query)
    assert response.status_code == 400
    assert "The filters could not be used" in text(response)
    assert analyst_client.get("/reports/", {**query, "format": "csv"}).status_code == 400


@pytest.mark.parametrize("query", [{"source": "\x00"}, {"q": "rafah\x00"}])
def test_a_nul_in_a_filter_is_a_plain_400_before_any_page_or_export_starts(analyst_client, query):
    # Refused by tracker/middleware.py for every page alike, before the filter form reads it.
    assert analyst_client.get("/reports/", query).status_code == 400
    assert analyst_client.get("/reports/", {**query, "format": "csv"}).status_code == 400


def test_any_search_text_is_accepted_without_error(analyst_client):
    relevant_report(title="Kerem Shalom closed")
    for words in ['"kerem shalom"', "kerem -rafah", "kerem or rafah", "&&&", "'; drop table", "(((", "\\", "<script>"]:
        response = analyst_client.get("/reports/", {"q": words})
        assert response.status_code == 200, words
        assert "<script>" not in response.content.decode().split("<main")[1]


def test_results_come_in_pages(analyst_client):
    source = SourceFactory()
    for n in range(REPORTS_PER_PAGE + 3):
        relevant_report(source=source, title=f"Rafah update {n}", text=f"Rafah update number {n}")
    first, second = listed(analyst_client, q="rafah"), listed(analyst_client, q="rafah", page="2")
    assert len(first) == REPORTS_PER_PAGE and len(second) == 3
    page = text(analyst_client.get("/reports/", {"q": "rafah", "page": "2"}))
    assert "Page 2 of 2" in page and "23 reports found" in page
    assert len(listed(analyst_client, q="rafah", page="50")) == 3  # past the end: the last page


def test_csv_has_every_match_not_just_the_page(analyst_client):
    source = SourceFactory(name="Wire")
    for n in range(REPORTS_PER_PAGE + 2):
        relevant_report(source=source, title=f"=HYPERLINK {n}", text=f"Rafah convoy {n}")
    report(source=source, title="Rafah unreviewed")
    rows = csv_rows(analyst_client.get("/reports/", {"q": "rafah convoy", "format": "csv"}))
    assert len(rows) == REPORTS_PER_PAGE + 2
    assert all(row["title"].startswith("'=HYPERLINK") for row in rows)  # formulas defused
    assert {row["source"] for row in rows} == {"Wire"} and all("<mark>" not in r["excerpt"] for r in rows)
    response = analyst_client.get("/reports/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reports-')


def test_reports_queries_do_not_grow_with_the_data(analyst_client):
    crisis, crossing = CrisisFactory(), CrossingFactory()
    for n in range(3):
        row = relevant_report(title=f"Rafah {n}", text="Rafah closed")
        services.report_link(report=row, crises=[crisis], crossings=[crossing])
    small = [count_queries(analyst_client, url) for url in ("/reports/?q=rafah", "/reports/", "/reports/?format=csv")]
    for n in range(30):
        row = relevant_report(title=f"Rafah more {n}", text="Rafah closed again", source=SourceFactory())
        services.report_link(report=row, crises=[CrisisFactory()], crossings=[crossing])
    assert [count_queries(analyst_client, u) for u in ("/reports/?q=rafah", "/reports/")] == small[:2]
    assert small[0] <= 11, small
