"""The dashboard: every crossing of every crisis under way, by kind of traffic, with since when, how sure, how
fresh and on whose word; open disputes, agreements, latest developments and reports; the editors' queue."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import CrisisFactory, CrossingFactory, agreement, dispute, report, status
from tests.test_pages_support import build_situation, count_queries, day, relevant_report, signed_in, text
from tracker import services
from tracker.models import AidDispute, Crisis, CrossingStatus, Report, StatusSuggestion, Traffic

pytestmark = pytest.mark.django_db


def test_status_reads_in_words_and_symbols_not_only_colour(analyst_client):
    crossing = CrossingFactory(name="Rafah")
    crossing.crises.add(CrisisFactory())
    status(crossing, CrossingStatus.Status.CLOSED, day(3), Traffic.AID)
    status(crossing, CrossingStatus.Status.RESTRICTED, day(4), Traffic.PEOPLE)
    html = analyst_client.get("/").content.decode()
    assert (
        '<span class="status status-closed"><span class="status-symbol" aria-hidden="true">✕</span> Closed</span>'
        in html
    )
    assert '<span class="status-symbol" aria-hidden="true">◐</span> Restricted' in html
    assert '<span class="status-symbol" aria-hidden="true">?</span> Unknown' in html
    assert "<caption>" in html and '<th scope="col">Humanitarian aid</th>' in html


def test_each_cell_says_since_when_how_sure_how_fresh_and_on_whose_word(analyst_client, settings):
    settings.STATUS_STALE_AFTER_DAYS = 7
    situation = build_situation(1)
    crossing = situation.crossings[0]
    status(
        crossing,
        CrossingStatus.Status.CLOSED,
        day(20),
        Traffic.FUEL,
        certainty=CrossingStatus.Certainty.CONFIRMED,
    )
    page = analyst_client.get("/", {"as_of": day(22).isoformat()})
    html, words = page.content.decode(), text(page)
    # Durations come with no-break spaces ("2\xa0weeks"); compare words.
    aid_cell = " ".join(html[html.index('data-traffic="aid"') : html.index('data-traffic="commercial"')].split())
    assert "since <time" in aid_cell and "2023-10-04 00:00 UTC" in aid_cell  # closed from day 3
    assert "for 2 weeks, 4 days" in words
    assert "for 2 weeks, 5 days" in aid_cell
    assert "Reported, not confirmed" in aid_cell and "Stale: last stated 2 weeks, 5 days ago" in aid_cell
    assert "On the word of <bdi>Actor" in aid_cell  # a name isolated in its own direction
    assert f"/crossings/{crossing.slug}/?as_of=" in aid_cell and "#status-" in aid_cell
    fuel_cell = " ".join(html[html.index('data-traffic="fuel"') :].split())
    assert "✔ Confirmed" in fuel_cell[:1500] and "Stale" not in fuel_cell[:1500]


def test_open_disputes_only_and_every_agreement_with_its_state(analyst_client):
    situation = build_situation(2)
    resolved, still_open = situation.crossings[0].disputes.get(), situation.crossings[1].disputes.get()
    services.accord_change_state(
        entity=resolved, to_state=AidDispute.State.RESOLVED, changed_by=None, effective_at=day(10)
    )

    def disputes_listed(**query: str) -> str:
        html = analyst_client.get("/", query).content.decode()
        return html[html.index("Open aid disputes") : html.index("Evacuation agreements")]

    listed = disputes_listed()
    assert still_open.name in listed and resolved.name not in listed
    assert "Negotiating" not in listed and ">Open<" in listed
    page = text(analyst_client.get("/"))
    assert f"Agreement {situation.crisis.pk}-0 Proposed" in page
    # Before it was resolved, it was open.
    assert resolved.name in disputes_listed(as_of=day(9).isoformat())


def test_only_crises_under_way_at_the_moment_are_shown(analyst_client):
    active = build_situation(1).crisis
    ended = CrisisFactory(name="Ended one", started_on=date(2023, 1, 1), ended_on=date(2023, 6, 1))
    closed = CrisisFactory(name="Closed one", state=Crisis.State.CLOSED)
    page = text(analyst_client.get("/"))
    assert active.name in page and ended.name not in page and closed.name not in page
    assert ended.name in text(analyst_client.get("/", {"as_of": "2023-03-01"}))
    assert active.name not in text(analyst_client.get("/", {"as_of": "2023-03-01"}))


def test_latest_developments_and_relevant_reports_are_listed(analyst_client):
    situation = build_situation(2)
    page = text(analyst_client.get("/"))
    assert f"Statement {situation.crisis.pk}-1" in page
    assert f"{situation.crossings[1].name}: closed for all traffic" in page
    assert situation.reports[0].title in page
    assert "Unreviewed" not in page and "For editors" not in page


def test_editors_see_unreviewed_reports_and_pending_suggestions_with_admin_links(editor_client):
    build_situation(1)
    suggestion = StatusSuggestion.objects.get()
    html = editor_client.get("/").content.decode()
    assert "For editors: not reviewed yet" in html
    assert f'href="/admin/tracker/statussuggestion/{suggestion.pk}/change/"' in html
    assert f'href="/admin/tracker/report/{suggestion.report.pk}/change/"' in html
    assert ">Unreviewed<" in html and ">Pending<" in html


def test_a_suggestion_decided_later_was_pending_at_an_earlier_moment(editor_client):
    build_situation(1)
    suggestion = StatusSuggestion.objects.get()
    services.suggestion_reject(suggestion=suggestion, decided_by=None, reason="other", note="not so")
    assert "Decide in admin" not in editor_client.get("/").content.decode()


def test_a_report_cited_by_a_status_is_named_to_every_reader_with_its_source_and_authors(analyst_client, editor):
    # Citing an unreviewed report marks it relevant (services and a database trigger): evidence is never hidden.
    crossing = CrossingFactory()
    crossing.crises.add(CrisisFactory())
    cited = report(title="Flash update 12", url="https://example.org/flash-12")
    Report.objects.filter(pk=cited.pk).update(organisations=["OCHA", "UNRWA"])
    status(crossing, CrossingStatus.Status.CLOSED, day(1), report=cited, note="")
    link = '<a href="https://example.org/flash-12" rel="noopener noreferrer">Flash update 12</a>'
    origin = f"(Source: <bdi>{cited.source.name}</bdi>; by <bdi>OCHA, UNRWA"
    for client in (analyst_client, signed_in(editor)):
        for page in ("/", f"/crossings/{crossing.slug}/"):
            html = client.get(page).content.decode()
            assert link in html and origin in html, page


def test_no_crisis_under_way_says_so(analyst_client):
    assert "No crisis was under way at this moment." in text(analyst_client.get("/"))


def test_dashboard_queries_do_not_grow_with_the_data(analyst_client, editor):
    editor_client = signed_in(editor)
    build_situation(2)
    small = count_queries(analyst_client, "/")
    small_editor = count_queries(editor_client, "/")
    build_situation(6)
    relevant_report(title="Another relevant report")
    assert count_queries(analyst_client, "/") == small
    assert count_queries(editor_client, "/") == small_editor
    assert small <= 22 and small_editor <= 24, (small, small_editor)


def test_each_crisis_lists_its_latest_open_disputes_and_agreements_and_counts_the_rest(analyst_client):
    """The dashboard names the ``DASHBOARD_ACCORDS`` latest to change state in each crisis, latest first, as the
    record stood at the moment shown, and says how many more the crisis page has."""
    from tracker.selectors.dashboard import DASHBOARD_ACCORDS

    crisis, other = CrisisFactory(started_on=date(2023, 10, 1)), CrisisFactory(started_on=date(2023, 10, 1))
    extra = 3
    disputes = [dispute(crisis, name=f"Dispute {n:02d}") for n in range(DASHBOARD_ACCORDS + extra)]
    for n, entity in enumerate(disputes):  # each one moves later than the one before
        services.accord_change_state(
            entity=entity, to_state=AidDispute.State.STALLED, changed_by=None, effective_at=day(10 + n)
        )
    # The latest to move is resolved: not open, so not listed nor counted.
    services.accord_change_state(
        entity=disputes[-1], to_state=AidDispute.State.RESOLVED, changed_by=None, effective_at=day(40)
    )
    # Two rows at one moment: the one recorded later holds (the status rule's precedence), so this stays open.
    services.accord_change_state(
        entity=disputes[0], to_state=AidDispute.State.RESOLVED, changed_by=None, effective_at=day(50)
    )
    services.accord_change_state(
        entity=disputes[0], to_state=AidDispute.State.OPEN, changed_by=None, effective_at=day(50)
    )
    dispute(other, name="Elsewhere")
    for n in range(DASHBOARD_ACCORDS + 1):
        agreement(crisis, name=f"Agreement {n:02d}")

    def listed(html: str, heading: str, end: str) -> list[str]:
        block = html[html.index(heading) : html.index(end, html.index(heading))]
        return re.findall(r">(?:<bdi>)?((?:Dispute|Agreement) \d\d)(?:</bdi>)?</a>", block)

    def block_of(html: str) -> str:
        start = html.index(f'id="crisis-{crisis.slug}"')
        following = html.find('<section class="crisis-block"', start)
        return html[start : following if following != -1 else len(html)]

    section = block_of(analyst_client.get("/").content.decode())
    open_now = [disputes[0], *reversed(disputes[1:-1])]  # disputes[0] moved last (day 50); then 11, 10, ...
    assert listed(section, "Open aid disputes", "Evacuation agreements") == [
        d.name for d in open_now[:DASHBOARD_ACCORDS]
    ]
    more = len(open_now) - DASHBOARD_ACCORDS
    assert f"{more} more open on the crisis page" in text_of(section)
    assert len(listed(section, "Evacuation agreements", "</section>")) == DASHBOARD_ACCORDS
    assert "1 more on the crisis page" in text_of(section)
    assert "Elsewhere" not in section
    # As the record stood on day 12: only three had moved, and none was resolved.
    earlier = block_of(analyst_client.get("/", {"as_of": day(12).isoformat()}).content.decode())
    shown = listed(earlier, "Open aid disputes", "Evacuation agreements")
    assert shown[:3] == ["Dispute 02", "Dispute 01", "Dispute 00"]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_many_crises_are_shown_ten_at_a_time_and_every_one_is_named_and_in_the_csv(analyst_client):
    from tracker.selectors.dashboard import DASHBOARD_CRISES

    crises = [
        CrisisFactory(name=f"Crisis {n:02d}", started_on=date(2023, 1, 1 + n)) for n in range(DASHBOARD_CRISES + 3)
    ]
    for crisis in crises:
        crossing = CrossingFactory(name=f"Crossing of {crisis.name}")
        crossing.crises.add(crisis)
        status(crossing, CrossingStatus.Status.CLOSED, day(1))
    newest_first = [c.name for c in reversed(crises)]  # active crises, the latest to begin first

    def blocks(response) -> list[str]:  # type: ignore[no-untyped-def]
        return re.findall(r'<h2 id="crisis-[^"]+">\s*<a href="[^"]+" dir="auto">([^<]+)</a>', response.content.decode())

    first = analyst_client.get("/")
    assert blocks(first) == newest_first[:DASHBOARD_CRISES]
    page = text(first)
    assert f"{len(crises)} crises under way; 1 to {DASHBOARD_CRISES} are shown below." in page
    assert all(name in page for name in newest_first)  # every crisis named, each linked to its own page
    assert f'href="/crises/{crises[0].slug}/"' in first.content.decode()
    assert "Page 1 of 2" in page and 'rel="next" href="?page=2"' in first.content.decode()

    second = analyst_client.get("/", {"page": "2"})
    assert blocks(second) == newest_first[DASHBOARD_CRISES:]
    assert 'rel="prev" href="?page=1"' in second.content.decode()
    assert blocks(analyst_client.get("/", {"page": "9"})) == newest_first[DASHBOARD_CRISES:]  # past the end: the last

    refused = analyst_client.get("/", {"page": "first"})
    assert refused.status_code == 400 and "page must be a whole number." in text(refused)
    assert analyst_client.get("/", {"page": "0"}).status_code == 400

    csv = b"".join(analyst_client.get("/", {"format": "csv", "page": "2"}).streaming_content).decode()
    assert all(f"Crossing of {crisis.name}" in csv for crisis in crises)  # the download has every crisis


def test_a_few_crises_need_no_index_and_no_pages(analyst_client):
    build_situation(2)
    page = text(analyst_client.get("/"))
    assert "under way;" not in page and "Page 1 of" not in page
