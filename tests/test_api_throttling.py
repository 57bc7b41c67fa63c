"""Each token has its own rate limit; past it, 429 with Retry-After, in the error shape."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tracker.api import services as api_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tight_rate(settings):
    settings.API_THROTTLE_RATE = "3/minute"
    cache.clear()


def test_fourth_request_in_a_minute_is_429_with_retry_after(partner_client):
    for _ in range(3):
        assert partner_client.get("/api/v1/crises/").status_code == 200
    response = partner_client.get("/api/v1/crises/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"


def test_tokens_have_separate_buckets(partner_client):
    other = api_services.token_create(partner="Second partner", created_by=None)
    for _ in range(4):
        partner_client.get("/api/v1/crises/")
    other_client = Client(headers={"Authorization": f"Bearer {other.key}"})
    assert other_client.get("/api/v1/crises/").status_code == 200


def test_invalid_tokens_are_refused_before_they_count(partner_client):
    bad = Client(headers={"Authorization": "Bearer trk_AAAAAAAA_nope"})
    for _ in range(5):
        assert bad.get("/api/v1/crises/").status_code == 401
    assert partner_client.get("/api/v1/crises/").status_code == 200


# --- RateLimit-Policy / RateLimit (draft-ietf-httpapi-ratelimit-headers, structured fields) -------------------------


def fields(value: str) -> tuple[str, dict[str, int]]:
    """``"partner";q=3;w=60`` as (policy name, {param: number})."""
    name, *params = value.split(";")
    return name, {key: int(number) for key, number in (param.split("=") for param in params)}


def test_each_answer_says_the_quota_and_what_is_left(partner_client):
    for left in (2, 1, 0):
        response = partner_client.get("/api/v1/crises/")
        assert response.status_code == 200
        assert fields(response["RateLimit-Policy"]) == ('"partner"', {"q": 3, "w": 60})
        name, state = fields(response["RateLimit"])
        assert name == '"partner"' and state["r"] == left and 0 < state["t"] <= 60


def test_the_429_says_none_is_left_and_when_to_retry(partner_client):
    for _ in range(3):
        partner_client.get("/api/v1/crises/")
    response = partner_client.get("/api/v1/crises/")
    assert response.status_code == 429
    _, state = fields(response["RateLimit"])
    assert state["r"] == 0
    assert int(response["Retry-After"]) == state["t"]


def test_a_304_carries_the_quota_too(partner_client):
    etag = partner_client.get("/api/v1/crises/")["ETag"]
    response = partner_client.get("/api/v1/crises/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert fields(response["RateLimit"])[1]["r"] == 1


def test_csv_exports_carry_it(partner_client):
    assert fields(partner_client.get("/api/v1/crises/?format=csv")["RateLimit"])[1]["r"] == 2


def test_no_quota_no_headers(partner_client, settings):
    settings.API_THROTTLE_RATE = ""
    response = partner_client.get("/api/v1/crises/")
    assert response.status_code == 200
    assert "RateLimit" not in response and "RateLimit-Policy" not in response
