"""Partner tokens: stored only as a hash, shown once, revocable, expiring, last use recorded cheaply."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tracker.api import services as api_services
from tracker.api.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/api/v1/crises/"


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_token_is_stored_only_as_its_sha256(partner_token):
    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(partner_token.key.encode()).hexdigest()
    stored = " ".join(str(value) for value in ApiToken.objects.values().get().values())
    assert partner_token.key not in stored
    assert partner_token.key.startswith(row.prefix + "_")


def test_valid_token_reads(partner_client):
    assert partner_client.get(URL).status_code == 200


def test_anonymous_request_is_401_with_bearer_challenge(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "not_authenticated"


def test_setting_can_open_reading_to_anonymous_callers(client, settings):
    settings.API_ANONYMOUS_READ = True
    assert client.get(URL).status_code == 200
    assert client.post("/api/v1/crossings/rafah/history/", {}).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer trk_nothing", "Bearer trk_AAAAAAAA_" + "x" * 43, "Bearer a b", "Bearer \u00e9"],
)
def test_malformed_or_unknown_token_is_401(partner_token, header):
    response = Client(headers={"Authorization": header}).get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}


def test_tampered_key_with_a_valid_prefix_is_refused(partner_token):
    tampered = partner_token.key[:-1] + ("A" if partner_token.key[-1] != "A" else "B")
    assert bearer(tampered).get(URL).status_code == 401


def test_revoked_token_is_refused_and_says_so(partner_token, partner_client):
    api_services.token_revoke(token=partner_token.token, revoked_by=None)
    response = partner_client.get(URL)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_expired_token_is_refused():
    created = api_services.token_create(
        partner="Newsroom", created_by=None, expires_at=timezone.now() + timedelta(days=1)
    )
    assert bearer(created.key).get(URL).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = bearer(created.key).get(URL)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_expiry_in_the_past_is_refused_at_creation():
    with pytest.raises(Exception, match="future"):
        api_services.token_create(partner="X", created_by=None, expires_at=timezone.now() - timedelta(seconds=1))


def test_last_used_is_written_at_most_once_a_minute(partner_token, partner_client, django_assert_num_queries):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        partner_client.get(URL)
    first = ApiToken.objects.get().last_used_at
    assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        partner_client.get(URL)
    assert ApiToken.objects.get().last_used_at == first, "not rewritten within the minute"
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        partner_client.get(URL)
    assert ApiToken.objects.get().last_used_at == start + timedelta(seconds=61)


def test_staff_session_reads_from_the_browser(analyst_client):
    assert analyst_client.get(URL).status_code == 200


def test_non_staff_session_is_not_enough(client, django_user_model):
    user = django_user_model.objects.create_user(username="visitor", password="pw-for-tests-only")
    client.force_login(user)
    assert client.get(URL).status_code == 401


def test_management_command_prints_the_key_once_and_stores_its_hash():
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "--partner", "WFP Logistics", "--expires-in-days", "30", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(partner="WFP Logistics")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.expires_at is not None
    assert "not be shown again" in err.getvalue()
    assert bearer(key).get(URL).status_code == 200


@pytest.mark.parametrize(
    "args",
    [["--partner", "  "], ["--partner", "X", "--expires-in-days", "0"], ["--partner", "X", "--user", "nobody"]],
)
def test_management_command_refuses_bad_input(args):
    with pytest.raises(CommandError):
        call_command("create_api_token", *args, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_admin_shows_the_new_key_once_and_revokes(editor_client):
    response = editor_client.post(
        "/admin/api/apitoken/add/",
        {"partner": "UNICEF", "user": "", "expires_at_0": "", "expires_at_1": "", "note": ""},
    )
    # The key is on the page answering the POST (see tests/test_secrets_shown_once.py), never in a cookie.
    assert response.status_code == 200
    token = ApiToken.objects.get(partner="UNICEF")
    key = response.context["secret"]
    assert key in response.content.decode()
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert key not in editor_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    editor_client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert bearer(key).get(URL).status_code == 401


def test_analyst_cannot_create_tokens(analyst_client):
    response = analyst_client.post("/admin/api/apitoken/add/", {"partner": "Sneaky"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_admin_refuses_an_expiry_in_the_past(editor_client):
    response = editor_client.post(
        "/admin/api/apitoken/add/",
        {"partner": "UNICEF", "user": "", "expires_at_0": "2020-01-01", "expires_at_1": "00:00:00", "note": ""},
    )
    assert response.status_code == 200
    assert "must be in the future" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_admin_registers_webhooks_for_active_tokens_only(editor_client, partner_token):
    api_services.token_revoke(token=partner_token.token, revoked_by=None)
    response = editor_client.post(
        "/admin/api/webhook/add/",
        {"token": partner_token.token.pk, "url": "https://8.8.8.8/hook", "description": "", "active": "on"},
    )
    assert response.status_code == 200
    assert "revoked or expired" in response.content.decode()


def test_admin_registers_a_webhook_and_shows_its_secret_once(editor_client, partner_token):
    from tracker.api.models import Webhook

    response = editor_client.post(
        "/admin/api/webhook/add/",
        {"token": partner_token.token.pk, "url": "https://8.8.8.8/hook", "description": "", "active": "on"},
    )
    webhook = Webhook.objects.get()
    assert webhook.secret in response.content.decode()
    refused = editor_client.post(
        "/admin/api/webhook/add/",
        {"token": partner_token.token.pk, "url": "https://10.1.2.3/hook", "description": "", "active": "on"},
    )
    assert "private or internal" in refused.content.decode()
    assert Webhook.objects.count() == 1
