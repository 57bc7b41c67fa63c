"""``manage.py poll_sources [--source SLUG] [--sync]``: poll now, through the worker or in this process."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tracker.models import Source

from ...pipeline import poll_source, process_name
from ...selectors import POLLED_KINDS
from ...tasks import fetch_source


class Command(BaseCommand):
    help = "Poll feed and API sources now, whether due or not: queued for the worker, or run here with --sync."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help="slug of one source (default: every enabled feed and API source)")
        parser.add_argument("--sync", action="store_true", help="run in this process and print what each poll did")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = Source.objects.filter(kind__in=POLLED_KINDS).order_by("name")
        if options["source"]:
            source = Source.objects.filter(slug=options["source"]).first()
            if source is None:
                raise CommandError(f"no source with slug {options['source']!r}")
            if source.kind not in POLLED_KINDS:
                raise CommandError(f"{source} is a {source.get_kind_display()} source: there is nothing to poll")
            if not source.enabled:
                raise CommandError(f"{source} is paused; resume it in the admin first")
            sources = sources.filter(pk=source.pk)
        else:
            sources = sources.filter(enabled=True)
        if not sources:
            self.stdout.write("No enabled feed or API source to poll.")
            return
        if not options["sync"]:
            with transaction.atomic():
                for source in sources:
                    transaction.on_commit(partial(fetch_source.delay, source.pk))
            self.stdout.write(self.style.SUCCESS(f"Queued {len(sources)} poll(s) for the worker."))
            return
        failed = 0
        for source in sources:
            outcome = poll_source(source.pk, holder=f"command:{process_name()}:{uuid.uuid4().hex[:8]}")
            line = f"{source.slug}: {outcome.status.replace('_', ' ')}; {outcome.counts}"
            if outcome.error:
                failed += 1
                self.stdout.write(self.style.ERROR(f"{line}; error: {outcome.error}"))
            else:
                self.stdout.write(self.style.SUCCESS(line))
        if failed:
            raise CommandError(f"{failed} of {len(sources)} poll(s) failed (recorded as fetch runs)")
