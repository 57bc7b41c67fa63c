"""Ingestion benchmark: entries per second for feedparser alone and for the whole pipeline.

Measures, on the real corpus (../shared/fixtures/real/feeds-corpus/, 200 feeds) and on a generated feed of
10,000 entries, against a PostgreSQL database that already holds ``--reports`` reports:

- feedparser parsing alone (as feedparser is usually called, and as the pipeline calls it);
- ``ingest.parse.parse_document`` (the entity check, feedparser, each entry's raw bytes);
- the whole pipeline (parse, clean, deduplicate, store, link, suggest), on new entries, then on the same feed
  again (every entry unchanged);
- a worker's memory: a separate process runs the Celery task (``ingest.tasks.fetch_source``, the real entry
  point) on ten generated feeds of 10,000 entries each (100,000 entries), served over HTTP by a local server,
  and reports its resident memory after each feed and its own peak (``VmHWM``; ``ru_maxrss`` is printed too,
  but it survives exec and may count the benchmark process the worker was forked from). ``--memory-only`` runs
  just this.

Usage (creates the database if missing, migrates it, and seeds it once with ``manage.py seed_bench``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench_ingest .venv/bin/python bench/ingest_bench.py

Options: ``--reports N`` (database size, default 100000), ``--generated N`` (entries in the generated feed,
default 10000), ``--repeat N`` (parse-only rounds, best kept; default 3), ``--memory-feeds N`` (generated feeds
for the memory run, default 10; 0 skips it), ``--corpus-feeds N`` (the first N corpus feeds only; the harness
test uses it). Figures are printed, with the load average; nothing is asserted
(speed is measured, not tested).

Why feedparser stays, given expat with its text buffered (``ingest.sax_driver``) and a Windows-1252 table that
raises nothing (``ingest.cp1252``), together 1.8 times faster and the same reading on all 200 real feeds: after
that, parsing is about 0.4 ms of the 2.8 to 3.1 ms of CPU a new corpus entry costs (the "CPU per entry" line splits
it between this process and its PostgreSQL backend). An lxml-based parser (fastfeedparser 0.6.5, tried on
2026-12-02) parses the corpus thirty times faster, so it could save at most that seventh, and it would replace the
readings the hostile-input tests rest on (feedparser's report of structural damage, which refuses a document rather
than guessing where entries end; its encoding handling). The rest is cleaning and sanitising the HTML, reading
names and phrases, the ORM, and PostgreSQL storing each report: the "PostgreSQL alone" lines show that storing
the corpus's rows, with no Python at all, is bounded by the full-text vector and its GIN index (about 1,800 rows a
second on this machine on 2026-12-02; 10,500 without them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING
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

from bench.common import ensure_database  # noqa: E402

if TYPE_CHECKING:
    from ingest.link import Snapshot
    from ingest.parse import ParsedEntry


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
            f"<link>https://bench.example.org/generated/{seed}/{n}</link>"
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
    parser.add_argument("--memory-feeds", type=int, default=10)
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--corpus-feeds", type=int, default=0, help="the first N corpus feeds only (0: all)")
    parser.add_argument(
        "--reader-only", action="store_true", help="link.read's cost per item alone (no database; seconds to run)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # the memory run's worker: source ids, comma-separated
    options = parser.parse_args()
    if options.worker:
        return _worker([int(i) for i in options.worker.split(",")])
    if options.reader_only:
        return _reader_only(options.corpus_feeds)

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    import feedparser
    import feedparser.api
    import feedparser.html
    import feedparser.mixin
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from ingest.cp1252 import CP1252_TABLE
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
    if options.corpus_feeds:
        corpus = corpus[: options.corpus_feeds]
    xml_corpus = [data for data in corpus if data.lstrip()[:1] == b"<"]
    names = list(Crossing.objects.values_list("name", flat=True))
    generated = generated_feed(options.generated, names)

    print(
        f"\nDatabase {connection.settings_dict['NAME']}: {Report.objects.count():,} reports, {len(names)} crossings; "
        f"corpus {len(corpus)} feeds ({sum(map(len, corpus)) / 1e6:.1f} MB); generated feed "
        f"{options.generated:,} entries ({len(generated) / 1e6:.1f} MB); feedparser {feedparser.__version__}; "
        f"load average {_load()}\n"
    )
    if options.memory_only:
        _memory(options.memory_feeds, options.generated, names)
        return

    print(f"Parsing only (best of {options.repeat}):")
    ours = list(feedparser.api.PREFERRED_XML_PARSERS)  # ingest.parse set it: the buffered expat reader
    stock = ["drv_libxml2"]  # feedparser's own list; that driver is not installed, so it reads with plain expat

    feedparsers_dict = feedparser.html._cp1252  # ingest.parse put ingest.cp1252's table in feedparser.mixin's place

    def feedparser_rate(
        documents: list[bytes], drivers: list[str], *, our_table: bool = False, **options_: bool
    ) -> Callable[[], int]:
        def run() -> int:
            feedparser.api.PREFERRED_XML_PARSERS[:] = drivers
            feedparser.mixin._cp1252 = CP1252_TABLE if our_table else feedparsers_dict
            try:
                return sum(len(feedparser.parse(d, **options_).entries) for d in documents)
            finally:
                feedparser.api.PREFERRED_XML_PARSERS[:] = ours
                feedparser.mixin._cp1252 = CP1252_TABLE

        return run

    pipeline_options = {"sanitize_html": False, "resolve_relative_uris": False}
    line("feedparser.parse as shipped (corpus, XML feeds)", *timed(feedparser_rate(xml_corpus, stock), options.repeat))
    line(
        "  with the pipeline's options (no sanitising)",
        *timed(feedparser_rate(xml_corpus, stock, **pipeline_options), options.repeat),
    )
    line(
        "  and expat's text buffered (ingest.sax_driver)",
        *timed(feedparser_rate(xml_corpus, ours, **pipeline_options), options.repeat),
    )
    line(
        "  and the Windows-1252 repair by table (ingest.cp1252)",
        *timed(feedparser_rate(xml_corpus, ours, our_table=True, **pipeline_options), options.repeat),
    )
    line(
        "ingest.parse.parse_document (corpus, all 200)",
        *timed(lambda: sum(_entries(parse_document, d) for d in corpus), options.repeat),
    )
    line(
        "feedparser.parse as shipped (generated)",
        *timed(feedparser_rate([generated], stock), options.repeat),
    )
    line(
        "ingest.parse.parse_document (generated)",
        *timed(lambda: len(parse_document(generated).entries), options.repeat),
    )

    print("\nThe pipeline's Python stages alone, on the corpus's entries (no database):")
    _stages(corpus)

    print("\nWhole pipeline: parse, clean, deduplicate, store, link, suggest:")
    tag = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    sources = [
        Source.objects.create(name=f"bench corpus {tag} {i:03d}", kind=Source.Kind.FEED, url=f"https://corpus.test/{i}")
        for i in range(len(corpus))
    ]
    suggestions_before = StatusSuggestion.objects.count()

    def corpus_once() -> int:
        return sum(ingest_bytes(s, d).counts.seen for s, d in zip(sources, corpus, strict=True))

    backend = _local_backend()
    cpu_before = _cpu_seconds(backend)
    corpus_new = timed(corpus_once)
    cpu_after = _cpu_seconds(backend) if backend == _local_backend() else None  # the same connection throughout
    line("corpus, first time (new entries)", *corpus_new)
    _cpu_line(corpus_new[0], cpu_before, cpu_after)
    line("corpus, second time (every entry unchanged)", *timed(corpus_once))
    _database_floor(sources)
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
        f"reports now held: {Report.objects.count():,}; load average {_load()}"
    )
    _clean_up([*sources, generated_source])
    if options.memory_feeds:
        _memory(options.memory_feeds, options.generated, names)


def _local_backend() -> int | None:
    """The process id of the PostgreSQL backend serving this connection, when it is a process on this machine
    (PostgreSQL in a container or elsewhere has none here: its CPU cannot be read, and is not guessed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return int(pid) if comm.read().strip() == "postgres" else None
    except OSError:
        return None


def _cpu_seconds(backend: int | None) -> tuple[float, float | None]:
    """CPU seconds used so far by this process and by its PostgreSQL backend (None when not on this machine).

    PostgreSQL's background writers, WAL writer and autovacuum are not counted, so the database's share is if
    anything understated.
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    if backend is None:
        return own.ru_utime + own.ru_stime, None
    with open(f"/proc/{backend}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return own.ru_utime + own.ru_stime, (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def _cpu_line(entries: int, before: tuple[float, float | None], after: tuple[float, float | None] | None) -> None:
    """Where the corpus step's CPU went, per entry, and the rate that much work allows on this machine's cores."""
    if not entries or after is None or before[1] is None or after[1] is None:
        print("    CPU per entry: not measured (no entries, or PostgreSQL is not a process on this machine)")
        return
    python, database = after[0] - before[0], after[1] - before[1]
    cores = os.cpu_count() or 1
    per_entry = (python + database) / entries * 1000
    ceiling = cores * 1000 / per_entry if per_entry else float("inf")
    print(
        f"    CPU per entry: {python / entries * 1000:.2f} ms in this process, {database / entries * 1000:.2f} ms in "
        f"its PostgreSQL backend; {per_entry:.2f} ms in all, so at most {ceiling:,.0f} entries/s even with both "
        f"kept busy at once on all {cores} cores",
        flush=True,
    )


class _RolledBack(Exception):
    pass


def _database_floor(sources: list[object]) -> None:
    """PostgreSQL alone storing the corpus: its reports inserted once more by one ``INSERT ... SELECT``.

    No Python, no parsing, no round trips: what storing these rows costs the database, with the full-text vector
    and its GIN index, and without them. Each insert is rolled back.
    """
    from django.db import connection, transaction

    from tracker.models import Report

    fixed = {"id", "uid", "external_id", "review_state", "duplicate_of_id"}
    columns = ", ".join(f'"{f.column}"' for f in Report._meta.concrete_fields if f.column not in fixed)
    insert = (
        f"INSERT INTO tracker_report (uid, external_id, review_state, duplicate_of_id, {columns}) "
        f"SELECT gen_random_uuid(), 'floor-' || id, 'new', NULL, {columns} FROM tracker_report "
        "WHERE source_id = ANY(%s)"
    )
    ids = [s.pk for s in sources]  # type: ignore[attr-defined]
    for label, prepare in (
        ("PostgreSQL alone: the corpus's reports, INSERT ... SELECT", ""),
        ("  the same, without the search vector and its GIN index", "ALTER TABLE tracker_report DROP search_vector"),
        (
            "  the same, the vector compressed with lz4",
            "ALTER TABLE tracker_report ALTER search_vector SET COMPRESSION lz4",
        ),
        ("  the same, the GIN index with fastupdate off", "ALTER INDEX report_search_vector SET (fastupdate = off)"),
    ):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                if prepare:
                    cursor.execute(prepare)
                started = time.perf_counter()
                cursor.execute(insert, [ids])
                count = cursor.rowcount
                seconds = time.perf_counter() - started
                raise _RolledBack
        except _RolledBack:
            line(label, count, seconds)


def _stages(corpus: list[bytes]) -> None:
    """Each Python stage between parsing and storing, timed alone: where a new entry's time goes before SQL."""
    from django.conf import settings

    from ingest import selectors
    from ingest.clean import CleanEntry, Rejected, clean_entry
    from ingest.link import read
    from ingest.parse import ParseError, parse_document
    from tracker.text import content_hash, sanitize_html

    entries = []
    for data in corpus:
        try:
            document = parse_document(data)
        except ParseError:
            continue
        entries.extend((entry, document.link) for entry in document.entries)
    cleaned: list[CleanEntry] = []

    def clean() -> int:
        cleaned.clear()
        for entry, base_url in entries:
            with contextlib.suppress(Rejected):  # quarantined by the pipeline; not part of this figure
                cleaned.append(clean_entry(entry, base_url=base_url, max_bytes=settings.INGEST_MAX_ENTRY_BYTES))
        return len(entries)

    def sanitise_and_hash() -> int:
        for entry in cleaned:
            sanitize_html(entry.summary_html)
            content_hash(entry.title, entry.text)
        return len(cleaned)

    snapshot = selectors.link_snapshot()
    line("clean_entry (plain text, links, identity)", *timed(clean))
    line("sanitise and hash (tracker.text, as report_store does)", *timed(sanitise_and_hash))
    line(
        "ingest.link.read (crossing names, status phrases)",
        *timed(lambda: len([read(e.title, e.text, snapshot) for e in cleaned])),
    )
    _reader_cost(snapshot, [(e.title, e.text) for e in cleaned])


def _corpus_entries(corpus: list[bytes]) -> list[tuple[ParsedEntry, str]]:
    from ingest.parse import ParseError, parse_document

    entries: list[tuple[ParsedEntry, str]] = []
    for data in corpus:
        try:
            document = parse_document(data)
        except ParseError:
            continue
        entries.extend((entry, document.link) for entry in document.entries)
    return entries


def _reader_cost(snapshot: Snapshot, corpus_texts: list[tuple[str, str]], repeat: int = 5) -> None:
    """``link.read`` per item, in ms of this process's CPU (best of ``repeat``; CPU, not wall time, so that other work
    on a shared machine does not count): the corpus's entries, none naming a tracked crossing (the whole-text check
    spares them any reading), beside the labelled development items (tests/data/suggestions/), each naming one,
    every sentence read: what the reader itself costs."""
    from ingest.evaluate import DEFAULT_SET, load
    from ingest.link import read

    dev = [("", f"{item.context}\n{item.text}" if item.context else item.text) for item in load(DEFAULT_SET)]
    for label, texts in (
        ("link.read per corpus entry (names no tracked crossing)", corpus_texts),
        ("link.read per labelled dev item (names a crossing)", dev),
    ):
        if not texts:
            continue
        best = float("inf")
        for _ in range(repeat):
            started = time.process_time()
            for title, text in texts:
                read(title, text, snapshot)
            best = min(best, time.process_time() - started)
        print(f"  {label:<58} {len(texts):>7,} items {best * 1000 / len(texts):>8.3f} ms CPU per item", flush=True)


def _reader_only(corpus_feeds: int) -> None:
    """The reader's cost alone, with the snapshot ``make eval`` reads with (the demo's crossings, the seeded
    phrases): no database, a few seconds."""
    import django

    django.setup()
    from django.conf import settings

    from ingest.clean import Rejected, clean_entry
    from ingest.evaluate import fixed_snapshot

    corpus_dir = Path(settings.SHARED_FIXTURES_DIR) / "real" / "feeds-corpus"
    corpus = (
        [p.read_bytes() for p in sorted(corpus_dir.iterdir()) if p.suffix in {".xml", ".json"}]
        if corpus_dir.is_dir()
        else []
    )
    if corpus_feeds:
        corpus = corpus[:corpus_feeds]
    texts = []
    for entry, base_url in _corpus_entries(corpus):
        with contextlib.suppress(Rejected):
            cleaned = clean_entry(entry, base_url=base_url, max_bytes=settings.INGEST_MAX_ENTRY_BYTES)
            texts.append((cleaned.title, cleaned.text))
    snapshot, _ = fixed_snapshot()
    print(f"The reader alone ({len(corpus)} corpus feeds; load average {_load()}):")
    _reader_cost(snapshot, texts)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _memory(feeds: int, entries: int, names: list[str]) -> None:
    """A worker process runs the Celery task on ``feeds`` generated feeds served over HTTP; its memory is read."""
    from tracker.models import Source

    print(f"\nWorker memory: the fetch_source task on {feeds} generated feeds of {entries:,} entries, one process:")
    tag = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as folder:
        for n in range(feeds):
            Path(folder, f"feed-{n}.xml").write_bytes(generated_feed(entries, names, seed=20231015 + n))
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "0", "--directory", folder],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            # "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
            port = int(server.stdout.readline().split(" port ")[1].split()[0])  # type: ignore[union-attr]
            sources = [
                Source.objects.create(
                    name=f"bench memory {tag} {n:02d}",
                    kind=Source.Kind.FEED,
                    url=f"http://127.0.0.1:{port}/feed-{n}.xml",
                )
                for n in range(feeds)
            ]
            env = {
                **os.environ,
                "INGEST_ALLOWED_HOSTS": f"127.0.0.1:{port}",
                "INGEST_MAX_BYTES": str(64 * 1024 * 1024),
            }
            ids = ",".join(str(s.pk) for s in sources)
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--worker", ids], env=env, check=True)
            seconds = time.perf_counter() - started
            print(f"  {'all feeds, worker process start to end':<58} {feeds * entries:>7,} entries {seconds:>8.2f} s")
        finally:
            server.terminate()
            server.wait(timeout=10)
    _clean_up(sources)
    print(f"  load average {_load()}")


def _worker(source_ids: list[int]) -> None:
    """The memory run's worker: the real task, feed after feed, in one process (as a Celery worker runs them)."""
    import django

    django.setup()
    from ingest.tasks import fetch_source
    from tracker.models import Report

    print(f"  {'worker ready (Django set up), resident':<58} {_rss_mb():>33.0f} MB", flush=True)
    for n, source_id in enumerate(source_ids, start=1):
        started = time.perf_counter()
        status = fetch_source.apply(args=[source_id], task_id=f"bench-memory-{source_id}").get()
        seconds = time.perf_counter() - started
        stored = Report.objects.filter(source_id=source_id).count()
        print(
            f"  feed {n:>2}: {status:<9} {stored:>7,} reports {seconds:>6.1f} s {stored / seconds:>7,.0f} entries/s"
            f"   resident {_rss_mb():>5.0f} MB, peak so far {_peak_mb():>4.0f} MB",
            flush=True,
        )
    print(f"  {'worker peak resident memory (VmHWM)':<58} {_peak_mb():>33.0f} MB", flush=True)
    # ru_maxrss survives exec: it may still hold the benchmark process the worker was forked from.
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"  {'  (ru_maxrss, which counts the parent image at fork)':<58} {maxrss:>33.0f} MB", flush=True)


def _peak_mb() -> float:
    """This process's own peak resident memory (the high-water mark of its address space, reset by exec)."""
    with open("/proc/self/status") as status:
        for row in status:
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
