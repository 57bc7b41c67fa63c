"""Who changed what cannot be erased: the append-only tables refuse TRUNCATE too, and every django-simple-history
table (every app's, many-to-many histories included) refuses UPDATE, DELETE and TRUNCATE in the database; an
operator prunes only through ``history_maintenance``, inside one transaction, logged (SECURITY.md)."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from tests.factories import CrisisFactory, CrossingFactory
from tracker.history_guard import APPEND_ONLY_TABLES, guard_triggers, historical_tables, history_maintenance
from tracker.models import Crossing

pytestmark = pytest.mark.django_db


def _refused(sql: str) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred key check pending: TRUNCATE would refuse that
        cursor.execute(sql)


def _simple_history_tables() -> set[str]:
    """Straight from django-simple-history: the table of each tracked model's history manager."""
    tables = set()
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute:
            tables.add(getattr(model, attribute).model._meta.db_table)
    return tables


@pytest.fixture
def edited_crossing():  # type: ignore[no-untyped-def]
    crossing = CrossingFactory(description="one")
    crossing.description = "two"
    crossing.version += 1
    crossing.save()
    crossing.crises.add(CrisisFactory())  # a row in the many-to-many history as well
    assert crossing.history.filter(description="one").count() == 1
    return crossing


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_append_only_tables_refuse_truncate(table):
    _refused(f"TRUNCATE {table} CASCADE")


def test_every_history_table_of_every_app_is_guarded():
    found = historical_tables()
    assert _simple_history_tables() <= set(found)
    assert "ingest_historicalstatusphrase" in found and "tracker_historicalcrossing_crises" in found
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'"
        )
        present = set(cursor.fetchall())
    missing = [
        (t, name) for t in [*APPEND_ONLY_TABLES, *found] for name in guard_triggers(t) if (t, name) not in present
    ]
    assert missing == []


@pytest.mark.parametrize("table", ["tracker_historicalcrossing", "tracker_historicalcrossing_crises"])
def test_history_tables_refuse_update_delete_and_truncate(edited_crossing, table):
    _refused(f"UPDATE {table} SET history_change_reason = 'rewritten'" if "_crises" not in table else
             f"UPDATE {table} SET crisis_id = crisis_id")  # fmt: skip
    _refused(f"DELETE FROM {table}")
    _refused(f"TRUNCATE {table}")


def test_the_orm_cannot_erase_history_either(edited_crossing):
    with pytest.raises(IntegrityError), transaction.atomic():
        Crossing.history.filter(id=edited_crossing.pk).update(history_user=None, history_change_reason="nobody")
    with pytest.raises(IntegrityError), transaction.atomic():
        Crossing.history.filter(id=edited_crossing.pk).delete()
    assert edited_crossing.history.filter(description="one").count() == 1


def test_ingest_history_is_guarded_too():
    from ingest.models import StatusPhrase

    phrase = StatusPhrase.objects.first()
    assert phrase is not None, "seeded by ingest's migration 0002"
    phrase.save()
    _refused("DELETE FROM ingest_historicalstatusphrase")


def test_an_operator_prunes_inside_one_logged_transaction_and_the_guard_comes_back(edited_crossing, caplog):
    before = edited_crossing.history.count()
    with (
        caplog.at_level(logging.WARNING, logger="tracker.security"),
        history_maintenance(reason="retention: drop 2019", tables=["tracker_historicalcrossing"]),
    ):
        Crossing.history.filter(id=edited_crossing.pk, description="one").delete()
    assert "history maintenance" in caplog.text and "retention: drop 2019" in caplog.text
    assert edited_crossing.history.count() == before - 1
    assert not edited_crossing.history.filter(description="one").exists()
    _refused("DELETE FROM tracker_historicalcrossing")


def test_maintenance_names_a_reason_and_only_guarded_tables():
    with pytest.raises(ValueError, match="say why"), history_maintenance(reason=" "):
        pass
    with pytest.raises(ValueError, match="not a guarded"), history_maintenance(reason="x", tables=["auth_user"]):
        pass


def test_a_failed_maintenance_rolls_back_with_its_guard_restored(edited_crossing):
    with pytest.raises(RuntimeError), history_maintenance(reason="oops", tables=["tracker_historicalcrossing"]):
        Crossing.history.all().delete()
        raise RuntimeError("changed my mind")
    assert edited_crossing.history.filter(description="one").count() == 1
    _refused("DELETE FROM tracker_historicalcrossing")
