"""Ingestion benchmark: entries per second for feedparser alone and for the whole pipeline.

Measures, on the real corpus (../shared/fixtures/real/feeds-corpus/, 200 feeds) and on a generated feed of
10,000 entries, against a PostgreSQL database that already holds 100,000 reports:

- feedparser parsing alone (as feedparser is usually called, and as the pipeline calls it);
- ``ingest.parse.parse_document`` (the entity check, feedparser, each entry's raw bytes);
- the whole pipeline (parse, clean, deduplicate, store, link, suggest), on new entries, then on the same feed
  again (every entry unchanged).

Usage (creates the database if missing, migrates it, and seeds it once with ``manage.py seed_bench``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_ingest .venv/bin/python bench/ingest_bench.py

Options: ``--reports N`` (database size, default 100000), ``--generated N`` (entries in the generated feed,
default 10000), ``--repeat N`` (parse-only rounds, best kept; default 3). Figures are printed; nothing is
asserted (speed is measured, not tested).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench_ingest")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/11")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist yet (never touches any other)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("tracker_bench"):
        raise SystemExit(f"refusing to benchmark on {name!r}: use a database whose name starts with tracker_bench")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(function: Callable[[], int], repeat: int = 1) -> tuple[int, float]:
    """(entries, best seconds) over ``repeat`` runs."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = function()
        best = min(best, time.perf_counter() - started)
    return count, best


def line(label: str, entries: int, seconds: float) -> None:
    rate = entries / seconds if seconds else float("inf")
    print(f"  {label:<58} {entries:>7,} entries {seconds:>8.2f} s {rate:>9,.0f} entries/s", flush=True)


def generated_feed(count: int, crossing_names: list[str], seed: int = 20231015) -> bytes:
    """An RSS feed of ``count`` entries of news-like length; one in ten names a crossing with a status phrase."""
    rng = random.Random(seed)
    sentence = (
        "aid trucks queued at the border while officials said talks on access continued and families waited for "
        "news of the convoy as the ministry reported new figures on fuel deliveries and medical evacuations"
    )
    words = sentence.split(" ")
    phrases = ["was closed", "reopened for aid", "was partially open", "stayed shut to people", "opened for evacuees"]
    start = datetime(2023, 10, 7, tzinfo=UTC)
    items = []
    for n in range(count):
        body = " ".join(rng.choices(words, k=rng.randint(80, 200)))
        if n % 10 == 0 and crossing_names:
            body += f". {rng.choice(crossing_names)} {rng.choice(phrases)} on {n % 28 + 1} October."
        title = " ".join(rng.choices(words, k=9)).capitalize()
        items.append(
            f"<item><guid isPermaLink='false'>bench-{seed}-{n}</guid><title>{escape(title)} {n}</title>"
            f"<link>https://bench.example.org/generated/{n}</link>"
            f"<description>{escape(f'<p>{body}</p>')}</description>"
            f"<pubDate>{format_datetime(start + timedelta(minutes=n))}</pubDate></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Generated</title>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--generated", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import feedparser
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from ingest.parse import parse_document
    from ingest.pipeline import ingest_bytes
    from tracker.models import Crossing, Report, Source, StatusSuggestion

    call_command("migrate", verbosity=0)
    held = Report.objects.count()
    if held < options.reports:
        print(f"Seeding {options.reports:,} reports (held {held:,}) with seed_bench ...", flush=True)
        call_command(
            "seed_bench",
            reset=True,
            reports=options.reports,
            statuses=10_000,
            flows=1_000,
            disputes=100,
            agreements=100,
            verbosity=0,
        )
        call_command("load_demo", verbosity=0)

    corpus_dir = Path(settings.SHARED_FIXTURES_DIR) / "real" / "feeds-corpus"
    corpus = [p.read_bytes() for p in sorted(corpus_dir.iterdir()) if p.suffix in {".xml", ".json"}]
    xml_corpus = [data for data in corpus if data.lstrip()[:1] == b"<"]
    names = list(Crossing.objects.values_list("name", flat=True))
    generated = generated_feed(options.generated, names)

    print(
        f"\nDatabase {connection.settings_dict['NAME']}: {Report.objects.count():,} reports, {len(names)} crossings; "
        f"corpus {len(corpus)} feeds ({sum(map(len, corpus)) / 1e6:.1f} MB); generated feed "
        f"{options.generated:,} entries ({len(generated) / 1e6:.1f} MB); feedparser {feedparser.__version__}\n"
    )

    print(f"Parsing only (best of {options.repeat}):")
    line(
        "feedparser.parse, default options (corpus, XML feeds)",
        *timed(lambda: sum(len(feedparser.parse(d).entries) for d in xml_corpus), options.repeat),
    )
    line(
        "feedparser.parse, as the pipeline calls it (corpus)",
        *timed(
            lambda: sum(
                len(feedparser.parse(d, sanitize_html=False, resolve_relative_uris=False).entries) for d in xml_corpus
            ),
            options.repeat,
        ),
    )
    line(
        "ingest.parse.parse_document (corpus, all 200)",
        *timed(lambda: sum(_entries(parse_document, d) for d in corpus), options.repeat),
    )
    line(
        "feedparser.parse, default options (generated)",
        *timed(lambda: len(feedparser.parse(generated).entries), options.repeat),
    )
    line(
        "ingest.parse.parse_document (generated)",
        *timed(lambda: len(parse_document(generated).entries), options.repeat),
    )

    print("\nWhole pipeline: parse, clean, deduplicate, store, link, suggest:")
    tag = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    sources = [
        Source.objects.create(name=f"bench corpus {tag} {i:03d}", kind=Source.Kind.FEED, url=f"https://corpus.test/{i}")
        for i in range(len(corpus))
    ]
    suggestions_before = StatusSuggestion.objects.count()

    def corpus_once() -> int:
        return sum(ingest_bytes(s, d).counts.seen for s, d in zip(sources, corpus, strict=True))

    line("corpus, first time (new entries)", *timed(corpus_once))
    line("corpus, second time (every entry unchanged)", *timed(corpus_once))
    generated_source = Source.objects.create(
        name=f"bench generated {tag}", kind=Source.Kind.FEED, url="https://bench.example.org/generated"
    )
    line(
        "generated feed, first time (new entries)",
        *timed(lambda: ingest_bytes(generated_source, generated).counts.new),
    )
    line(
        "generated feed, second time (every entry unchanged)",
        *timed(lambda: ingest_bytes(generated_source, generated).counts.unchanged),
    )
    print(
        f"\n  suggestions raised: {StatusSuggestion.objects.count() - suggestions_before:,}; "
        f"reports now held: {Report.objects.count():,}"
    )
    _clean_up([*sources, generated_source])


def _entries(parse: Callable[[bytes], object], data: bytes) -> int:
    from ingest.parse import ParseError

    try:
        return len(parse(data).entries)  # type: ignore[attr-defined]
    except ParseError:
        return 0


def _clean_up(sources: list[object]) -> None:
    """Remove what this run added, so that every run starts from the same database."""
    from django.db import transaction

    from ingest.models import FetchRun, QuarantinedItem
    from tracker.models import Report, Source, StatusSuggestion

    with transaction.atomic():
        StatusSuggestion.objects.filter(report__source__in=sources).delete()
        Report.objects.filter(source__in=sources).update(duplicate_of=None, review_state="new")
        Report.objects.filter(duplicate_of__source__in=sources).update(duplicate_of=None, review_state="new")
        Report.objects.filter(source__in=sources).delete()
        FetchRun.objects.filter(source__in=sources).delete()
        QuarantinedItem.objects.filter(source__in=sources).delete()
        Source.objects.filter(pk__in=[s.pk for s in sources]).delete()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
