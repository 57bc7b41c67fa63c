"""Cached answers are never older than the record: any committed write, from anywhere, replaces them at once.

These tests commit (``transaction=True``): the record's version moves at commit, and answers are never cached
inside a transaction (the other tests run in one, so they always see answers computed afresh).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import CrisisFactory, CrossingFactory, SourceFactory, report, status
from tracker import caching, services
from tracker.models import Report, Traffic

T0 = datetime(2023, 10, 20, 12, tzinfo=UTC)
# Tables whose rows no page or API answer shows: history mirrors (written with their table), worker heartbeats.
UNSHOWN = {"tracker_workerheartbeat"}


def version() -> str:
    value = caching.record_version()
    assert value is not None
    return value


def statuses(client, url: str = "/api/v1/crossings/") -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {c["slug"]: c["status"]["aid"]["status"] for c in response.json()["results"]}


@pytest.mark.django_db
def test_every_table_of_the_record_has_the_trigger_that_moves_the_version():
    tables = {
        model._meta.db_table
        for model in apps.get_app_config("tracker").get_models(include_auto_created=True)
        if not model._meta.db_table.startswith("tracker_historical") and model._meta.db_table not in UNSHOWN
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'record_written'"
        )
        triggered = {name for (name,) in cursor.fetchall()}
    assert tables - triggered == set()
    assert "auth_user" in triggered


@pytest.mark.django_db
def test_nothing_is_cached_inside_a_transaction():
    assert caching.record_version() is None
    assert caching.answer_key("anything") is None


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_moves_the_version_a_source_poll_does_not():
    before = version()
    feed = SourceFactory(name="Feed", kind="feed", url="https://feed.test/rss")
    after_write = version()
    assert after_write != before
    services.source_poll_succeeded(source=feed, polled_at=T0, etag='"x"', last_modified="")
    assert version() == after_write  # polling health is not shown anywhere
    services.source_set_enabled(source=feed, enabled=False, changed_by=None)
    assert version() != after_write


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_the_database_never_shares_answers_with_its_original(monkeypatch):
    """``CREATE DATABASE copy TEMPLATE original`` copies the epoch too; both may use one cache."""
    key = caching.answer_key("api", "/api/v1/crossings/")
    assert key is not None and caching.answer_key("api", "/api/v1/crossings/") == key
    monkeypatch.setitem(connection.settings_dict, "NAME", connection.settings_dict["NAME"] + "_copy")
    assert caching.answer_key("api", "/api/v1/crossings/") != key


@pytest.mark.django_db(transaction=True)
def test_a_cached_answer_is_replaced_as_soon_as_a_status_is_recorded(partner_client):
    crossing = CrossingFactory(name="Rafah")
    status(crossing, "closed", T0)
    assert statuses(partner_client) == {"rafah": "closed"}
    with CaptureQueriesContext(connection) as hit:
        assert statuses(partner_client) == {"rafah": "closed"}
    assert not any("tracker_crossingstatus" in q["sql"] for q in hit.captured_queries)  # served from the cache
    status(crossing, "open", T0 + timedelta(hours=1), Traffic.AID)
    assert statuses(partner_client) == {"rafah": "open"}


@pytest.mark.django_db(transaction=True)
def test_a_write_from_another_connection_replaces_the_cached_answer(partner_client):
    CrossingFactory(name="Rafah")
    assert partner_client.get("/api/v1/crossings/rafah/").json()["name"] == "Rafah"
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        other.execute("UPDATE tracker_crossing SET name = 'Rafah (Egypt side)' WHERE slug = 'rafah'")
    assert partner_client.get("/api/v1/crossings/rafah/").json()["name"] == "Rafah (Egypt side)"


@pytest.mark.django_db(transaction=True)
def test_a_status_recorded_ahead_of_its_time_takes_effect_in_a_cached_answer(partner_client, settings):
    with time_machine.travel(T0, tick=False) as clock:
        crossing = CrossingFactory(name="Rafah")
        status(crossing, "closed", T0 - timedelta(days=1))
        # Recorded now, taking effect in two minutes (within the allowed clock skew).
        status(crossing, "open", T0 + timedelta(minutes=2))
        assert statuses(partner_client) == {"rafah": "closed"}
        assert statuses(partner_client) == {"rafah": "closed"}
        clock.move_to(T0 + timedelta(minutes=2, seconds=1))
        assert statuses(partner_client) == {"rafah": "open"}


@pytest.mark.django_db(transaction=True)
def test_each_format_page_and_moment_is_its_own_answer(partner_client):
    crossing = CrossingFactory(name="Rafah")
    CrossingFactory(name="Erez")
    status(crossing, "closed", T0)
    assert partner_client.get("/api/v1/crossings/?format=geojson").json()["type"] == "FeatureCollection"
    assert "results" in partner_client.get("/api/v1/crossings/").json()
    assert len(partner_client.get("/api/v1/crossings/?page_size=1").json()["results"]) == 1
    assert statuses(partner_client, "/api/v1/crossings/?page_size=2") == {"erez": "unknown", "rafah": "closed"}
    past = f"/api/v1/crossings/?as_of={(T0 - timedelta(days=1)).isoformat().replace('+00:00', 'Z')}"
    assert statuses(partner_client, past) == {"erez": "unknown", "rafah": "unknown"}


@pytest.mark.django_db(transaction=True)
def test_a_cached_answer_keeps_its_etag_and_answers_304(partner_client):
    CrossingFactory(name="Rafah")
    first = partner_client.get("/api/v1/crossings/")
    again = partner_client.get("/api/v1/crossings/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert partner_client.get("/api/v1/crossings/").content == first.content


@pytest.mark.django_db(transaction=True)
def test_a_broken_cache_is_a_miss_not_an_error(partner_client, monkeypatch):
    CrossingFactory(name="Rafah")

    class Down:
        def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise ConnectionError("cache server gone")

        set = get

    monkeypatch.setattr(caching, "cache", Down())
    assert statuses(partner_client) == {"rafah": "unknown"}
    assert statuses(partner_client) == {"rafah": "unknown"}


@pytest.mark.django_db(transaction=True)
def test_folding_the_log_keeps_the_version():
    with connection.cursor() as cursor:
        for _ in range(250):
            cursor.execute("INSERT INTO tracker_record_log DEFAULT VALUES")
        cursor.execute("SELECT SUM(weight) FROM tracker_record_log")
        (total,) = cursor.fetchone()
    assert version().endswith(f":{total}")  # this read folds the log
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), SUM(weight) FROM tracker_record_log")
        assert cursor.fetchone() == (1, total)
    CrossingFactory(name="After the fold")
    assert version().endswith(f":{total + 1}")


# --- pages ----------------------------------------------------------------------------------------------------


def page_status(client, url: str, slug: str = "rafah") -> str:  # type: ignore[no-untyped-def]
    html = client.get(url).content.decode()
    row = html[html.index(f'data-crossing="{slug}"') :]
    return row[row.index('data-traffic="aid" data-status="') :].split('"')[3]


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_shows_a_status_as_soon_as_it_is_recorded(analyst_client):
    crisis = CrisisFactory()
    crossing = CrossingFactory(name="Rafah")
    crossing.crises.add(crisis)
    status(crossing, "closed", T0)
    for url in ("/", "/crossings/rafah/", f"/?as_of={(T0 + timedelta(days=2)).date().isoformat()}"):
        assert page_status(analyst_client, url) == "closed"
        assert page_status(analyst_client, url) == "closed"
    # Back-dated: it changes the past as well as now.
    status(crossing, "open", T0 + timedelta(days=1), Traffic.AID)
    for url in ("/", "/crossings/rafah/", f"/?as_of={(T0 + timedelta(days=2)).date().isoformat()}"):
        assert page_status(analyst_client, url) == "open", url


@pytest.mark.django_db(transaction=True)
def test_a_page_of_now_is_rebuilt_each_minute(analyst_client, settings):
    settings.STATUS_STALE_AFTER_DAYS = 7
    with time_machine.travel(T0, tick=False) as clock:
        crossing = CrossingFactory(name="Rafah")
        crossing.crises.add(CrisisFactory())
        status(crossing, "closed", T0 - timedelta(days=7) + timedelta(seconds=30))
        assert "Stale" not in analyst_client.get("/").content.decode()
        clock.move_to(T0 + timedelta(seconds=45))
        assert "Stale" not in analyst_client.get("/").content.decode()  # the same minute: the same page
        clock.move_to(T0 + timedelta(minutes=1))
        assert "Stale" in analyst_client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_editors_and_analysts_get_their_own_pages(analyst_client, editor):
    from tests.test_pages_support import signed_in

    crossing = CrossingFactory(name="Rafah")
    crossing.crises.add(CrisisFactory())
    unreviewed = SourceFactory(name="Wire")
    report = services.report_store(source=unreviewed, title="Rafah shut", published_at=T0).report
    services.suggestion_raise(report=report, crossing=crossing, proposed_status="closed", evidence="Rafah shut.")
    named = "(<bdi>Wire</bdi>)"  # the source of the pending suggestion, in the editors' queue
    assert named not in analyst_client.get("/").content.decode()
    assert named in signed_in(editor).get("/").content.decode()
    assert named not in analyst_client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_one_caller_builds_an_expired_page_the_others_wait_for_its_answer(settings):
    settings.ANSWER_BUILD_WAIT_SECONDS = 30
    key = caching.answer_key("page", "single flight")
    assert caching.answer_build_claim(key)
    assert not caching.answer_build_claim(key), "a second caller does not build too"

    def builder() -> None:
        time.sleep(0.2)
        caching.answer_put(key, "the page")
        caching.answer_build_release(key)

    thread = threading.Thread(target=builder)
    thread.start()
    assert caching.answer_wait(key) == "the page"
    thread.join()
    assert caching.answer_build_claim(key), "released once built"


@pytest.mark.django_db(transaction=True)
def test_a_waiter_builds_itself_once_the_builder_is_done_without_storing(settings, monkeypatch):
    """An answer too short-lived to keep is not stored: the waiters must not wait out the whole period."""
    settings.ANSWER_BUILD_WAIT_SECONDS = 30
    key = caching.answer_key("page", "built at 59.9 s")
    assert caching.answer_build_claim(key)
    polls = []
    monkeypatch.setattr(caching.time, "sleep", lambda seconds: polls.append(seconds))
    caching.answer_build_release(key)
    assert caching.answer_wait(key) is None
    assert len(polls) == 1


@pytest.mark.django_db(transaction=True)
def test_pages_of_now_are_built_once_by_concurrent_readers(analyst_client, monkeypatch):
    """Four readers open the dashboard at once while its answer is missing: one builds it, all get it."""
    from django.test import Client

    from tracker import selectors

    CrossingFactory(name="Rafah").crises.add(CrisisFactory())
    builds = []
    original = selectors.dashboard

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        builds.append(1)
        time.sleep(0.3)  # long enough for the others to find it being built
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "dashboard", counted)
    pages: list[str] = []

    def read() -> None:
        reader = Client()
        reader.cookies = analyst_client.cookies
        try:
            response = reader.get("/")
            assert response.status_code == 200
            pages.append(response.content.decode())
        finally:
            connection.close()

    # A page of "now" is kept until the next minute: built in the minute's last second it would not be stored at
    # all, and every reader would build it (CI once started this at 12:34:59.1).
    while timezone.now().second >= 50:
        time.sleep(0.2)
    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages) == 4 and all("Rafah" in page for page in pages)
    assert len(builds) == 1


def test_a_sources_polling_health_is_the_part_left_out_of_the_version():
    """Migration 0005 keeps its own frozen copy of the health columns; it must name the model's."""
    from importlib import import_module

    from tracker.models.sources import SOURCE_HEALTH_FIELDS

    migration = import_module("tracker.migrations.0005_perf_record_version")
    assert migration.UNSEEN_COLUMNS["tracker_source"] == list(SOURCE_HEALTH_FIELDS)


@pytest.mark.django_db
def test_the_next_moment_an_answer_changes_is_the_first_row_or_shown_report_to_take_effect():
    """A page computed now holds until ``next_moment_after``: the first status row, or report any page may show
    (relevant, or new for editors), that takes effect later. A report marked irrelevant shows nowhere."""
    crossing = CrossingFactory(name="Rafah")
    assert caching.next_moment_after(T0) is None
    irrelevant = report(title="Rafah rumour", published_at=T0 + timedelta(hours=1))
    services.report_review(report=irrelevant, state=Report.ReviewState.NOT_RELEVANT, reviewed_by=None)
    assert caching.next_moment_after(T0) is None
    report(title="Rafah convoy waits", published_at=T0 + timedelta(hours=3))  # new: editors see it
    assert caching.next_moment_after(T0) == T0 + timedelta(hours=3)
    assert caching.next_moment_after(T0, reports=False) is None
    status(crossing, "closed", T0 + timedelta(hours=2))
    assert caching.next_moment_after(T0) == T0 + timedelta(hours=2)
    assert caching.next_moment_after(T0, reports=False) == T0 + timedelta(hours=2)
    assert caching.next_moment_after(T0 + timedelta(hours=3)) is None
