"""The editors' admin in Arabic and French (issue 17): every admin page of the tracker app, wholly translated.

The pages walked are read from the admin site's registry (every model registered for the tracker app: its list, its
add form where the user may add, a row's change form and its history), so a model registered tomorrow is walked
tomorrow without anyone remembering to list it here; the test also fails if such a model has no row to open.
"""

from __future__ import annotations

import re
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests import test_i18n_pages
from tests.admin_forms import change_form_data
from tests.test_i18n_pages import LANGUAGES, assert_translated, in_language, lookups  # noqa: F401  (a fixture)
from tests.test_pages_support import body
from tracker import services
from tracker.admin.audit import USER_FILTER_CODES
from tracker.admin.sources import SOURCE_HELP_CODE
from tracker.models import Crisis, CrossingStatus, FlowCount, Report, StatusSuggestion, WorkerHeartbeat

# Latin-script words an Arabic admin page may show besides tests.test_i18n_pages.LATIN_ALLOWED, all names of
# standards, formats, services and codes that editors type or read as they are:
ADMIN_LATIN = {"alpha", "P", "code"}  # "ISO 3166 alpha-3", OCHA's "P-code" (field names)
ADMIN_LATIN |= {"RSS", "Atom", "JSON", "Feed", "ReliefWeb", "URL", "API", "HTML", "SHA", "BCP", "OCHA"}  # JSON Feed
ADMIN_LATIN |= {"ETag", "Last", "Modified", "HTTP"}  # a feed's HTTP headers (a source's health fields)
ADMIN_LATIN |= {"A", "B", "C", "D", "E", "F"}  # the reliability grades (Admiralty scale)
ADMIN_LATIN |= {"OIC", "appname", "CE", "glidenumber", "net"}  # in help texts: an acronym, ReliefWeb's parameter,
# a GLIDE number's hazard code (CE-2023-...), glidenumber.net
ADMIN_LATIN |= {"Axes"}  # django-axes (sign-in lock-out) in the superuser's sidebar: a product name, untranslated by
# its own catalogue too


def record_values() -> list[str]:
    """What the record holds in its own words, which the admin shows as it is in every language: every text, slug,
    URL, code and public id of the tracker's rows (choice fields excepted: their codes are shown by their labels),
    and usernames. An admin page shows far more of each row than the reading pages do."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import models

    values: set[str] = set(get_user_model().objects.values_list("username", flat=True))
    for model in apps.get_app_config("tracker").get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.UUIDField, models.JSONField)) and not f.choices
        ]
        for row in model._default_manager.values_list(*fields):
            for value in row:
                values.update(str(item) for item in value) if isinstance(value, list) else values.add(str(value))
    values.update(SOURCE_HELP_CODE.values())  # the sources' help quotes the ReliefWeb address and parameters
    values.update(USER_FILTER_CODES.values())  # the audit view's help quotes what may be typed: a task, "system"
    return sorted((value for value in values if value.strip()), key=len, reverse=True)


def record_pattern(values: list[str]) -> re.Pattern[str]:
    """One pattern for all of the record's words as a page writes them (escaped or not), whole words only, so that
    a short code ("en") takes nothing out of a word (a Latin one: in Arabic a name may follow a prefix, «لـRafah»)."""
    alternatives = "|".join(re.escape(form) for form in sorted(shown_forms(values), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_])")


def shown_forms(values: list[str]) -> set[str]:
    return {form for value in values for form in (value, escape(value), escape(value).replace("&#x27;", "&#39;"))}


def without_record(response: Any, values: list[str], pattern: re.Pattern[str]) -> SimpleNamespace:
    """The response with the record's own words taken out of its title and body, for assert_translated to read
    what is left: a catalogue sentence inside a row's text ("the Gaza Strip" in a crossing's description) is data,
    not English left untranslated. A value cut short for a list ("Antony Blink…") is taken out first."""
    start, _, page = body(response).partition("<head")
    forms = shown_forms(values)
    for cut in reversed([m.start() for m in re.finditer("…", page)]):
        for begin in range(max(0, cut - 130), cut):
            head = page[begin:cut]
            if (begin == 0 or not page[begin - 1].isalnum()) and any(form.startswith(head) for form in forms):
                page = page[:begin] + " " + page[cut + 1 :]
                break
    return SimpleNamespace(streaming=False, content=f"{start}<head{pattern.sub(' ', page)}".encode())


@pytest.fixture
def record(db: Any) -> dict[str, Any]:
    """The demo situation, plus a row of every kind the demo does not write (a retraction, a daily figure, a
    suggestion pending and one decided, a worker's heartbeat), so every list has a row and every row a page."""
    call_command("load_demo", stdout=StringIO())
    report = Report.objects.filter(review_state=Report.ReviewState.RELEVANT).select_related("source").first()
    row = CrossingStatus.objects.select_related("crossing").first()
    assert report is not None and row is not None
    services.crossing_retract_status(status_row=row, recorded_by=None, reason="Misread the statement.")
    services.flow_count_record(
        crossing=row.crossing,
        day=timezone.now().date(),
        metric=FlowCount.Metric.AID_TRUCKS,
        value=80,
        source=report.source,
        recorded_by=None,
        report=report,
    )
    pending, _ = services.suggestion_raise(
        report=report,
        crossing=row.crossing,
        proposed_status="open",
        traffic="aid",
        evidence="Rafah reopened.",  # data; marked up on the decision page, so kept to the words it marks
        matched_phrase="reopened",
    )
    decided, _ = services.suggestion_raise(
        report=report,
        crossing=row.crossing,
        proposed_status="closed",
        traffic="people",
        evidence="Rafah closed.",
        matched_phrase="closed",
    )
    services.suggestion_reject(suggestion=decided, decided_by=None, reason="already_recorded", note="")
    WorkerHeartbeat.objects.create(hostname="worker-1@tracker", last_seen=timezone.now())
    return {"pending": pending, "decided": decided}


def tracker_admin_urls(user: Any) -> list[str]:
    """Every admin page of the tracker app this user may open, from the admin site's registry."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["tracker"])]
    registered = [(m, a) for m, a in admin.site._registry.items() if m._meta.app_label == "tracker"]
    assert len(registered) >= 15
    for model, model_admin in sorted(registered, key=lambda pair: pair[0]._meta.model_name):
        name = f"admin:tracker_{model._meta.model_name}"
        if not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{name}_add"))
        rows = model_admin.get_queryset(request)
        assert rows.exists(), f"no {model._meta.model_name} row to open: give the fixture one"
        for row in rows.order_by("pk")[:2]:  # the decision page: a suggestion pending, and one decided
            urls.append(reverse(f"{name}_change", args=[row.pk]))
        urls.append(reverse(f"{name}_history", args=[rows.order_by("pk").first().pk]))
    urls.append(reverse("audit-log"))
    return urls


def walk(client: Client, user: Any, language: str, missing: list[tuple[str, str]]) -> int:
    """Opens every page and checks each; all the pages' faults are told at once, each under its address."""
    client.force_login(user)
    urls = tracker_admin_urls(user)
    values = record_values()
    pattern = record_pattern(values)
    faults = []
    for url in urls:
        missing.clear()  # what this page looked up and no catalogue holds
        response = in_language(client, url, language)
        assert response.status_code == 200, (url, response.status_code)
        shown = without_record(response, values, pattern)
        try:
            assert_translated(shown, language, missing)
        except AssertionError as error:
            faults.append(f"{url}: {str(error).splitlines()[0]}")
    assert faults == [], "\n".join(faults)
    return len(urls)


@pytest.fixture(autouse=True)
def _admin_latin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_i18n_pages, "LATIN_ALLOWED", test_i18n_pages.LATIN_ALLOWED | ADMIN_LATIN)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tracker_admin_page_is_wholly_translated_for_a_superuser(
    client,
    superuser,
    record,
    lookups,  # noqa: F811 (the fixture imported above)
    language,
):
    assert walk(client, superuser, language, lookups) > 40


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tracker_admin_page_is_wholly_translated_for_an_editor(
    client,
    editor,
    record,
    lookups,  # noqa: F811 (the fixture imported above)
    language,
):
    assert walk(client, editor, language, lookups) > 40


@pytest.mark.django_db
def test_walk_covers_the_decision_page_and_the_audit_view(superuser, record):
    urls = tracker_admin_urls(superuser)
    assert reverse("admin:tracker_statussuggestion_change", args=[record["pending"].pk]) in urls
    assert reverse("audit-log") in urls
    assert StatusSuggestion.objects.count() >= 2


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_bulk_decision_pages_are_wholly_translated(
    client,
    editor,
    record,
    lookups,  # noqa: F811 (the fixture imported above)
    language,
):
    """The pages the queue's actions answer with before anything is written: what accepting will publish (and what
    it will not, with why), and the reason asked before rejecting."""
    client.force_login(editor)
    values = record_values()
    pattern = record_pattern(values)
    changelist = reverse("admin:tracker_statussuggestion_changelist")
    chosen = [record["pending"].pk, record["decided"].pk]  # one that can be published, one already decided
    for action, expected in (("accept", "publish-plan"), ("reject", 'name="rejection_reason"')):
        lookups.clear()
        response = client.post(
            changelist, {"action": action, "_selected_action": chosen}, HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 200 and expected in body(response), action
        assert_translated(without_record(response, values, pattern), language, lookups)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_and_refusals_to_editors_are_translated(
    client,
    editor,
    other_editor,
    record,
    lookups,  # noqa: F811 (the fixture imported above)
    language,
):
    """What an editor is told after acting: the actions' messages (reports reviewed, sources paused and resumed,
    suggestions rejected, a status recorded) and a stale edit's refusal, each read on the page that shows it."""
    values = record_values()
    pattern = record_pattern(values)

    def check(response: Any, said: str) -> None:
        assert response.status_code == 200 and said in body(response), said
        assert_translated(without_record(response, values, pattern), language, lookups)
        lookups.clear()

    client.force_login(editor)
    report = Report.objects.filter(review_state=Report.ReviewState.RELEVANT).first()
    source = report.source  # type: ignore[union-attr]
    for model, action, pk, extra in (
        ("source", "pause", source.pk, {}),
        ("source", "resume", source.pk, {}),
        ("report", "mark_relevant", report.pk, {}),  # type: ignore[union-attr]
        ("statussuggestion", "reject", record["pending"].pk, {"post": "yes", "rejection_reason": "wrong_status"}),
    ):
        url = reverse(f"admin:tracker_{model}_changelist")
        data = {"action": action, "_selected_action": [pk], **extra}
        check(client.post(url, data, HTTP_ACCEPT_LANGUAGE=language, follow=True), 'class="success"')

    # A status recorded on its own form, and the message that names it.
    url = reverse("admin:tracker_crossingstatus_add")
    crossing = record["pending"].crossing
    data = {"crossing": crossing.pk, "status": "open", "traffic": "fuel", "certainty": "reported", "note": "Seen."}
    data["effective_at_0"], data["effective_at_1"] = "2023-10-20", "09:00"
    check(client.post(url, data, HTTP_ACCEPT_LANGUAGE=language, follow=True), 'class="success"')

    # A stale edit: another editor saved the crisis after this form was opened.
    crisis = Crisis.objects.first()
    url = reverse("admin:tracker_crisis_change", args=[crisis.pk])  # type: ignore[union-attr]
    opened = change_form_data(client.get(url))
    client.force_login(other_editor)
    assert client.post(url, {**opened, "summary": "Bob's summary"}).status_code == 302
    client.get(url)  # Bob reads his "changed successfully" (messages are kept in a cookie, not in his session)
    client.force_login(editor)
    # What the editor typed is shown back as typed: a summary with no words, so the page's own words are checked.
    check(client.post(url, {**opened, "summary": "2023"}, HTTP_ACCEPT_LANGUAGE=language), "errornote")
