"""Editors keep the record in the admin; analysts look but cannot touch; stale forms never overwrite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.admin_forms import change_form_data, inline_prefix
from tests.factories import CrisisFactory, CrossingFactory, dispute, report, status
from tracker import services
from tracker.models import AidDispute, Crisis, CrossingStatus, StatusSuggestion, Traffic

pytestmark = pytest.mark.django_db


def crossing_url(crossing):
    return reverse("admin:tracker_crossing_change", args=[crossing.pk])


def record_status_post(client, crossing, **fields):
    page = client.get(crossing_url(crossing))
    data = change_form_data(page)
    prefix = inline_prefix(page, "Record a new status")
    for name, value in fields.items():
        data[f"{prefix}-0-{name}"] = value
    return client.post(crossing_url(crossing), data)


def test_editor_appends_a_status_from_the_crossing_page(editor_client, editor):
    crossing = CrossingFactory()
    earlier = status(crossing, "open", datetime(2023, 10, 1, tzinfo=UTC))
    response = record_status_post(
        editor_client,
        crossing,
        status="closed",
        traffic="aid",
        certainty="confirmed",
        effective_at_0="2023-10-12",
        effective_at_1="09:30:00",
        note="Border authority statement",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = list(CrossingStatus.objects.filter(crossing=crossing).order_by("id"))
    assert rows[0] == earlier and rows[0].status == "open", "the earlier row is untouched"
    new = rows[1]
    assert (new.status, new.traffic, new.certainty, new.recorded_by) == ("closed", "aid", "confirmed", editor)
    assert new.effective_at == datetime(2023, 10, 12, 9, 30, tzinfo=UTC)


def test_saving_a_crossing_without_filling_the_status_form_records_nothing(editor_client):
    crossing = CrossingFactory()
    page = editor_client.get(crossing_url(crossing))
    data = change_form_data(page)
    data["description"] = "Updated description"
    assert editor_client.post(crossing_url(crossing), data).status_code == 302
    assert not CrossingStatus.objects.filter(crossing=crossing).exists()
    crossing.refresh_from_db()
    assert crossing.description == "Updated description"


def test_status_form_refuses_what_the_service_refuses(editor_client):
    crossing = CrossingFactory()
    response = record_status_post(
        editor_client,
        crossing,
        status="open",
        traffic="all",
        certainty="reported",
        effective_at_0="2999-01-01",
        effective_at_1="00:00:00",
        note="",
    )
    assert response.status_code == 200
    assert "future" in response.content.decode()
    assert "Give the evidence" in response.content.decode()
    assert not CrossingStatus.objects.filter(crossing=crossing).exists()


def test_crossing_list_shows_the_status_per_traffic(editor_client):
    crossing = CrossingFactory(name="Rafah")
    status(crossing, "closed", datetime(2023, 10, 15, tzinfo=UTC), Traffic.AID)
    page = editor_client.get(reverse("admin:tracker_crossing_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "✕ closed" in html and "? unknown" in html


def test_analyst_can_look_but_not_edit(analyst_client):
    crisis = CrisisFactory(name="Original name")
    url = reverse("admin:tracker_crisis_change", args=[crisis.pk])
    assert analyst_client.get(url).status_code == 200
    response = analyst_client.post(url, {"name": "Rewritten", "started_on": "2023-10-07", "state": "active"})
    assert response.status_code == 403
    assert analyst_client.get(reverse("admin:tracker_crisis_add")).status_code == 403
    crossing = CrossingFactory()
    assert (
        record_status_post(
            analyst_client,
            crossing,
            status="open",
            traffic="all",
            certainty="reported",
            effective_at_0="2023-10-01",
            effective_at_1="00:00:00",
            note="x",
        ).status_code
        == 403
    )
    assert not CrossingStatus.objects.exists()
    crisis.refresh_from_db()
    assert crisis.name == "Original name"


def test_second_save_of_a_stale_form_is_refused(client, editor, other_editor):
    crisis = CrisisFactory(name="Israel-Hamas war", summary="first")
    url = reverse("admin:tracker_crisis_change", args=[crisis.pk])
    client.force_login(editor)
    alice_form = change_form_data(client.get(url))
    client.force_login(other_editor)
    bob_form = change_form_data(client.get(url))

    client.force_login(editor)
    assert client.post(url, {**alice_form, "summary": "Alice's summary"}).status_code == 302

    client.force_login(other_editor)
    response = client.post(url, {**bob_form, "summary": "Bob's summary"})
    assert response.status_code == 200
    assert "was changed by alice" in response.content.decode()
    assert "Your changes were not saved" in response.content.decode()
    crisis.refresh_from_db()
    assert crisis.summary == "Alice's summary"

    # Reloading shows Alice's version, and Bob can then save on top of it.
    fresh = change_form_data(client.get(url))
    assert client.post(url, {**fresh, "summary": "Bob's summary"}).status_code == 302
    crisis.refresh_from_db()
    assert crisis.summary == "Bob's summary"


def test_every_edit_is_kept_and_viewable(editor_client, editor):
    crisis = CrisisFactory(summary="before")
    url = reverse("admin:tracker_crisis_change", args=[crisis.pk])
    editor_client.post(url, {**change_form_data(editor_client.get(url)), "summary": "after"})
    latest = Crisis.history.filter(id=crisis.pk).first()
    assert latest.history_user == editor and latest.summary == "after"
    history_page = editor_client.get(reverse("admin:tracker_crisis_history", args=[crisis.pk]))
    html = history_page.content.decode()
    assert history_page.status_code == 200 and "alice" in html and "after" in html


def test_accepting_a_suggestion_writes_a_status_citing_the_report(editor_client, editor):
    crossing = CrossingFactory(name="Rafah")
    source_report = report(title="Rafah crossing closed again", published_at=datetime(2023, 10, 16, 7, tzinfo=UTC))
    suggestion, _ = services.suggestion_raise(
        report=source_report,
        crossing=crossing,
        proposed_status="closed",
        traffic="aid",
        evidence="The Rafah crossing was closed to aid trucks on Monday.",
    )
    response = editor_client.post(
        reverse("admin:tracker_statussuggestion_changelist"),
        {"action": "accept", "_selected_action": [suggestion.pk], "post": "yes"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    row = suggestion.resulting_status
    assert suggestion.state == StatusSuggestion.State.ACCEPTED and suggestion.decided_by == editor
    assert (row.status, row.traffic, row.report, row.recorded_by) == ("closed", "aid", source_report, editor)
    assert row.effective_at == source_report.published_at


def test_a_decided_suggestion_cannot_be_decided_again(editor_client):
    crossing, source_report = CrossingFactory(), report()
    suggestion, _ = services.suggestion_raise(
        report=source_report, crossing=crossing, proposed_status="open", evidence="reopened"
    )
    changelist = reverse("admin:tracker_statussuggestion_changelist")
    editor_client.post(
        changelist,
        {"action": "reject", "_selected_action": [suggestion.pk], "post": "yes", "rejection_reason": "no_claim"},
    )
    editor_client.post(changelist, {"action": "accept", "_selected_action": [suggestion.pk], "post": "yes"})
    suggestion.refresh_from_db()
    assert suggestion.state == StatusSuggestion.State.REJECTED
    assert not CrossingStatus.objects.exists()


def test_changing_a_dispute_state_in_the_admin_appends_history(editor_client, editor):
    entity = dispute()
    url = reverse("admin:tracker_aiddispute_change", args=[entity.pk])
    data = change_form_data(editor_client.get(url))
    data.update(
        {
            "state": "stalled",
            "state_effective_at_0": "2023-10-20",
            "state_effective_at_1": "10:00:00",
            "state_note": "Talks broke off",
        }
    )
    assert editor_client.post(url, data).status_code == 302
    entity.refresh_from_db()
    latest = entity.state_changes.order_by("-id").first()
    assert entity.state == AidDispute.State.STALLED
    assert (latest.from_state, latest.to_state, latest.recorded_by, latest.note) == (
        "open",
        "stalled",
        editor,
        "Talks broke off",
    )


def test_editor_retracts_a_status_in_the_admin(editor_client, editor):
    row = status(CrossingFactory(), "open", datetime(2023, 10, 2, tzinfo=UTC))
    response = editor_client.post(
        reverse("admin:tracker_crossingstatusretraction_add"),
        {"status_row": row.pk, "reason": "Misattributed statement"},
    )
    assert response.status_code == 302
    assert row.retraction.recorded_by == editor


def test_admin_pages_load_for_every_model(client, superuser):
    client.force_login(superuser)
    CrossingFactory()
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    for model_admin in index.context["app_list"]:
        for model in model_admin["models"]:
            assert client.get(model["admin_url"]).status_code == 200, model["admin_url"]
            if model.get("add_url"):
                assert client.get(model["add_url"]).status_code == 200, model["add_url"]
