"""Analysts see in the admin what readers see on the pages and through the API: wherever a status row is shown, a
report nobody marked relevant is not named (title, source, link). A standing row can only cite a relevant report
(services and migration 0006); a retracted row's report can later be judged not relevant or sent back to review,
and that row stays in the history: the admin then withholds the report from analysts, as the pages do."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CrossingFactory, SourceFactory, report
from tracker import services
from tracker.models import CrossingStatus, Report, StatusSuggestion

pytestmark = pytest.mark.django_db

TITLE = "Convoy manifest leaked by an unvetted channel"
SOURCE = "Unvetted Telegram relay"
WHEN = datetime(2023, 10, 20, 9, tzinfo=UTC)


@pytest.fixture(params=[Report.ReviewState.NOT_RELEVANT, Report.ReviewState.NEW])
def withdrawn(request, editor):  # type: ignore[no-untyped-def]
    """A status accepted from a report's suggestion, then retracted; then the report judged again."""
    crossing = CrossingFactory(name="Rafah", slug="rafah")
    cited = report(source=SourceFactory(name=SOURCE), title=TITLE)
    suggestion, _ = services.suggestion_raise(
        report=cited, crossing=crossing, proposed_status=CrossingStatus.Status.CLOSED, evidence="Rafah was closed."
    )
    row = services.suggestion_accept(suggestion=suggestion, decided_by=editor, effective_at=WHEN)
    services.crossing_retract_status(status_row=row, recorded_by=editor, reason="the channel is not reliable")
    cited.refresh_from_db()
    services.report_review(report=cited, state=request.param, reviewed_by=editor)
    cited.refresh_from_db()
    assert cited.review_state == request.param
    suggestion.refresh_from_db()
    return crossing, row, suggestion


def _pages(crossing, row, suggestion) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "crossing change page (status inline)": reverse("admin:tracker_crossing_change", args=[crossing.pk]),
        "crossing History page": reverse("admin:tracker_crossing_history", args=[crossing.pk]),
        "status row page": reverse("admin:tracker_crossingstatus_change", args=[row.pk]),
        "status rows list": reverse("admin:tracker_crossingstatus_changelist"),
        "retraction page": reverse("admin:tracker_crossingstatusretraction_change", args=[row.retraction.pk]),
        "retractions list": reverse("admin:tracker_crossingstatusretraction_changelist"),
        "suggestions list": reverse("admin:tracker_statussuggestion_changelist") + "?state=accepted",
        "suggestion page": reverse("admin:tracker_statussuggestion_change", args=[suggestion.pk]),
        "suggestion History page": reverse("admin:tracker_statussuggestion_history", args=[suggestion.pk]),
    }


def test_an_analyst_sees_no_unreviewed_report_wherever_a_status_is_shown(withdrawn, analyst_client):
    crossing, row, suggestion = withdrawn
    leaks = {}
    for name, url in _pages(crossing, row, suggestion).items():
        page = analyst_client.get(url)
        assert page.status_code in (200, 302, 403, 404), (name, page.status_code)
        html = page.content.decode()
        if TITLE in html or SOURCE in html or "manifest" in html.lower():
            leaks[name] = url
    assert leaks == {}


def test_an_analyst_cannot_find_status_rows_by_an_unreviewed_reports_title(withdrawn, analyst, editor):
    url = reverse("admin:tracker_crossingstatus_changelist") + "?q=manifest"
    reader, keeper = Client(), Client()
    reader.force_login(analyst)
    keeper.force_login(editor)
    assert reader.get(url).context["cl"].result_count == 0
    assert keeper.get(url).context["cl"].result_count == 1


def test_the_analyst_still_sees_the_row_and_that_its_report_is_withheld(withdrawn, analyst_client):
    crossing, row, _ = withdrawn
    for url in (
        reverse("admin:tracker_crossing_change", args=[crossing.pk]),
        reverse("admin:tracker_crossingstatus_change", args=[row.pk]),
        reverse("admin:tracker_crossing_history", args=[crossing.pk]),
    ):
        html = analyst_client.get(url).content.decode()
        assert "not marked relevant" in html, url


def test_editors_still_see_the_report_they_must_judge(withdrawn, editor_client):
    crossing, row, _ = withdrawn
    for url in (
        reverse("admin:tracker_crossing_change", args=[crossing.pk]),
        reverse("admin:tracker_crossingstatus_change", args=[row.pk]),
        reverse("admin:tracker_crossing_history", args=[crossing.pk]),
    ):
        assert TITLE in editor_client.get(url).content.decode(), url


def test_a_relevant_report_is_named_to_analysts(analyst_client, editor):
    crossing = CrossingFactory()
    cited = report(source=SourceFactory(name=SOURCE), title=TITLE)
    services.report_review(report=cited, state=Report.ReviewState.RELEVANT, reviewed_by=editor)
    row = services.crossing_record_status(
        crossing=crossing, status=CrossingStatus.Status.OPEN, effective_at=WHEN, recorded_by=editor, report=cited
    )
    for url in (
        reverse("admin:tracker_crossing_change", args=[crossing.pk]),
        reverse("admin:tracker_crossingstatus_change", args=[row.pk]),
        reverse("admin:tracker_crossing_history", args=[crossing.pk]),
    ):
        assert TITLE in analyst_client.get(url).content.decode(), url
    assert StatusSuggestion.objects.count() == 0
