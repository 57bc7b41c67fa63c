"""Webhooks cannot hold the tracker: one attempt of a delivery at a time, each attempt counted as it starts, a
webhook failing too often is paused (shown to editors and partners, resumed by either), a limit of webhooks per
token, a limit of deliveries in flight per receiving host, and their own Celery queue."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
import yaml
from django.conf import settings as django_settings
from django.utils import timezone

from tests.factories import CrossingFactory, status
from tests.http_server import Reply
from tracker import outbound
from tracker.api import services as api_services
from tracker.api import tasks as api_tasks
from tracker.api.models import Webhook, WebhookDelivery, WebhookHostSlot
from tracker.celery import app as celery_app

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def register(client, url: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/webhooks/", data=json.dumps({"url": url}), content_type="application/json")


@pytest.fixture
def hook(partner_client, allow_server):  # type: ignore[no-untyped-def]
    allow_server.routes["/hook"] = Reply(200, b"ok")
    response = register(partner_client, allow_server.url("/hook"))
    assert response.status_code == 201, response.content
    return Webhook.objects.get(uid=response.json()["uid"])


def one_change() -> None:
    status(CrossingFactory(), "closed", datetime(2023, 10, 7, tzinfo=UTC))


def deliver_all(now=None) -> list[str]:  # type: ignore[no-untyped-def]
    queued = api_services.webhooks_queue_new_changes()
    return [
        api_services.webhook_deliver(delivery_id=delivery_id, now=now).state
        for delivery_id in dict.fromkeys(queued + api_services.deliveries_due(now=now))
    ]


# --- how many webhooks a token may have ------------------------------------------------------------------------


def test_the_webhook_past_the_limit_is_a_400_in_the_error_shape(partner_client, settings):
    assert settings.API_WEBHOOKS_PER_TOKEN == 10, "the default"
    for n in range(10):
        assert register(partner_client, f"https://8.8.8.8/hook/{n}").status_code == 201
    response = register(partner_client, "https://8.8.8.8/hook/10")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] and "10 webhooks" in error["fields"]["url"][0]
    assert Webhook.objects.count() == 10


def test_removing_a_webhook_frees_its_place(partner_client, settings):
    settings.API_WEBHOOKS_PER_TOKEN = 1
    first = register(partner_client, "https://8.8.8.8/a").json()["uid"]
    assert register(partner_client, "https://8.8.8.8/b").status_code == 400
    assert partner_client.delete(f"/api/v1/webhooks/{first}/").status_code == 204
    assert register(partner_client, "https://8.8.8.8/b").status_code == 201


# --- one attempt at a time, each counted ---------------------------------------------------------------------------


def test_the_claim_outlives_the_attempts_hard_deadline():
    limit = api_services.delivery_task_time_limit()
    assert django_settings.API_WEBHOOK_TIMEOUT < limit < api_services.delivery_claim_seconds()
    assert api_tasks.webhook_deliver.time_limit == limit
    assert api_tasks.webhook_deliver.soft_time_limit < limit


def test_the_attempt_is_counted_and_committed_before_the_request(hook, monkeypatch):
    one_change()
    [delivery_id] = api_services.webhooks_queue_new_changes()
    seen: dict[str, object] = {}

    def fetch(url, **kwargs):  # type: ignore[no-untyped-def]
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        seen.update(attempts=delivery.attempts, claimed=delivery.claimed_until is not None)
        # Meanwhile, neither the sweep nor another worker may start it again.
        seen["due"] = api_services.deliveries_due(now=timezone.now() + timedelta(seconds=30))
        seen["second"] = api_services.webhook_deliver(delivery_id=delivery_id).state
        raise outbound.FetchTimeout("response took longer than the total time allowed")

    monkeypatch.setattr(outbound, "fetch", fetch)
    assert api_services.webhook_deliver(delivery_id=delivery_id).state == "retry"
    assert seen == {"attempts": 1, "claimed": True, "due": [], "second": "skipped"}
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.attempts, delivery.claimed_until) == (1, None)


def test_a_hanging_receiver_reaches_the_last_attempt_and_fails(hook, allow_server, settings, monkeypatch):
    settings.API_WEBHOOK_MAX_ATTEMPTS = 3
    settings.API_WEBHOOK_PAUSE_AFTER = 50

    def hang(url, **kwargs):  # type: ignore[no-untyped-def]
        raise outbound.FetchTimeout("response took longer than the total time allowed")

    monkeypatch.setattr(outbound, "fetch", hang)
    one_change()
    later = timezone.now() + timedelta(seconds=5)
    outcomes = []
    for _ in range(3):
        outcomes += deliver_all(now=later)
        later += timedelta(hours=2)
    assert outcomes == ["retry", "retry", "failed"]
    assert WebhookDelivery.objects.get().attempts == 3


# --- pausing ---------------------------------------------------------------------------------------------------


def test_a_webhook_failing_n_times_in_a_row_is_paused_and_resumed_by_its_partner(
    hook, allow_server, settings, partner_client
):
    settings.API_WEBHOOK_PAUSE_AFTER = 3
    settings.API_WEBHOOK_MAX_ATTEMPTS = 10
    allow_server.routes["/hook"] = Reply(500, b"down")
    one_change()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for hour in range(3):
            assert deliver_all(now=start + timedelta(hours=hour)) == ["retry"]
    webhook = Webhook.objects.get(pk=hook.pk)
    assert webhook.paused and webhook.failures_in_a_row == 3
    assert "failed 3 attempts in a row" in webhook.paused_reason
    # Paused: nothing is sent, nothing is dropped.
    one_change()
    assert set(deliver_all(now=start + timedelta(hours=10))) == {"skipped"}
    assert len(allow_server.requests) == 3
    assert WebhookDelivery.objects.filter(state="pending").count() == 2
    shown = partner_client.get(f"/api/v1/webhooks/{hook.uid}/").json()
    assert shown["paused"] is True and shown["failures_in_a_row"] == 3 and shown["paused_at"]
    # The partner fixes the receiver and resumes.
    allow_server.routes["/hook"] = Reply(204, b"")
    resumed = partner_client.post(f"/api/v1/webhooks/{hook.uid}/resume/")
    assert resumed.status_code == 200 and resumed.json()["paused"] is False
    assert sorted(deliver_all()) == ["delivered", "delivered"]
    assert Webhook.objects.get(pk=hook.pk).failures_in_a_row == 0


def test_many_changes_during_a_short_outage_do_not_pause(hook, allow_server, settings):
    settings.API_WEBHOOK_PAUSE_AFTER = 3
    allow_server.routes["/hook"] = Reply(503, b"down")
    for _ in range(5):
        one_change()
    later = timezone.now() + timedelta(seconds=5)
    assert deliver_all(now=later) == ["retry"] * 5
    webhook = Webhook.objects.get(pk=hook.pk)
    assert not webhook.paused and webhook.failures_in_a_row == 1


def test_a_success_resets_the_count_of_failures(hook, allow_server, settings):
    settings.API_WEBHOOK_PAUSE_AFTER = 2
    allow_server.routes["/hook"] = [Reply(500, b""), Reply(204, b""), Reply(500, b""), Reply(204, b"")]
    one_change()
    later = timezone.now() + timedelta(seconds=5)
    assert deliver_all(now=later) == ["retry"]
    assert deliver_all(now=later + timedelta(hours=1)) == ["delivered"]
    one_change()
    assert deliver_all(now=later + timedelta(hours=2)) == ["retry"]
    assert not Webhook.objects.get(pk=hook.pk).paused


def test_editors_see_paused_webhooks_and_resume_them_in_the_admin(hook, editor_client):
    Webhook.objects.filter(pk=hook.pk).update(paused_at=timezone.now(), failures_in_a_row=10, paused_reason="x")
    listing = editor_client.get("/admin/api/webhook/?paused_at__isnull=False")
    assert listing.status_code == 200 and hook.url in listing.content.decode()
    assert "failures in a row" in listing.content.decode().lower()
    editor_client.post("/admin/api/webhook/", {"action": "resume", "_selected_action": [hook.pk]}, follow=True)
    webhook = Webhook.objects.get(pk=hook.pk)
    assert not webhook.paused and webhook.failures_in_a_row == 0


# --- per host ----------------------------------------------------------------------------------------------------


def test_deliveries_to_one_host_are_limited_while_others_go(partner_client, allow_server, settings, monkeypatch):
    settings.API_WEBHOOK_HOST_CONCURRENCY = 1
    settings.API_WEBHOOKS_PER_TOKEN = 10
    allow_server.routes["/a"] = Reply(204, b"")
    allow_server.routes["/b"] = Reply(204, b"")
    assert register(partner_client, allow_server.url("/a")).status_code == 201
    assert register(partner_client, allow_server.url("/b")).status_code == 201
    one_change()
    first, second = api_services.webhooks_queue_new_changes()
    real_fetch = outbound.fetch
    during: list[str] = []

    def fetch(url, **kwargs):  # type: ignore[no-untyped-def]
        if not during:  # while the first POST to this host is in flight, the second must wait its turn
            during.append(api_services.webhook_deliver(delivery_id=second).state)
            during.append(str(WebhookDelivery.objects.get(pk=second).attempts))
        return real_fetch(url, **kwargs)

    monkeypatch.setattr(outbound, "fetch", fetch)
    assert api_services.webhook_deliver(delivery_id=first).state == "delivered"
    assert during == ["busy", "0"], "the second waited, and nothing was counted against it"
    assert not WebhookHostSlot.objects.filter(held_until__isnull=False).exists(), "the slot was given back"
    assert api_services.webhook_deliver(delivery_id=second).state == "delivered"


# --- their own queue and worker --------------------------------------------------------------------------------


def test_webhook_tasks_go_to_the_webhooks_queue_and_ingestion_does_not():
    router = celery_app.amqp.router
    for name in ["tracker.api.tasks.webhook_deliver", "tracker.api.tasks.webhooks_sweep"]:
        assert router.route({}, name)["queue"].name == "webhooks", name
    assert router.route({}, "ingest.tasks.fetch_source")["queue"].name == "celery"


def test_a_worker_for_the_webhooks_queue_runs_everywhere_the_stack_does():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["webhook-worker"]
    command = service["command"] if isinstance(service["command"], list) else shlex.split(service["command"])
    assert command[:4] == ["celery", "-A", "tracker", "worker"] and "--queues=webhooks" in command
    assert "healthcheck" in service
    assert "--queues=webhooks" not in compose["services"]["worker"]["command"]
    assert "--queues=webhooks" in (ROOT / "bin" / "run-embedded").read_text()
    assert "worker --loglevel=INFO --queues=webhooks" in (ROOT / "README.md").read_text()
