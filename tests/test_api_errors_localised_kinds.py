"""Every kind of bad input a partner can send gets its message in the language ``Accept-Language`` asks for, down to
each message in ``fields`` (issue 17): a wrong filter value, a bad cursor or page, a bad ``as_of``, an invalid write
body, a refusal from the service behind the write, a webhook URL refused, a revoked token. The ``code``, the HTTP
status and the names in ``fields`` stay what English gets, since partners' programs read those.

(The stale-edit refusal lives in the admin's forms, not in the API: the API's one write appends a row.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.factories import CrossingFactory
from tracker.api import services as api_services

pytestmark = pytest.mark.django_db

HISTORY = "/api/v1/crossings/rafah/history/"


def arabic(message: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in message)


def status_body(**changes: str) -> str:
    return json.dumps(
        {
            "status": "closed",
            "traffic": "aid",
            "effective_at": "2023-10-16T09:00:00+00:00",
            "note": "Officials said so.",
            **changes,
        }
    )


Send = Callable[[dict[str, Client], str], Any]


def get(who: str, url: str) -> Send:
    return lambda clients, language: clients[who].get(url, HTTP_ACCEPT_LANGUAGE=language)


def post(who: str, url: str, body: str) -> Send:
    return lambda clients, language: clients[who].post(
        url, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


CASES: dict[str, tuple[Send, int, str, list[str]]] = {
    "filter naming no row": (get("partner", "/api/v1/crossings/?crisis=nowhere"), 400, "invalid", ["crisis"]),
    "filter with no such choice": (get("partner", "/api/v1/crossings/?status=ajar"), 400, "invalid", ["status"]),
    "country code unknown": (get("partner", "/api/v1/crossings/?country=XXX"), 400, "invalid", ["country"]),
    "malformed time filter": (
        get("partner", "/api/v1/crossings/?updated_since=yesterday"),
        400,
        "invalid",
        ["updated_since"],
    ),
    "unknown parameter": (get("partner", "/api/v1/crossings/?colour=red"), 400, "invalid", ["colour"]),
    "unknown ordering": (get("partner", "/api/v1/crossings/?ordering=colour"), 400, "invalid", ["ordering"]),
    "bad cursor": (get("partner", "/api/v1/crossings/?cursor=bm90LWEtY3Vyc29y"), 400, "invalid", ["cursor"]),
    "cursor and page": (get("partner", "/api/v1/crossings/?cursor=abc&page=1"), 400, "invalid", ["page"]),
    "bad change-feed cursor": (get("partner", "/api/v1/changes/?after=%%%"), 400, "invalid", ["after"]),
    "page size zero": (get("partner", "/api/v1/crossings/?page_size=0"), 400, "invalid", ["page_size"]),
    "page past the end": (get("partner", "/api/v1/crossings/?page=99"), 404, "not_found", []),
    "unreadable as_of": (get("partner", "/api/v1/crossings/?as_of=not-a-moment"), 400, "invalid", ["as_of"]),
    "as_of in the future": (get("partner", "/api/v1/crossings/?as_of=2999-01-01"), 400, "invalid", ["as_of"]),
    "format not offered": (get("partner", "/api/v1/crossings/?format=pdf"), 400, "invalid", ["format"]),
    "write: unknown traffic kind": (
        post("editor", HISTORY, status_body(traffic="camels")),
        400,
        "invalid",
        ["traffic"],
    ),
    "write: time without a zone": (
        post("editor", HISTORY, status_body(effective_at="2023-10-16T09:00:00")),
        400,
        "invalid",
        ["effective_at"],
    ),
    "write: malformed JSON": (post("editor", HISTORY, '{"status": '), 400, "parse_error", []),
    "service refuses: in the future": (
        post("editor", HISTORY, status_body(effective_at="2999-01-01T00:00:00+00:00")),
        400,
        "invalid",
        ["effective_at"],
    ),
    "service refuses: no evidence": (post("editor", HISTORY, status_body(note="")), 400, "invalid", ["note"]),
    "partner may not write": (post("partner", HISTORY, status_body()), 403, "permission_denied", []),
    "webhook URL with credentials": (
        post("partner", "/api/v1/webhooks/", json.dumps({"url": "https://user:pw@8.8.8.8/hook"})),
        400,
        "invalid",
        ["url"],
    ),
    "webhook URL not https": (
        post("partner", "/api/v1/webhooks/", json.dumps({"url": "http://8.8.8.8/hook"})),
        400,
        "invalid",
        ["url"],
    ),
    "revoked token": (get("revoked", "/api/v1/crossings/"), 401, "authentication_failed", []),
    "malformed Authorization header": (get("malformed", "/api/v1/crossings/"), 401, "authentication_failed", []),
}


@pytest.fixture
def clients(partner_client, editor_client) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    CrossingFactory(name="Rafah", slug="rafah")
    revoked = api_services.token_create(partner="Gone", created_by=None)
    api_services.token_revoke(token=revoked.token, revoked_by=None)
    return {
        "partner": partner_client,
        "editor": editor_client,
        "revoked": Client(headers={"Authorization": f"Bearer {revoked.key}"}),
        "malformed": Client(headers={"Authorization": "Bearer two words"}),
    }


@pytest.mark.parametrize("case", list(CASES))
def test_each_kind_of_bad_input_speaks_the_asked_language_and_keeps_its_code(clients, case):
    send, status, code, fields = CASES[case]
    answers = {}
    for language in ("en", "ar", "fr"):
        response = send(clients, language)
        assert response.status_code == status, (language, response.content)
        answers[language] = response.json()["error"]
    english = answers["en"]
    assert english["code"] == code and sorted(english["fields"]) == fields, english
    assert english["message"].isascii(), english
    for language in ("ar", "fr"):
        error = answers[language]
        assert (error["code"], sorted(error["fields"])) == (code, fields), (language, error)
        assert error["message"] != english["message"], (language, error)
        for name in fields:  # each field's own message, not only the sentence around them
            for translated, original in zip(error["fields"][name], english["fields"][name], strict=True):
                assert translated != original, (language, name, translated)
                assert arabic(translated) == (language == "ar"), (language, name, translated)
    assert arabic(answers["ar"]["message"]), answers["ar"]


def test_french_follows_the_catalogues_typography(clients):
    error = clients["partner"].get("/api/v1/crossings/?crisis=nowhere", HTTP_ACCEPT_LANGUAGE="fr").json()["error"]
    assert error["fields"]["crisis"] == ["Aucune crise n’a ce slug."]
    assert error["message"] == "`crisis` invalide : Aucune crise n’a ce slug."


def test_the_page_past_the_end_counts_pages_in_the_readers_words(clients):
    error = clients["partner"].get("/api/v1/crossings/?page=3", HTTP_ACCEPT_LANGUAGE="fr").json()["error"]
    assert error["message"].startswith("Il n’y a pas de page 3 : cette liste a 1 page de 50 résultats.")
    english = clients["partner"].get("/api/v1/crossings/?page=3").json()["error"]
    assert english["message"].startswith("There is no page 3: this list has 1 page of 50.")
