"""Addresses: ``/api/v1/`` lists every resource with a link that answers; a resource's address without its trailing
slash is redirected (GET and HEAD, query string kept); what a POST creates is at the address its 201 names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import CrossingFactory, status

pytestmark = pytest.mark.django_db


def test_the_root_lists_every_resource_with_a_link_that_answers(partner_client):
    CrossingFactory(name="Rafah")
    response = partner_client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.has_header("ETag")
    resources = response.json()["resources"]
    assert {"crossings", "changes", "flows", "reports", "timeline", "aid-disputes", "schema"} <= set(resources)
    for name, resource in resources.items():
        assert resource["url"].startswith("http://testserver/api/"), name
        assert resource["description"], name
        assert partner_client.get(resource["url"]).status_code == 200, name


def test_the_root_is_open_to_anyone_and_names_no_data():
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["resources"]["crossings"]["url"] == "http://testserver/api/v1/crossings/"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/api/v1/crossings", "/api/v1/crossings/"),
        ("/api/v1/crossings?format=csv&crisis=gaza", "/api/v1/crossings/?format=csv&crisis=gaza"),
        ("/api/v1/crossings/rafah", "/api/v1/crossings/rafah/"),
        ("/api/v1/crossings/rafah/history", "/api/v1/crossings/rafah/history/"),
        ("/api/v1/changes?after=abc", "/api/v1/changes/?after=abc"),
        ("/api/v1", "/api/v1/"),
        ("/api/v1/schema", "/api/v1/schema/"),
    ],
)
@pytest.mark.parametrize("method", ["get", "head"])
def test_a_missing_trailing_slash_is_redirected_keeping_the_query(partner_client, method, path, target):
    response = getattr(partner_client, method)(path)
    assert response.status_code == 301
    assert response["Location"] == target


def test_following_the_redirect_answers(partner_client):
    CrossingFactory(name="Rafah")
    response = partner_client.get("/api/v1/crossings", follow=True)
    assert response.status_code == 200 and response.redirect_chain == [("/api/v1/crossings/", 301)]
    assert [row["slug"] for row in response.json()["results"]] == ["rafah"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/crossings/rafah/history"),  # a redirected POST would lose its body in many clients
        ("get", "/api/v1/nothing-here"),  # no resource with the slash either
        ("get", "/api/v1/crossings/rafah/history/extra"),
    ],
)
def test_no_redirect_where_there_is_nothing_to_redirect_to(partner_client, method, path):
    response = getattr(partner_client, method)(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Location of what a POST creates ------------------------------------------------------------------------------


def test_a_recorded_status_is_at_its_location(editor_client):
    CrossingFactory(name="Rafah")
    payload = {
        "status": "closed",
        "traffic": "aid",
        "effective_at": "2023-10-16T09:00:00+00:00",
        "certainty": "confirmed",
        "note": "Egyptian officials said the crossing stays closed to aid convoys.",
    }
    created = editor_client.post(
        "/api/v1/crossings/rafah/history/", data=json.dumps(payload), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    uid = created.json()["uid"]
    assert created["Location"] == f"http://testserver/api/v1/crossings/rafah/history/{uid}/"
    row = editor_client.get(created["Location"])
    assert row.status_code == 200
    assert row.json() == created.json()


def test_a_history_row_of_another_crossing_is_not_found(editor_client):
    CrossingFactory(name="Rafah")
    other = CrossingFactory(name="Kerem Shalom")
    row = status(other, "open", datetime(2023, 10, 7, tzinfo=UTC))
    assert editor_client.get(f"/api/v1/crossings/rafah/history/{row.uid}/").status_code == 404
    assert editor_client.get(f"/api/v1/crossings/kerem-shalom/history/{row.uid}/").status_code == 200


def test_a_registered_webhook_is_at_its_location(partner_client):
    created = partner_client.post(
        "/api/v1/webhooks/", data=json.dumps({"url": "https://8.8.8.8/hook"}), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    uid = created.json()["uid"]
    assert created["Location"] == f"http://testserver/api/v1/webhooks/{uid}/"
    shown = partner_client.get(created["Location"])
    assert shown.status_code == 200 and shown.json()["url"] == "https://8.8.8.8/hook"
