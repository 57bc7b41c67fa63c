"""E-mail alerts through a real SMTP server (aiosmtpd on a free port, Django's SMTP backend pointed at it):
one message per change or a daily digest, once per subscriber whatever reruns, with a one-click unsubscribe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts import services as alert_services
from alerts.models import AlertDelivery, AlertDigest, AlertSubscription
from alerts.tasks import alerts_sweep
from tests import factories
from tests.alerts_support import CLOSED, OPEN, RESTRICTED, situation
from tests.smtp_server import SmtpServer, free_port
from tracker import services
from tracker.models import StatusSuggestion, Traffic

pytestmark = pytest.mark.django_db

IMMEDIATE = AlertSubscription.Delivery.IMMEDIATE
DIGEST = AlertSubscription.Delivery.DIGEST


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.ALERTS_SITE_URL = "https://tracker.example.org"
    yield server.mailbox
    server.stop()


@pytest.fixture
def world(editor):  # type: ignore[no-untyped-def]
    return situation(editor)


@pytest.fixture
def charlie(analyst):  # type: ignore[no-untyped-def]
    analyst.email = "charlie@example.org"
    analyst.save(update_fields=["email"])
    return analyst


def send_everything(now: datetime | None = None) -> list[str]:
    """One pass of the sweep's work, as the worker would do it: match, then send what is due."""
    alert_services.alerts_queue_new_changes(now=now)
    return [alert_services.delivery_send(delivery_id=pk, now=now) for pk in alert_services.deliveries_due(now=now)]


def open_rafah_for_people(editor, when: datetime | None = None):  # type: ignore[no-untyped-def]
    report = factories.report(title="Egypt opens Rafah to the wounded", url="https://news.example.org/rafah-wounded")
    return services.crossing_record_status(
        crossing=factories.Crossing.objects.get(slug="rafah"),
        status=OPEN,
        traffic=Traffic.PEOPLE,
        effective_at=when or datetime(2023, 11, 10, 7, 30, tzinfo=UTC),
        recorded_by=editor,
        report=report,
        stated_by=factories.Actor.objects.get(name="Egypt"),
    )


def test_a_change_is_mailed_once_to_its_subscriber_in_plain_text_and_html(smtp, world, charlie, editor):
    services.crossing_record_status(
        crossing=world.rafah, status=CLOSED, traffic=Traffic.PEOPLE, effective_at=datetime(2023, 11, 8, tzinfo=UTC),
        recorded_by=editor, note="Closed to people again",
    )  # fmt: skip
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=[Traffic.PEOPLE], delivery=IMMEDIATE)
    row = open_rafah_for_people(editor)

    assert send_everything() == ["sent"]

    [mail] = smtp.received
    assert mail.recipients == ["charlie@example.org"]
    assert mail.message["Subject"].strip() == "[Situation tracker] Rafah, people: closed → open"
    assert "Rafah, people: closed → open" in mail.text
    assert "In effect from: 2023-11-10 07:30 UTC" in mail.text
    assert "On the word of: Egypt" in mail.text
    assert "Evidence: Egypt opens Rafah to the wounded <https://news.example.org/rafah-wounded>" in mail.text
    assert "Crossing page: https://tracker.example.org/crossings/rafah/" in mail.text
    assert '<a href="https://news.example.org/rafah-wounded">' in mail.html
    assert '<a href="https://tracker.example.org/crossings/rafah/">' in mail.html
    assert mail.message["List-Unsubscribe"].strip().startswith("<https://tracker.example.org/alerts/unsubscribe/")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = AlertDelivery.objects.get()
    assert (delivery.change.crossing_status_id, delivery.state, delivery.attempts) == (row.pk, "sent", 1)
    assert mail.message["Message-ID"] == f"<alert-{delivery.pk}@tracker.example.org>"


def test_running_the_sweep_and_the_sends_again_mails_nothing_more(smtp, world, charlie, editor):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    open_rafah_for_people(editor)

    send_everything()
    delivery = AlertDelivery.objects.get()
    assert send_everything() == []
    assert alert_services.delivery_send(delivery_id=delivery.pk) == "busy"
    alerts_sweep.run()

    assert len(smtp.received) == 1


def test_two_senders_of_one_delivery_send_it_once(smtp, world, charlie, editor):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    open_rafah_for_people(editor)
    [delivery_id] = alert_services.alerts_queue_new_changes()
    # The first sender has claimed it and is talking to the SMTP server when the second one starts.
    assert alert_services._claim(AlertDelivery, delivery_id, timezone.now(), state="pending")

    assert alert_services.delivery_send(delivery_id=delivery_id) == "busy"
    assert smtp.received == []


def test_a_sender_that_died_mid_batch_leaves_only_the_unsent_to_the_next_run(smtp, world, editor, django_user_model):
    readers = []
    for name in ("dana", "eli", "fatima"):
        user = django_user_model.objects.create_user(username=name, email=f"{name}@example.org")
        user.groups.add(*editor.groups.all())
        alert_services.subscription_set(user=user, crossing=world.rafah, traffic=["people"], delivery=IMMEDIATE)
        readers.append(user)
    open_rafah_for_people(editor)
    first, second, _ = alert_services.alerts_queue_new_changes()
    now = timezone.now()
    assert alert_services.delivery_send(delivery_id=first, now=now) == "sent"
    # The worker claimed the second and died before its SMTP conversation: nothing was sent for it.
    assert alert_services._claim(AlertDelivery, second, now, state="pending")

    assert send_everything(now=now) == ["sent"]  # the third; the second is held by the dead worker's claim
    later = now + timedelta(seconds=301)
    assert send_everything(now=later) == ["sent"]  # the claim expired: the second goes now
    assert send_everything(now=later + timedelta(hours=1)) == []

    assert sorted(r for item in smtp.received for r in item.recipients) == [
        "dana@example.org", "eli@example.org", "fatima@example.org",
    ]  # fmt: skip


def test_a_pending_suggestion_is_never_mailed(smtp, world, charlie):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    rumour = factories.report(title="Rafah said to close for people", url="https://rumours.example.org/2")
    services.suggestion_raise(
        report=rumour, crossing=world.rafah, proposed_status=CLOSED, traffic=Traffic.PEOPLE, evidence="Rafah closed"
    )
    assert StatusSuggestion.objects.filter(state="pending").count() == 2

    assert send_everything() == []
    assert AlertDelivery.objects.count() == 0
    assert smtp.received == []


def test_only_the_followed_crossing_and_kind_of_traffic_are_mailed(smtp, world, charlie, editor):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["fuel"], delivery=IMMEDIATE)
    open_rafah_for_people(editor)  # people: not followed
    factories.status(world.kerem, CLOSED, datetime(2023, 11, 20, tzinfo=UTC))  # another crossing
    factories.status(world.rafah, RESTRICTED, datetime(2023, 11, 21, tzinfo=UTC))  # all traffic: fuel too

    assert send_everything() == ["sent"]
    [mail] = smtp.received
    assert (
        mail.message["Subject"].strip().startswith("[Situation tracker] Rafah, all traffic: people: open → restricted")
    )


def test_changes_recorded_before_the_subscription_are_not_mailed(smtp, world, charlie):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)

    assert send_everything() == []  # the situation's rows were recorded before charlie subscribed


def test_the_daily_digest_gathers_the_days_changes_in_one_message_once(smtp, world, charlie, editor, settings):
    settings.ALERTS_DIGEST_HOUR = 7
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=DIGEST)
    open_rafah_for_people(editor)
    factories.status(world.rafah, CLOSED, datetime(2023, 11, 12, tzinfo=UTC), Traffic.AID)
    now = timezone.now()
    assert send_everything(now=now) == []  # digests are not immediate
    assert alert_services.digests_due(now=now) == []  # nor sent before the next digest hour
    assert smtp.received == []

    at_hour = alert_services.digest_moment(now) + timedelta(days=1)  # the first digest hour after the changes
    assert alert_services.digests_due(now=at_hour - timedelta(seconds=1)) == []
    assert alert_services.digests_due(now=at_hour) == [charlie.pk]
    assert alert_services.digest_send(user_id=charlie.pk, now=at_hour) == "sent"
    assert alert_services.digest_send(user_id=charlie.pk, now=at_hour + timedelta(minutes=5)) == "busy"
    assert alert_services.digests_due(now=at_hour + timedelta(hours=3)) == []

    [mail] = smtp.received
    assert mail.message["Subject"] == f"[Situation tracker] 2 status changes: digest of {at_hour:%Y-%m-%d}"
    assert mail.text.index("Rafah, people: still open") < mail.text.index("Rafah, humanitarian aid: still closed")
    assert mail.message["List-Unsubscribe"]
    assert AlertDigest.objects.get().sent_at is not None
    assert set(AlertDelivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_change_after_the_days_digest_waits_for_the_next_one(smtp, world, charlie, editor, settings):
    settings.ALERTS_DIGEST_HOUR = 7
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=DIGEST)
    open_rafah_for_people(editor)
    now = timezone.now()
    alert_services.alerts_queue_new_changes(now=now)
    day_one = alert_services.digest_moment(now) + timedelta(days=1)
    alert_services.digest_send(user_id=charlie.pk, now=day_one)
    factories.status(world.rafah, CLOSED, datetime(2023, 11, 20, tzinfo=UTC))
    alert_services.alerts_queue_new_changes(now=day_one + timedelta(hours=1))

    assert alert_services.digests_due(now=day_one + timedelta(hours=2)) == []
    day_two = day_one + timedelta(days=1)
    assert alert_services.digests_due(now=day_two) == [charlie.pk]
    assert alert_services.digest_send(user_id=charlie.pk, now=day_two) == "sent"
    assert [m.message["Subject"].split(":")[0] for m in smtp.received] == [
        "[Situation tracker] 1 status change",
        "[Situation tracker] 1 status change",
    ]


def test_the_unsubscribe_link_works_signed_out_and_a_get_alone_changes_nothing(smtp, world, charlie, editor):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    alert_services.subscription_set(user=charlie, crossing=world.kerem, traffic=["aid"], delivery=DIGEST)
    open_rafah_for_people(editor)
    send_everything()
    link = smtp.received[0].text.split("Stop all e-mail alerts (one click, no sign-in): ")[1].split()[0]
    path = link.removeprefix("https://tracker.example.org")
    browser = Client(enforce_csrf_checks=True)  # signed out, as from a mail client

    page = browser.get(path)
    assert page.status_code == 200
    assert b"Stop all e-mail alerts" in page.content
    assert AlertSubscription.objects.filter(user=charlie).count() == 2  # a link scanner's GET stops nothing

    done = browser.post(path)  # the page's button, or a mail client's RFC 8058 one-click POST
    assert done.status_code == 200
    assert b"you will receive no more e-mail alerts" in done.content
    assert not AlertSubscription.objects.filter(user=charlie).exists()
    factories.status(world.rafah, CLOSED, datetime(2023, 11, 25, tzinfo=UTC))
    assert send_everything() == []
    assert len(smtp.received) == 1


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ:1tAmper:ed", "a" * 300])
def test_a_forged_or_damaged_unsubscribe_link_is_refused_clearly(client, charlie, world, token):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)

    response = client.post(reverse("alerts:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert b"This unsubscribe link is not valid" in response.content
    assert AlertSubscription.objects.filter(user=charlie).exists()


def test_an_unsubscribe_link_made_for_an_old_address_no_longer_works(client, charlie, world):
    from alerts.mail import unsubscribe_token

    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    token = unsubscribe_token(charlie)
    charlie.email = "charlie@new.example.org"
    charlie.save(update_fields=["email"])

    assert client.post(reverse("alerts:unsubscribe", args=[token])).status_code == 400
    assert AlertSubscription.objects.filter(user=charlie).exists()


def test_a_deactivated_account_is_sent_nothing(smtp, world, charlie, editor):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    open_rafah_for_people(editor)
    [delivery_id] = alert_services.alerts_queue_new_changes()
    charlie.is_active = False
    charlie.save(update_fields=["is_active"])

    assert alert_services.delivery_send(delivery_id=delivery_id) == "skipped"
    assert smtp.received == []


def test_a_mail_server_that_cannot_be_reached_is_retried_later_and_nothing_is_lost(world, charlie, editor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    open_rafah_for_people(editor)
    now = timezone.now()

    assert send_everything(now=now) == ["failed"]
    delivery = AlertDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "Connection refused" in delivery.last_error or "ConnectionRefused" in delivery.last_error
    assert alert_services.deliveries_due(now=now + timedelta(seconds=30)) == []  # pausing before the next attempt

    server = SmtpServer().start()
    try:
        settings.EMAIL_PORT = server.port
        assert send_everything(now=now + timedelta(seconds=61)) == ["sent"]
    finally:
        server.stop()
    assert len(server.mailbox.received) == 1


def test_a_new_change_queues_the_sweep_after_commit(
    world, charlie, editor, django_capture_on_commit_callbacks, monkeypatch
):
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    queued: list[dict] = []
    monkeypatch.setattr(alerts_sweep, "apply_async", lambda **kwargs: queued.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True):
        open_rafah_for_people(editor)
        assert queued == []  # not before the change is committed

    assert queued == [{"retry": False}]


def test_the_alert_tasks_go_to_the_default_queue_not_the_webhooks_one(settings):
    from celery import current_app

    router = current_app.amqp.router
    for name in ("alerts.tasks.alerts_sweep", "alerts.tasks.alert_send", "alerts.tasks.digest_send"):
        assert router.route({}, name)["queue"].name == "celery"


# --- the alerts page ---------------------------------------------------------------------------------------------


def test_an_analyst_follows_a_crossing_from_the_page(analyst_client, charlie, world):
    response = analyst_client.post(
        reverse("alerts:subscribe"),
        {"crossing": world.rafah.pk, "traffic": ["people", "aid"], "delivery": "digest"},
        follow=True,
    )
    assert response.status_code == 200
    assert b"You follow Rafah by e-mail." in response.content
    assert sorted(AlertSubscription.objects.filter(user=charlie).values_list("traffic", "delivery")) == [
        ("aid", "digest"),
        ("people", "digest"),
    ]
    assert b"Rafah</strong>: Humanitarian aid, People" in response.content

    analyst_client.post(reverse("alerts:unfollow", args=[world.rafah.pk]))
    assert not AlertSubscription.objects.filter(user=charlie).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"traffic": ["all"], "delivery": "immediate"}, "crossing", "This field is required."),
        ({"crossing": "999999", "traffic": ["all"], "delivery": "immediate"}, "crossing", "There is no such crossing"),
        ({"crossing": "RAFAH", "traffic": ["all"], "delivery": "immediate"}, "crossing", "There is no such crossing"),
        ({"crossing": "{rafah}", "delivery": "immediate"}, "traffic", "Choose at least one kind of traffic."),
        ({"crossing": "{rafah}", "traffic": ["boats"], "delivery": "immediate"}, "traffic", "boats is not one"),
        ({"crossing": "{rafah}", "traffic": ["all"], "delivery": "hourly"}, "delivery", "hourly is not one"),
    ],
)
def test_a_bad_subscription_is_a_400_naming_the_field_and_writes_nothing(
    analyst_client, charlie, world, data, field, message
):
    data = {k: (str(world.rafah.pk) if v == "{rafah}" else v) for k, v in data.items()}
    response = analyst_client.post(reverse("alerts:subscribe"), data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not AlertSubscription.objects.exists()


def test_an_account_without_an_address_is_told_why_it_cannot_follow(analyst_client, analyst, world):
    response = analyst_client.post(
        reverse("alerts:subscribe"), {"crossing": world.rafah.pk, "traffic": ["all"], "delivery": "immediate"}
    )
    assert response.status_code == 400
    assert b"no e-mail address" in response.content
    assert not AlertSubscription.objects.exists()


def test_the_page_needs_a_reader_and_its_forms_need_the_csrf_token(client, charlie, world, django_user_model):
    assert client.get(reverse("alerts:manage")).status_code == 302  # to sign in
    outsider = django_user_model.objects.create_user(username="outsider", email="o@example.org")
    client.force_login(outsider)
    assert client.get(reverse("alerts:manage")).status_code == 403

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(charlie)
    page = strict.get(reverse("alerts:manage"))
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    refused = strict.post(reverse("alerts:subscribe"), {"crossing": world.rafah.pk, "traffic": ["all"]})
    assert refused.status_code == 403
    assert not AlertSubscription.objects.exists()


def test_the_nav_links_to_alerts_when_signed_in(analyst_client):
    assert b'href="/alerts/"' in analyst_client.get(reverse("pages:dashboard")).content


# --- make run's file outbox ----------------------------------------------------------------------------------------


def test_make_runs_file_outbox_is_shown_to_editors_in_the_admin(world, charlie, editor, settings, tmp_path, client):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["all"], delivery=IMMEDIATE)
    open_rafah_for_people(editor)
    assert send_everything() == ["sent"]
    assert len(list((tmp_path / "outbox").glob("*.log"))) == 1

    client.force_login(editor)
    page = client.get("/admin/outbox/")
    assert page.status_code == 200
    assert "Rafah, people: still open" in page.content.decode()
    assert "charlie@example.org" in page.content.decode()

    assert b'href="/admin/outbox/"' in client.get(reverse("alerts:manage")).content  # linked for editors
    client.force_login(charlie)
    assert client.get("/admin/outbox/").status_code == 403
    assert b'href="/admin/outbox/"' not in client.get(reverse("alerts:manage")).content


def test_the_alerts_page_reads_a_fixed_number_of_queries_however_many_crossings_are_followed(
    analyst_client, charlie, world
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alert_services.subscription_set(user=charlie, crossing=world.rafah, traffic=["people"], delivery=IMMEDIATE)
    with CaptureQueriesContext(connection) as one:
        assert analyst_client.get(reverse("alerts:manage")).status_code == 200
    for number in range(6):
        crossing = factories.CrossingFactory(name=f"Crossing {number}")
        alert_services.subscription_set(user=charlie, crossing=crossing, traffic=["aid", "fuel"], delivery=DIGEST)
    with CaptureQueriesContext(connection) as seven:
        page = analyst_client.get(reverse("alerts:manage"))

    assert page.content.decode().count("Stop following") == 7
    assert len(seven) == len(one)


def test_beat_runs_the_alerts_sweep_every_minute_from_the_start():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="e-mail alerts")
    assert (task.task, task.interval.every, task.interval.period, task.enabled) == (
        "alerts.tasks.alerts_sweep",
        60,
        "seconds",
        True,
    )
