"""Measure the status pages' reads on a generated situation, and print the figures (it asserts nothing).

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker .venv/bin/python -m tracker.pages.bench \
        --crossings 100 --rows 40 --reports 2000

Everything is written through the services inside one transaction that is rolled back at the end, so the
database is left as it was. For each read: the wall time (best of ``--repeat``) and the number of queries, which
must not grow with the data (the tests assert that; this shows the time it takes).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any


class _Rollback(Exception):
    pass


def _measure(label: str, read: Callable[[], Any], repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best = float("inf")
    queries = 0
    connection.queries_log.clear()  # the generation filled the log to its cap; start counting from empty
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            read()
            best = min(best, time.perf_counter() - started)
        queries = len(captured)
    print(f"{label:<58} {best * 1000:9.1f} ms {queries:5d} queries")


def _generate(crossing_count: int, rows: int, report_count: int) -> dict[str, Any]:
    from django.utils import timezone

    from tracker import services
    from tracker.models import Crisis, Crossing, CrossingStatus, Report, Source, Traffic

    now = timezone.now()
    crisis = Crisis.objects.create(name="Benchmark crisis", started_on=(now - timedelta(days=rows + 5)).date())
    source = Source.objects.create(name="Benchmark source", kind=Source.Kind.MANUAL)
    statuses = [CrossingStatus.Status.OPEN, CrossingStatus.Status.CLOSED, CrossingStatus.Status.RESTRICTED]
    kinds = [Traffic.ALL, Traffic.AID, Traffic.PEOPLE, Traffic.FUEL]
    from tracker.models import Country

    egypt, palestine = Country.objects.get(iso3="EGY"), Country.objects.get(iso3="PSE")
    crossings = []
    for n in range(crossing_count):
        crossing = Crossing.objects.create(
            name=f"Bench crossing {n}", side_a=egypt, side_b=palestine, latitude=31 + n / 1000, longitude=34
        )
        crossing.crises.add(crisis)
        for r in range(rows):
            services.crossing_record_status(
                crossing=crossing,
                status=statuses[(r // 3 + n) % 3],  # runs of three equal statements
                traffic=kinds[r % 4],
                effective_at=now - timedelta(days=rows - r),
                recorded_by=None,
                note="benchmark",
            )
        crossings.append(crossing)
    for n in range(report_count):
        stored = services.report_store(
            source=source,
            external_id=f"bench-{n}",
            title=f"Bench report {n} on crossing {n % crossing_count}",
            text=f"Crossing {n % crossing_count} was {'closed' if n % 2 else 'open'} to aid convoys on day {n}.",
            published_at=now - timedelta(hours=n),
        ).report
        services.report_review(report=stored, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    return {"crisis": crisis, "crossings": crossings, "now": now}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crossings", type=int, default=60)
    parser.add_argument("--rows", type=int, default=40, help="status rows per crossing")
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from tracker import selectors
    from tracker.models import Crossing

    print(
        f"database: {connection.vendor}; {args.crossings} crossings x {args.rows} status rows, {args.reports} reports"
    )
    started = time.perf_counter()
    try:
        with transaction.atomic():
            data = _generate(args.crossings, args.rows, args.reports)
            print(f"generated in {time.perf_counter() - started:.1f} s (rolled back at the end)\n")
            now, one = data["now"], data["crossings"][0]
            past = now - timedelta(days=args.rows // 2)
            _measure(
                "crossings_with_standing (all crossings, now)",
                lambda: selectors.crossings_with_standing(Crossing.objects.all(), as_of=now),
                args.repeat,
            )
            _measure(
                "crossings_with_standing (all crossings, as of the past)",
                lambda: selectors.crossings_with_standing(Crossing.objects.all(), as_of=past),
                args.repeat,
            )
            _measure(
                "dashboard (editor)",
                lambda: selectors.dashboard(as_of=now, include_unreviewed=True),
                args.repeat,
            )
            found = selectors.crossings_with_standing(Crossing.objects.filter(pk=one.pk), as_of=now)[0]
            _measure(
                "crossing_page (one crossing, all its history)",
                lambda: selectors.crossing_page(found, as_of=now, include_unreviewed=False),
                args.repeat,
            )
            _measure(
                "timeline_entries (first page of 50)",
                lambda: selectors.timeline_entries(as_of=now, limit=50),
                args.repeat,
            )
            _measure(
                "reports_listing 'closed aid' (count + first 20)",
                lambda: (
                    (
                        found_reports := selectors.reports_listing(
                            as_of=now, include_unreviewed=False, text="closed aid"
                        )
                    ),
                    found_reports.count(),
                    list(found_reports[:20]),
                ),
                args.repeat,
            )
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
