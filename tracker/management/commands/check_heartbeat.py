"""``manage.py check_heartbeat``: exit 0 if a worker ran the heartbeat task recently (beat scheduled it, a worker
consumed it), 1 otherwise. docker-compose uses it as the beat service's health check."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.models import WorkerHeartbeat


class Command(BaseCommand):
    help = "Fail unless some worker ran the heartbeat task within --max-age seconds."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--max-age", type=int, default=settings.WORKER_HEARTBEAT_MAX_AGE)

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(seconds=options["max_age"])
        latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
        if latest is None or latest.last_seen < cutoff:
            raise CommandError(f"no worker heartbeat within {options['max_age']} s (latest: {latest or 'none'})")
        self.stdout.write(f"ok: {latest}")
