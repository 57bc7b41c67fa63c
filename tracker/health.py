"""Liveness and readiness endpoints for process managers and load balancers."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from .models import WorkerHeartbeat


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; the message says which
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def _check_broker() -> str | None:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def _worker_state() -> dict[str, object]:
    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    try:
        beats = list(WorkerHeartbeat.objects.values_list("hostname", "last_seen"))
    except Exception:
        return {"status": "unknown"}
    fresh = [host for host, seen in beats if seen >= cutoff]
    return {
        "status": "ok" if fresh else "no recent heartbeat",
        "fresh": fresh,
        "stale": [host for host, seen in beats if seen < cutoff],
    }


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: database and broker answer. 503 names the failing part.

    Workers are reported (from their heartbeats) but do not make the web process unready: pages and the API
    still serve the record while ingestion is down.
    """
    checks = {"database": _check_database(), "broker": _check_broker()}
    failing = {name: error for name, error in checks.items() if error}
    body: dict[str, object] = {
        "status": "ok" if not failing else "unavailable",
        "checks": {name: (error or "ok") for name, error in checks.items()},
    }
    if "database" not in failing:
        body["workers"] = _worker_state()
    return JsonResponse(body, status=503 if failing else 200)
