"""Characters no text may hold (NUL, lone surrogates, other C0 controls) anywhere in a request are a 400, never a
500: the API answers in its error shape, pages with the plain 400 page; a CSV export never starts streaming first."""

from __future__ import annotations

import pytest

from tracker.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    load_demo()


def assert_api_400(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.status_code
    body = response.json()
    assert body["error"]["code"] == "bad_request"
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/?q=%00",
        "/api/v1/reports/?q=%00&format=csv",
        "/api/v1/crossings/?format=csv&q=a%01b",
        "/api/v1/crossings/%00/",
        "/api/v1/crossings/%00/history/",
        "/api/v1/crises/%00/",
        "/api/v1/reports/%00/",
        "/api/v1/timeline/%00/",
        "/api/v1/aid-disputes/%00/",
        "/api/v1/evacuation-agreements/%00/",
        "/api/v1/crises/?name=%ED%A0%80",  # a lone surrogate, percent-encoded as overlong UTF-8 would be
        "/api/v1/crises/?x%00=1",
    ],
)
def test_invalid_characters_in_api_paths_and_queries_are_a_400_in_the_error_shape(partner_client, demo, path):
    response = partner_client.get(path)
    assert_api_400(response)
    assert not getattr(response, "streaming", False)


def test_nul_in_the_admin_autocomplete_term_is_a_400_page(editor_client, demo):
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "\x00", "app_label": "tracker", "model_name": "report", "field_name": "crossings"},
    )
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()


def test_nul_in_a_page_query_is_the_plain_400_page(analyst_client, demo):
    response = analyst_client.get("/reports/?q=%00")
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]


def test_nul_in_a_form_field_is_a_400(editor_client, demo):
    response = editor_client.post("/admin/tracker/crisis/add/", {"name": "a\x00b"})
    assert response.status_code == 400


def test_nul_in_a_json_body_is_a_400_in_the_error_shape(partner_client, demo):
    response = partner_client.post(
        "/api/v1/webhooks/", data='{"url": "https://example.org/\\u0000"}', content_type="application/json"
    )
    assert_api_400(response)


def test_tab_newline_and_carriage_return_are_text(partner_client, demo):
    assert partner_client.get("/api/v1/reports/?q=a%09b%0Ac%0D").status_code == 200


def test_ordinary_text_in_other_scripts_is_accepted(partner_client, demo):
    assert partner_client.get("/api/v1/reports/", {"q": "رفح معبر"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        '{"url": "https://example.org/\\ud800"}',  # a lone high surrogate
        '{"url": "https://example.org/\\udc00x"}',  # a lone low surrogate
        '{"url\\u0001": "https://example.org/"}',  # a control character in a name
    ],
)
def test_escaped_controls_and_lone_surrogates_in_json_are_a_400(partner_client, demo, body):
    assert_api_400(partner_client.post("/api/v1/webhooks/", data=body, content_type="application/json"))


def test_an_escaped_backslash_before_u0000_is_text_and_a_surrogate_pair_is_a_character(partner_client, demo):
    body = '{"url": "https://example.org/\\\\u0000", "note": "\\ud83d\\ude00"}'
    assert partner_client.post("/api/v1/webhooks/", data=body, content_type="application/json").status_code < 500
    from tracker.middleware import check_json_text

    check_json_text(body)
