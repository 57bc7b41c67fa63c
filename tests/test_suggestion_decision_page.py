"""The editors' decision page for one status suggestion, the queue around it, and the confirmation pages: what an
editor sees before deciding, and that every path refuses what the rules refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CrossingFactory, report, status
from tracker import services
from tracker.models import CrossingAlias, CrossingStatus, Report, StatusSuggestion

pytestmark = pytest.mark.django_db

MONDAY = datetime(2023, 10, 16, 7, tzinfo=UTC)
CHANGELIST = "admin:tracker_statussuggestion_changelist"


def _page(suggestion: StatusSuggestion) -> str:
    return reverse("admin:tracker_statussuggestion_change", args=[suggestion.pk])


def _suggest(crossing, source_report, proposed="open", traffic="all", evidence=None, phrase="opened"):
    suggestion, _ = services.suggestion_raise(
        report=source_report,
        crossing=crossing,
        proposed_status=proposed,
        traffic=traffic,
        evidence=evidence or f"{crossing.name} {phrase} and allowed aid trucks through.",
        matched_phrase=phrase,
    )
    return suggestion


@pytest.fixture
def kerem():
    crossing = CrossingFactory(name="Kerem Shalom")
    CrossingAlias.objects.create(crossing=crossing, name="Karem Abu Salem", language="en")
    status(crossing, "closed", datetime(2023, 10, 9, tzinfo=UTC))
    return crossing


def test_the_decision_page_shows_the_evidence_and_the_status_now(editor_client, kerem):
    source_report = report(title="Kerem Shalom opened", url="https://example.org/news/1", published_at=None)
    Report.objects.filter(pk=source_report.pk).update(organisations=["OCHA"], language="en")
    suggestion = _suggest(kerem, source_report)
    sibling = _suggest(kerem, source_report, proposed="restricted", traffic="aid")
    html = editor_client.get(_page(suggestion)).content.decode()
    assert "https://example.org/news/1" in html and source_report.source.name in html and "OCHA" in html
    assert "No date given." in html  # the estimated date is said, not shown as a date somebody stated
    assert "<mark>Kerem Shalom</mark> <mark>opened</mark>" in html
    assert "closed" in html and "2023-10-09 00:00" in html  # the status now, since when
    assert _page(sibling) in html  # the other open suggestion of the same report
    assert 'name="decision" value="accept"' in html and 'name="rejection_reason"' in html


def test_an_undated_suggestion_cannot_be_accepted_without_a_time(editor_client, kerem):
    suggestion = _suggest(kerem, report(title="Kerem Shalom opened", published_at=None))
    form = {"decision": "accept", "crossing": kerem.pk, "traffic": "aid", "status": "open", "certainty": "reported"}
    response = editor_client.post(_page(suggestion), form)
    assert response.status_code == 200
    assert "The report gave no date" in response.content.decode()
    assert not CrossingStatus.objects.filter(report__isnull=False).exists()
    response = editor_client.post(_page(suggestion), {**form, "effective_at": "2023-10-21T10:30"})
    assert response.status_code == 302
    row = CrossingStatus.objects.get(report=suggestion.report)
    assert (row.traffic, row.status, row.effective_at) == ("aid", "open", datetime(2023, 10, 21, 10, 30, tzinfo=UTC))


def test_accepting_for_all_traffic_shows_what_will_be_published_first(editor_client, kerem):
    suggestion = _suggest(kerem, report(title="Kerem Shalom opened", published_at=MONDAY))
    form = {
        "decision": "accept",
        "crossing": kerem.pk,
        "traffic": "all",
        "status": "open",
        "certainty": "reported",
        "effective_at": "2023-10-16T07:00",
    }
    response = editor_client.post(_page(suggestion), form)
    html = response.content.decode()
    assert response.status_code == 200 and "Publish this status?" in html
    for kind in ("People", "Humanitarian aid", "Commercial goods", "Fuel"):
        assert kind in html
    assert not CrossingStatus.objects.filter(report__isnull=False).exists()
    response = editor_client.post(_page(suggestion), {**form, "confirmed": "yes"})
    assert response.status_code == 302
    assert CrossingStatus.objects.get(report=suggestion.report).traffic == "all"


def test_rejecting_asks_why(editor_client, kerem):
    suggestion = _suggest(kerem, report(title="Kerem Shalom expected to reopen", published_at=MONDAY))
    response = editor_client.post(_page(suggestion), {"decision": "reject", "rejection_reason": ""})
    assert response.status_code == 200 and StatusSuggestion.objects.get(pk=suggestion.pk).state == "pending"
    response = editor_client.post(_page(suggestion), {"decision": "reject", "rejection_reason": "other"})
    assert "Say why" in response.content.decode()
    response = editor_client.post(_page(suggestion), {"decision": "reject", "rejection_reason": "no_claim"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.rejection_reason) == ("rejected", "no_claim")


def test_deciding_moves_on_to_the_next_in_the_queue(editor_client, kerem):
    first = _suggest(kerem, report(title="A", published_at=MONDAY))
    second = _suggest(kerem, report(title="B", published_at=MONDAY))  # newer: first in the queue
    html = editor_client.get(_page(second)).content.decode()
    assert _page(first) in html  # "older" link
    response = editor_client.post(_page(second), {"decision": "reject", "rejection_reason": "no_claim"})
    assert response["Location"] == _page(first)
    response = editor_client.post(_page(first), {"decision": "reject", "rejection_reason": "historical"})
    assert response["Location"].startswith(reverse(CHANGELIST))


def test_bulk_accept_confirms_and_refuses_undated_reports(editor_client, kerem):
    dated = _suggest(kerem, report(title="Dated", published_at=MONDAY), traffic="aid")
    undated = _suggest(kerem, report(title="Undated", published_at=None), traffic="people")
    chosen = {"action": "accept", "_selected_action": [dated.pk, undated.pk]}
    response = editor_client.post(reverse(CHANGELIST), chosen)
    html = response.content.decode()
    assert response.status_code == 200 and "Publish these statuses?" in html
    assert "the report gave no date" in html
    assert not CrossingStatus.objects.filter(report__isnull=False).exists()
    response = editor_client.post(reverse(CHANGELIST), {**chosen, "post": "yes"}, follow=True)
    assert CrossingStatus.objects.filter(report__isnull=False).count() == 1
    dated.refresh_from_db()
    undated.refresh_from_db()
    assert (dated.state, undated.state) == ("accepted", "pending")
    assert "Not accepted" in response.content.decode()


def test_bulk_reject_asks_why(editor_client, kerem):
    one = _suggest(kerem, report(title="One", published_at=MONDAY))
    chosen = {"action": "reject", "_selected_action": [one.pk]}
    response = editor_client.post(reverse(CHANGELIST), chosen)
    assert response.status_code == 200 and 'name="rejection_reason"' in response.content.decode()
    editor_client.post(reverse(CHANGELIST), {**chosen, "post": "yes", "rejection_reason": "wrong_crossing"})
    one.refresh_from_db()
    assert (one.state, one.rejection_reason) == ("rejected", "wrong_crossing")


def test_the_list_shows_report_date_estimated_source_and_traffic(editor_client, kerem):
    _suggest(kerem, report(title="Undated", published_at=None), traffic="aid")
    html = editor_client.get(reverse(CHANGELIST)).content.decode()
    assert "estimated" in html and "for humanitarian aid" in html and "Source " in html


def test_an_analyst_sees_decided_suggestions_but_cannot_decide(analyst_client, editor, kerem):
    suggestion = _suggest(kerem, report(title="Dated", published_at=MONDAY), traffic="aid")
    services.suggestion_accept(suggestion=suggestion, decided_by=editor)
    response = analyst_client.get(_page(suggestion))
    assert response.status_code == 200 and 'name="decision"' not in response.content.decode()
    response = analyst_client.post(_page(suggestion), {"decision": "reject", "rejection_reason": "no_claim"})
    assert response.status_code == 403


def test_the_decision_page_costs_the_same_queries_with_more_siblings(editor_client, kerem):
    source_report = report(title="Many", published_at=MONDAY)
    suggestion = _suggest(kerem, source_report)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(_page(suggestion))
    for kind in ("people", "aid", "commercial", "fuel"):
        _suggest(kerem, source_report, proposed="closed", traffic=kind)
        _suggest(CrossingFactory(), source_report, proposed="closed", traffic=kind)
    with CaptureQueriesContext(connection) as many:
        editor_client.get(_page(suggestion))
    assert len(many) == len(few)


def test_a_suggestions_history_costs_the_same_queries_however_long(editor_client, editor, kerem):
    suggestion = _suggest(kerem, report(title="History", published_at=MONDAY))
    services.suggestion_reject(suggestion=suggestion, decided_by=editor, reason="no_claim")
    url = reverse("admin:tracker_statussuggestion_history", args=[suggestion.pk])
    editor_client.get(url)  # warm: session, permissions
    with CaptureQueriesContext(connection) as short:
        assert editor_client.get(url).status_code == 200
    suggestion.refresh_from_db()
    for _ in range(5):  # five more lines in its history, each naming its crossing, report and decider
        suggestion.save()
    with CaptureQueriesContext(connection) as longer:
        editor_client.get(url)
    assert len(longer) == len(short)


def test_a_low_confidence_suggestion_says_so_and_is_never_accepted_in_bulk(editor_client, kerem):
    unsure, _ = services.suggestion_raise(
        report=report(title="Unsure", published_at=MONDAY),
        crossing=kerem,
        proposed_status="open",
        traffic="aid",
        evidence="Kerem Shalom may reopen for aid.",
        confidence=0.4,
        reason="hedge nearby: “may reopen” → open for aid",
    )
    html = editor_client.get(_page(unsure)).content.decode()
    assert "Confidence 0.40: low" in html and "hedge nearby" in html
    assert "0.40 <strong>low</strong>" in editor_client.get(reverse(CHANGELIST)).content.decode()
    chosen = {"action": "accept", "_selected_action": [unsure.pk]}
    assert "low confidence (0.40)" in editor_client.post(reverse(CHANGELIST), chosen).content.decode()
    editor_client.post(reverse(CHANGELIST), {**chosen, "post": "yes"})
    unsure.refresh_from_db()
    assert unsure.state == "pending" and not CrossingStatus.objects.filter(report=unsure.report).exists()
    # On its own page, an editor may still accept it.
    form = {"decision": "accept", "crossing": kerem.pk, "traffic": "aid", "status": "open", "certainty": "reported"}
    assert editor_client.post(_page(unsure), {**form, "effective_at": "2023-10-16T07:00"}).status_code == 302
    unsure.refresh_from_db()
    assert unsure.state == "accepted"
