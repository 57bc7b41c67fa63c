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
