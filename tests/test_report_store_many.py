"""A whole feed stored in a few statements is judged exactly as one item at a time, in feed order; two writers
storing the same feed at once store each report once; every row written in bulk has its history, signed."""

from __future__ import annotations

import contextlib
import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from ingest.pipeline import ingest_bytes
from tests.factories import CrossingFactory, SourceFactory
from tests.ingest_fixtures.support import crossings, feed_source, item, rss
from tracker import services
from tracker.attribution import acting_as
from tracker.models import Report, Source, StatusSuggestion
from tracker.services import ReportItem, ReportLinks, SuggestionItem

pytestmark = pytest.mark.django_db

T0 = datetime(2023, 10, 16, 9, 0, tzinfo=UTC)


class _Undo(Exception):
    pass


def _rows() -> list[tuple[Any, ...]]:
    """Every report as it reads, with the report it duplicates named by content rather than by id."""
    found = []
    for r in Report.objects.select_related("source", "duplicate_of__source").order_by("id"):
        original = r.duplicate_of
        found.append(
            (
                r.source.name,
                r.external_id,
                r.url,
                r.canonical_url,
                r.title,
                r.text,
                r.summary_html,
                r.content_hash,
                r.published_at,
                r.published_at_estimated,
                r.review_state,
                (original.source.name, original.external_id, original.title) if original else None,
                r.version,
            )
        )
    return found


def _outcomes(results: list[Any]) -> list[str]:
    return [r.outcome if isinstance(r, services.StoreResult) else "invalid" for r in results]


def _one_by_one(source: Source, items: list[ReportItem]) -> list[Any]:
    results: list[Any] = []
    for entry in items:
        try:
            results.append(
                services.report_store(
                    source=source,
                    title=entry.title,
                    url=entry.url,
                    external_id=entry.external_id,
                    summary_html=entry.summary_html,
                    text=entry.text,
                    published_at=entry.published_at,
                    fetched_at=T0,
                    language=entry.language,
                    raw=entry.raw,
                )
            )
        except ValidationError as error:
            results.append(error)
    return results


def _both_ways(source: Source, items: list[ReportItem]) -> tuple[tuple[list[str], list[Any]], ...]:
    """(outcomes, rows) stored one by one, then (rolled back first) stored in one batch."""
    runs = []
    for store in (
        lambda: _one_by_one(source, items),
        lambda: services.report_store_many(source=source, items=items, fetched_at=T0),
    ):
        try:
            with transaction.atomic():
                runs.append((_outcomes(store()), _rows()))
                raise _Undo
        except _Undo:
            pass
    return tuple(runs)


def _random_items(rng: random.Random, count: int) -> list[ReportItem]:
    """Items drawn from small pools of ids, links and texts, so that they collide often, in every way."""
    items = []
    for _ in range(count):
        roll = rng.random()
        items.append(
            ReportItem(
                title="" if roll < 0.05 else f"Headline {rng.randint(1, 4)}",
                url=rng.choice(["", "", "https://news.example.org/a", "https://news.example.org/b?utm_source=x"]),
                external_id=rng.choice(["", "", "id-1", "id-2", "id-3"]),
                summary_html=f"<p>Story {rng.randint(1, 3)}</p>",
                published_at=rng.choice([None, T0 - timedelta(hours=rng.randint(1, 3))]),
            )
        )
    return items


@pytest.mark.parametrize("seed", range(25))
def test_a_batch_is_judged_exactly_as_one_by_one(seed):
    rng = random.Random(seed)
    mine, other = SourceFactory(name="Mine"), SourceFactory(name="Other")
    # Rows held already, from this source (to be updated) and another (to be duplicated).
    for source in (mine, other):
        for entry in _random_items(rng, 4):
            with contextlib.suppress(ValidationError):
                services.report_store_many(source=source, items=[entry], fetched_at=T0 - timedelta(days=1))
    items = _random_items(rng, 14)

    (outcomes_one, rows_one), (outcomes_batch, rows_batch) = _both_ways(mine, items)

    assert outcomes_batch == outcomes_one
    # The same rows; ids may differ in order only where an item waited a round (it is inserted after the others).
    assert sorted(rows_batch, key=repr) == sorted(rows_one, key=repr)


def test_the_same_item_twice_in_one_feed_is_stored_once_and_updated_by_the_second():
    source = SourceFactory()
    items = [
        ReportItem(title="Queues at the gate", external_id="g-1", summary_html="<p>Queues.</p>"),
        ReportItem(title="Queues at the gate", external_id="g-1", summary_html="<p>Queues grew.</p>"),
    ]
    results = services.report_store_many(source=source, items=items, fetched_at=T0)
    assert _outcomes(results) == ["new", "updated"]
    report = Report.objects.get()
    assert (report.text, report.version) == ("Queues grew.", 2)
    assert _both_ways(SourceFactory(), items)[0][0] == ["new", "updated"], "as one by one"


def test_the_same_story_twice_in_one_feed_is_a_duplicate_of_the_first():
    source = SourceFactory()
    items = [
        ReportItem(title="Rafah closed", external_id="a", summary_html="<p>The crossing closed.</p>"),
        ReportItem(title="Rafah closed", external_id="b", summary_html="<p>The crossing closed.</p>"),
        ReportItem(title="Other", url="https://news.example.org/x"),
        ReportItem(title="Other, again", url="https://news.example.org/x?utm_source=feed"),
    ]
    results = services.report_store_many(source=source, items=items, fetched_at=T0)
    assert _outcomes(results) == ["new", "duplicate", "new", "updated"]
    first, second = Report.objects.filter(external_id__in=["a", "b"]).order_by("external_id")
    assert second.duplicate_of == first and second.review_state == Report.ReviewState.DUPLICATE
    assert Report.objects.count() == 3, "the same canonical URL without an id is the same item: updated"


def test_an_invalid_item_is_refused_alone_and_the_others_are_stored():
    results = services.report_store_many(
        source=SourceFactory(),
        items=[ReportItem(title="Kept"), ReportItem(title="", url="javascript:alert(1)"), ReportItem(title="Kept 2")],
        fetched_at=T0,
    )
    assert _outcomes(results) == ["new", "invalid", "new"]
    assert isinstance(results[1], ValidationError)
    assert Report.objects.count() == 2


def test_a_feed_costs_the_same_few_queries_whatever_its_length(django_assert_max_num_queries):
    source = SourceFactory()
    items = [ReportItem(title=f"Item {n}", external_id=f"n-{n}", summary_html=f"<p>Text {n}</p>") for n in range(300)]
    with django_assert_max_num_queries(12):
        services.report_store_many(source=source, items=items, fetched_at=T0)
    changed = [ReportItem(title=f"Item {n}", external_id=f"n-{n}", summary_html=f"<p>New {n}</p>") for n in range(300)]
    with django_assert_max_num_queries(12):
        assert set(_outcomes(services.report_store_many(source=source, items=changed, fetched_at=T0))) == {"updated"}


def test_bulk_rows_have_history_signed_by_the_running_task():
    source = SourceFactory()
    crossing = CrossingFactory()
    with acting_as("task ingest.tasks.fetch_source t-1"):
        [new] = services.report_store_many(source=source, items=[ReportItem(title="A", external_id="a")])
        services.report_store_many(source=source, items=[ReportItem(title="A, corrected", external_id="a")])
        created = services.suggestion_raise_many(
            suggestions=[SuggestionItem(new.report.pk, crossing.pk, "closed", evidence="A was closed.")]
        )
    report = Report.objects.get()
    history = list(report.history.order_by("history_id").values_list("history_type", "title", "history_change_reason"))
    assert history == [
        ("+", "A", "task ingest.tasks.fetch_source t-1"),
        ("~", "A, corrected", "task ingest.tasks.fetch_source t-1"),
    ]
    [suggestion] = created
    assert suggestion.history.get().history_change_reason == "task ingest.tasks.fetch_source t-1"
    # Outside a task, nothing signs: "system", as with a row saved one at a time.
    services.report_store_many(source=source, items=[ReportItem(title="B", external_id="b")])
    row = Report.objects.get(external_id="b").history.get()
    assert (row.history_user, row.history_change_reason) == (None, "")


def test_suggestions_and_links_in_bulk_are_raised_and_added_once():
    places = crossings()
    report = services.report_store(source=SourceFactory(), title="Rafah closed")
    rafah = places["rafah"]
    raise_ = [
        SuggestionItem(report.report.pk, rafah.pk, "closed", "all", "Rafah was closed.", "was closed"),
        SuggestionItem(report.report.pk, rafah.pk, "closed", "all", "Rafah closed again.", "closed"),
        SuggestionItem(report.report.pk, rafah.pk, "open", "aid", "Rafah opened for aid.", "opened"),
    ]
    assert len(services.suggestion_raise_many(suggestions=raise_)) == 2
    assert services.suggestion_raise_many(suggestions=raise_) == [], "raised already: skipped"
    first = StatusSuggestion.objects.get(proposed_status="closed")
    assert first.evidence == "Rafah was closed.", "the first reading is the evidence, as one by one"
    links = [ReportLinks(report.report.pk, crossing_ids=[rafah.pk], crisis_ids=[places["crisis"].pk])]
    services.report_link_many(links=links)
    services.report_link_many(links=links)
    assert list(report.report.crossings.all()) == [rafah] and list(report.report.crises.all()) == [places["crisis"]]
    with pytest.raises(ValidationError):
        services.suggestion_raise_many(suggestions=[SuggestionItem(report.report.pk, rafah.pk, "closed", "all", " ")])


def test_the_pipeline_counts_an_item_repeated_in_its_feed_as_one_report():
    outcome = ingest_bytes(feed_source(), rss([item(1, "First words."), item(2), item(1, "Second words.")]))
    assert (outcome.counts.new, outcome.counts.updated) == (2, 1)
    assert Report.objects.get(external_id="item-1").text == "Second words."


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("overlap", [False, True], ids=["the same feed", "overlapping feeds"])
def test_two_writers_storing_the_same_feed_at_once_store_each_report_once(overlap):
    source = SourceFactory()
    items = [
        ReportItem(title=f"Item {n}", external_id=f"n-{n}" if n % 3 else "", url=f"https://news.example.org/{n}")
        for n in range(160)
    ]
    # Writer 1 reads the feed later: its oldest items have gone, new ones have come.
    feeds = {0: items[:120], 1: items[40:] if overlap else items[:120]}
    barrier = threading.Barrier(2)
    outcomes: dict[int, dict[str, str]] = {}
    errors: list[BaseException] = []

    def store(writer: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                results = services.report_store_many(source=source, items=feeds[writer], fetched_at=T0)
            outcomes[writer] = {
                entry.title: outcome for entry, outcome in zip(feeds[writer], _outcomes(results), strict=True)
            }
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=store, args=(writer,)) for writer in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    stored = set(feeds[0]) | set(feeds[1])
    assert Report.objects.filter(source=source).count() == len(stored)
    for entry in stored:
        seen = sorted(outcomes[writer][entry.title] for writer in (0, 1) if entry in feeds[writer])
        assert seen in (["new"], ["new", "unchanged"]), entry.title
