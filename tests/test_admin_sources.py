"""The source form says what each kind of source needs, and refuses what it lacks field by field, in words, never
by a database constraint's name."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.admin_forms import change_form_data
from tests.factories import SourceFactory
from tracker.models import Source

pytestmark = pytest.mark.django_db

ADD = reverse("admin:tracker_source_add")


def new_source(client, **fields: Any):  # type: ignore[no-untyped-def]
    data = {**change_form_data(client.get(ADD)), "name": "UN News", "slug": "un-news", "params": "{}", **fields}
    return client.post(ADD, data)


def field_errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, "expected the form back with errors"
    return {name: list(errors) for name, errors in response.context["adminform"].form.errors.items()}


def test_the_form_says_what_each_kind_needs(editor_client):
    page = editor_client.get(ADD).content.decode()
    assert "RSS, Atom or JSON Feed" in page
    assert "https://api.reliefweb.int/v2/reports" in page and "appname" in page and "query[value]" in page
    assert "<b>Manual</b>: no URL" in page


def test_a_feed_without_a_url_is_refused_on_the_url_field_in_words(editor_client):
    response = new_source(editor_client, kind="feed", url="")
    errors = field_errors(response)
    assert errors["url"] == ["A feed source needs the URL of its RSS, Atom or JSON Feed document."]
    assert "source_polled_has_url" not in response.content.decode()
    assert not Source.objects.exists()


def test_a_reliefweb_source_needs_its_api_url_and_an_appname(editor_client):
    errors = field_errors(new_source(editor_client, kind="reliefweb", url="", params='{"query[value]": "Rafah"}'))
    assert "API URL" in errors["url"][0] and "appname" in errors["params"][0]
    errors = field_errors(new_source(editor_client, kind="reliefweb", url="", params="[1, 2]"))
    assert "JSON object" in errors["params"][0]
    response = new_source(
        editor_client,
        kind="reliefweb",
        url="https://api.reliefweb.int/v2/reports",
        params='{"appname": "tracker-test", "query[value]": "Rafah"}',
    )
    assert response.status_code == 302
    assert Source.objects.get().params == {"appname": "tracker-test", "query[value]": "Rafah"}


def test_a_manual_source_needs_no_url(editor_client):
    assert new_source(editor_client, kind="manual", url="").status_code == 302
    assert Source.objects.get().kind == Source.Kind.MANUAL


@pytest.mark.parametrize("minutes", ["0", "-5"])
def test_poll_interval_is_at_least_a_minute(editor_client, minutes):
    errors = field_errors(
        new_source(editor_client, kind="feed", url="https://example.org/feed.xml", **{"poll_interval_minutes": minutes})
    )
    assert errors["poll_interval_minutes"]
    assert "source_interval_positive" not in str(errors)
    assert not Source.objects.exists()


def test_editing_a_source_into_a_feed_without_url_is_refused_and_nothing_changes(editor_client):
    source = SourceFactory(name="Wire", kind=Source.Kind.MANUAL)
    url = reverse("admin:tracker_source_change", args=[source.pk])
    response = editor_client.post(url, {**change_form_data(editor_client.get(url)), "kind": "feed", "url": ""})
    assert "url" in field_errors(response)
    source.refresh_from_db()
    assert source.kind == Source.Kind.MANUAL
