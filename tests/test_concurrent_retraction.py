"""Two editors retracting the same status row at once: one retraction is recorded, the other editor is told it has
already been retracted (a ValidationError, never an IntegrityError and a 500). Two real threads, two connections."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import CrossingFactory, status
from tracker.models import CrossingStatus, CrossingStatusRetraction
from tracker.services import crossings as crossing_services


@pytest.mark.django_db(transaction=True)
def test_the_second_of_two_simultaneous_retractions_is_told_it_is_already_retracted(editor, other_editor, monkeypatch):
    row = status(CrossingFactory(), CrossingStatus.Status.CLOSED, datetime(2023, 10, 10, tzinfo=UTC))
    # Both editors pass the "already retracted?" check before either writes, when nothing stops them: each waits
    # for the other just before inserting (at most 2 s: a retraction that holds a lock makes the other wait there).
    before_insert = threading.Barrier(2)
    create = CrossingStatusRetraction.objects.create

    def create_when_both_are_here(**fields):  # type: ignore[no-untyped-def]
        with contextlib.suppress(threading.BrokenBarrierError):
            before_insert.wait(timeout=2)
        return create(**fields)

    monkeypatch.setattr(CrossingStatusRetraction.objects, "create", create_when_both_are_here)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def retract(user) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait(timeout=10)
            crossing_services.crossing_retract_status(
                status_row=CrossingStatus.objects.get(pk=row.pk), recorded_by=user, reason="wrong crossing"
            )
            outcomes[user.username] = "retracted"
        except ValidationError as exc:
            outcomes[user.username] = " ".join(exc.messages)
        except Exception as exc:
            outcomes[user.username] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=retract, args=(user,)) for user in (editor, other_editor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["This status has already been retracted.", "retracted"], outcomes
    assert CrossingStatusRetraction.objects.filter(status_row=row).count() == 1


@pytest.mark.django_db
def test_the_unique_key_refusal_is_the_same_message_and_leaves_the_transaction_usable(editor, monkeypatch):
    """A check that saw no retraction (an older snapshot) and an insert the one-to-one key refuses."""
    from django.db import transaction

    row = status(CrossingFactory(), CrossingStatus.Status.CLOSED, datetime(2023, 10, 10, tzinfo=UTC))
    crossing_services.crossing_retract_status(status_row=row, recorded_by=editor, reason="first")
    real_filter = CrossingStatusRetraction.objects.filter
    calls = {"n": 0}

    class NotSeenOnce:
        def __init__(self, queryset):  # type: ignore[no-untyped-def]
            self.queryset = queryset

        def exists(self) -> bool:
            calls["n"] += 1
            return False if calls["n"] == 1 else self.queryset.exists()

    monkeypatch.setattr(CrossingStatusRetraction.objects, "filter", lambda **kw: NotSeenOnce(real_filter(**kw)))
    with transaction.atomic():
        with pytest.raises(ValidationError, match="already been retracted"):
            crossing_services.crossing_retract_status(status_row=row, recorded_by=editor, reason="second")
        assert CrossingStatus.objects.filter(pk=row.pk).exists()  # the transaction still answers


@pytest.mark.django_db(transaction=True)
def test_two_editors_retracting_one_row_in_the_admin_at_once_get_no_500(editor, other_editor, monkeypatch):
    from django.test import Client

    row = status(CrossingFactory(), CrossingStatus.Status.CLOSED, datetime(2023, 10, 10, tzinfo=UTC))
    before_insert = threading.Barrier(2)
    create = CrossingStatusRetraction.objects.create

    def create_when_both_are_here(**fields):  # type: ignore[no-untyped-def]
        with contextlib.suppress(threading.BrokenBarrierError):
            before_insert.wait(timeout=2)
        return create(**fields)

    monkeypatch.setattr(CrossingStatusRetraction.objects, "create", create_when_both_are_here)
    clients = {}
    for user in (editor, other_editor):
        clients[user.username] = Client(raise_request_exception=False)
        clients[user.username].force_login(user)
    start = threading.Barrier(2)
    codes: dict[str, int] = {}

    def post(username: str) -> None:
        try:
            start.wait(timeout=10)
            response = clients[username].post(
                "/admin/tracker/crossingstatusretraction/add/", {"status_row": row.pk, "reason": "wrong"}
            )
            codes[username] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert 302 in codes.values(), codes
    assert all(code < 500 for code in codes.values()), codes
    assert CrossingStatusRetraction.objects.filter(status_row=row).count() == 1
