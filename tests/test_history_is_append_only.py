"""History rows are written once: the ORM, raw SQL and the admin all refuse to change or delete them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from tests.factories import CrossingFactory, dispute, status
from tracker import services
from tracker.models import AidDispute, AidDisputeStateChange, AppendOnlyError, Change, CrossingStatus

pytestmark = pytest.mark.django_db
WHEN = datetime(2023, 10, 12, tzinfo=UTC)


@pytest.fixture
def row():
    return status(CrossingFactory(), CrossingStatus.Status.CLOSED, WHEN)


def test_saving_a_changed_row_is_refused(row):
    row.status = CrossingStatus.Status.OPEN
    with pytest.raises(AppendOnlyError):
        row.save()
    row.refresh_from_db()
    assert row.status == CrossingStatus.Status.CLOSED


def test_queryset_update_and_delete_are_refused(row):
    with pytest.raises(AppendOnlyError):
        CrossingStatus.objects.filter(pk=row.pk).update(status="open")
    with pytest.raises(AppendOnlyError):
        CrossingStatus.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert CrossingStatus.objects.get(pk=row.pk).status == CrossingStatus.Status.CLOSED


@pytest.mark.parametrize("table", ["tracker_crossingstatus", "tracker_change"])
def test_raw_sql_update_is_refused_by_the_database(row, table):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET recorded_at = now()")


def test_raw_sql_delete_is_refused_by_the_database(row):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracker_crossingstatus")
    assert CrossingStatus.objects.count() == 1


def test_dispute_history_is_append_only():
    entity = dispute()
    services.accord_change_state(entity=entity, to_state=AidDispute.State.STALLED, changed_by=None)
    change = AidDisputeStateChange.objects.filter(dispute=entity).first()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE tracker_aiddisputestatechange SET note = 'rewritten'")


def test_every_status_row_enters_the_change_feed(row):
    assert Change.objects.filter(kind=Change.Kind.CROSSING_STATUS, crossing_status=row).count() == 1


def test_admin_offers_no_change_or_delete_of_history(client, superuser, row):
    client.force_login(superuser)
    change_url = reverse("admin:tracker_crossingstatus_change", args=[row.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content, "the row is shown read-only"
    post = client.post(change_url, {"status": "open", "note": "rewrite"})
    assert post.status_code == 403
    delete = client.post(reverse("admin:tracker_crossingstatus_delete", args=[row.pk]), {"post": "yes"})
    assert delete.status_code == 403
    row.refresh_from_db()
    assert row.status == CrossingStatus.Status.CLOSED
