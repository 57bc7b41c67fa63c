"""``manage.py seed_bench``: a large, reproducible data set for the benchmark harness (PostgreSQL only).

Small tables go in through the ORM; the big ones (status rows, flow counts, reports and their links) through COPY,
with the report search index built once at the end rather than row by row. The same ``--seed`` gives the same
data. History tables stay append-only: rows are only ever inserted here.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from tracker.history_guard import APPEND_ONLY_TABLES, history_maintenance
from tracker.models import (
    Actor,
    AidDispute,
    AidDisputeStateChange,
    Country,
    Crisis,
    Crossing,
    CrossingAlias,
    CrossingStatus,
    EvacuationAgreement,
    EvacuationAgreementStateChange,
    FlowCount,
    Report,
    Source,
    StatusSuggestion,
    Traffic,
)
from tracker.text import content_hash


def _words(text: str) -> list[str]:
    return text.split()


# Words with a rough Zipf distribution, so that some are in most reports (a "common word" query matches many).
COMMON = _words(
    "aid crossing border trucks humanitarian people closed open reported officials said convoy fuel "
    "medical evacuation ministry agreement talks security access restrictions statement agency"
)
FILLER = _words(
    "the of and to in a for on with as by at from that was were is are it this after before during "
    "between under over about against into through while where when which who also more than other "
    "new first last week day night morning today yesterday local regional international government "
    "forces civilians families children hospital water food shelter supplies delivery inspection "
    "queue waiting warehouse route road checkpoint gate terminal capacity permits list names passport "
    "foreign nationals staff teams coordination mediation negotiators ceasefire pause window hours "
    "announcement spokesperson source confirmed unconfirmed according reports witnesses footage damage "
    "strike shelling attack incident delay backlog volume figures daily total average increase decrease "
    "resumed suspended halted partially fully limited expanded entry exit traffic goods commercial"
)
PLACES = _words("north south east west central coastal eastern western northern southern upper lower old new")
STATUSES = [
    CrossingStatus.Status.OPEN,
    CrossingStatus.Status.RESTRICTED,
    CrossingStatus.Status.CLOSED,
    CrossingStatus.Status.UNKNOWN,
]


class Command(BaseCommand):
    help = "Fill a PostgreSQL database with a large, seeded data set for benchmarks (see bench/README.md)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reports", type=int, default=1_000_000)
        parser.add_argument("--crises", type=int, default=50)
        parser.add_argument("--crossings", type=int, default=300)
        parser.add_argument("--statuses", type=int, default=300_000)
        parser.add_argument("--disputes", type=int, default=3_000)
        parser.add_argument("--agreements", type=int, default=3_000)
        parser.add_argument("--flows", type=int, default=100_000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=20231015)
        parser.add_argument("--reset", action="store_true", help="Empty the tracker's tables first (TRUNCATE)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench needs PostgreSQL (set DATABASE_URL)")
        if options["reset"]:
            self._truncate()
        elif Crossing.objects.exists() or Report.objects.exists():
            raise CommandError("the database already holds data; use --reset to empty it first")
        self.rng = random.Random(options["seed"])
        self.until = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.since = self.until - timedelta(days=365 * options["years"])
        started = time.monotonic()
        steps = [
            ("reference rows", lambda: self._reference(options)),
            ("status rows", lambda: self._statuses(options["statuses"])),
            ("disputes and agreements", lambda: self._accords(options["disputes"], options["agreements"])),
            ("change feed", self._changes),
            ("flow counts", lambda: self._flows(options["flows"])),
            ("reports", lambda: self._reports(options["reports"])),
            ("report links and suggestions", self._links),
            ("search index and statistics", self._finish),
        ]
        for label, step in steps:
            began = time.monotonic()
            step()
            self.stdout.write(f"  {label:<30} {time.monotonic() - began:7.1f} s")
        self.stdout.write(self.style.SUCCESS(f"seed_bench finished in {time.monotonic() - started:.1f} s"))

    # --- steps ---------------------------------------------------------------------------------------------

    def _truncate(self) -> None:
        tables = [m._meta.db_table for m in (Crisis, Actor, Crossing, Source, Report, StatusSuggestion)]
        # The cascade reaches the append-only tables, whose triggers refuse TRUNCATE (migration 0008).
        with history_maintenance(reason="seed_bench --reset", tables=APPEND_ONLY_TABLES), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    @transaction.atomic
    def _reference(self, options: dict[str, Any]) -> None:
        rng = self.rng
        countries = list(Country.objects.order_by("iso3"))
        self.crises = Crisis.objects.bulk_create(
            Crisis(
                name=f"Bench crisis {i:02d}",
                slug=f"bench-crisis-{i:02d}",
                started_on=self.since.date(),
                summary="Generated for benchmarks.",
                state=rng.choice([Crisis.State.ACTIVE, Crisis.State.ACTIVE, Crisis.State.MONITORING]),
            )
            for i in range(options["crises"])
        )
        self.actors = Actor.objects.bulk_create(
            Actor(
                name=f"Bench actor {i:03d}",
                slug=f"bench-actor-{i:03d}",
                kind=rng.choice(Actor.Kind.values),
                country=rng.choice(countries),
            )
            for i in range(100)
        )
        crossings = []
        for i in range(options["crossings"]):
            name = f"{rng.choice(PLACES).capitalize()} {rng.choice(FILLER).capitalize()} {i:03d}"
            side_a, side_b = rng.sample(countries, 2)
            crossings.append(
                Crossing(
                    name=name,
                    slug=slugify(name),
                    side_a=side_a,
                    side_b=side_b,
                    latitude=Decimal(f"{rng.uniform(-60, 70):.6f}"),
                    longitude=Decimal(f"{rng.uniform(-170, 170):.6f}"),
                )
            )
        self.crossings = Crossing.objects.bulk_create(crossings)
        through = Crossing.crises.through
        through.objects.bulk_create(
            through(crossing_id=c.pk, crisis_id=self.crises[i % len(self.crises)].pk)
            for i, c in enumerate(self.crossings)
        )
        CrossingAlias.objects.bulk_create(
            CrossingAlias(crossing=c, name=f"{c.name} {suffix}", language=lang)
            for c in self.crossings
            for suffix, lang in (("crossing", "en"), ("gate", "en"), ("معبر", "ar"))
        )
        self.sources = Source.objects.bulk_create(
            Source(
                name=f"Bench source {i:02d}",
                slug=f"bench-source-{i:02d}",
                kind=Source.Kind.MANUAL,
                reliability=rng.choice(Source.Reliability.values),
            )
            for i in range(30)
        )

    def _moment(self) -> datetime:
        span = (self.until - self.since).total_seconds()
        return self.since + timedelta(seconds=self.rng.random() * span)

    def _statuses(self, count: int) -> None:
        rng = self.rng
        columns = ["uid", "crossing_id", "status", "traffic", "effective_at", "recorded_at", "certainty", "note"]

        def rows() -> Iterator[tuple[Any, ...]]:
            for _ in range(count):
                effective = self._moment()
                recorded = min(effective + timedelta(hours=rng.random() * 48), self.until)
                yield (
                    self._uuid(),
                    rng.choice(self.crossings).pk,
                    rng.choice(STATUSES),
                    rng.choice(Traffic.values),
                    effective,
                    recorded,
                    rng.choice(CrossingStatus.Certainty.values),
                    "Generated for benchmarks.",
                )

        self._copy(CrossingStatus._meta.db_table, columns, rows())

    @transaction.atomic
    def _accords(self, disputes: int, agreements: int) -> None:
        rng = self.rng
        made = AidDispute.objects.bulk_create(
            AidDispute(
                name=f"Bench dispute {i:04d}",
                slug=f"bench-dispute-{i:04d}",
                crisis=rng.choice(self.crises),
                subject=rng.choice(AidDispute.Subject.values),
                opened_on=self._moment().date(),
                state=rng.choice([s for s in AidDispute.State.values if s != "resolved"]),
            )
            for i in range(disputes)
        )
        AidDisputeStateChange.objects.bulk_create(
            AidDisputeStateChange(
                dispute=d,
                from_state="",
                to_state=d.state,
                recorded_at=self.until,
                effective_at=datetime.combine(d.opened_on, datetime.min.time(), tzinfo=UTC),
            )
            for d in made
        )
        through = AidDispute.crossings.through
        through.objects.bulk_create(
            through(aiddispute_id=d.pk, crossing_id=rng.choice(self.crossings).pk) for d in made
        )
        deals = EvacuationAgreement.objects.bulk_create(
            EvacuationAgreement(
                name=f"Bench agreement {i:04d}",
                slug=f"bench-agreement-{i:04d}",
                crisis=rng.choice(self.crises),
                announced_on=self._moment().date(),
                state=rng.choice(EvacuationAgreement.State.values),
            )
            for i in range(agreements)
        )
        EvacuationAgreementStateChange.objects.bulk_create(
            EvacuationAgreementStateChange(
                agreement=a,
                from_state="",
                to_state=a.state,
                recorded_at=self.until,
                effective_at=datetime.combine(a.announced_on, datetime.min.time(), tzinfo=UTC),
            )
            for a in deals
        )

    def _changes(self) -> None:
        """The change feed, in recorded order, as the services would have written it."""
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO tracker_change (kind, recorded_at, crossing_status_id, retraction_id,
                                            dispute_change_id, agreement_change_id)
                SELECT kind, recorded_at, cs, NULL, dc, ac FROM (
                    SELECT 'crossing_status' AS kind, recorded_at, id AS cs, NULL::bigint AS dc,
                           NULL::bigint AS ac FROM tracker_crossingstatus
                    UNION ALL
                    SELECT 'dispute_state', recorded_at, NULL, id, NULL FROM tracker_aiddisputestatechange
                    UNION ALL
                    SELECT 'agreement_state', recorded_at, NULL, NULL, id FROM tracker_evacuationagreementstatechange
                ) AS everything ORDER BY recorded_at, kind, coalesce(cs, dc, ac)
            """)

    def _flows(self, count: int) -> None:
        rng = self.rng
        days = (self.until.date() - self.since.date()).days
        seen: set[tuple[int, int, str, int]] = set()
        columns = ["uid", "version", "crossing_id", "day", "metric", "value", "source_id", "note", "recorded_at"]

        def rows() -> Iterator[tuple[Any, ...]]:
            while len(seen) < count:
                key = (
                    rng.choice(self.crossings).pk,
                    rng.randrange(days),
                    rng.choice(FlowCount.Metric.values),
                    rng.choice(self.sources).pk,
                )
                if key in seen:
                    continue
                seen.add(key)
                yield (
                    self._uuid(),
                    1,
                    key[0],
                    self.since.date() + timedelta(days=key[1]),
                    key[2],
                    rng.randrange(0, 400),
                    key[3],
                    "",
                    self.until,
                )

        self._copy(FlowCount._meta.db_table, columns, rows())

    def _reports(self, count: int) -> None:
        rng = self.rng
        with connection.cursor() as cursor:  # one index build at the end beats a million incremental updates
            cursor.execute("DROP INDEX IF EXISTS report_search_vector")
        names = [c.name for c in self.crossings]
        states = [Report.ReviewState.RELEVANT] * 6 + [Report.ReviewState.NEW] * 3 + [Report.ReviewState.NOT_RELEVANT]
        columns = [
            "uid",
            "version",
            "source_id",
            "url",
            "canonical_url",
            "external_id",
            "title",
            "summary_html",
            "text",
            "published_at",
            "published_at_estimated",
            "fetched_at",
            "language",
            "content_hash",
            "raw",
            "review_state",
            "created_at",
            "updated_at",
            "organisations",
            "country_codes",
            "disaster",
            "glide",
        ]

        def words(n: int) -> str:
            picked = rng.choices(COMMON, k=n // 4) + rng.choices(FILLER, k=n - n // 4)
            rng.shuffle(picked)
            return " ".join(picked)

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(count):
                crossing = rng.choice(names)
                title = f"{crossing}: {words(8)}"
                text = f"{words(25)} {crossing} {words(30)}."
                published = self._moment()
                url = f"https://bench.example.org/reports/{i}"
                yield (
                    self._uuid(),
                    1,
                    rng.choice(self.sources).pk,
                    url,
                    url,
                    f"bench-{i}",
                    title,
                    f"<p>{text}</p>",
                    text,
                    published,
                    False,
                    published,
                    "en",
                    content_hash(title, text),
                    "",
                    rng.choice(states),
                    published,
                    published,
                    "[]",
                    "[]",
                    "",
                    "",
                )

        self._copy(Report._meta.db_table, columns, rows())

    def _links(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO tracker_report_crossings (report_id, crossing_id)
                SELECT r.id, c.id FROM tracker_report r
                JOIN tracker_crossing c ON r.title LIKE c.name || ':%'
            """)
            cursor.execute("""
                INSERT INTO tracker_report_crises (report_id, crisis_id)
                SELECT DISTINCT rc.report_id, cc.crisis_id FROM tracker_report_crossings rc
                JOIN tracker_crossing_crises cc ON cc.crossing_id = rc.crossing_id
            """)
            cursor.execute("""
                INSERT INTO tracker_statussuggestion (uid, version, report_id, crossing_id, proposed_status, traffic,
                    evidence, matched_phrase, state, created_at, decision_note, rejection_reason, confidence, reason)
                SELECT gen_random_uuid(), 1, rc.report_id, rc.crossing_id, 'closed', 'all', left(r.text, 200),
                       'closed', 'pending', r.fetched_at, '', '', 0.8, 'seeded for the benchmark'
                FROM tracker_report_crossings rc JOIN tracker_report r ON r.id = rc.report_id
                WHERE rc.report_id % 50 = 0
            """)

    def _finish(self) -> None:
        with connection.cursor() as cursor:
            # Inside a caller's transaction (the tests), deferred foreign-key checks must run before an index build.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS report_search_vector ON tracker_report USING gin (search_vector)"
            )
            cursor.execute("ANALYZE")

    # --- helpers -------------------------------------------------------------------------------------------

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _copy(self, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
        connection.ensure_connection()
        raw = connection.connection
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with transaction.atomic(), raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
