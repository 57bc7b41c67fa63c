"""The links of reports to crossings, dated (``ReportCrossingDate``, kept by the triggers of migration 0013): after
every kind of write to the links or to a report's date, the dated copy holds exactly the links, each with its
report's date; and the crossing page's "latest reports about" reads it.

These run on PostgreSQL with the suite and again on SQLite (`make test`'s second run), whose triggers are written
apart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CrossingFactory, SourceFactory, report
from tracker import selectors, services
from tracker.models import Report, ReportCrossingDate

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]
START = datetime(2023, 10, 10, 12, tzinfo=UTC)
Links = set[tuple[int, int, datetime]]


def links() -> Links:
    return {
        (report_id, crossing_id, published_at)
        for report_id, crossing_id, published_at in Report.crossings.through.objects.values_list(
            "report_id", "crossing_id", "report__published_at"
        )
    }


def dated() -> Links:
    return set(ReportCrossingDate.objects.values_list("report_id", "crossing_id", "published_at"))


def reviewed(title: str, day: int, state: str = Report.ReviewState.RELEVANT) -> Report:
    row = report(SourceFactory(), title=title, published_at=START + timedelta(days=day))
    return services.report_review(report=row, state=state, reviewed_by=None)


def test_every_write_to_the_links_is_in_the_dated_copy_with_the_reports_date():
    rafah, kerem, erez = (CrossingFactory(name=n) for n in ("Rafah", "Kerem Shalom", "Erez"))
    first, second = reviewed("First", 1), reviewed("Second", 2)

    services.report_link(report=first, crossings=[rafah, kerem])
    services.report_link(report=second, crossings=[rafah])
    services.report_link(report=first, crossings=[rafah])  # already there: nothing added twice
    assert len(dated()) == 3 and dated() == links()

    second.crossings.add(erez)  # as the admin's form writes them
    second.crossings.remove(rafah)
    assert (
        dated()
        == links()
        == {
            (first.pk, rafah.pk, START + timedelta(days=1)),
            (first.pk, kerem.pk, START + timedelta(days=1)),
            (second.pk, erez.pk, START + timedelta(days=2)),
        }
    )
    first.crossings.set([erez])
    assert dated() == links() and {c for _, c, _ in dated()} == {erez.pk}

    second.crossings.clear()
    assert dated() == links() and len(dated()) == 1


def test_a_reports_new_date_moves_its_dated_links_and_no_other():
    rafah = CrossingFactory(name="Rafah")
    moved, kept = reviewed("Moved", 1), reviewed("Kept", 2)
    services.report_link(report=moved, crossings=[rafah])
    services.report_link(report=kept, crossings=[rafah])

    Report.objects.filter(pk=moved.pk).update(published_at=START + timedelta(days=9))
    moved.refresh_from_db()
    moved.title = "Moved, retitled"  # an update that leaves the date alone
    moved.save(update_fields=["title"])

    assert dated() == links()
    assert ReportCrossingDate.objects.get(report=moved).published_at == START + timedelta(days=9)
    assert ReportCrossingDate.objects.get(report=kept).published_at == START + timedelta(days=2)


def test_deleting_a_report_or_a_crossing_takes_its_dated_links_with_it():
    rafah, kerem = CrossingFactory(name="Rafah"), CrossingFactory(name="Kerem Shalom")
    gone, stays = reviewed("Gone", 1), reviewed("Stays", 2)
    services.report_link(report=gone, crossings=[rafah, kerem])
    services.report_link(report=stays, crossings=[rafah, kerem])

    gone.delete()
    kerem.delete()

    assert dated() == links() == {(stays.pk, rafah.pk, START + timedelta(days=2))}


def test_latest_reports_about_a_crossing_newest_first_as_of_a_moment_as_the_reader_may_see_them():
    rafah, kerem = CrossingFactory(name="Rafah"), CrossingFactory(name="Kerem Shalom")
    days = {
        "old": reviewed("Old", 1),
        "middle": reviewed("Middle", 3),
        "unreviewed": reviewed("Unreviewed", 4, Report.ReviewState.NEW),
        "rejected": reviewed("Rejected", 5, Report.ReviewState.NOT_RELEVANT),
        "newest": reviewed("Newest", 6),
        "later": reviewed("Later", 20),
    }
    for row in days.values():
        services.report_link(report=row, crossings=[rafah])
    services.report_link(report=reviewed("Elsewhere", 7), crossings=[kerem])
    same_day = reviewed("Same day, later id", 6)
    services.report_link(report=same_day, crossings=[rafah])

    def titles(**kwargs) -> list[str]:  # type: ignore[no-untyped-def]
        found = selectors.latest_reports_about(rafah, as_of=START + timedelta(days=10), **kwargs)
        return [r.title for r in found]

    assert titles(include_unreviewed=False, limit=12) == ["Same day, later id", "Newest", "Middle", "Old"]
    assert titles(include_unreviewed=True, limit=12) == [
        "Same day, later id",
        "Newest",
        "Unreviewed",
        "Middle",
        "Old",
    ]
    assert titles(include_unreviewed=False, limit=2) == ["Same day, later id", "Newest"]
    with CaptureQueriesContext(connection) as queries:
        found = selectors.latest_reports_about(
            rafah, as_of=START + timedelta(days=30), include_unreviewed=False, limit=12
        )
        assert [r.source.name for r in found]  # the source comes with them
    assert len(queries) == 1
    assert found[0].title == "Later"


def test_a_link_row_rewritten_in_place_moves_its_dated_copy():
    """Django never updates a link row, but a maintenance statement might: the copy follows it."""
    rafah, kerem = CrossingFactory(name="Rafah"), CrossingFactory(name="Kerem Shalom")
    first, second = reviewed("First", 1), reviewed("Second", 2)
    services.report_link(report=first, crossings=[rafah])
    Report.crossings.through.objects.filter(report=first).update(crossing=kerem, report=second)
    assert dated() == links() == {(second.pk, kerem.pk, START + timedelta(days=2))}


def test_links_made_before_the_migration_are_copied_by_it():
    from importlib import import_module

    migration = import_module("tracker.migrations.0013_report_crossing_dates")
    rafah = CrossingFactory(name="Rafah")
    for n in range(3):
        services.report_link(report=reviewed(f"Report {n}", n), crossings=[rafah])
    ReportCrossingDate.objects.all().delete()  # as a database from before migration 0013 had none
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert len(dated()) == 3 and dated() == links()


def test_emptying_the_links_at_once_empties_the_dated_copy():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite's DELETE without WHERE runs the row triggers (tested above)")
    rafah = CrossingFactory(name="Rafah")
    services.report_link(report=reviewed("Report", 1), crossings=[rafah])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction has deferred checks pending
        cursor.execute("TRUNCATE tracker_report_crossings")
    assert dated() == links() == set()
