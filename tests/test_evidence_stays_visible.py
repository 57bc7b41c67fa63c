"""No status row can cite a report that readers cannot see, on any path, then or later.

Decision (documented in the README): citing vouches. An editor who records a status citing a report nobody reviewed
marks it relevant in the same transaction; a report judged not relevant, or held as a duplicate, cannot be cited;
and a report cited by a status that stands cannot be marked not relevant (nor back to new) until that status is
retracted. The admin, the API's record endpoint, suggestion acceptance and a direct service call all obey it, and
the database refuses the same (triggers of migration 0006)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import CrossingFactory, report, status
from tracker import selectors, services
from tracker.models import CrossingStatus, Report

pytestmark = pytest.mark.django_db

MONDAY = datetime(2023, 10, 16, 7, tzinfo=UTC)


def _cited_everywhere_visible() -> None:
    """Every standing (not retracted) status row's report is one readers see."""
    visible = set(selectors.reports_for_readers().values_list("pk", flat=True))
    standing = CrossingStatus.objects.exclude(report=None).filter(retraction__isnull=True)
    cited = set(standing.values_list("report_id", flat=True))
    assert cited <= visible


def test_the_api_refuses_to_cite_a_report_nobody_reviewed(editor_client):
    CrossingFactory(name="Rafah")
    unreviewed = report(title="Rafah closed", published_at=MONDAY)
    payload = {
        "status": "closed",
        "traffic": "aid",
        "effective_at": "2023-10-16T09:00:00+00:00",
        "report": str(unreviewed.uid),
    }
    response = editor_client.post(
        "/api/v1/crossings/rafah/history/", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400 and "report" in response.content.decode()
    assert not CrossingStatus.objects.exists()
    unreviewed.refresh_from_db()
    assert unreviewed.review_state == Report.ReviewState.NEW


def test_the_admin_status_form_vouches_for_the_report_it_cites(editor_client, editor):
    crossing = CrossingFactory(name="Rafah")
    unreviewed = report(title="Rafah closed", published_at=MONDAY)
    response = editor_client.post(
        reverse("admin:tracker_crossingstatus_add"),
        {
            "crossing": crossing.pk,
            "status": "closed",
            "traffic": "aid",
            "effective_at_0": "2023-10-16",
            "effective_at_1": "09:00:00",
            "certainty": "reported",
            "report": unreviewed.pk,
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unreviewed.refresh_from_db()
    assert unreviewed.review_state == Report.ReviewState.RELEVANT and unreviewed.reviewed_by == editor
    _cited_everywhere_visible()


def test_marking_a_cited_report_not_relevant_in_the_admin_is_refused_with_the_reason(editor_client, editor):
    cited = report(title="Rafah closed", published_at=MONDAY)
    row = status(CrossingFactory(name="Rafah"), "closed", MONDAY, report=cited)
    response = editor_client.post(
        reverse("admin:tracker_report_changelist"),
        {"action": "mark_not_relevant", "_selected_action": [cited.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "Retract that status first" in response.content.decode()
    cited.refresh_from_db()
    assert cited.review_state == Report.ReviewState.RELEVANT
    services.crossing_retract_status(status_row=row, recorded_by=editor, reason="Wrong crossing.")
    editor_client.post(
        reverse("admin:tracker_report_changelist"), {"action": "mark_not_relevant", "_selected_action": [cited.pk]}
    )
    cited.refresh_from_db()
    assert cited.review_state == Report.ReviewState.NOT_RELEVANT
    _cited_everywhere_visible()  # the retracted row's report is hidden, and the rule skips the row


def test_a_duplicate_cannot_be_cited(editor):
    original = report(title="Rafah closed", url="https://example.org/a", published_at=MONDAY)
    copy = report(title="Rafah closed", url="https://example.org/a?utm_source=x", published_at=MONDAY)
    assert copy.review_state == Report.ReviewState.DUPLICATE and copy.duplicate_of == original
    with pytest.raises(ValidationError) as refused:
        services.crossing_record_status(
            crossing=CrossingFactory(), status="closed", effective_at=MONDAY, recorded_by=editor, report=copy
        )
    assert "duplicate" in str(refused.value)
    assert not CrossingStatus.objects.exists()
