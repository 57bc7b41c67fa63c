"""``manage.py ingest_file PATH --source SLUG``: the ingestion pipeline on a local file, counts printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

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
        # Not required by argparse: without it the command says how to create a source, not just the usage line.
        parser.add_argument("--source", default="", help="slug of the source the items come from")
        parser.add_argument("--format", choices=FORMATS, default="auto", help="auto (default): read from the bytes")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["source"].strip()
        source = Source.objects.filter(slug=slug).first() if slug else None
        if source is None:
            raise CommandError(_no_such_source(slug))
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


def _no_such_source(slug: str) -> str:
    """Why the command cannot run without a known source, and how to get one; nothing has been written."""
    shown = 20
    slugs = list(Source.objects.order_by("slug").values_list("slug", flat=True)[: shown + 1])
    first = f"no source with slug {slug!r}" if slug else "no --source given"
    if slugs:
        more = f" and {Source.objects.count() - shown} more" if len(slugs) > shown else ""
        known = f"Existing sources (--source SLUG): {', '.join(slugs[:shown])}{more}."
    else:
        known = "There are no sources yet."
    return (
        f"{first}: every report comes from a source. {known} To add one, sign in as an editor at "
        f"{reverse('admin:tracker_source_add')} (kind Manual for items with no feed of their own); "
        "on a demo database, `manage.py load_demo` adds the demo's sources. Nothing was written."
    )
