"""``manage.py ingest_file PATH --source SLUG``: the ingestion pipeline on a local file, counts printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.models import Source

from ...parse import FORMATS
from ...pipeline import SourceBusy, ingest_bytes


class Command(BaseCommand):
    help = (
        "Run the ingestion pipeline (parse, clean, deduplicate, store, link, suggest) on a local feed or ReliefWeb "
        "API file, as if SOURCE had served it; prints what it added. Recorded as a fetch run of the source."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="RSS, Atom or JSON Feed file, or a saved ReliefWeb API page")
        parser.add_argument("--source", required=True, help="slug of the source the items come from")
        parser.add_argument("--format", choices=FORMATS, default="auto", help="auto (default): read from the bytes")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Source.objects.filter(slug=options["source"]).first()
        if source is None:
            known = ", ".join(Source.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none yet"
            raise CommandError(f"no source with slug {options['source']!r} (known: {known})")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path} is not a readable file")
        size = path.stat().st_size
        if size > settings.OUTBOUND_MAX_BYTES:
            raise CommandError(f"{path} is {size:,} bytes, over the {settings.OUTBOUND_MAX_BYTES:,}-byte cap")
        try:
            outcome = ingest_bytes(source, path.read_bytes(), format=options["format"], label=str(path.resolve()))
        except SourceBusy as busy:
            raise CommandError(str(busy)) from busy
        counts = outcome.counts
        line = (
            f"new {counts.new}, updated {counts.updated}, duplicate {counts.duplicate}, rejected {counts.rejected} "
            f"(unchanged {counts.unchanged}, seen {counts.seen})"
        )
        if outcome.error:
            raise CommandError(f"{path}: {outcome.error} ({line})")
        self.stdout.write(self.style.SUCCESS(line))
