"""/healthz says the process is up; /readyz says whether it can serve, and names what is failing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_dependencies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_fails_with_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"


def test_readyz_reports_workers_by_their_heartbeat(client):
    from tracker import services

    services.worker_heartbeat_record(hostname="worker@test")
    workers = client.get("/readyz").json()["workers"]
    assert workers["status"] == "ok" and workers["fresh"] == ["worker@test"]


def test_a_worker_that_stopped_consuming_shows_as_stale_in_readyz_and_admin(client, superuser):
    from datetime import timedelta

    from django.utils import timezone

    from tracker.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(hostname="stuck@host", last_seen=timezone.now() - timedelta(minutes=30))
    workers = client.get("/readyz").json()["workers"]
    assert workers["status"] == "no recent heartbeat" and workers["stale"] == ["stuck@host"]
    client.force_login(superuser)
    page = client.get("/admin/tracker/workerheartbeat/").content.decode()
    assert "stuck@host" in page and 'alt="False"' in page
