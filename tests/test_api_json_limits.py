"""A JSON body nested deeper than API_JSON_MAX_DEPTH, or larger than API_JSON_MAX_BYTES, is a 400 in the API's
error shape: never a RecursionError and a 500."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_api(editor):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def partner_api(partner_client):  # type: ignore[no-untyped-def]
    """Webhooks are registered by token holders."""
    return partner_client


@pytest.mark.parametrize("depth", [33, 10_000, 100_000])
def test_deeply_nested_json_is_a_400(partner_api, depth):
    body = "[" * depth + "]" * depth
    response = partner_api.post("/api/v1/webhooks/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"bad_request", "parse_error"}


def test_deeply_nested_objects_are_a_400_on_the_status_record_endpoint(editor_api):
    body = '{"a":' * 10_000 + "1" + "}" * 10_000
    response = editor_api.post("/api/v1/crossings/rafah/history/", data=body, content_type="application/json")
    assert response.status_code in {400, 404}


def test_nesting_within_the_limit_is_read(partner_api):
    body = '{"url": "https://example.org/hook", "x": ' + "[" * 20 + "]" * 20 + "}"
    response = partner_api.post("/api/v1/webhooks/", data=body, content_type="application/json")
    assert response.status_code < 500
    assert response.status_code != 400 or response.json()["error"]["code"] == "invalid"


def test_an_oversized_json_body_is_a_400(partner_api, settings):
    settings.API_JSON_MAX_BYTES = 1000
    body = '{"url": "https://example.org/' + "a" * 2000 + '"}'
    response = partner_api.post("/api/v1/webhooks/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"bad_request", "parse_error"}
