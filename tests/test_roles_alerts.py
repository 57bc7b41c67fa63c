"""Editors read the alerts' subscriptions and delivery log in the admin (to answer "why did I get no alert?"), but
never another reader's feed keys; analysts see none of it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "editors_see"),
    [("alertsubscription", True), ("alertdelivery", True), ("alertdigest", True), ("feedtoken", False)],
)
def test_editors_read_subscriptions_and_deliveries_not_feed_keys(editor_client, model, editors_see):
    response = editor_client.get(f"/admin/alerts/{model}/")
    assert response.status_code == (200 if editors_see else 403)


def test_editors_may_not_add_change_or_delete_alert_rows(editor):
    for action in ("add", "change", "delete"):
        for model in ("alertsubscription", "alertdelivery", "alertdigest", "feedtoken"):
            assert not editor.has_perm(f"alerts.{action}_{model}")


def test_the_admin_index_lists_alerts_for_editors(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert "/admin/alerts/alertdelivery/" in html and "/admin/alerts/feedtoken/" not in html


def test_analysts_see_no_alert_rows(analyst_client):
    for model in ("alertsubscription", "alertdelivery", "alertdigest", "feedtoken"):
        assert analyst_client.get(f"/admin/alerts/{model}/").status_code in (302, 403)
