"""Celery tasks of the tracker itself (ingestion's live in ``ingest.tasks``)."""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from celery.utils.nodenames import worker_direct
from django.conf import settings

from . import services

log = logging.getLogger(__name__)


@shared_task(name="tracker.tasks.heartbeat", ignore_result=True)
def heartbeat(fan_out: bool = True) -> None:
    """Proves a worker is consuming: /readyz and the admin report a worker whose heartbeat is older than the limit.

    Beat queues this once a minute on the shared queue, where any one worker takes it. That worker records itself,
    then sends one heartbeat to each other worker that answers a ping, on that worker's own queue (Celery's
    ``worker_direct``), which only that worker's consumer reads: a worker that is alive (it answers the ping) but
    no longer consumes never runs its copy and goes stale; a frozen one does not answer and goes stale too. Without
    the fan-out, one idle worker could take every heartbeat while another, just as healthy, looked stale.
    """
    hostname = heartbeat.request.hostname or socket.gethostname()
    services.worker_heartbeat_record(hostname=hostname)
    if not fan_out or not getattr(settings, "CELERY_WORKER_DIRECT", False):
        return
    try:
        replies = heartbeat.app.control.ping(timeout=1.0)
    except Exception:  # a broker without broadcast, or a hiccup: this worker has beaten, the next round tries again
        log.warning("could not ping the other workers for their heartbeats", exc_info=True)
        return
    others = sorted({name for reply in replies for name in reply} - {hostname})
    for other in others:
        # Expires before the next round: a worker that never reads its queue does not pile heartbeats up.
        heartbeat.apply_async(kwargs={"fan_out": False}, queue=worker_direct(other), expires=55)
