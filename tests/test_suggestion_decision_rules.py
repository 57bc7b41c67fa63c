"""The rules of deciding a status suggestion, through the service: a status only at a time somebody stated, the
report becomes visible evidence in the same transaction, and a reason for every rejection."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from tests.factories import CrossingFactory, report, status
from tracker import selectors, services
from tracker.models import CrossingStatus, Report, StatusSuggestion

pytestmark = pytest.mark.django_db

MONDAY = datetime(2023, 10, 16, 7, tzinfo=UTC)


def _suggest(crossing, source_report, proposed="open", traffic="all", evidence="Kerem Shalom opened."):
    suggestion, _ = services.suggestion_raise(
        report=source_report, crossing=crossing, proposed_status=proposed, traffic=traffic, evidence=evidence
    )
    return suggestion


def _undated_report(**fields):
    fields.setdefault("title", "Kerem Shalom opened and allowed aid trucks through")
    return report(published_at=None, **fields)


def test_an_undated_report_gives_no_time_so_accepting_needs_one(editor):
    suggestion = _suggest(CrossingFactory(name="Kerem Shalom"), _undated_report())
    assert suggestion.report.published_at_estimated
    with pytest.raises(ValidationError) as refused:
        services.suggestion_accept(suggestion=suggestion, decided_by=editor)
    assert "effective_at" in refused.value.message_dict
    suggestion.refresh_from_db()
    assert suggestion.state == StatusSuggestion.State.PENDING
    assert not CrossingStatus.objects.exists()


def test_an_undated_report_is_accepted_at_the_time_the_editor_sets(editor):
    suggestion = _suggest(CrossingFactory(name="Kerem Shalom"), _undated_report())
    row = services.suggestion_accept(suggestion=suggestion, decided_by=editor, effective_at=MONDAY, traffic="aid")
    assert (row.effective_at, row.traffic, row.status) == (MONDAY, "aid", "open")


def test_a_dated_report_is_accepted_at_its_own_date(editor):
    dated = report(published_at=MONDAY)
    row = services.suggestion_accept(suggestion=_suggest(CrossingFactory(), dated), decided_by=editor)
    assert row.effective_at == MONDAY and not dated.published_at_estimated


def test_the_editor_corrects_crossing_status_traffic_and_certainty(editor):
    rafah, kerem = CrossingFactory(name="Rafah"), CrossingFactory(name="Kerem Shalom")
    suggestion = _suggest(rafah, report(published_at=MONDAY), proposed="open", traffic="all")
    row = services.suggestion_accept(
        suggestion=suggestion,
        decided_by=editor,
        crossing=kerem,
        status="restricted",
        traffic="aid",
        certainty="confirmed",
        note="Only aid trucks, per the report.",
    )
    assert (row.crossing, row.status, row.traffic, row.certainty) == (kerem, "restricted", "aid", "confirmed")
    suggestion.refresh_from_db()
    assert suggestion.resulting_status == row and suggestion.proposed_status == "open"  # what the machine said stays


def test_accepting_marks_the_report_relevant_by_the_editor_in_the_same_transaction(editor):
    unreviewed = report(published_at=MONDAY)
    assert unreviewed.review_state == Report.ReviewState.NEW
    services.suggestion_accept(suggestion=_suggest(CrossingFactory(), unreviewed), decided_by=editor)
    unreviewed.refresh_from_db()
    assert unreviewed.review_state == Report.ReviewState.RELEVANT
    assert unreviewed.reviewed_by == editor and unreviewed.reviewed_at is not None
    assert selectors.reports_for_readers().filter(pk=unreviewed.pk).exists()


def test_a_failed_accept_leaves_the_report_unreviewed(editor):
    unreviewed = report(published_at=MONDAY)
    suggestion = _suggest(CrossingFactory(), unreviewed)
    with pytest.raises(ValidationError):
        services.suggestion_accept(
            suggestion=suggestion, decided_by=editor, effective_at=datetime(2099, 1, 1, tzinfo=UTC)
        )
    unreviewed.refresh_from_db()
    assert unreviewed.review_state == Report.ReviewState.NEW and not CrossingStatus.objects.exists()


def test_a_suggestion_from_a_report_marked_not_relevant_cannot_be_accepted(editor):
    dismissed = report(published_at=MONDAY)
    services.report_review(report=dismissed, state=Report.ReviewState.NOT_RELEVANT, reviewed_by=editor)
    with pytest.raises(ValidationError) as refused:
        services.suggestion_accept(suggestion=_suggest(CrossingFactory(), dismissed), decided_by=editor)
    assert "not relevant" in " ".join(refused.value.messages)
    assert not CrossingStatus.objects.exists()


def test_a_cited_report_cannot_be_marked_not_relevant_until_its_status_is_retracted(editor):
    cited = report(published_at=MONDAY)
    row = services.suggestion_accept(suggestion=_suggest(CrossingFactory(name="Rafah"), cited), decided_by=editor)
    for state in (Report.ReviewState.NOT_RELEVANT, Report.ReviewState.NEW):
        with pytest.raises(ValidationError) as refused:
            services.report_review(report=cited, state=state, reviewed_by=editor)
        assert "Retract that status first" in " ".join(refused.value.messages)
    services.crossing_retract_status(status_row=row, recorded_by=editor, reason="Misread the report.")
    services.report_review(report=cited, state=Report.ReviewState.NOT_RELEVANT, reviewed_by=editor)
    cited.refresh_from_db()
    assert cited.review_state == Report.ReviewState.NOT_RELEVANT


def test_citing_an_unreviewed_report_directly_vouches_for_it(editor):
    unreviewed = report(published_at=MONDAY)
    services.crossing_record_status(
        crossing=CrossingFactory(), status="closed", effective_at=MONDAY, recorded_by=editor, report=unreviewed
    )
    unreviewed.refresh_from_db()
    assert unreviewed.review_state == Report.ReviewState.RELEVANT and unreviewed.reviewed_by == editor


def test_the_database_refuses_a_status_citing_an_unreviewed_report():
    unreviewed, crossing = report(published_at=MONDAY), CrossingFactory()
    row = CrossingStatus(
        crossing=crossing, status="open", effective_at=MONDAY, recorded_at=MONDAY, report=unreviewed, note=""
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_the_database_keeps_a_cited_report_relevant():
    cited = report(published_at=MONDAY)
    status(CrossingFactory(), "open", MONDAY, report=cited)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_report SET review_state = 'not_relevant' WHERE id = %s", [cited.pk])


def test_rejecting_needs_a_reason_and_other_needs_a_note(editor):
    suggestion = _suggest(CrossingFactory(), report(published_at=MONDAY))
    with pytest.raises(ValidationError):
        services.suggestion_reject(suggestion=suggestion, decided_by=editor, reason="")
    with pytest.raises(ValidationError):
        services.suggestion_reject(suggestion=suggestion, decided_by=editor, reason="other", note=" ")
    services.suggestion_reject(suggestion=suggestion, decided_by=editor, reason="no_claim")
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.rejection_reason) == ("rejected", "no_claim")


def test_the_database_refuses_a_rejection_without_a_reason():
    suggestion = _suggest(CrossingFactory(), report(published_at=MONDAY))
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusSuggestion.objects.filter(pk=suggestion.pk).update(state="rejected", decided_at=MONDAY)


def test_the_publication_plan_says_what_an_all_traffic_status_changes(editor):
    rafah = CrossingFactory(name="Rafah")
    status(rafah, "closed", datetime(2023, 10, 9, tzinfo=UTC))
    status(rafah, "open", datetime(2023, 10, 20, tzinfo=UTC), traffic="aid")
    plan = selectors.publication_plan(
        [selectors.Proposal(crossing=rafah, status="open", traffic="all", effective_at=MONDAY)]
    )
    lines = {(change.traffic, change.current_status, change.new_status, change.takes_hold) for change in plan}
    assert lines == {
        ("people", "closed", "open", True),
        ("aid", "open", "open", False),  # a later statement for aid keeps holding
        ("commercial", "closed", "open", True),
        ("fuel", "closed", "open", True),
    }


def test_one_open_question_per_report_crossing_and_traffic(editor):
    crossing, source_report = CrossingFactory(), report(published_at=MONDAY)
    first = _suggest(crossing, source_report, proposed="open", traffic="aid")
    again, created = services.suggestion_raise(
        report=source_report, crossing=crossing, proposed_status="closed", traffic="aid", evidence="Closed to aid."
    )
    assert not created and again == first  # the second reading waits: the pending question is returned
    services.suggestion_reject(suggestion=first, decided_by=editor, reason="wrong_status")
    later, created = services.suggestion_raise(
        report=source_report, crossing=crossing, proposed_status="closed", traffic="aid", evidence="Closed to aid."
    )
    assert created and later.proposed_status == "closed"


def test_a_confidence_is_between_zero_and_one():
    with pytest.raises(ValidationError):
        services.suggestion_raise(
            report=report(published_at=MONDAY),
            crossing=CrossingFactory(),
            proposed_status="open",
            evidence="x",
            confidence=1.5,
        )
    suggestion = _suggest(CrossingFactory(), report(published_at=MONDAY))
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusSuggestion.objects.filter(pk=suggestion.pk).update(confidence=-0.1)
