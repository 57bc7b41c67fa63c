"""Two editors saving the same record at the same moment: one wins, the other is told; no update is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.admin_forms import change_form_data
from tests.factories import CrossingFactory


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_crossing_lose_nothing(editor, other_editor):
    crossing = CrossingFactory(description="original")
    url = reverse("admin:tracker_crossing_change", args=[crossing.pk])
    clients, forms = {}, {}
    for user in (editor, other_editor):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
        forms[user.username] = change_form_data(clients[user.username].get(url))

    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def save(username: str) -> None:
        try:
            barrier.wait(timeout=10)
            response = clients[username].post(url, {**forms[username], "description": f"written by {username}"})
            results[username] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()) == [200, 302], results  # one saved, one refused as stale
    winner = next(name for name, code in results.items() if code == 302)
    crossing.refresh_from_db()
    assert crossing.description == f"written by {winner}"
    assert crossing.version == 2
    # The refused editor's attempt left no trace: exactly one change after creation in the history.
    assert crossing.history.count() == 2
