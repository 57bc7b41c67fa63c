"""A new API token's key and a new webhook's signing secret are shown once, on the page (or API answer) that
creates them, with ``Cache-Control: no-store``; never in a cookie (django's message storage is a signed, not
encrypted, cookie) nor anywhere later."""

from __future__ import annotations

import json

import pytest

from tracker.api.models import ApiToken, Webhook

pytestmark = pytest.mark.django_db


def cookies_text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(morsel.OutputString() for morsel in response.cookies.values())


def test_new_token_key_is_on_a_no_store_page_and_in_no_cookie(editor_client):
    response = editor_client.post(
        "/admin/api/apitoken/add/",
        {"partner": "UNICEF", "user": "", "expires_at_0": "", "expires_at_1": "", "note": ""},
    )
    assert response.status_code == 200
    key = response.context["secret"]
    assert key.startswith("trk_") and key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert key not in cookies_text(response)
    assert key not in response.get("Set-Cookie", "")
    token = ApiToken.objects.get(partner="UNICEF")
    # Shown once: the next pages have no trace of it.
    for path in ["/admin/api/apitoken/", f"/admin/api/apitoken/{token.pk}/change/"]:
        later = editor_client.get(path)
        assert key not in later.content.decode()
        assert key not in cookies_text(later)


def test_new_webhook_secret_is_on_a_no_store_page_and_in_no_cookie(editor_client, partner_token):
    response = editor_client.post(
        "/admin/api/webhook/add/",
        {"token": partner_token.token.pk, "url": "https://8.8.8.8/hook", "description": "", "active": "on"},
    )
    assert response.status_code == 200
    webhook = Webhook.objects.get()
    assert webhook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert webhook.secret not in cookies_text(response)
    later = editor_client.get(f"/admin/api/webhook/{webhook.pk}/change/")
    assert webhook.secret not in later.content.decode()
    assert webhook.secret not in cookies_text(later)


def test_api_registration_answer_carries_the_secret_with_no_store(partner_client):
    response = partner_client.post(
        "/api/v1/webhooks/", data=json.dumps({"url": "https://8.8.8.8/hook"}), content_type="application/json"
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert "no-store" in response["Cache-Control"]
    assert secret not in cookies_text(response)
