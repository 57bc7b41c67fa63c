"""The admin of the alerts, ingestion and partner API apps in Arabic and French (issue 17), wholly translated: every
page of theirs an editor or a superuser may open, plus the e-mail outbox and the pages that show a new secret once.

The pages walked are read from the admin site's registry (every model registered for the app labels ``alerts``,
``ingest`` and ``api``: its list with rows, its add form where one may add, a row's change form and its history), so
a model registered tomorrow is walked tomorrow; the walk fails if such a model has no row to open.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from alerts import services as alert_services
from alerts.models import AlertDelivery, AlertDigest
from alerts.outbox import outbox_messages
from ingest.models import FetchRun, ParkedTask, QuarantinedItem, StatusPhrase
from tests.factories import CrossingFactory, SourceFactory, report
from tests.test_i18n_pages import LANGUAGES, assert_translated, in_language, lookups  # noqa: F401  (a fixture)
from tracker import services
from tracker.api import services as api_services
from tracker.api.models import ApiToken, Webhook, WebhookDelivery
from tracker.models import Change, Traffic

APP_LABELS = ("alerts", "ingest", "api")
# Names of protocols, formats, programs and settings, shown as they are in every language (the Arabic catalogue
# writes «رمز حالة HTTP», «عنوان URL»), and the language codes an editor types into a status phrase's language. "Axes"
# is django-axes, the sign-in lockout app, whose name the admin's menu shows on every page.
TECHNICAL = (
    "HTTP",
    "URL",
    "SHA-256",
    "Celery",
    "BCP 47",
    "en، ar، he",
    "ingest_file",
    "5xx",
    "Axes",
    "X-Tracker-Signature",
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def record(db: Any, superuser: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """A row of every model these apps register, written as in life where a service exists."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    superuser.email = "root@example.org"
    superuser.save(update_fields=["email"])
    crossing = CrossingFactory(name="Rafah", slug="rafah")
    source = SourceFactory(name="Relief feed")
    cited = report(source=source, title="Rafah closed to people")
    # alerts: a subscription, a feed key, a delivery mailed (into the file outbox), a digest
    alert_services.subscription_set(  # the outbox then holds an Arabic message: no English on its page
        user=superuser, crossing=crossing, traffic=["people"], delivery="immediate", language="ar"
    )
    alert_services.feed_token_create(user=superuser, label="Thunderbird")
    services.crossing_record_status(
        crossing=crossing,
        status="closed",
        traffic=Traffic.PEOPLE,
        effective_at=timezone.now() - timedelta(hours=2),
        recorded_by=superuser,
        note="Closed to people",
    )
    alert_services.alerts_queue_new_changes()
    for pk in alert_services.deliveries_due():
        alert_services.delivery_send(delivery_id=pk)
    AlertDigest.objects.create(user=superuser, day=timezone.now().date())
    # ingest: a run, an item it kept in quarantine, a parked poll (status phrases are seeded by a migration)
    now = timezone.now()
    run = FetchRun.objects.create(
        source=source,
        url="https://feeds.example.org/rss",
        task_id="celery-task-1",
        started_at=now - timedelta(seconds=3),
        finished_at=now,
        status=FetchRun.Status.FAILED,
        http_status=500,
        error="HTTP 500",
    )
    raw = b"<rss><channel><item>broken"
    QuarantinedItem.objects.create(
        source=source,
        fetch_run=run,
        kind=QuarantinedItem.Kind.DOCUMENT,
        reason="not well-formed (invalid token): line 1, column 26",
        raw=raw,
        raw_size=len(raw),
        raw_sha256=QuarantinedItem.hash_of(raw),
        first_seen_at=now,
        last_seen_at=now,
    )
    ParkedTask.objects.create(
        source=source,
        task_name="ingest.tasks.fetch_source",
        task_id="celery-task-2",
        unfinished_runs=3,
        reason="3 runs in a row died",
        parked_at=now,
    )
    # api: a token, a webhook of it, one delivery to it
    token = api_services.token_create(partner="OCHA oPt", created_by=superuser, note="for the dashboard").token
    webhook = Webhook.objects.create(token=token, url="https://8.8.8.8/hook", secret="whsec_" + uuid.uuid4().hex)
    WebhookDelivery.objects.create(webhook=webhook, change=Change.objects.first())
    assert AlertDelivery.objects.exists() and StatusPhrase.objects.exists() and cited.pk
    return {"token": token, "webhook": webhook}


def record_strings() -> tuple[str, ...]:
    """What these apps' rows hold, shown as it is in every language (prefixes, hashes, URLs, task ids, errors the
    remote side sent, the quarantined bytes), and the outbox's messages, which are what was sent."""
    strings: set[str] = set()
    for model in [m for m in admin.site._registry if m._meta.app_label in APP_LABELS]:
        for row in model._default_manager.all():
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                if isinstance(value, bytes | memoryview):
                    value = bytes(value).decode("utf-8", errors="replace")
                if isinstance(value, str | uuid.UUID) and not field.choices:
                    strings.add(str(value))
            strings.add(str(row))
    for message in outbox_messages():
        strings.update([message.subject, message.to, message.date, message.file])
        strings.update(line.strip() for line in message.text.splitlines())
    strings.update([*TECHNICAL, str(settings.EMAIL_FILE_PATH)])
    return tuple(sorted((s for s in strings if s.strip()), key=len, reverse=True))


def admin_urls(user: Any) -> list[str]:
    """Every admin page of these apps this user may open, from the admin site's registry, and the outbox."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = []
    registered = [(m, a) for m, a in admin.site._registry.items() if m._meta.app_label in APP_LABELS]
    assert {m._meta.app_label for m, _ in registered} == set(APP_LABELS)
    for model, model_admin in sorted(registered, key=lambda pair: pair[0]._meta.label):
        if not model_admin.has_view_or_change_permission(request):
            continue
        app_list = reverse("admin:app_list", args=[model._meta.app_label])
        if app_list not in urls:
            urls.append(app_list)
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{name}_add"))
        rows = model_admin.get_queryset(request).order_by("pk")
        assert rows.exists(), f"no {model._meta.label} row to open: give the fixture one"
        urls.append(reverse(f"{name}_change", args=[rows.first().pk]))
        urls.append(reverse(f"{name}_history", args=[rows.first().pk]))
    urls.append(reverse("alerts-outbox"))
    return urls


def walk(client: Client, user: Any, language: str, missing: list[tuple[str, str]]) -> list[str]:
    """Opens every page and checks each; all the pages' faults are told at once, each under its address."""
    client.force_login(user)
    urls = admin_urls(user)
    data = record_strings()
    faults = []
    for url in urls:
        missing.clear()
        response = in_language(client, url, language)
        assert response.status_code == 200, (url, response.status_code)
        try:
            # A form for a new row shows the public id it will get: data, drawn at random.
            drawn = tuple(UUID.findall(response.content.decode()))
            assert_translated(response, language, missing, also_data=(*data, *drawn))
        except AssertionError as error:
            faults.append(f"{url}: {str(error).splitlines()[0]}")
    assert faults == [], "\n".join(faults)
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_admin_page_of_alerts_ingest_and_api_is_wholly_translated_for_a_superuser(
    client,
    superuser,
    record,
    lookups,  # noqa: F811
    language,
):  # type: ignore[no-untyped-def]
    urls = walk(client, superuser, language, lookups)
    assert len(urls) >= 3 + 11 * 3 and "/admin/outbox/" in urls


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_admin_page_of_alerts_ingest_and_api_is_wholly_translated_for_an_editor(
    client,
    editor,
    record,
    lookups,  # noqa: F811
    language,
):  # type: ignore[no-untyped-def]
    assert "/admin/outbox/" in walk(client, editor, language, lookups)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_that_show_a_new_secret_once_are_translated(client, superuser, record, lookups, language):  # type: ignore[no-untyped-def]  # noqa: F811
    client.force_login(superuser)
    response = client.post(
        reverse("admin:api_apitoken_add"), {"partner": "Newsroom", "note": ""}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    created = ApiToken.objects.get(partner="Newsroom")
    assert_translated(response, language, lookups, also_data=(*record_strings(), "Newsroom"))
    lookups.clear()
    response = client.post(
        reverse("admin:api_webhook_add"),
        {"token": created.pk, "url": "https://8.8.4.4/hook", "description": "", "active": "on"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200, response.content[:2000]
    assert_translated(response, language, lookups, also_data=record_strings())


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_actions_message_is_in_the_editors_language(client, superuser, record, lookups, language):  # type: ignore[no-untyped-def]  # noqa: F811
    client.force_login(superuser)
    response = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [record["token"].pk]},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    page = assert_translated(response, language, lookups, also_data=record_strings())
    assert {"ar": "أُلغي رمز وصول واحد", "fr": "1 jeton révoqué"}[language] in page


def test_every_model_of_these_apps_has_translatable_names():
    """A verbose name derived from the class name cannot be translated: each model names itself with a marked
    string, and so does each of its fields an editor can see."""
    unmarked = []
    for model in [m for m in admin.site._registry if m._meta.app_label in APP_LABELS]:
        for value in (model._meta.verbose_name, model._meta.verbose_name_plural):
            if isinstance(value, str):
                unmarked.append(f"{model._meta.label}: {value}")
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.name not in {"id"} and isinstance(field.verbose_name, str):
                unmarked.append(f"{model._meta.label}.{field.name}")
    assert unmarked == []
