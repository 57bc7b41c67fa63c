"""Who may reach what: for every URL pattern the project serves (admin, pages, API, health, docs, accounts, audit)
and every kind of caller, the answer expected. A pattern without a row here fails the test, so no view ships
without someone deciding who may use it.

Callers: anonymous; analyst, editor and superuser (signed in); a partner's token, a revoked token, an expired
token (sent as ``Authorization: Bearer``; outside the API they count for nothing, so they get what anonymous
callers get). Expected answers are HTTP statuses, or for redirects: ``login`` (to the sign-in page), ``index``
(to the admin's index: its answer for a row that does not exist, or to someone signed in who asks for the sign-in
page), ``to-change`` (the admin's short address of an object).

One small data set (the demo, plus one row of every model the admin shows), one request per caller and row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, SolarSchedule

from alerts import services as alert_services
from ingest import services as ingest_services
from ingest.models import FetchRun, QuarantinedItem, StatusPhrase
from tracker import services
from tracker.api import services as api_services
from tracker.api.models import ApiToken, Webhook
from tracker.demo import load_demo
from tracker.models import Crossing, Report, Source

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "analyst", "editor", "superuser", "partner", "revoked", "expired")
STAFF = ("analyst", "editor", "superuser")
TOKENS = ("partner", "revoked", "expired")

Expected = int | str
Path = str | Callable[["World"], str]


@dataclass
class Row:
    pattern: str  # the URL pattern, as the resolver spells it
    path: Path  # the address requested (a function of the data set when it names a row)
    expect: dict[str, Expected]
    method: str = "get"
    body: dict[str, Any] | None = None
    saves: dict[str, bool] = field(default_factory=dict)  # admin change pages: whether a Save button is offered
    hidden: dict[str, str] = field(default_factory=dict)  # caller -> text that must not appear in the answer
    fresh: bool = False  # the request changes the caller's session (sign-out): use a client of its own


def each(value: Expected, **overrides: Expected) -> dict[str, Expected]:
    return {caller: overrides.get(caller, value) for caller in CALLERS}


def signed_in(anonymous: Expected = "login", **staff: Expected) -> dict[str, Expected]:
    """Pages and admin: sign-in required; tokens count for nothing there."""
    return {caller: staff.get(caller, anonymous) if caller in STAFF else anonymous for caller in CALLERS}


def api(staff: Expected = 200, partner: Expected = 200, anonymous: Expected = 401, **each_: Expected) -> dict:
    answers = {"anonymous": anonymous, "partner": partner, "revoked": 401, "expired": 401}
    answers |= {caller: staff for caller in STAFF}
    return answers | each_


# --- the data set ---------------------------------------------------------------------------------------------


@dataclass
class World:
    objects: dict[str, Any]  # admin model label -> the row its object pages are asked for
    history: dict[str, int]  # admin model label -> a history_id of that row (django-simple-history)
    relevant_report: Report
    relevant_history_id: int
    keys: dict[str, str]  # token caller -> key
    webhook: Webhook
    doomed_webhook: Webhook
    quarantined: QuarantinedItem
    user_id: int
    crossing_content_type: int
    feed_key: str = ""  # the analyst's Atom feed key (alerts/)
    others_feed_token: int = 0  # a feed key of an account that is none of the callers


@pytest.fixture
def world(editor, analyst, superuser) -> World:
    load_demo()
    now = timezone.now()
    rafah = Crossing.objects.get(slug="rafah")
    relevant = Report.objects.get(review_state=Report.ReviewState.RELEVANT)
    source = relevant.source
    unreviewed = services.report_store(
        source=source, title="Unreviewed: Rafah crossing closed", url="https://news.example.org/unreviewed"
    ).report
    suggestion, _ = services.suggestion_raise(
        report=unreviewed, crossing=rafah, proposed_status="closed", evidence="Rafah crossing closed."
    )
    row = services.crossing_record_status(
        crossing=rafah,
        status="open",
        traffic="fuel",
        effective_at=datetime(2023, 10, 20, tzinfo=UTC),
        recorded_by=editor,
        note="a mistake",
    )
    services.crossing_retract_status(status_row=row, recorded_by=editor, reason="wrong crossing")
    services.flow_count_record(
        crossing=rafah, day=date(2023, 10, 21), metric="aid_trucks", value=20, source=source, recorded_by=editor
    )
    services.worker_heartbeat_record(hostname="w1@tracker")
    run = ingest_services.fetch_run_start(source=source, origin=FetchRun.Origin.POLL, url="https://x.example/feed")
    quarantined = ingest_services.quarantine_record(
        source=source, kind=QuarantinedItem.Kind.DOCUMENT, reason="not a feed", raw=b"<html>", run=run
    )
    polled = Source.objects.exclude(url="").first()
    lease = ingest_services.lease_acquire(source=polled, holder="task-1")
    ingest_services.task_park(lease=lease, task_name="ingest.tasks.fetch_source", task_id="task-1", reason="killed")
    partner = api_services.token_create(partner="OCHA oPt", created_by=None)
    revoked = api_services.token_create(partner="Revoked partner", created_by=None)
    api_services.token_revoke(token=revoked.token, revoked_by=None)
    expired = api_services.token_create(partner="Expired partner", created_by=None)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        created_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)
    )
    # Alerts: the analyst reads feeds with a key; the editor follows Rafah by e-mail in a daily digest.
    feed_key = alert_services.feed_token_create(user=analyst).key
    stranger = type(editor).objects.create_user(username="stranger", email="stranger@example.org")
    others_feed_token = alert_services.feed_token_create(user=stranger).token.pk
    editor.email = "alice@example.org"
    editor.save(update_fields=["email"])
    alert_services.subscription_set(user=editor, crossing=rafah, traffic=["all"], delivery="digest")
    webhook = api_services.webhook_register(token=partner.token, url="https://8.8.8.8/hook").webhook
    doomed = api_services.webhook_register(token=partner.token, url="https://8.8.8.8/doomed").webhook
    services.crossing_record_status(
        crossing=rafah,
        status="closed",
        traffic="aid",
        effective_at=now - timedelta(hours=1),
        recorded_by=editor,
        note="for the webhooks",
    )
    api_services.webhooks_queue_new_changes()
    alert_services.alerts_queue_new_changes(now=now)
    alert_services.digest_send(user_id=editor.pk, now=now + timedelta(days=1))
    ClockedSchedule.objects.create(clocked_time=now)
    CrontabSchedule.objects.create(minute="0", hour="6")
    SolarSchedule.objects.create(event="sunrise", latitude=31.3, longitude=34.2)
    attempt = {"user_agent": "curl", "ip_address": "203.0.113.1", "http_accept": "*/*", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(username="mallory", get_data="", post_data="", failures_since_start=1, **attempt)
    AccessLog.objects.create(username="alice", **attempt)
    AccessFailureLog.objects.create(username="mallory", locked_out=False, **attempt)

    objects: dict[str, Any] = {}
    for model_admin in ADMIN_MODELS:
        model = model_admin.model()
        objects[model_admin.label] = model._default_manager.order_by("pk").first()
    objects["tracker.report"] = unreviewed
    objects["tracker.statussuggestion"] = suggestion
    objects["auth.user"] = editor
    # The seeded phrases came with a migration, without history: one added as an editor would.
    objects["ingest.statusphrase"] = StatusPhrase.objects.create(phrase="crossing shut", proposed_status="closed")
    history = {
        label: obj.history.order_by("history_id").first().history_id
        for label, obj in objects.items()
        if obj is not None and hasattr(obj, "history")
    }
    from django.contrib.contenttypes.models import ContentType

    return World(
        objects=objects,
        history=history,
        relevant_report=relevant,
        relevant_history_id=relevant.history.order_by("history_id").first().history_id,
        keys={"partner": partner.key, "revoked": revoked.key, "expired": expired.key},
        webhook=webhook,
        doomed_webhook=doomed,
        quarantined=quarantined,
        user_id=editor.pk,
        crossing_content_type=ContentType.objects.get_for_model(Crossing).pk,
        feed_key=feed_key,
        others_feed_token=others_feed_token,
    )


# --- the admin: one line per model --------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """Rights per role: v view, a add, c change (a Save button on the change page), d delete."""

    label: str
    analyst: str
    editor: str
    superuser: str
    simple_history: bool = False
    hidden_from_analysts: bool = False  # rows no editor reviewed: analysts are told they do not exist

    def model(self) -> Any:
        from django.apps import apps

        return apps.get_model(self.label)


H = {"simple_history": True}
ADMIN_MODELS = [
    AdminModel("auth.group", "", "", "vacd"),
    AdminModel("auth.user", "", "", "vacd"),
    # The schedule: editors may change it (django-celery-beat's rows), not delete it.
    AdminModel("django_celery_beat.periodictask", "", "vac", "vacd"),
    AdminModel("django_celery_beat.clockedschedule", "", "vac", "vacd"),
    AdminModel("django_celery_beat.crontabschedule", "", "vac", "vacd"),
    AdminModel("django_celery_beat.solarschedule", "", "vac", "vacd"),
    AdminModel("django_celery_beat.intervalschedule", "", "vac", "vacd"),
    # Sign-in attempts and lockouts: administrators only.
    AdminModel("axes.accessattempt", "", "", "vcd"),
    AdminModel("axes.accesslog", "", "", "vcd"),
    AdminModel("axes.accessfailurelog", "", "", "vcd"),
    # The record: editors keep it, analysts read it.
    AdminModel("tracker.country", "v", "vc", "vc"),
    AdminModel("tracker.actor", "v", "vacd", "vacd", **H),
    AdminModel("tracker.crisis", "v", "vacd", "vacd", **H),
    AdminModel("tracker.crossing", "v", "vacd", "vacd", **H),
    # History rows are appended, never changed or deleted, whoever asks.
    AdminModel("tracker.crossingstatus", "v", "va", "va"),
    AdminModel("tracker.crossingstatusretraction", "v", "va", "va"),
    AdminModel("tracker.flowcount", "v", "vacd", "vacd", **H),
    AdminModel("tracker.aiddispute", "v", "vacd", "vacd", **H),
    AdminModel("tracker.evacuationagreement", "v", "vacd", "vacd", **H),
    AdminModel("tracker.timelineevent", "v", "vacd", "vacd", **H),
    AdminModel("tracker.source", "v", "vacd", "vacd", **H),
    # Unreviewed material: the row asked for is a new report, a pending suggestion, a quarantined document.
    AdminModel("tracker.report", "v", "vacd", "vacd", **H, hidden_from_analysts=True),
    # A suggestion is decided on its decision page (Accept, Reject: tests/test_suggestion_decision_page.py), never
    # saved as a form nor deleted: the decision is kept.
    AdminModel("tracker.statussuggestion", "v", "v", "v", **H, hidden_from_analysts=True),
    AdminModel("ingest.quarantineditem", "v", "vd", "vd", hidden_from_analysts=True),
    # The machinery: read only.
    AdminModel("tracker.change", "v", "v", "v"),
    AdminModel("tracker.workerheartbeat", "v", "v", "v"),
    AdminModel("ingest.fetchrun", "v", "v", "v"),
    AdminModel("ingest.parkedtask", "v", "v", "v"),
    AdminModel("ingest.statusphrase", "v", "vacd", "vacd", **H),
    # Partners' access: editors issue and revoke tokens (never delete them: the row says who held access).
    AdminModel("api.apitoken", "v", "vac", "vac"),
    AdminModel("api.webhook", "v", "vacd", "vacd"),
    AdminModel("api.webhookdelivery", "v", "vc", "vc"),
    # Alerts belong to their users (managed on /alerts/): administrators may look, and remove a subscription or
    # a feed key; the record of what was mailed is kept, since it is what stops a change being mailed twice.
    # Editors read who follows what and what was mailed ("why did I get no alert?"), never the feed keys.
    AdminModel("alerts.alertsubscription", "", "v", "vd"),
    AdminModel("alerts.feedtoken", "", "", "vd"),
    AdminModel("alerts.alertdelivery", "", "v", "v"),
    AdminModel("alerts.alertdigest", "", "v", "v"),
]


def _may(rights: str, right: str) -> int:
    return 200 if right in rights else 403


def admin_model_rows(spec: AdminModel) -> Iterator[Row]:
    app, name = spec.label.split(".")
    base = f"admin/{app}/{name}/"
    rights = {"analyst": spec.analyst, "editor": spec.editor, "superuser": spec.superuser}

    def obj(world: World) -> str:
        found = world.objects[spec.label]
        assert found is not None, f"the data set has no {spec.label}: add one to the world fixture"
        return str(found.pk)

    def object_level(right: str, role: str) -> Expected:
        allowed = any(r in rights[role] for r in right)
        if allowed and role == "analyst" and spec.hidden_from_analysts:
            return "index"
        return 200 if allowed else 403

    yield Row(base, f"/{base}", signed_in(**{r: _may(rights[r], "v") for r in STAFF}))
    yield Row(base + "add/", f"/{base}add/", signed_in(**{r: _may(rights[r], "a") for r in STAFF}))
    yield Row(
        base + "<path:object_id>/change/",
        lambda w: f"/{base}{obj(w)}/change/",
        signed_in(**{r: object_level("vc", r) for r in STAFF}),
        saves={r: "c" in rights[r] for r in STAFF},
    )
    yield Row(
        base + "<path:object_id>/delete/",
        lambda w: f"/{base}{obj(w)}/delete/",
        signed_in(**{r: object_level("d", r) for r in STAFF}),
    )
    yield Row(
        base + "<path:object_id>/history/",
        lambda w: f"/{base}{obj(w)}/history/",
        signed_in(**{r: object_level("vc", r) for r in STAFF}),
    )
    yield Row(base + "<path:object_id>/", lambda w: f"/{base}{obj(w)}/", signed_in(**dict.fromkeys(STAFF, "to-change")))
    if spec.simple_history:
        yield Row(
            base + "^([^/]+)/history/([^/]+)/$",
            lambda w: f"/{base}{obj(w)}/history/{w.history[spec.label]}/",
            signed_in(**{r: object_level("vc", r) for r in STAFF}),
        )


def report_rows() -> Iterator[Row]:
    """What an editor marked relevant, analysts may open (the generic rows ask for an unreviewed report)."""
    base = "admin/tracker/report/"
    yield Row(
        base + "<path:object_id>/change/",
        lambda w: f"/{base}{w.relevant_report.pk}/change/",
        signed_in(**dict.fromkeys(STAFF, 200)),
    )
    yield Row(
        base + "<path:object_id>/history/",
        lambda w: f"/{base}{w.relevant_report.pk}/history/",
        signed_in(**dict.fromkeys(STAFF, 200)),
    )
    yield Row(
        base + "^([^/]+)/history/([^/]+)/$",
        lambda w: f"/{base}{w.relevant_report.pk}/history/{w.relevant_history_id}/",
        signed_in(**dict.fromkeys(STAFF, 200)),
    )
    yield Row(base, f"/{base}", signed_in(**dict.fromkeys(STAFF, 200)), hidden={"analyst": "Unreviewed: Rafah"})
    yield Row(
        "admin/autocomplete/",
        "/admin/autocomplete/?app_label=tracker&model_name=crossingstatus&field_name=report&term=Rafah",
        signed_in(**dict.fromkeys(STAFF, 200)),
        hidden={"analyst": "Unreviewed"},
    )


def admin_site_rows() -> Iterator[Row]:
    yield Row("admin/", "/admin/", signed_in(**dict.fromkeys(STAFF, 200)))
    yield Row("admin/login/", "/admin/login/", signed_in(200, **dict.fromkeys(STAFF, "index")))
    # Signing out is a POST (then to the site's sign-in page); the admin sends anyone not signed in to its index.
    yield Row("admin/logout/", "/admin/logout/", signed_in("index", **dict.fromkeys(STAFF, 405)))
    yield Row(
        "admin/logout/",
        "/admin/logout/",
        signed_in("index", **dict.fromkeys(STAFF, "login")),
        method="post",
        fresh=True,
    )
    yield Row("admin/password_change/", "/admin/password_change/", signed_in(**dict.fromkeys(STAFF, 200)))
    yield Row("admin/password_change/done/", "/admin/password_change/done/", signed_in(**dict.fromkeys(STAFF, 200)))
    yield Row("admin/jsi18n/", "/admin/jsi18n/", signed_in(**dict.fromkeys(STAFF, 200)))
    # No model here has a public page of its own: the "view on site" shortcut finds nothing, for anyone.
    yield Row(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        lambda w: f"/admin/r/{w.crossing_content_type}/{w.objects['tracker.crossing'].pk}/",
        signed_in(**dict.fromkeys(STAFF, 404)),
    )
    yield Row(
        "admin/auth/user/<id>/password/",
        lambda w: f"/admin/auth/user/{w.user_id}/password/",
        signed_in(analyst=403, editor=403, superuser=200),
    )
    yield Row(
        "admin/ingest/quarantineditem/<int:object_id>/raw/",
        lambda w: f"/admin/ingest/quarantineditem/{w.quarantined.pk}/raw/",
        signed_in(analyst=404, editor=200, superuser=200),
    )
    # The audit trail names unreviewed reports too: editors and administrators.
    yield Row("admin/audit/", "/admin/audit/", signed_in(analyst=403, editor=200, superuser=200))
    # make run's file outbox: each message holds its recipient's unsubscribe link, so editors and administrators.
    yield Row("admin/outbox/", "/admin/outbox/", signed_in(analyst=403, editor=200, superuser=200))
    pattern = "admin/^(?P<app_label>auth|django_celery_beat|axes|tracker|ingest|api|alerts)/$"
    for app, analyst, editor in [
        ("auth", 404, 404),
        ("django_celery_beat", 404, 200),
        ("axes", 404, 404),
        ("tracker", 200, 200),
        ("ingest", 200, 200),
        ("api", 200, 200),
        ("alerts", 404, 200),
    ]:
        yield Row(pattern, f"/admin/{app}/", signed_in(analyst=analyst, editor=editor, superuser=200))
    yield Row("admin/(?P<url>.*)$", "/admin/no-such-page/", signed_in(**dict.fromkeys(STAFF, 404)))


def account_rows() -> Iterator[Row]:
    yield Row("accounts/login/", "/accounts/login/", each(200))
    # The language switcher (Django's set_language): anyone may choose a language; it only sets a cookie and goes
    # back, to this site only (tests/test_i18n_pages.py).
    yield Row("i18n/setlang/", "/i18n/setlang/", each("redirect"))
    yield Row("i18n/setlang/", "/i18n/setlang/", each("redirect"), method="post", fresh=True)
    yield Row("accounts/logout/", "/accounts/logout/", each(405))
    yield Row("accounts/logout/", "/accounts/logout/", each("login"), method="post", fresh=True)
    yield Row("accounts/password_change/", "/accounts/password_change/", signed_in(**dict.fromkeys(STAFF, 200)))
    yield Row(
        "accounts/password_change/done/", "/accounts/password_change/done/", signed_in(**dict.fromkeys(STAFF, 200))
    )


def page_rows() -> Iterator[Row]:
    readers = signed_in(**dict.fromkeys(STAFF, 200))
    yield Row("", "/", readers)
    yield Row("", "/", each(405), method="post")
    yield Row("crises/<slug:slug>/", lambda w: f"/crises/{slug(w, 'crisis')}/", readers)
    yield Row("crossings/<slug:slug>/", "/crossings/rafah/", readers)
    yield Row("disputes/<slug:slug>/", lambda w: f"/disputes/{slug(w, 'aiddispute')}/", readers)
    yield Row("agreements/<slug:slug>/", lambda w: f"/agreements/{slug(w, 'evacuationagreement')}/", readers)
    yield Row("timeline/", "/timeline/", readers)
    yield Row("reports/", "/reports/", readers, hidden={"analyst": "Unreviewed: Rafah"})
    yield Row("map/", "/map/", readers)


def alert_rows() -> Iterator[Row]:
    """The alerts page is each reader's own; feeds open with a feed key whoever sends it (feed readers cannot sign
    in); the unsubscribe link works signed out, with its signed token."""
    readers = signed_in(**dict.fromkeys(STAFF, 200))
    yield Row("alerts/", "/alerts/", readers)
    yield Row("alerts/", "/alerts/", each(405), method="post")
    # An empty form: 400 naming the fields, for readers; nothing is written.
    yield Row("alerts/subscriptions/", "/alerts/subscriptions/", signed_in(**dict.fromkeys(STAFF, 400)), method="post")
    yield Row(
        "alerts/subscriptions/<int:crossing_id>/delete/",
        lambda w: f"/alerts/subscriptions/{Crossing.objects.exclude(slug='rafah').first().pk}/delete/",
        signed_in(**dict.fromkeys(STAFF, 404)),  # nobody follows it (the editor follows Rafah)
        method="post",
    )
    yield Row("alerts/feed-keys/", "/alerts/feed-keys/", signed_in(**dict.fromkeys(STAFF, "redirect")), method="post")
    # Someone else's key: not found, for everyone.
    for action in ("revoke", "rotate"):
        yield Row(
            f"alerts/feed-keys/<int:pk>/{action}/",
            lambda w, action=action: f"/alerts/feed-keys/{w.others_feed_token}/{action}/",
            signed_in(**dict.fromkeys(STAFF, 404)),
            method="post",
        )
    yield Row("alerts/unsubscribe/<str:token>/", "/alerts/unsubscribe/forged:token/", each(400))
    yield Row("alerts/unsubscribe/<str:token>/", "/alerts/unsubscribe/forged:token/", each(400), method="post")
    yield Row("alerts/feeds/<str:key>/all.atom", lambda w: f"/alerts/feeds/{w.feed_key}/all.atom", each(200))
    yield Row("alerts/feeds/<str:key>/all.atom", "/alerts/feeds/feed_wrong_key/all.atom", each(404))
    yield Row(
        "alerts/feeds/<str:key>/crossings/<slug:slug>.atom",
        lambda w: f"/alerts/feeds/{w.feed_key}/crossings/rafah.atom",
        each(200),
    )
    yield Row(
        "alerts/feeds/<str:key>/crises/<slug:slug>.atom",
        lambda w: f"/alerts/feeds/{w.feed_key}/crises/{slug(w, 'crisis')}.atom",
        each(200),
    )
    yield Row("alerts/feeds/<str:key>/crises/<slug:slug>.atom", "/alerts/feeds/feed_wrong/crises/x.atom", each(404))


def open_data_rows() -> Iterator[Row]:
    """Off unless OPEN_DATA=1; tests/test_open_data.py asks every /data/ URL with it on (200 for anyone, tokens
    ignored)."""
    yield Row("data/", "/data/", each(404))
    yield Row("data/datapackage.json", "/data/datapackage.json", each(404))
    yield Row("data/<slug:slug>.csv", "/data/crossings.csv", each(404))
    yield Row("data/<slug:slug>.geojson", "/data/crossings.geojson", each(404))
    yield Row("data/<slug:slug>/", "/data/crossings/", each(404))
    yield Row("data/<slug:slug>/datapackage.json", "/data/crossings/datapackage.json", each(404))


def operator_rows() -> Iterator[Row]:
    yield Row("healthz", "/healthz", each(200))
    yield Row("readyz", "/readyz", each(200))


def slug(world: World, model: str) -> str:
    return world.objects[f"tracker.{model}"].slug


API_READS: dict[str, Path] = {
    "api/v1/^crises/$": "/api/v1/crises/",
    "api/v1/^crises/(?P<slug>[^/.]+)/$": lambda w: f"/api/v1/crises/{slug(w, 'crisis')}/",
    "api/v1/^actors/$": "/api/v1/actors/",
    "api/v1/^actors/(?P<slug>[^/.]+)/$": lambda w: f"/api/v1/actors/{slug(w, 'actor')}/",
    "api/v1/^crossings/$": "/api/v1/crossings/",
    "api/v1/^crossings/(?P<slug>[^/.]+)/$": "/api/v1/crossings/rafah/",
    "api/v1/crossings/<slug:slug>/history/": "/api/v1/crossings/rafah/history/",
    "api/v1/^aid-disputes/$": "/api/v1/aid-disputes/",
    "api/v1/^aid-disputes/(?P<slug>[^/.]+)/$": lambda w: f"/api/v1/aid-disputes/{slug(w, 'aiddispute')}/",
    "api/v1/^evacuation-agreements/$": "/api/v1/evacuation-agreements/",
    "api/v1/^evacuation-agreements/(?P<slug>[^/.]+)/$": lambda w: (
        f"/api/v1/evacuation-agreements/{slug(w, 'evacuationagreement')}/"
    ),
    "api/v1/^timeline/$": "/api/v1/timeline/",
    "api/v1/^flows/$": "/api/v1/flows/",
    "api/v1/^reports/$": "/api/v1/reports/",
    "api/v1/changes/": "/api/v1/changes/",
}
# The exports under a file name (one OpenAPI operation per format): the same answers as the lists they name; a
# file is read only, so any other method is a 405 whoever asks.
API_FILES: dict[str, Path] = {
    "api/v1/crises.csv": "/api/v1/crises.csv",
    "api/v1/actors.csv": "/api/v1/actors.csv",
    "api/v1/crossings.csv": "/api/v1/crossings.csv",
    "api/v1/crossings.geojson": "/api/v1/crossings.geojson",
    "api/v1/crossings/<slug:slug>.geojson": "/api/v1/crossings/rafah.geojson",
    "api/v1/crossings/<slug:slug>/history.csv": "/api/v1/crossings/rafah/history.csv",
    "api/v1/aid-disputes.csv": "/api/v1/aid-disputes.csv",
    "api/v1/evacuation-agreements.csv": "/api/v1/evacuation-agreements.csv",
    "api/v1/timeline.csv": "/api/v1/timeline.csv",
    "api/v1/flows.csv": "/api/v1/flows.csv",
    "api/v1/reports.csv": "/api/v1/reports.csv",
    "api/v1/changes.csv": "/api/v1/changes.csv",
}


def api_rows() -> Iterator[Row]:
    for pattern, path in API_READS.items():
        yield Row(pattern, path, api(), hidden=dict.fromkeys(CALLERS, "Unreviewed"))
        if pattern != "api/v1/crossings/<slug:slug>/history/":
            # Everything but a crossing's history is read only, for everyone.
            method = "post" if pattern.endswith(("$", "changes/")) and "(?P" not in pattern else "delete"
            yield Row(pattern, path, api(405, 405), method=method)
    for pattern, path in API_FILES.items():
        yield Row(pattern, path, api(), hidden=dict.fromkeys(CALLERS, "Unreviewed"))
        yield Row(pattern, path, each(405), method="delete")
    yield Row(
        "api/v1/^timeline/(?P<uid>[0-9a-fA-F-]{36})/$",
        lambda w: "/api/v1/timeline/{}/".format(w.objects["tracker.timelineevent"].uid),
        api(),
    )
    yield Row(
        "api/v1/^flows/(?P<uid>[0-9a-fA-F-]{36})/$",
        lambda w: "/api/v1/flows/{}/".format(w.objects["tracker.flowcount"].uid),
        api(),
    )
    yield Row(
        "api/v1/^reports/(?P<uid>[0-9a-fA-F-]{36})/$", lambda w: f"/api/v1/reports/{w.relevant_report.uid}/", api()
    )
    # An unreviewed report does not exist, for partners and editors alike: the API shows reviewed material only.
    yield Row(
        "api/v1/^reports/(?P<uid>[0-9a-fA-F-]{36})/$",
        lambda w: "/api/v1/reports/{}/".format(w.objects["tracker.report"].uid),
        api(404, 404),
    )
    # The API's root names addresses, no data: open to anyone (a revoked or expired token is still refused).
    yield Row("api/v1/", "/api/v1/", api(200, 200, anonymous=200))
    # One status row, where a recorded status's 201 points.
    yield Row(
        "api/v1/crossings/<slug:slug>/history/<uuid:uid>/",
        lambda w: "/api/v1/crossings/{0.crossing.slug}/history/{0.uid}/".format(w.objects["tracker.crossingstatus"]),
        api(),
    )
    # The one write: editors (and administrators) append a status; analysts and read-only tokens may not.
    yield Row(
        "api/v1/crossings/<slug:slug>/history/",
        "/api/v1/crossings/rafah/history/",
        api(201, 403, analyst=403),
        method="post",
        body={"status": "closed", "traffic": "aid", "effective_at": "2023-10-16T09:00:00+00:00", "note": "matrix"},
    )
    # Webhooks belong to a partner token; sessions have none.
    yield Row("api/v1/^webhooks/$", "/api/v1/webhooks/", api(403))
    yield Row(
        "api/v1/^webhooks/$", "/api/v1/webhooks/", api(403, 201), method="post", body={"url": "https://8.8.8.8/x"}
    )
    yield Row("api/v1/^webhooks/(?P<uid>[0-9a-fA-F-]{36})/$", lambda w: f"/api/v1/webhooks/{w.webhook.uid}/", api(403))
    yield Row(
        "api/v1/^webhooks/(?P<uid>[0-9a-fA-F-]{36})/$",
        lambda w: f"/api/v1/webhooks/{w.doomed_webhook.uid}/",
        api(403, 204),
        method="delete",
    )
    yield Row(
        "api/v1/^webhooks/(?P<uid>[0-9a-fA-F-]{36})/resume/$",
        lambda w: f"/api/v1/webhooks/{w.webhook.uid}/resume/",
        api(403, 200),
        method="post",
    )
    # The schema and the docs are public; a refused token is refused there too.
    yield Row("api/v1/schema/", "/api/v1/schema/", api(anonymous=200))
    yield Row("api/docs/", "/api/docs/", api(anonymous=200))
    yield Row("api/docs/", "/api/docs/?script=", api(anonymous=200))
    yield Row("api/^[\\s\\S]*$", "/api/v1/no-such-thing/", each(404))


def all_rows() -> list[Row]:
    rows: list[Row] = []
    for spec in ADMIN_MODELS:
        rows.extend(admin_model_rows(spec))
    for group in (
        report_rows,
        admin_site_rows,
        account_rows,
        page_rows,
        operator_rows,
        api_rows,
        open_data_rows,
        alert_rows,
    ):
        rows.extend(group())
    return rows


def served_patterns() -> set[str]:
    def walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return set(walk(get_resolver().url_patterns))


# --- the tests --------------------------------------------------------------------------------------------------


def test_every_url_pattern_served_has_a_row_in_the_matrix():
    covered = {row.pattern for row in all_rows()}
    missing = sorted(served_patterns() - covered)
    assert missing == [], "URL patterns nobody decided access for (add rows to tests/test_access_matrix.py)"
    assert sorted(covered - served_patterns()) == [], "rows for patterns that are no longer served"


def test_every_admin_model_is_in_the_matrix():
    from django.contrib import admin

    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == {spec.label for spec in ADMIN_MODELS}


def outcome(response: Any) -> Expected:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(("/admin/login/", "/accounts/login/")):
        return "login"
    if location == "/admin/":
        return "index"
    if location.endswith("/change/"):
        return "to-change"
    return "redirect"


def clients(world: World, users: dict[str, Any]) -> dict[str, Client]:
    made = {"anonymous": Client()}
    for role in STAFF:
        made[role] = Client()
        made[role].force_login(users[role])
    for token in TOKENS:
        made[token] = Client(headers={"Authorization": f"Bearer {world.keys[token]}"})
    return made


def test_each_caller_gets_the_expected_answer_at_every_url(world, editor, analyst, superuser):
    cache.clear()  # the API's throttle counts live here
    users = {"analyst": analyst, "editor": editor, "superuser": superuser}
    by_caller = clients(world, users)
    wrong: list[str] = []
    for row in all_rows():
        path = row.path(world) if callable(row.path) else row.path
        for caller in CALLERS:
            client = clients(world, users)[caller] if row.fresh else by_caller[caller]
            kwargs: dict[str, Any] = {}
            if row.body is not None:
                kwargs = {"data": json.dumps(row.body), "content_type": "application/json"}
            response = getattr(client, row.method)(path, **kwargs)
            got, expected = outcome(response), row.expect[caller]
            body = b"".join(response.streaming_content) if response.streaming else response.content  # CSV streams
            label = f"{row.method.upper()} {path} as {caller}"
            if got != expected:
                wrong.append(f"{label}: expected {expected}, got {got}")
                continue
            if got == 200 and caller in row.saves and row.saves[caller] != ('name="_save"' in body.decode()):
                wrong.append(f"{label}: a Save button {'missing' if row.saves[caller] else 'offered'}")
            if caller in row.hidden and row.hidden[caller] in body.decode(errors="replace"):
                wrong.append(f"{label}: shows {row.hidden[caller]!r}")
    assert wrong == [], "\n".join(wrong)
