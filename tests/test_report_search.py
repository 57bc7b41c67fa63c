"""Full-text search over reports: matches ranked, snippets highlighted and escaped, only what readers may see."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import SourceFactory, report
from tracker import selectors, services
from tracker.models import Report
from tracker.selectors import search_query

pytestmark = pytest.mark.django_db


def relevant(**fields):
    row = report(SourceFactory(), **fields)
    return services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None)


def test_search_ranks_title_matches_first_and_stems_words():
    body_only = relevant(title="Aid update", text="Trucks waited while the crossing was closing for the night.")
    in_title = relevant(title="Rafah crossing closed", text="Egypt said the crossing is closed to aid.")
    relevant(title="Weather", text="Nothing about borders here.")
    found = list(selectors.reports_search(selectors.reports_for_readers(), "closed crossing"))
    assert found[:2] == [in_title, body_only]
    assert found[0].rank >= found[1].rank


def test_snippet_marks_matches_and_escapes_everything_else():
    relevant(title="Odd text", text='Rafah "closed" & x<y')
    [hit] = selectors.reports_search(selectors.reports_for_readers(), "Rafah")
    html = selectors.snippet_html(hit.snippet)
    assert "<mark>Rafah</mark>" in html
    assert "&quot;closed" in html and '"' not in html.replace("<mark>", "").replace("</mark>", "")
    assert "Rafah" in selectors.snippet_plain(hit.snippet) and "\x02" not in selectors.snippet_plain(hit.snippet)


def test_readers_never_see_new_or_duplicate_reports():
    source = SourceFactory()
    report(source, title="Rafah reopened (unreviewed)")
    shown = relevant(title="Rafah reopened (reviewed)")
    assert list(selectors.reports_search(selectors.reports_for_readers(), "Rafah")) == [shown]


def test_web_search_syntax_is_accepted_without_errors():
    relevant(title="Kerem Shalom closed")
    for text in ['"kerem shalom"', "kerem -rafah", "kerem or rafah", "&&&", "'; drop table", "((("]:
        list(selectors.reports_search(selectors.reports_for_readers(), text))


def test_very_long_text_is_indexed_without_error():
    row = relevant(title="Long", text="word " * 400_000 + "needle")
    assert row.pk


# --- the query language: read once (tracker.selectors.search_query), the same on PostgreSQL and SQLite ----------

PIECES = [
    "rafah", "Erez", "kerem", "shalom", "closing", "the", "of", "or", "OR", "Or", "oR", "a-b", "o'brien", "رفح",
    "רפיח", "Kérem", "3.5", "-", "--", '"', " ", "  ", "|", "(", ")", "!", "&", "<", ",", "-x", "x-",
]  # fmt: skip
# Not among them: runs of punctuation alone ("..", "_*"), which PostgreSQL's parser may keep as odd lexemes (file
# names, versions) that no report's text is indexed under, while FTS5 keeps no token: both find nothing by them.


# Texts to try each query on: every word alone and next to each other, in many orders.
_WORDS = ["rafah", "erez", "kerem", "shalom", "closed", "o'brien", "رفح", "רפיח", "Kérem", "3.5", "a-b", "x", "b"]
DOCUMENTS = [*_WORDS, "kerem shalom", "shalom kerem", "rafah erez", "x-rafah", "rafah-x"] + [
    " ".join(random.Random(seed).sample(_WORDS, 1 + seed % 6)) for seed in range(80)
]


def _matches(text: str) -> list[bool]:
    """Which of DOCUMENTS PostgreSQL's web-search reading of ``text`` matches."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(to_tsvector('english', d) @@ websearch_to_tsquery('english', %s) ORDER BY i) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS t(d, i)",
            [text, DOCUMENTS],
        )
        return cursor.fetchone()[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_the_query_read_once_means_what_postgresql_reads(text):
    """What SQLite is given is built from ``search_query.parse``; PostgreSQL reads the reader's own text. Rebuilt
    from the parse (every term quoted), PostgreSQL finds the same texts as with the reader's own."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's own reader")
    parsed = search_query.parse(text)
    rebuilt = parsed.websearch()
    assert _matches(rebuilt) == _matches(text), (text, rebuilt)
