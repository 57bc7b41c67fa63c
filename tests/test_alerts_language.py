"""Alert e-mails in the subscriber's language (issue 17): the page's language when they subscribed is kept on the
subscription, and the e-mail (subject, body, labels) is written in it; an Atom feed in the language its address asks
for (tests/test_alerts_feeds.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts import services as alert_services
from alerts.models import AlertSubscription
from tests.alerts_support import CLOSED, situation
from tests.test_i18n_pages import assert_translated, in_language, lookups  # noqa: F401 (a fixture)
from tracker import services
from tracker.models import Traffic

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(editor):  # type: ignore[no-untyped-def]
    return situation(editor)


@pytest.fixture
def charlie(analyst):  # type: ignore[no-untyped-def]
    analyst.email = "charlie@example.org"
    analyst.save(update_fields=["email"])
    return analyst


def close_rafah_to_people(world, editor) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2023, 11, 10, 7, 30, tzinfo=UTC)
    services.crossing_record_status(
        crossing=world.rafah,
        status=CLOSED,
        traffic=Traffic.PEOPLE,
        effective_at=when,
        recorded_by=editor,
        note="Closed again",
    )


def send_everything() -> list[str]:
    alert_services.alerts_queue_new_changes()
    return [alert_services.delivery_send(delivery_id=pk) for pk in alert_services.deliveries_due()]


@pytest.mark.parametrize(
    ("language", "subject_start", "words"),
    [
        ("ar", "[متابعة الوضع]", ["تغيّرت حالة تتابعها.", "سارٍ منذ: 2023-11-10 07:30 UTC", "صفحة المعبر:"]),
        ("fr", "[Suivi de la situation]", ["Un statut que vous suivez a changé.", "En vigueur depuis : 2023-11-10"]),
    ],
)
def test_the_email_is_written_in_the_language_the_reader_subscribed_in(  # type: ignore[no-untyped-def]
    analyst_client, charlie, world, editor, language, subject_start, words
):
    response = analyst_client.post(
        reverse("alerts:subscribe"),
        {"crossing": world.rafah.pk, "traffic": ["people"], "delivery": "immediate"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    assert list(AlertSubscription.objects.filter(user=charlie).values_list("language", flat=True)) == [language]
    close_rafah_to_people(world, editor)

    assert send_everything() == ["sent"]

    [message] = mail.outbox
    assert message.subject.startswith(subject_start)
    for word in words:
        assert word in message.body, word
    html = message.alternatives[0][0]
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    assert "A status you follow changed" not in message.body and "Crossing page" not in message.body
    assert "/crossings/rafah/" in message.body  # the links stay as they are
    if language == "ar":
        assert "مغلق" in message.subject and "٢" not in message.body  # Western digits, as the glossary decides


def test_an_english_reader_still_gets_english(analyst_client, charlie, world, editor):
    analyst_client.post(
        reverse("alerts:subscribe"),
        {"crossing": world.rafah.pk, "traffic": ["people"], "delivery": "immediate"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    close_rafah_to_people(world, editor)
    send_everything()
    [message] = mail.outbox
    assert message.subject.startswith("[Situation tracker] Rafah, people: ")
    assert "A status you follow changed." in message.body


def test_the_latest_subscription_decides_the_language_of_a_readers_mail(charlie, world, editor):
    alert_services.subscription_set(
        user=charlie, crossing=world.rafah, traffic=["people"], delivery="immediate", language="fr"
    )
    alert_services.subscription_set(
        user=charlie, crossing=world.kerem, traffic=["all"], delivery="immediate", language="ar-EG"
    )
    assert set(AlertSubscription.objects.values_list("language", flat=True)) == {"fr", "ar"}
    close_rafah_to_people(world, editor)
    send_everything()
    [message] = mail.outbox
    assert message.subject.startswith("[متابعة الوضع]")


def test_a_language_we_do_not_offer_is_refused_and_nothing_is_written(charlie, world):
    with pytest.raises(ValidationError) as error:
        alert_services.subscription_set(
            user=charlie, crossing=world.rafah, traffic=["people"], delivery="immediate", language="de"
        )
    assert "language" in error.value.message_dict
    assert not AlertSubscription.objects.exists()


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_alerts_page_and_the_unsubscribe_page_are_wholly_translated(  # type: ignore[no-untyped-def]
    analyst_client,
    client,
    charlie,
    world,
    lookups,  # noqa: F811 (the fixture imported above)
    language,
):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["people"], delivery="digest")
    token = alert_services.feed_token_create(user=charlie, label="").token
    # Feed addresses and the key's prefix are code, and Atom a format's name: they stay as they are.
    addresses = [f"/alerts/feeds/YOUR-FEED-KEY/{tail}" for tail in ("all.atom", "crossings/<crossing>.atom")]
    code = (
        "Atom",
        token.prefix,
        *addresses,
        "/alerts/feeds/YOUR-FEED-KEY/crises/<crisis>.atom",
        "?lang=ar",
        "?lang=fr",
    )
    response = in_language(analyst_client, "/alerts/", language)
    page = assert_translated(response, language, lookups, also_data=code)
    assert ("الأفراد" if language == "ar" else "Personnes") in page  # the subscription's kinds, in words

    from alerts.mail import unsubscribe_token

    url = reverse("alerts:unsubscribe", args=[unsubscribe_token(charlie)])
    assert_translated(in_language(client, url, language), language, lookups)
    assert_translated(in_language(client, reverse("alerts:unsubscribe", args=["forged"]), language), language, lookups)
