"""A failure never shows a stack trace, code, SQL or data to the caller: pages and the admin answer with the site's
error pages, the API with its JSON error shape; the exception goes to the log."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError

from tests.factories import CrisisFactory
from tracker.demo import load_demo

pytestmark = pytest.mark.django_db

SECRET_DETAIL = 'relation "tracker_secret" does not exist LINE 1: SELECT password FROM /srv/tracker/settings.py'


def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise ProgrammingError(SECRET_DETAIL)


def assert_reveals_nothing(response) -> None:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    for leak in ("Traceback", "tracker_secret", "SELECT", ".py", "ProgrammingError", 'File "', "Exception"):
        assert leak not in body, leak


@pytest.fixture
def failing_client(client):  # type: ignore[no-untyped-def]
    """A test client that returns the 500 response as a browser would get it, instead of raising."""
    client.raise_request_exception = False
    return client


def test_a_page_that_fails_shows_the_error_page_and_nothing_else(failing_client, analyst, monkeypatch, caplog):
    from tracker.pages import views

    monkeypatch.setattr(views.selectors, "dashboard", explode)
    failing_client.force_login(analyst)
    response = failing_client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert_reveals_nothing(response)
    assert any(SECRET_DETAIL in record.getMessage() or record.exc_info for record in caplog.records), "it is logged"


def test_an_admin_page_that_fails_shows_the_error_page(failing_client, editor, monkeypatch):
    from tracker.admin import CrisisAdmin

    monkeypatch.setattr(CrisisAdmin, "get_queryset", explode)
    failing_client.force_login(editor)
    response = failing_client.get("/admin/tracker/crisis/")
    assert response.status_code == 500
    assert_reveals_nothing(response)


def test_an_api_call_that_fails_answers_json_without_a_trace(failing_client, partner_token, monkeypatch):
    from tracker.api import views

    monkeypatch.setattr(views.selectors, "crossings_annotated_with_status", explode)
    response = failing_client.get("/api/v1/crossings/", headers={"Authorization": f"Bearer {partner_token.key}"})
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
    assert_reveals_nothing(response)


def test_unknown_addresses_are_the_site_404_page_or_the_api_404_json(client, analyst):
    client.force_login(analyst)
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and "There is nothing at this address" in page.content.decode()
    assert client.get("/crossings/no-such-crossing/").status_code == 404
    api = client.get("/api/v1/crossings/no-such-crossing/")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert client.get("/api/v2/anything").json()["error"]["code"] == "not_found"


def test_admin_addresses_do_not_reveal_what_exists_to_strangers(client, editor):
    crisis = CrisisFactory()
    for url in (f"/admin/tracker/crisis/{crisis.pk}/change/", "/admin/tracker/crisis/999999/change/", "/admin/nope/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_a_malformed_request_is_a_400_without_detail(client, settings):
    settings.ALLOWED_HOSTS = ["tracker.example.org"]
    response = client.get("/accounts/login/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert_reveals_nothing(response)
    api = client.get("/api/v1/crises/", HTTP_HOST="evil.example.com")
    assert api.status_code == 400 and api.json()["error"]["code"] == "bad_request"


def test_demo_data_does_not_change_the_error_pages(failing_client, editor, monkeypatch):
    """The same with real content loaded: the page still names nothing from the database."""
    from tracker.pages import views

    load_demo()
    monkeypatch.setattr(views.selectors, "crossing_page", explode)
    failing_client.force_login(editor)
    response = failing_client.get("/crossings/rafah/")
    assert response.status_code == 500
    assert "Rafah" not in response.content.decode()
