"""Webhooks: registered URLs are checked, each new change is POSTed once, signed, retried with backoff, and only
through the guarded outbound client."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import CrossingFactory, status
from tests.http_server import Reply
from tracker.api import services as api_services
from tracker.api.models import Webhook, WebhookDelivery
from tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db


def register(client, url: str):
    return client.post("/api/v1/webhooks/", data=json.dumps({"url": url}), content_type="application/json")


@pytest.fixture
def hook(partner_client, allow_server):
    """A webhook on the local receiver (allowlisted), registered through the API."""
    allow_server.routes["/hook"] = Reply(200, b"ok")
    response = register(partner_client, allow_server.url("/hook"))
    assert response.status_code == 201, response.content
    body = response.json()
    return Webhook.objects.get(uid=body["uid"]), body["secret"]


def deliver_all(now=None) -> list[str]:
    outcomes = []
    queued = api_services.webhooks_queue_new_changes()
    for delivery_id in dict.fromkeys(queued + api_services.deliveries_due(now=now)):
        outcomes.append(api_services.webhook_deliver(delivery_id=delivery_id, now=now).state)
    return outcomes


def test_registration_returns_the_secret_once(partner_client, hook):
    webhook, secret = hook
    assert secret.startswith("whsec_")
    listed = partner_client.get("/api/v1/webhooks/").json()["results"]
    assert [w["uid"] for w in listed] == [str(webhook.uid)]
    assert "secret" not in listed[0]
    assert secret not in partner_client.get(f"/api/v1/webhooks/{webhook.uid}/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",  # private
        "https://169.254.169.254/latest/meta-data/",  # link-local (cloud metadata)
        "https://127.0.0.1/hook",  # loopback, not allowlisted
        "https://[::1]/hook",
        "http://8.8.8.8/hook",  # public but not https
        "ftp://8.8.8.8/hook",
        "https://user:pw@8.8.8.8/hook",
        "https://no-such-host.invalid/hook",
        "not a url",
    ],
)
def test_registration_refuses_unsafe_urls(partner_client, url):
    response = register(partner_client, url)
    assert response.status_code == 400, response.content
    assert "url" in response.json()["error"]["fields"]
    assert not Webhook.objects.exists()


def test_public_https_url_is_accepted_without_contacting_it(partner_client):
    assert register(partner_client, "https://8.8.8.8/tracker-hook").status_code == 201


def test_only_token_holders_manage_webhooks(analyst_client):
    assert register(analyst_client, "https://8.8.8.8/hook").status_code == 403
    response = register(Client(), "https://8.8.8.8/hook")
    assert response.status_code == 401, response.content


def test_partners_see_only_their_own_webhooks(partner_client, hook):
    webhook, _ = hook
    other = api_services.token_create(partner="Someone else", created_by=None)
    other_client = Client(headers={"Authorization": f"Bearer {other.key}"})
    assert other_client.get("/api/v1/webhooks/").json()["results"] == []
    assert other_client.get(f"/api/v1/webhooks/{webhook.uid}/").status_code == 404
    assert other_client.delete(f"/api/v1/webhooks/{webhook.uid}/").status_code == 404
    assert partner_client.delete(f"/api/v1/webhooks/{webhook.uid}/").status_code == 204
    assert not Webhook.objects.exists()


def test_each_new_change_is_posted_signed(hook, allow_server, partner_client):
    _webhook, secret = hook
    row = status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    assert deliver_all() == ["delivered"]
    [request] = allow_server.requests
    assert request.method == "POST"
    signature = request.headers["x-tracker-signature"]
    assert api_services.verify_signature(secret, signature, request.body)
    assert not api_services.verify_signature("whsec_wrong", signature, request.body)
    assert not api_services.verify_signature(secret, signature, request.body + b" ")
    payload = json.loads(request.body)
    assert payload["change"]["kind"] == "crossing_status"
    assert payload["change"]["status"]["uid"] == str(row.uid)
    feed_entry = partner_client.get("/api/v1/changes/").json()["results"][0]
    assert payload["change"] == feed_entry, "the delivery carries the feed entry as the API shows it"
    assert request.headers["x-tracker-delivery"] == payload["delivery"]


def test_signature_is_hmac_sha256_of_timestamp_and_body():
    import hashlib
    import hmac

    header = api_services.sign("whsec_x", 1700000000, b'{"a":1}')
    expected = hmac.new(b"whsec_x", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert not api_services.verify_signature("whsec_x", header, b'{"a":1}', now=1700000000 + 3600)


def test_changes_before_registration_are_not_sent(partner_client, allow_server):
    status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    allow_server.routes["/hook"] = Reply(200, b"ok")
    assert register(partner_client, allow_server.url("/hook")).status_code == 201
    assert deliver_all() == []


def test_failing_receiver_is_retried_with_backoff_then_succeeds(hook, allow_server, settings):
    settings.API_WEBHOOK_BACKOFF_BASE = 30
    allow_server.routes["/hook"] = [Reply(500, b"down"), Reply(503, b"still down"), Reply(204, b"")]
    status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert deliver_all() == ["retry"]
        delivery = WebhookDelivery.objects.get()
        assert (delivery.attempts, delivery.last_status) == (1, 500)
        assert delivery.next_attempt_at == start + timedelta(seconds=30)
        assert deliver_all() == [], "not due yet"
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert deliver_all() == ["retry"]
        assert WebhookDelivery.objects.get().next_attempt_at == start + timedelta(seconds=91), "backoff doubles"
    with time_machine.travel(start + timedelta(seconds=92), tick=False):
        assert deliver_all() == ["delivered"]
        assert deliver_all() == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 204)
    assert len(allow_server.requests) == 3
    bodies = {json.loads(r.body)["delivery"] for r in allow_server.requests}
    assert bodies == {str(delivery.uid)}, "retries resend the same delivery"


def test_delivery_gives_up_after_the_last_attempt(hook, allow_server, settings):
    settings.API_WEBHOOK_MAX_ATTEMPTS = 2
    allow_server.routes["/hook"] = Reply(500, b"down")
    status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    assert deliver_all() == ["retry"]
    assert deliver_all(now=timezone.now() + timedelta(hours=1)) == ["failed"]
    assert WebhookDelivery.objects.get().state == "failed"


def test_target_that_turns_private_is_refused_at_delivery(hook, allow_server, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    assert deliver_all() == ["failed"]
    assert allow_server.requests == []
    assert "not retried" in WebhookDelivery.objects.get().last_error


def test_revoked_token_stops_deliveries(hook, allow_server, partner_token):
    api_services.token_revoke(token=partner_token.token, revoked_by=None)
    status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    assert deliver_all() == []
    assert allow_server.requests == []


def test_scanning_twice_queues_each_change_once(hook):
    crossing = CrossingFactory(name="Rafah")
    for day in (7, 8, 9):
        status(crossing, "closed", datetime(2023, 10, day, tzinfo=UTC))
    first = api_services.webhooks_queue_new_changes(batch=2)
    second = api_services.webhooks_queue_new_changes(batch=2)
    assert (len(first), len(second)) == (2, 1)
    assert api_services.webhooks_queue_new_changes() == []
    assert WebhookDelivery.objects.count() == 3


def test_change_is_delivered_after_commit_through_celery(hook, allow_server, django_capture_on_commit_callbacks):
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    finally:
        celery_app.conf.task_always_eager = False
    assert len(allow_server.requests) == 1
    assert WebhookDelivery.objects.get().state == "delivered"


def test_delivery_log_in_the_admin(hook, allow_server, editor_client):
    allow_server.routes["/hook"] = Reply(500, b"down")
    status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    deliver_all()
    page = editor_client.get("/admin/api/webhookdelivery/")
    assert page.status_code == 200
    assert "HTTP 500" in page.content.decode()
    delivery = WebhookDelivery.objects.get()
    editor_client.post(
        "/admin/api/webhookdelivery/", {"action": "retry_now", "_selected_action": [delivery.pk]}, follow=True
    )
    delivery.refresh_from_db()
    assert delivery.attempts == 0 and delivery.next_attempt_at <= timezone.now()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_delivery_twice(allow_server):
    created = api_services.token_create(partner="Racing partner", created_by=None)
    allow_server.routes["/hook"] = Reply(200, b"ok", delay=0.3)
    api_services.webhook_register(token=created.token, url=allow_server.url("/hook"))
    status(CrossingFactory(name="Rafah"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    [delivery_id] = api_services.webhooks_queue_new_changes()
    outcomes: list[str] = []

    def worker() -> None:
        try:
            outcomes.append(api_services.webhook_deliver(delivery_id=delivery_id).state)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["delivered", "skipped", "skipped"]
    assert len(allow_server.requests) == 1
