"""API errors in the language the request asks for (issue 17): ``Accept-Language`` changes the message, never the
``code`` nor the names in ``fields``, which partners' programs read."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ar", "fr"]


def errors_in_each_language(client: Client, url: str) -> dict[str, tuple[int, dict]]:  # type: ignore[type-arg]
    answers = {}
    for language in LANGUAGES:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        answers[language] = (response.status_code, response.json()["error"])
    return answers


@pytest.mark.parametrize(
    ("url", "status", "code", "fields"),
    [
        ("/api/v1/crossings/?as_of=not-a-moment", 400, "invalid", ["as_of"]),
        ("/api/v1/crossings/?as_of=1850-01-01", 400, "invalid", ["as_of"]),
        ("/api/v1/no-such-resource/", 404, "not_found", []),
    ],
)
def test_a_partners_error_keeps_its_code_and_fields_and_speaks_the_asked_language(  # type: ignore[no-untyped-def]
    partner_client, url, status, code, fields
):
    answers = errors_in_each_language(partner_client, url)

    for language, (status_code, error) in answers.items():
        assert status_code == status, language
        assert error["code"] == code, language
        assert sorted(error["fields"]) == fields, language
    messages = {language: error["message"] for language, (_, error) in answers.items()}
    assert len(set(messages.values())) == 3, messages
    assert any("\u0600" <= char <= "\u06ff" for char in messages["ar"]), messages["ar"]
    assert not any(word in messages["ar"].split() for word in ("is", "the", "not", "must", "See")), messages["ar"]


def test_the_arabic_message_names_the_field_as_sent_and_keeps_western_digits(partner_client):
    response = partner_client.get("/api/v1/crossings/?as_of=1850-01-01", HTTP_ACCEPT_LANGUAGE="ar")
    error = response.json()["error"]
    assert error["fields"]["as_of"] == ["قيمة as_of تسبق عام 1900؛ لا يحوي السجل شيئاً بهذا القِدم."]
    assert error["message"].startswith("قيمة غير صالحة في `as_of`:")


def test_an_unauthenticated_request_keeps_its_code_in_every_language(client):
    answers = errors_in_each_language(client, "/api/v1/crossings/")
    codes = {(status_code, error["code"]) for status_code, error in answers.values()}
    assert len(codes) == 1, answers
    assert answers["fr"][1]["message"] != answers["en"][1]["message"]


def test_without_accept_language_errors_are_in_english(partner_client):
    error = partner_client.get("/api/v1/crossings/?as_of=not-a-moment").json()["error"]
    assert error["message"].startswith("Invalid `as_of`: as_of must be an ISO date")
