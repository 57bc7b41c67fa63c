"""The audit view: who changed what and when, before and after, filterable by user, object and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin_forms import change_form_data
from tests.factories import CrisisFactory, CrossingFactory, report, status
from tracker import services
from tracker.models import StatusSuggestion
from tracker.selectors.audit import audit_entries

pytestmark = pytest.mark.django_db


def edit_crisis_summary(client, crisis, summary):
    url = reverse("admin:tracker_crisis_change", args=[crisis.pk])
    assert client.post(url, {**change_form_data(client.get(url)), "summary": summary}).status_code == 302


def test_an_edit_shows_who_when_and_before_after(editor_client, editor):
    crisis = CrisisFactory(summary="before")
    edit_crisis_summary(editor_client, crisis, "after")
    [entry] = audit_entries(user="alice")
    assert (entry.who, entry.action, entry.object_id) == ("alice", "changed", str(crisis.pk))
    assert ("summary", "before", "after") in entry.changes


def test_appends_to_history_are_attributed(editor):
    crossing = CrossingFactory(name="Rafah")
    services.crossing_record_status(
        crossing=crossing,
        status="closed",
        traffic="aid",
        effective_at=datetime(2023, 10, 15, tzinfo=UTC),
        recorded_by=editor,
        note="statement",
    )
    [entry] = audit_entries(user="alice", model="tracker.change")
    assert entry.action == "appended" and "closed for aid" in entry.changes[0][2]
    assert entry.object_label == "Rafah: closed for humanitarian aid from 2023-10-15"
    row = crossing.statuses.get()
    services.crossing_retract_status(status_row=row, recorded_by=editor, reason="wrong crossing")
    retraction = audit_entries(user="alice", model="tracker.change")[0]
    assert retraction.object_label == "Retraction of Rafah: closed for humanitarian aid from 2023-10-15"
    assert retraction.admin_url == f"/admin/tracker/crossingstatusretraction/{row.retraction.pk}/change/"


def add_suggestion(crossing, title: str) -> StatusSuggestion:  # type: ignore[no-untyped-def]
    return StatusSuggestion.objects.create(
        report=report(title=title), crossing=crossing, proposed_status="open", evidence="Rafah opened"
    )


def test_rows_are_named_by_what_they_are_not_by_their_id():
    rafah = CrossingFactory(name="Rafah")
    add_suggestion(rafah, "UN: Rafah crossing reopens for all traffic after talks in Cairo end with a deal")
    [entry] = audit_entries(model="tracker.statussuggestion")
    assert entry.object_label == (
        "Rafah: open for all traffic? (pending) from “UN: Rafah crossing reopens for all traffic after talks in C…”"
    )
    [stored] = audit_entries(model="tracker.report")
    assert stored.object_label == "UN: Rafah crossing reopens for all traffic after talks in Cairo end with a deal"


def test_naming_rows_costs_no_query_per_row(django_assert_max_num_queries):
    crossings = [CrossingFactory() for _ in range(3)]
    add_suggestion(crossings[0], "first")
    with CaptureQueriesContext(connection) as few:
        audit_entries(model="tracker.statussuggestion")
    for i in range(30):
        add_suggestion(crossings[i % 3], f"report {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        entries = audit_entries(model="tracker.statussuggestion")
    assert len(entries) == 31 and all("? (pending) from “" in e.object_label for e in entries)


def test_filters_by_user_object_and_time(client, editor, other_editor):
    first, second = CrisisFactory(summary="a"), CrisisFactory(summary="b")
    client.force_login(editor)
    edit_crisis_summary(client, first, "alice was here")
    client.force_login(other_editor)
    edit_crisis_summary(client, second, "bob was here")
    assert {e.who for e in audit_entries(user="bob")} == {"bob"}
    assert {e.object_id for e in audit_entries(model="tracker.crisis", object_id=str(first.pk))} == {str(first.pk)}
    future = datetime.now(UTC) + timedelta(hours=1)
    assert audit_entries(since=future) == []
    status(CrossingFactory(), "open", datetime(2023, 10, 1, tzinfo=UTC))  # recorded by no one: a system write
    assert any(e.action == "appended" for e in audit_entries(user="system"))


def test_audit_page_for_editors_and_refused_without_view_rights(editor_client, client, django_user_model):
    crisis = CrisisFactory(summary="before")
    edit_crisis_summary(editor_client, crisis, "after <script>")
    page = editor_client.get(reverse("audit-log"), {"user": "alice"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "alice" in html and "after &lt;script&gt;" in html
    assert editor_client.get(reverse("admin:index")).content.decode().count('href="/admin/audit/"') == 1
    assert editor_client.get(reverse("audit-log"), {"since": "yesterday"}).status_code == 400
    stranger = django_user_model.objects.create_user("dave", password="x", is_staff=True)
    client.force_login(stranger)
    assert client.get(reverse("audit-log")).status_code == 403


def test_audit_page_query_count_does_not_grow_with_entries(editor_client, django_assert_max_num_queries):
    for i in range(30):
        edit_crisis_summary(editor_client, CrisisFactory(summary=f"s{i}"), f"t{i}")
    with django_assert_max_num_queries(40):
        assert editor_client.get(reverse("audit-log")).status_code == 200
