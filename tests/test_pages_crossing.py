"""A crossing's page: status by kind of traffic, bands over time, the evidence behind every row, daily counts,
and what else concerns it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import CrossingFactory, SourceFactory, report, status
from tests.test_pages_support import build_situation, count_queries, day, signed_in, text
from tracker import services
from tracker.models import CrossingStatus, FlowCount, Traffic

pytestmark = pytest.mark.django_db


def test_bands_chart_is_drawn_on_the_server_with_text_for_every_status(analyst_client):
    crossing = CrossingFactory(name="Rafah")
    status(crossing, CrossingStatus.Status.OPEN, day(1))
    status(crossing, CrossingStatus.Status.CLOSED, day(8), Traffic.AID)
    html = analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": day(20).isoformat()}).content.decode()
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg"') : html.index("</svg>") + 6]
    assert 'role="img"' in svg and '<title id="bands-title">Status of Rafah' in svg
    assert "<desc" in svg and "Humanitarian aid: unknown from" in svg
    assert svg.count('fill="url(#band-closed)"') >= 1 and 'fill="url(#band-open)"' in svg
    assert "✕ Closed" in svg and "✓ Open" in svg  # symbols and words in the bands and legend
    assert "<title>Humanitarian aid: closed from 2023-10-09 00:00 to 2023-10-21 00:00 UTC</title>" in svg
    assert "script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_every_row_is_listed_with_its_evidence_and_retractions_stay_visible(analyst_client):
    source = SourceFactory(name="UN OCHA")
    evidence = services.report_review(
        report=report(source, title="Flash update 15", url="https://example.org/flash-15"),
        state="relevant",
        reviewed_by=None,
    )
    crossing = CrossingFactory()
    row = status(crossing, CrossingStatus.Status.CLOSED, day(2), report=evidence, note="")
    wrong = status(crossing, CrossingStatus.Status.OPEN, day(3), note="misheard")
    services.crossing_retract_status(status_row=wrong, recorded_by=None, reason="the opening never happened")
    html = analyst_client.get(f"/crossings/{crossing.slug}/").content.decode()
    assert f'id="status-{row.uid}"' in html and f'id="status-{wrong.uid}"' in html
    assert '<a href="https://example.org/flash-15" rel="noopener noreferrer">Flash update 15</a>' in html
    assert "(Source: <bdi>UN OCHA</bdi>, <time>2023-10-15</time>)" in html  # names isolated in their direction
    page = text(analyst_client.get(f"/crossings/{crossing.slug}/"))
    assert "Retracted: never held" in page and "the opening never happened" in page
    assert 'data-traffic="aid" data-status="closed"' in html  # the retracted opening does not count


def test_daily_counts_are_charted_per_source_and_tabled(analyst_client):
    crossing = CrossingFactory(name="Rafah")
    un, egypt = SourceFactory(name="UN"), SourceFactory(name="Egyptian Red Crescent")
    for offset, (a, b) in enumerate([(20, 22), (14, 14), (0, None)]):
        services.flow_count_record(
            crossing=crossing,
            day=date(2023, 10, 21 + offset),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=a,
            source=un,
            recorded_by=None,
        )
        if b is not None:
            services.flow_count_record(
                crossing=crossing,
                day=date(2023, 10, 21 + offset),
                metric=FlowCount.Metric.AID_TRUCKS,
                value=b,
                source=egypt,
                recorded_by=None,
            )
    html = analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": "2023-10-30"}).content.decode()
    assert '<title id="flow0-title">Aid trucks at Rafah, daily' in html
    assert "<title>2023-10-21: 20 aid trucks (UN)</title>" in html
    assert "<title>2023-10-21: 22 aid trucks (Egyptian Red Crescent)</title>" in html
    assert "<title>2023-10-23: 0 aid trucks (UN)</title>" in html  # a zero is drawn, not left out
    assert 'fill="url(#flow0-s0)"' in html and 'fill="url(#flow0-s1)"' in html
    table = text(analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": "2023-10-30"}))
    assert "2023-10-22 Aid trucks 14 Egyptian Red Crescent" in table
    # As of before the first count, there is nothing to chart.
    before = text(analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": "2023-10-20"}))
    assert "No daily counts are recorded for this crossing by the moment shown." in before


def test_chart_window_can_be_chosen_and_a_wrong_one_is_refused(analyst_client):
    crossing = CrossingFactory()
    status(crossing, CrossingStatus.Status.CLOSED, day(1))
    page = analyst_client.get(f"/crossings/{crossing.slug}/", {"days": "30", "as_of": "2023-12-01"})
    assert "Status by kind of traffic from 2023-11-01" in text(page)
    assert '<option value="30" selected>' in page.content.decode()
    for bad in ("31", "abc", "-1"):
        response = analyst_client.get(f"/crossings/{crossing.slug}/", {"days": bad})
        assert response.status_code == 400 and "days must be one of" in text(response)


def test_default_window_reaches_back_before_the_first_change(analyst_client):
    crossing = CrossingFactory()
    status(crossing, CrossingStatus.Status.CLOSED, day(10))
    page = text(analyst_client.get(f"/crossings/{crossing.slug}/", {"as_of": day(34).isoformat()}))
    assert "Status by kind of traffic from 2023-10-09 00:00 UTC" in page  # a twelfth of 24 days before day 10


def test_related_disputes_agreements_reports_and_editor_suggestions(analyst_client, editor):
    situation = build_situation(1)
    crossing = situation.crossings[0]
    page = text(analyst_client.get(f"/crossings/{crossing.slug}/"))
    assert crossing.disputes.get().name in page and crossing.agreements.get().name in page
    assert situation.reports[0].title in page
    assert "Pending status suggestions" not in page
    editor_page = signed_in(editor).get(f"/crossings/{crossing.slug}/").content.decode()
    assert "Pending status suggestions" in editor_page and "/admin/tracker/statussuggestion/" in editor_page


def test_unknown_crossing_is_404(analyst_client):
    assert analyst_client.get("/crossings/nowhere/").status_code == 404


def test_crossing_names_are_escaped_everywhere(analyst_client):
    crossing = CrossingFactory(name='<script>alert("x")</script>')
    status(crossing, CrossingStatus.Status.CLOSED, day(1))
    html = analyst_client.get(f"/crossings/{crossing.slug}/").content.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_crossing_page_queries_do_not_grow_with_the_data(analyst_client):
    situation = build_situation(1)
    crossing = situation.crossings[0]
    url = f"/crossings/{crossing.slug}/"
    small = count_queries(analyst_client, url)
    for n in range(12):
        status(crossing, CrossingStatus.Status.OPEN if n % 2 else CrossingStatus.Status.CLOSED, day(5 + n))
        services.flow_count_record(
            crossing=crossing,
            day=day(6 + n).date(),
            metric=FlowCount.Metric.FUEL_TRUCKS,
            value=n,
            source=SourceFactory(),
            recorded_by=None,
        )
    build_situation(3, crisis=situation.crisis)
    assert count_queries(analyst_client, url) == small
    assert small <= 22, small
    assert len(re.findall(r'class="history-row', analyst_client.get(url).content.decode())) == 15


def test_the_page_lists_the_latest_status_rows_and_links_to_every_one(analyst_client):
    from tracker.pages.views import HISTORY_ON_PAGE

    crossing = CrossingFactory(name="Rafah")
    rows = [
        status(crossing, CrossingStatus.Status.OPEN if n % 2 else CrossingStatus.Status.CLOSED, day(1 + n))
        for n in range(HISTORY_ON_PAGE + 5)
    ]
    html = analyst_client.get(f"/crossings/{crossing.slug}/").content.decode()
    listed = re.findall(r'id="status-([0-9a-f-]+)" class="history-row', html)
    assert listed == [str(row.uid) for row in reversed(rows[-HISTORY_ON_PAGE:])]  # the latest, newest first
    assert f"The latest {HISTORY_ON_PAGE} rows are shown." in text(analyst_client.get(f"/crossings/{crossing.slug}/"))
    assert "?history=all" in html and "format=csv" in html
    every = analyst_client.get(f"/crossings/{crossing.slug}/", {"history": "all"}).content.decode()
    assert len(re.findall(r'class="history-row', every)) == len(rows)
    assert "rows are shown" not in every
