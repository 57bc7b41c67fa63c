"""The one write: editors append a crossing status through the API, validated as the admin form validates it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import ActorFactory, CrossingFactory, report
from tracker.api import services as api_services
from tracker.models import Change, CrossingStatus, Report

pytestmark = pytest.mark.django_db

URL = "/api/v1/crossings/rafah/history/"


@pytest.fixture
def rafah():
    return CrossingFactory(name="Rafah")


def post(client, payload):
    return client.post(URL, data=json.dumps(payload), content_type="application/json")


def valid(**changes):
    return {
        "status": "closed",
        "traffic": "aid",
        "effective_at": "2023-10-16T09:00:00+00:00",
        "certainty": "confirmed",
        "note": "Egyptian officials said the crossing stays closed to aid convoys.",
        **changes,
    }


def test_editor_session_records_a_status_with_evidence(editor_client, editor, rafah):
    egypt = ActorFactory(name="Egypt")
    response = post(editor_client, valid(stated_by="egypt"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["traffic"], body["certainty"]) == ("closed", "aid", "confirmed")
    assert body["evidence"]["stated_by"] == {"slug": "egypt", "name": "Egypt"}
    row = CrossingStatus.objects.get()
    assert (row.recorded_by, row.stated_by) == (editor, egypt)
    assert Change.objects.get().crossing_status == row, "the write reaches the change feed"


def test_token_bound_to_an_editor_may_write(editor, rafah):
    created = api_services.token_create(partner="Newsdesk of the tracker", created_by=None, user=editor)
    client = Client(headers={"Authorization": f"Bearer {created.key}"})
    assert post(client, valid()).status_code == 201
    assert CrossingStatus.objects.get().recorded_by == editor


def test_citing_a_reviewed_report_is_evidence_enough(editor_client, rafah):
    cited = report(title="Rafah closed")
    from tracker import services

    services.report_review(report=cited, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    response = post(editor_client, valid(note="", report=str(cited.uid)))
    assert response.status_code == 201, response.content
    assert response.json()["evidence"]["report"]["uid"] == str(cited.uid)


def test_partner_token_may_not_write(partner_client, rafah):
    response = post(partner_client, valid())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not CrossingStatus.objects.exists()


def test_analyst_may_not_write(analyst_client, rafah):
    assert post(analyst_client, valid()).status_code == 403
    assert not CrossingStatus.objects.exists()


def test_anonymous_may_not_write(client, rafah, settings):
    settings.API_ANONYMOUS_READ = True
    assert post(client, valid()).status_code == 401
    assert not CrossingStatus.objects.exists()


@pytest.mark.parametrize(
    "payload,field",
    [
        (valid(status="shut"), "status"),
        (valid(traffic="camels"), "traffic"),
        (valid(certainty="sure"), "certainty"),
        (valid(effective_at="2023-10-16T09:00:00"), "effective_at"),
        (valid(effective_at="last tuesday"), "effective_at"),
        (valid(effective_at=(timezone.now() + timedelta(days=1)).isoformat()), "effective_at"),
        (valid(note=""), "note"),
        (valid(note="   "), "note"),
        (valid(report="3f6f3c1e-2b7d-4c0e-9a57-0d6cbb2f5e11"), "report"),
        (valid(report="not-a-uuid"), "report"),
        (valid(stated_by="nobody"), "stated_by"),
        ({"traffic": "aid"}, "status"),
    ],
)
def test_invalid_status_is_400_naming_the_field_and_nothing_is_written(editor_client, rafah, payload, field):
    response = post(editor_client, payload)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not CrossingStatus.objects.exists()
    assert not Change.objects.exists()


def test_unreviewed_report_cannot_be_cited(editor_client, rafah):
    unreviewed = report(title="Rumour")
    response = post(editor_client, valid(note="", report=str(unreviewed.uid)))
    assert response.status_code == 400
    assert "report" in response.json()["error"]["fields"]


def test_unknown_crossing_is_404(editor_client):
    assert post(editor_client, valid()).status_code == 404


def test_session_write_needs_csrf(editor, rafah):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = post(client, valid())
    assert response.status_code == 403
    assert not CrossingStatus.objects.exists()


@pytest.mark.parametrize("asked", ["?format=csv", "?format=geojson"])
def test_a_write_asked_to_answer_in_csv_is_refused_before_anything_is_written(editor_client, rafah, asked):
    """The stateful fuzzer's find: a POST with ?format=csv wrote the row, then answered a CSV of its JSON."""
    response = editor_client.post(URL + asked, data=json.dumps(valid()), content_type="application/json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "format" in response.json()["error"]["fields"]
    assert not CrossingStatus.objects.exists()


def test_a_write_answers_json_whatever_the_accept_header(editor_client, rafah):
    response = editor_client.post(
        URL, data=json.dumps(valid()), content_type="application/json", HTTP_ACCEPT="text/csv, */*;q=0.1"
    )
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
