"""Editors see ingestion's record in the admin: runs, quarantine, parked tasks, phrases, and failing sources flagged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from ingest import services
from ingest.models import FetchRun, ParkedTask, QuarantinedItem, StatusPhrase
from ingest.pipeline import ingest_bytes
from ingest.tasks import fetch_source
from tests.admin_forms import change_form_data
from tests.ingest_fixtures.support import feed_source, item, rss
from tracker import services as tracker_services

pytestmark = pytest.mark.django_db


def failing(name: str = "Broken feed", times: int = 3):  # type: ignore[no-untyped-def]
    source = feed_source(name=name)
    for n in range(times):
        tracker_services.source_poll_failed(source=source, polled_at=timezone.now(), error=f"HTTP 500 (#{n + 1})")
    return source


def test_the_index_flags_sources_that_keep_failing(editor_client, settings):
    settings.INGEST_FLAG_AFTER_FAILURES = 3
    failing("Broken feed", 3)
    failing("Wobbly feed", 2)
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert 'id="failing-sources"' in page and "Broken feed" in page and "HTTP 500 (#3)" in page
    assert "Wobbly feed" not in page


def test_the_index_flags_parked_sources(editor_client):
    source = feed_source(name="Killer feed")
    lease = services.lease_acquire(source=source, holder="t")
    services.task_park(lease=lease, task_name="ingest.tasks.fetch_source", task_id="t", reason="died")
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Killer feed" in page and "parked after killing its worker" in page


def test_the_index_says_nothing_when_all_is_well(editor_client):
    feed_source()
    assert 'id="failing-sources"' not in editor_client.get(reverse("admin:index")).content.decode()


def test_a_sources_page_shows_its_health_and_recent_runs(editor_client):
    source = failing("Broken feed", 1)
    ingest_bytes(source, rss([item(1)]))
    page = editor_client.get(reverse("admin:tracker_source_change", args=[source.pk])).content.decode()
    assert "Fetch runs (newest 10)" in page and "All fetch runs of this source" in page
    listing = editor_client.get(reverse("admin:tracker_source_changelist")).content.decode()
    assert "1 failure in a row" in listing


def test_an_editors_save_does_not_roll_back_health_written_meanwhile(editor_client):
    source = feed_source(name="Feed")
    url = reverse("admin:tracker_source_change", args=[source.pk])
    data = change_form_data(editor_client.get(url))
    tracker_services.source_poll_failed(source=source, polled_at=timezone.now(), error="HTTP 500")
    data["poll_interval_minutes"] = "45"
    assert editor_client.post(url, data).status_code == 302
    source.refresh_from_db()
    assert (source.poll_interval_minutes, source.failures_in_row, source.last_error) == (45, 1, "HTTP 500")


def test_fetch_runs_list_and_detail(editor_client, django_assert_max_num_queries):
    source = feed_source()
    for _ in range(15):
        ingest_bytes(source, rss([item(1)]))
    with django_assert_max_num_queries(12):
        listing = editor_client.get(reverse("admin:ingest_fetchrun_changelist"))
    assert listing.status_code == 200 and listing.content.decode().count("Succeeded") >= 15
    run = FetchRun.objects.first()
    assert editor_client.get(reverse("admin:ingest_fetchrun_change", args=[run.pk])).status_code == 200
    assert editor_client.get(reverse("admin:ingest_fetchrun_add")).status_code == 403


def test_quarantine_shows_the_reason_and_the_raw_bytes(editor_client):
    ingest_bytes(feed_source(), rss([{"guid": "x", "description": "<p>orphan <script>x</script></p>"}]))
    kept = QuarantinedItem.objects.get()
    page = editor_client.get(reverse("admin:ingest_quarantineditem_change", args=[kept.pk])).content.decode()
    assert "no title and no link" in page
    assert "&lt;guid&gt;x&lt;/guid&gt;" in page and "<script>x</script>" not in page, "raw bytes shown escaped"
    download = editor_client.get(reverse("admin:ingest_quarantineditem_raw", args=[kept.pk]))
    assert download.content == bytes(kept.raw) and download["Content-Type"] == "application/octet-stream"
    assert editor_client.get(reverse("admin:ingest_quarantineditem_changelist")).status_code == 200
    # A word where the number goes (the URL fuzzer's find): the admin's "no such item", not a failed lookup (500).
    assert editor_client.get("/admin/ingest/quarantineditem/rafah/raw/").status_code in {302, 404}


def test_an_editor_releases_a_parked_task_and_a_poll_is_queued_on_commit(
    editor_client, monkeypatch, django_capture_on_commit_callbacks
):
    source = feed_source()
    lease = services.lease_acquire(source=source, holder="t")
    parked = services.task_park(lease=lease, task_name="ingest.tasks.fetch_source", task_id="t", reason="died")
    queued: list[int] = []
    monkeypatch.setattr(fetch_source, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:ingest_parkedtask_changelist"),
            {"action": "release", "_selected_action": [parked.pk]},
            follow=True,
        )
    assert "Released 1 parked task" in response.content.decode()
    assert queued == [source.pk]
    parked.refresh_from_db()
    assert parked.released_at is not None


def test_an_analyst_sees_parked_tasks_but_cannot_release_them(analyst_client, monkeypatch):
    source = feed_source()
    lease = services.lease_acquire(source=source, holder="t")
    parked = services.task_park(lease=lease, task_name="ingest.tasks.fetch_source", task_id="t", reason="died")
    monkeypatch.setattr(fetch_source, "delay", lambda *a: pytest.fail("an analyst queued a poll"))
    listing = analyst_client.get(reverse("admin:ingest_parkedtask_changelist"))
    assert listing.status_code == 200 and "Parked task" in listing.content.decode()
    form = listing.context["action_form"]  # None when the analyst may take no action at all
    offered = [] if form is None else [name for name, _ in form.fields["action"].choices]
    assert "release" not in offered
    analyst_client.post(
        reverse("admin:ingest_parkedtask_changelist"), {"action": "release", "_selected_action": [parked.pk]}
    )
    parked.refresh_from_db()
    assert parked.released_at is None


def test_an_editor_adds_a_status_phrase(editor_client):
    response = editor_client.post(
        reverse("admin:ingest_statusphrase_add"),
        {"phrase": "Barricaded", "language": "en", "kind": "status", "proposed_status": "closed", "enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    phrase = StatusPhrase.objects.get(phrase="Barricaded")
    assert phrase.key == "barricaded" and phrase.history.count() == 1


def test_a_phrase_already_in_the_table_is_refused_with_a_message(editor_client):
    response = editor_client.post(
        reverse("admin:ingest_statusphrase_add"),
        {"phrase": "CLOSED", "language": "en", "kind": "status", "proposed_status": "closed"},
    )
    assert response.status_code == 200 and "already in the table" in response.content.decode()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"phrase": "boarded up", "kind": "status", "proposed_status": ""}, "Say which status"),
        ({"phrase": "   ", "kind": "status", "proposed_status": "closed"}, "This field is required"),
        ({"phrase": "!!!", "kind": "status", "proposed_status": "closed"}, "at least one letter"),
        ({"phrase": "open house", "kind": "not_status", "proposed_status": "open"}, "proposes no status"),
    ],
)
def test_a_bad_phrase_is_refused_with_the_reason(editor_client, fields, message):
    response = editor_client.post(reverse("admin:ingest_statusphrase_add"), fields)
    assert response.status_code == 200 and message in response.content.decode()


def test_a_stale_phrase_form_is_refused(editor_client):
    phrase = StatusPhrase.objects.get(key="shut")
    url = reverse("admin:ingest_statusphrase_change", args=[phrase.pk])
    data = change_form_data(editor_client.get(url))
    StatusPhrase.objects.filter(pk=phrase.pk).update(version=phrase.version + 1)
    data["note"] = "mine"
    response = editor_client.post(url, data)
    assert response.status_code == 200 and "after you opened it" in response.content.decode()


def test_an_analyst_reads_phrases_but_cannot_change_them(analyst_client):
    assert analyst_client.get(reverse("admin:ingest_statusphrase_changelist")).status_code == 200
    assert analyst_client.get(reverse("admin:ingest_statusphrase_add")).status_code == 403


def test_a_sources_runs_are_one_filter_away(editor_client):
    source = feed_source(name="Listed")
    other = feed_source(name="Other")
    ingest_bytes(source, rss([item(1)]))
    ingest_bytes(other, rss([item(2)]))
    page = editor_client.get(reverse("admin:ingest_fetchrun_changelist") + f"?source__id__exact={source.pk}")
    assert [run.source for run in page.context["cl"].result_list] == [source]


def test_parked_tasks_and_runs_cannot_be_added_or_deleted_by_hand(editor_client):
    source = feed_source()
    run = ingest_bytes(source, rss([item(1)])).run
    assert editor_client.get(reverse("admin:ingest_parkedtask_add")).status_code == 403
    assert editor_client.get(reverse("admin:ingest_fetchrun_delete", args=[run.pk])).status_code == 403
    assert ParkedTask.objects.count() == 0
