"""A crossing's admin History tells the whole story: its status rows recorded and retracted (who, when, what, on
what evidence, and why retracted), newest first, beside the edits to its own fields; and no history page offers to
"revert" anything."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_forms import change_form_data
from tests.factories import ActorFactory, CrossingFactory, SourceFactory, report, status
from tracker import services
from tracker.models import Crossing, CrossingStatus, Report

pytestmark = pytest.mark.django_db


def relevant_report(title: str, source_name: str, editor) -> Report:  # type: ignore[no-untyped-def]
    found = report(source=SourceFactory(name=source_name), title=title)
    return services.report_review(report=found, state=Report.ReviewState.RELEVANT, reviewed_by=editor)


def history(client, crossing: Crossing) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("admin:tracker_crossing_history", args=[crossing.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_history_shows_recorded_rows_with_who_when_what_and_evidence(editor_client, editor):
    rafah = CrossingFactory(name="Rafah")
    evidence = relevant_report("UN: Rafah closed to aid convoys", "OCHA", editor)
    row = services.crossing_record_status(
        crossing=rafah,
        status="closed",
        traffic="aid",
        effective_at=datetime(2023, 10, 15, 9, tzinfo=UTC),
        certainty="confirmed",
        report=evidence,
        stated_by=ActorFactory(name="COGAT"),
        recorded_by=editor,
    )
    status(rafah, "open", datetime(2023, 10, 21, tzinfo=UTC), "people", note="Seen by our staff at the gate")
    html = history(editor_client, rafah)
    trail = html[html.index('id="status-trail"') :]
    assert "alice" in trail and f"{row.recorded_at:%Y-%m-%d %H:%M}" in trail
    assert "Closed" in trail and "Humanitarian aid" in trail and "2023-10-15 09:00" in trail and "Confirmed" in trail
    assert reverse("admin:tracker_report_change", args=[evidence.pk]) in trail
    assert "UN: Rafah closed to aid convoys" in trail and "(OCHA)" in trail and "COGAT" in trail
    assert "system" in trail and "Seen by our staff at the gate" in trail
    # newest recorded first: the note-only row was recorded after the report-backed one
    assert trail.index("Seen by our staff") < trail.index("UN: Rafah closed")


def test_history_shows_retractions_with_who_when_and_why_above_the_row(editor_client, editor, other_editor):
    rafah = CrossingFactory(name="Rafah")
    row = status(rafah, "closed", datetime(2023, 10, 15, tzinfo=UTC), "fuel", note="A rumour")
    retraction = services.crossing_retract_status(status_row=row, recorded_by=other_editor, reason="Misread: Erez")
    html = history(editor_client, rafah)
    trail = html[html.index('id="status-trail"') :]
    assert "bob" in trail and "Misread: Erez" in trail and f"{retraction.recorded_at:%Y-%m-%d %H:%M}" in trail
    assert "(later retracted)" in trail and "<del>Closed</del>" in trail
    assert trail.index("Misread: Erez") < trail.index("A rumour")  # the retraction is the newer entry


def test_history_keeps_the_crossings_own_field_edits(editor_client):
    rafah = CrossingFactory(name="Rafah", description="before")
    url = reverse("admin:tracker_crossing_change", args=[rafah.pk])
    data = change_form_data(editor_client.get(url))
    assert editor_client.post(url, {**data, "description": "after"}).status_code == 302
    html = history(editor_client, rafah)
    edits = html[html.index('id="field-edits"') :]
    assert "description" in edits and "before" in edits and "after" in edits and "alice" in edits


def test_no_history_page_speaks_of_reverting(editor_client):
    rafah = CrossingFactory(name="Rafah", description="before")
    status(rafah, "closed", datetime(2023, 10, 15, tzinfo=UTC))
    url = reverse("admin:tracker_crossing_change", args=[rafah.pk])
    editor_client.post(url, {**change_form_data(editor_client.get(url)), "description": "after"})
    assert "revert" not in history(editor_client, rafah).lower()
    version = rafah.history.earliest().history_id
    one_version = editor_client.get(reverse("admin:tracker_crossing_simple_history", args=[rafah.pk, version]))
    assert one_version.status_code == 200 and "revert" not in one_version.content.decode().lower()
    row = CrossingStatus.objects.get()
    status_page = editor_client.get(reverse("admin:tracker_crossingstatus_history", args=[row.pk]))
    assert status_page.status_code == 200 and "revert" not in status_page.content.decode().lower()


def test_an_old_version_cannot_be_saved_back_over_the_current_one(editor_client):
    rafah = CrossingFactory(name="Rafah", description="before")
    url = reverse("admin:tracker_crossing_change", args=[rafah.pk])
    editor_client.post(url, {**change_form_data(editor_client.get(url)), "description": "after"})
    old = reverse("admin:tracker_crossing_simple_history", args=[rafah.pk, rafah.history.earliest().history_id])
    response = editor_client.post(old, {**change_form_data(editor_client.get(url)), "description": "before"})
    assert response.status_code == 405
    rafah.refresh_from_db()
    assert rafah.description == "after"


def test_history_query_count_does_not_grow_with_status_rows(editor_client, editor, django_assert_num_queries):
    rafah = CrossingFactory(name="Rafah")
    evidence = relevant_report("Report", "OCHA", editor)

    def record(n: int) -> None:
        for day in range(n):
            row = services.crossing_record_status(
                crossing=rafah,
                status="open",
                traffic="people",
                effective_at=datetime(2023, 10, 1 + day, tzinfo=UTC),
                report=evidence,
                stated_by=ActorFactory(),
                recorded_by=editor,
            )
            services.crossing_retract_status(status_row=row, recorded_by=editor, reason="test")

    url = reverse("admin:tracker_crossing_history", args=[rafah.pk])
    record(2)
    editor_client.get(url)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(url)
    record(20)
    with django_assert_num_queries(len(few.captured_queries)):
        assert editor_client.get(url).content.decode().count("status-trail-retracted") == 22
