"""Alerts name a crossing as the pages do (issue 17, docs/GLOSSARY.md "Names"): by its first alias in the reader's
language where one is on record, else by its own name. The e-mail is the subscriber's language; the alerts page is
the reader's; the Atom feed is data and keeps the crossing's own name whatever the reader asks for."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse

from alerts import services as alert_services
from tests.alerts_support import CLOSED, situation
from tests.test_pages_support import text
from tracker import services
from tracker.models import Traffic

pytestmark = pytest.mark.django_db

ARABIC_NAME = "معبر رفح"


@pytest.fixture
def world(editor):  # type: ignore[no-untyped-def]
    built = situation(editor)
    built.rafah.aliases.create(name="Rafah crossing point", language="en")
    built.rafah.aliases.create(name=ARABIC_NAME, language="ar")
    built.rafah.aliases.create(name="رفح", language="ar")  # recorded later: not the one shown
    return built


@pytest.fixture
def charlie(analyst):  # type: ignore[no-untyped-def]
    analyst.email = "charlie@example.org"
    analyst.save(update_fields=["email"])
    return analyst


def close_rafah_to_people(world, editor) -> None:  # type: ignore[no-untyped-def]
    services.crossing_record_status(
        crossing=world.rafah,
        status=CLOSED,
        traffic=Traffic.PEOPLE,
        effective_at=datetime(2023, 11, 10, 7, 30, tzinfo=UTC),
        recorded_by=editor,
        note="Closed again",
    )


def mail_in(language: str, charlie, world, editor, delivery: str = "immediate"):  # type: ignore[no-untyped-def]
    alert_services.subscription_set(
        user=charlie, crossing=world.rafah, traffic=["people"], delivery=delivery, language=language
    )
    close_rafah_to_people(world, editor)
    alert_services.alerts_queue_new_changes()
    for pk in alert_services.deliveries_due():
        alert_services.delivery_send(delivery_id=pk)
    [message] = mail.outbox
    return message


def test_an_arabic_subscribers_mail_names_the_crossing_by_its_first_arabic_alias(charlie, world, editor):
    message = mail_in("ar", charlie, world, editor)
    html = message.alternatives[0][0]
    assert ARABIC_NAME in message.subject and "Rafah" not in message.subject
    assert message.body.count(ARABIC_NAME) >= 1 and html.count(ARABIC_NAME) >= 2  # the line and the page link
    assert "Rafah," not in message.body and "<strong>Rafah</strong>" not in html
    assert "/crossings/rafah/" in message.body  # the link is the crossing's address, not a name


def test_a_reader_with_no_alias_in_their_language_gets_the_crossings_own_name(charlie, world, editor):
    message = mail_in("fr", charlie, world, editor)
    assert "Rafah, personnes" in message.subject
    assert ARABIC_NAME not in message.body


def test_an_english_reader_gets_the_crossings_own_name_not_an_english_alias(charlie, world, editor):
    message = mail_in("en", charlie, world, editor)
    assert message.subject.startswith("[Situation tracker] Rafah, people: ")
    assert "Rafah crossing point" not in message.body


def test_a_digest_names_crossings_by_alias_too(charlie, world, editor):
    alert_services.subscription_set(
        user=charlie, crossing=world.rafah, traffic=["people"], delivery="digest", language="ar"
    )
    close_rafah_to_people(world, editor)
    alert_services.alerts_queue_new_changes()
    later = datetime(2099, 1, 2, 8, tzinfo=UTC)
    assert alert_services.digest_send(user_id=charlie.pk, now=later) == "sent"
    [message] = mail.outbox
    assert ARABIC_NAME in message.body and "Rafah," not in message.body


def test_the_atom_feed_keeps_the_crossings_own_name_for_an_arabic_reader(analyst_client, charlie, world, editor):
    close_rafah_to_people(world, editor)
    key = alert_services.feed_token_create(user=charlie, label="").key
    atom = analyst_client.get(reverse("alerts:feed_all", args=[key]), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "Rafah, people: " in atom and ARABIC_NAME not in atom


def test_the_alerts_page_names_followed_and_offered_crossings_in_the_readers_language(analyst_client, charlie, world):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["people"], delivery="digest")
    page = text(analyst_client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert re.search(rf"{ARABIC_NAME}\s*:\s*الأفراد", page)  # the crossing followed
    form = analyst_client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert f'<option value="{world.rafah.pk}">{ARABIC_NAME}</option>' in form  # the crossing offered
    response = analyst_client.post(
        reverse("alerts:subscribe"),
        {"crossing": world.kerem.pk, "traffic": ["all"], "delivery": "immediate"},
        HTTP_ACCEPT_LANGUAGE="ar",
        follow=True,
    )
    assert "Kerem Shalom" in text(response)  # no Arabic alias on record: its own name
    english = text(analyst_client.get("/alerts/", HTTP_ACCEPT_LANGUAGE="en"))
    assert re.search(r"Rafah\s*:\s*People", english) and ARABIC_NAME not in english


@pytest.mark.parametrize(
    ("language", "said"),
    [("ar", "لا عنوان بريد إلكتروني لحسابك؛ اطلب من أحد المسؤولين إضافته."), ("fr", "Votre compte n’a pas d’adresse")],
)
def test_a_refusal_from_the_alerts_service_is_in_the_readers_language(analyst_client, analyst, world, language, said):  # type: ignore[no-untyped-def]
    """The service's refusals reach the page as form errors: in the language of the page, like the rest of it."""
    response = analyst_client.post(
        reverse("alerts:subscribe"),
        {"crossing": world.rafah.pk, "traffic": ["all"], "delivery": "immediate"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    page = text(response)
    assert said in page and "no e-mail address" not in page
