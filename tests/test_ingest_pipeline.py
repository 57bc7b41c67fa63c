"""The pipeline stores each item once, links it, suggests statuses, and keeps what it cannot store, saying why."""

from __future__ import annotations

import pytest
from django.db import connection

from ingest.models import FetchRun, QuarantinedItem, StatusPhrase
from ingest.pipeline import ingest_bytes
from tests.ingest_fixtures.support import crossings, feed_source, item, rss
from tracker.models import Report, StatusSuggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return crossings()


def test_the_same_feed_twice_adds_no_rows():
    source = feed_source()
    document = rss([item(1), item(2), item(3)])
    first = ingest_bytes(source, document)
    second = ingest_bytes(source, document)
    assert (first.counts.new, first.counts.seen) == (3, 3)
    assert (second.counts.new, second.counts.updated, second.counts.unchanged) == (0, 0, 3)
    assert Report.objects.count() == 3
    assert FetchRun.objects.filter(source=source, status=FetchRun.Status.SUCCEEDED).count() == 2


def test_a_changed_item_updates_its_row():
    source = feed_source()
    ingest_bytes(source, rss([item(1, "Queues at the gate.")]))
    outcome = ingest_bytes(source, rss([item(1, "Queues at the gate grew overnight.")]))
    assert (outcome.counts.new, outcome.counts.updated) == (0, 1)
    assert Report.objects.get().text == "Queues at the gate grew overnight."


def test_items_with_only_a_title_are_not_stored_again():
    source = feed_source()
    document = rss([{"title": "A headline with no link and no id"}])
    ingest_bytes(source, document)
    again = ingest_bytes(source, document)
    assert again.counts.new == again.counts.duplicate == 0
    assert Report.objects.count() == 1


def test_undated_items_are_flagged_and_keep_their_first_fetch_time():
    source = feed_source()
    document = rss([{"guid": "u-1", "title": "Undated"}])
    ingest_bytes(source, document)
    first = Report.objects.get()
    ingest_bytes(source, document)
    report = Report.objects.get()
    assert report.published_at_estimated and report.published_at == first.published_at == first.fetched_at


def test_the_same_story_from_another_source_is_stored_as_a_duplicate(places):
    text = "The Rafah crossing was closed on Monday."
    ingest_bytes(feed_source(), rss([item(1, text)]))
    outcome = ingest_bytes(feed_source(), rss([item(1, text, guid="other-id")]))
    assert (outcome.counts.new, outcome.counts.duplicate) == (0, 1)
    original, duplicate = Report.objects.order_by("id")
    assert duplicate.duplicate_of == original and duplicate.review_state == Report.ReviewState.DUPLICATE
    assert set(duplicate.crossings.all()) == {places["rafah"]}
    assert StatusSuggestion.objects.count() == 1, "the duplicate raises no suggestion of its own"


def test_mentions_link_crossings_and_their_crises_in_three_languages(places):
    outcome = ingest_bytes(
        feed_source(),
        rss(
            [
                item(1, "Aid trucks waited at Kerem Shalom."),
                item(2, "وصلت القافلة إلى معبر رفح."),
                item(3, "המשאיות הגיעו למעבר כרם שלום."),
                item(4, "Nothing about any crossing."),
            ]
        ),
    )
    assert outcome.counts.new == 4
    linked = {r.external_id: set(r.crossings.values_list("name", flat=True)) for r in Report.objects.all()}
    assert linked == {"item-1": {"Kerem Shalom"}, "item-2": {"Rafah"}, "item-3": {"Kerem Shalom"}, "item-4": set()}
    assert set(Report.objects.get(external_id="item-2").crises.all()) == {places["crisis"]}


def test_status_phrases_raise_pending_suggestions_with_evidence_and_traffic(places):
    ingest_bytes(
        feed_source(),
        rss(
            [
                item(1, "Officials met. Egypt allowed aid trucks through Rafah on Saturday. More may follow."),
                item(2, "أعلنت السلطات إغلاق معبر رفح أمام المسافرين."),
                item(3, "מעבר כרם שלום נפתח להכנסת משאיות סיוע."),
            ]
        ),
    )
    found = {
        (s.report.external_id, s.crossing.name, s.proposed_status, s.traffic, s.state)
        for s in StatusSuggestion.objects.select_related("report", "crossing")
    }
    assert found == {
        ("item-1", "Rafah", "open", "aid", "pending"),
        ("item-2", "Rafah", "closed", "people", "pending"),
        ("item-3", "Kerem Shalom", "open", "aid", "pending"),
    }
    english = StatusSuggestion.objects.get(report__external_id="item-1")
    assert english.evidence == "Egypt allowed aid trucks through Rafah on Saturday."
    assert english.matched_phrase == "allowed aid trucks through"


def test_a_report_never_raises_the_same_suggestion_twice(places):
    source = feed_source()
    ingest_bytes(source, rss([item(1, "Rafah was closed.")]))
    ingest_bytes(source, rss([item(1, "Rafah was closed again, officials said.")]))
    assert Report.objects.get().version == 2, "the item was updated"
    assert StatusSuggestion.objects.count() == 1


def test_a_phrase_an_editor_adds_is_used_by_the_next_run(places):
    StatusPhrase.objects.create(phrase="barricaded", language="en", proposed_status="closed")
    ingest_bytes(feed_source(), rss([item(1, "Protesters barricaded Rafah.")]))
    assert StatusSuggestion.objects.get().matched_phrase == "barricaded"


def test_the_seeded_phrases_cover_english_arabic_and_hebrew():
    languages = set(StatusPhrase.objects.values_list("language", flat=True))
    assert {"en", "ar", "he"} <= languages
    assert StatusPhrase.objects.filter(phrase="opened fire", kind="not_status").exists()


def test_an_item_with_no_title_and_no_link_is_quarantined_with_its_bytes():
    source = feed_source()
    outcome = ingest_bytes(source, rss([item(1), {"guid": "x", "description": "<p>orphan</p>"}]))
    assert (outcome.counts.new, outcome.counts.rejected) == (1, 1)
    kept = QuarantinedItem.objects.get()
    assert kept.kind == QuarantinedItem.Kind.ENTRY and "no title and no link" in kept.reason
    assert bytes(kept.raw).startswith(b"<item><guid>x</guid>") and kept.fetch_run == outcome.run
    ingest_bytes(source, rss([item(1), {"guid": "x", "description": "<p>orphan</p>"}]))
    assert QuarantinedItem.objects.get().times_seen == 2, "the same bytes are kept once, and counted"


def test_an_item_over_the_size_cap_is_quarantined_and_the_rest_stored(settings):
    settings.INGEST_MAX_ENTRY_BYTES = 2000
    outcome = ingest_bytes(feed_source(), rss([item(1), item(2, "x" * 5000)]))
    assert (outcome.counts.new, outcome.counts.rejected) == (1, 1)
    assert "exceeds the 2,000-byte cap" in QuarantinedItem.objects.get().reason


def test_an_item_the_database_refuses_is_quarantined_and_the_rest_stored():
    # PostgreSQL itself refuses one row (a trigger, gone with the test's transaction): the batch's statement fails
    # whole, and the pipeline stores the entries one by one so that only the refused one is lost.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_item_2() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.external_id = 'item-2' THEN
                    RAISE EXCEPTION 'value too long for type character varying(12)' USING ERRCODE = '22001';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_refuse_item_2 BEFORE INSERT ON tracker_report
                FOR EACH ROW EXECUTE FUNCTION test_refuse_item_2();
            """
        )
    outcome = ingest_bytes(feed_source(), rss([item(1), item(2), item(3)]))
    assert (outcome.status, outcome.counts.new, outcome.counts.rejected) == ("succeeded", 2, 1)
    assert "DataError" in QuarantinedItem.objects.get().reason
    assert set(Report.objects.values_list("external_id", flat=True)) == {"item-1", "item-3"}


def test_an_unreadable_document_is_a_failed_run_kept_whole_and_nothing_half_stored():
    source = feed_source()
    document = rss([item(1), item(2), item(3)])
    outcome = ingest_bytes(source, document[: len(document) * 2 // 3])
    assert outcome.status == "failed" and "truncated" in outcome.error
    assert Report.objects.count() == 0
    run = FetchRun.objects.get()
    assert run.status == FetchRun.Status.FAILED and "truncated" in run.error
    kept = QuarantinedItem.objects.get()
    assert kept.kind == QuarantinedItem.Kind.DOCUMENT and bytes(kept.raw) == document[: len(document) * 2 // 3]


def test_stored_html_keeps_no_script_handler_or_javascript_link():
    ingest_bytes(
        feed_source(),
        rss([item(1, '<a href="javascript:alert(1)" onmouseover="x()">x</a><script>alert(2)</script><img src=x>')]),
    )
    report = Report.objects.get()
    html = report.summary_html
    assert "script" not in html and "onmouseover" not in html and "javascript:" not in html and "<img" not in html
    assert "alert" not in report.text, "a live script's content does not become text either"


def test_an_unchanged_feed_costs_a_fixed_number_of_queries(django_assert_max_num_queries, settings):
    settings.INGEST_BATCH_SIZE = 100
    source = feed_source()
    document = rss([item(n) for n in range(60)])
    ingest_bytes(source, document)
    with django_assert_max_num_queries(12):
        assert ingest_bytes(source, document).counts.unchanged == 60


def test_new_items_cost_a_few_queries_each(django_assert_max_num_queries, places):
    source = feed_source()
    with django_assert_max_num_queries(30 + 8 * 30):
        assert ingest_bytes(source, rss([item(n) for n in range(30)])).counts.new == 30


def test_an_item_keeps_its_raw_bytes_whole_when_a_child_element_begins_with_its_name():
    ingest_bytes(feed_source(), rss([item(1, itemCount="3"), item(2)]))
    raws = {r.external_id: r.raw for r in Report.objects.all()}
    assert raws["item-1"].startswith("<item>") and raws["item-1"].endswith("</itemCount></item>")
    assert "item-2" not in raws["item-1"]


def test_a_report_read_again_unchanged_keeps_the_links_editors_left(places):
    """After the fingerprints are lost (a new cleaning version, say), the same items are stored again as
    unchanged: a link an editor removed is not put back, and no suggestion is raised again."""
    from ingest.models import EntryFingerprint

    source = feed_source()
    document = rss([item(1, "The Rafah crossing was closed on Monday.")])
    ingest_bytes(source, document)
    report = Report.objects.get()
    report.crossings.remove(places["rafah"])
    suggestions = StatusSuggestion.objects.count()
    EntryFingerprint.objects.all().delete()
    outcome = ingest_bytes(source, document)
    assert outcome.counts.new == 0
    assert list(report.crossings.all()) == []
    assert StatusSuggestion.objects.count() == suggestions


def test_the_soft_time_limit_stops_the_batch_instead_of_retrying_it_entry_by_entry(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from tracker import services as tracker_services

    calls = []

    def out_of_time(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(tracker_services, "report_store_many", out_of_time)
    outcome = ingest_bytes(feed_source(), rss([item(1), item(2), item(3)]))
    assert outcome.status == FetchRun.Status.FAILED and "SoftTimeLimitExceeded" in outcome.error
    assert len(calls) == 1, "not tried again entry by entry"
    assert not QuarantinedItem.objects.exists()
