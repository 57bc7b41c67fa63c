"""One set of search tests for both databases: they run against whatever DATABASE_URL is, so `make test` runs them
on PostgreSQL with the suite and again on SQLite (FTS5, as `make run` has it) by themselves (`-m both_databases`).

The same queries find the same reports on both: phrases, OR, ``-`` exclusion, stemmed words, a crossing named in
any of its aliases and scripts; matches are marked the same way, and everything else is escaped; no input is an
error.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests.factories import CrossingFactory, SourceFactory, report
from tests.test_pages_support import count_queries, text
from tracker import selectors, services
from tracker.models import CrossingAlias, Report

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]
START = datetime(2023, 10, 10, 12, tzinfo=UTC)


def relevant(title: str, body: str = "", *, day: int = 0, crossings=(), **fields) -> Report:  # type: ignore[no-untyped-def]
    row = report(SourceFactory(), title=title, text=body, published_at=START + timedelta(days=day), **fields)
    row = services.report_review(report=row, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    if crossings:
        services.report_link(report=row, crossings=list(crossings))
    return row


@pytest.fixture
def corpus() -> dict[str, Report]:
    """Rafah, Kerem Shalom and Erez with aliases in English, Arabic and Hebrew, and reports about them; the Arabic
    and Hebrew ones never spell "Rafah" in Latin letters, but are linked to Rafah (as ingestion links them)."""
    rafah, kerem, erez = (CrossingFactory(name=n) for n in ("Rafah", "Kerem Shalom", "Erez"))
    for crossing, names in (
        (rafah, [("معبر رفح", "ar"), ("رفح", "ar"), ("מעבר רפיח", "he"), ("רפיח", "he"), ("Raffah", "en")]),
        (kerem, [("Karem Abu Salem", "en"), ("كرم أبو سالم", "ar")]),
        (erez, [("Beit Hanoun", "en")]),
    ):
        for name, language in names:
            CrossingAlias.objects.create(crossing=crossing, name=name, language=language)
    return {
        "closed": relevant(
            "Rafah crossing closed",
            "Egypt said the Rafah crossing is closing to aid convoys.",
            day=1,
            crossings=[rafah],
        ),
        "trucks": relevant(
            "Trucks at Kerem Shalom", "Trucks passed Kerem Shalom; Rafah stayed shut.", day=2, crossings=[kerem, rafah]
        ),
        "erez": relevant("Erez update", "Erez stayed shut to workers.", day=3, crossings=[erez]),
        "arabic": relevant("إغلاق معبر رفح", "قالت مصر إن معبر رفح مغلق أمام المساعدات.", day=4, crossings=[rafah]),
        "hebrew": relevant("מעבר רפיח נסגר", "מצרים הודיעה כי מעבר רפיח סגור.", day=5, crossings=[rafah]),
        "weather": relevant("Weather", "Rain in the north; nothing about borders.", day=6),
    }


def found(text: str) -> set[str]:
    titles = {r.title for r in selectors.reports_search(selectors.reports_for_readers(), text)}
    return titles


def names(corpus: dict[str, Report], *keys: str) -> set[str]:
    return {corpus[k].title for k in keys}


def test_runs_on_the_database_it_was_given():
    """The SQLite run of `make test` really is on SQLite, with FTS5 (not the word-by-word fallback)."""
    assert connection.vendor in {"postgresql", "sqlite"}
    assert selectors.search_supported()


def test_a_phrase_finds_its_words_together_only(corpus):
    assert found('"Rafah crossing"') == names(corpus, "closed")
    assert found('"crossing Rafah"') == set()


def test_exclusion_leaves_out_reports_with_the_word(corpus):
    assert found("Rafah -Kerem") == names(corpus, "closed", "arabic", "hebrew")
    assert found('shut -"Kerem Shalom"') == names(corpus, "erez")


def test_or_finds_either(corpus):
    assert found("Rafah OR Erez") == names(corpus, "closed", "trucks", "erez", "arabic", "hebrew")
    assert found("convoys or workers") == names(corpus, "closed", "erez")


def test_plain_words_must_all_match_and_are_stemmed(corpus):
    assert found("closing crossings") == names(corpus, "closed")
    assert found("trucks shut") == names(corpus, "trucks")


def test_a_crossing_named_in_any_alias_or_script_finds_the_reports_linked_to_it(corpus):
    rafah_reports = names(corpus, "closed", "trucks", "arabic", "hebrew")
    for spelling in ["Rafah", "rafah", "رفح", "معبر رفح", "רפיח", "Raffah", '"מעבר רפיח"']:
        assert found(spelling) == rafah_reports, spelling
    for spelling in ["Kerem Shalom", '"Karem Abu Salem"', "karem abu salem", "كرم أبو سالم"]:
        assert found(spelling) == names(corpus, "trucks"), spelling
    assert found("Beit Hanoun") == names(corpus, "erez")
    # The rest of the query still applies to the linked reports; a part of a name does not name the crossing.
    assert found("رفح closed") == names(corpus, "closed")
    assert found("Karem") == set()


def test_a_crossing_with_many_linked_reports_is_found_the_same_way(corpus, monkeypatch):
    """Past LINKED_AS_LIST linked reports, the link is a subquery rather than a list of ids: the same reports."""
    from tracker.selectors import reports

    expected = {q: found(q) for q in ("Rafah", "رفح closed", "shut -Rafah")}
    monkeypatch.setattr(reports, "LINKED_AS_LIST", 1)
    assert {q: found(q) for q in expected} == expected
    assert expected["Rafah"] == names(corpus, "closed", "trucks", "arabic", "hebrew")


def test_excluding_a_crossing_excludes_its_linked_reports(corpus):
    assert found("shut -Rafah") == names(corpus, "erez")
    assert found("-رفح") == names(corpus, "erez", "weather")


def test_words_and_marks_in_the_snippet_and_title(corpus):
    [hit] = selectors.reports_search(selectors.reports_for_readers(), "closing convoys", mark_titles=True)
    snippet = selectors.snippet_html(hit.snippet)
    assert "<mark>closing</mark>" in snippet and "<mark>convoys</mark>" in snippet
    assert selectors.snippet_html(hit.title_marked) == "Rafah crossing <mark>closed</mark>"
    assert "\x02" not in selectors.snippet_plain(hit.snippet)


def test_a_report_found_by_its_crossing_has_that_crossings_names_marked(corpus):
    hits = {r.title: r for r in selectors.reports_search(selectors.reports_for_readers(), "Rafah", mark_titles=True)}
    assert "<mark>رفح</mark>" in selectors.snippet_html(hits[corpus["arabic"].title].snippet)
    assert "<mark>רפיח</mark>" in selectors.snippet_html(hits[corpus["hebrew"].title].title_marked)


def test_matches_rank_title_first():
    body_only = relevant("Aid update", "Trucks waited while the crossing was closing for the night.")
    in_title = relevant("Rafah crossing closed", "Egypt said the crossing is closed to aid.")
    relevant("Weather", "Nothing about borders here.")
    hits = list(selectors.reports_search(selectors.reports_for_readers(), "closed crossing"))
    assert hits[:2] == [in_title, body_only]
    assert hits[0].rank > hits[1].rank


def test_everything_but_the_marks_is_escaped():
    relevant("<b>Rafah</b> & co", 'Rafah <script>alert("x")</script> & "closed" x<y')
    [hit] = selectors.reports_search(selectors.reports_for_readers(), "rafah", mark_titles=True)
    snippet, title = selectors.snippet_html(hit.snippet), selectors.snippet_html(hit.title_marked)
    # (PostgreSQL's ts_headline drops what looks like a tag; FTS5 keeps it, escaped.)
    assert snippet.startswith("<mark>Rafah</mark>") and "&amp; &quot;closed" in snippet
    assert "<mark>Rafah</mark>" in title and "&amp; co" in title
    for html in (snippet, title):
        assert re.sub(r"</?mark>", "", html).count("<") == 0


HOSTILE = [
    "&&&",
    '"',
    '""',
    '"unclosed phrase',
    "(((",
    ")",
    "-",
    "--",
    "or",
    "OR OR",
    "AND",
    "NOT",
    "NOT rafah",
    "rafah AND",
    "rafah NOT",
    "NEAR(rafah erez)",
    "NEAR",
    "title:rafah",
    "{title}: rafah",
    "rafah*",
    "*",
    "^rafah",
    "rafah + erez",
    "'; drop table tracker_report; --",
    "\\",
    "<script>",
    "x" * 300,
    "rafah " * 60,
    "the of and",
    "ـ",
    "🙂",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_no_input_is_an_error(corpus, query):
    """FTS5 gets every term quoted: its operators, column filters and prefixes are plain words here, as they are to
    PostgreSQL's web-search reader. Queries that hold no word find nothing."""
    hits = list(selectors.reports_search(selectors.reports_for_readers(), query, mark_titles=True))
    for hit in hits:
        selectors.snippet_html(hit.snippet)


def test_fts5_words_are_plain_words(corpus):
    near = relevant("Aid near the fence", "Aid waited near the fence.")
    assert found("NEAR fence") == {near.title}
    assert found("NOT rafah") == found("rafah")  # "not" is a stop word, not an operator
    assert found("rafah*") == found("rafah")
    assert found("&&&") == found("the of and") == found('""') == set()


def test_the_index_follows_every_write(corpus):
    """Editing a title or text re-indexes it; a deleted report is gone (SQLite: triggers of migration 0010; a
    migration that remade the table without them would fail here)."""
    row = relevant("Zebra crossing", "Kept in step.")
    assert found("zebra") == {"Zebra crossing"}
    Report.objects.filter(pk=row.pk).update(title="Giraffe crossing", text="Moved.")
    assert found("zebra") == set() and found("giraffe moved") == {"Giraffe crossing"}
    row.refresh_from_db()
    row.review_state = Report.ReviewState.RELEVANT
    row.save(update_fields=["review_state"])
    assert found("giraffe") == {"Giraffe crossing"}
    Report.objects.filter(pk=row.pk).delete()
    assert found("giraffe") == set()
    assert found("Rafah -Kerem") == names(corpus, "closed", "arabic", "hebrew")


def test_reports_page_marks_matches_and_counts_them(analyst_client, corpus):
    page = analyst_client.get("/reports/", {"q": "Rafah -Kerem"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 reports found, best matches first." in text(page)
    assert "<mark>Rafah</mark>" in html and "<mark>רפיח</mark>" in html
    assert corpus["trucks"].title not in html


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ('"unclosed phrase', "0 reports found"),
        ("NEAR(rafah", "0 reports found"),
        ("rafah:*", "4 reports found"),
        # The query is echoed in a span of its own direction (dir="auto"), which the text reading spaces apart.
        ("&&&", "Nothing to search for: “ &&& ” holds no word but common ones"),
        ("- the or", "Nothing to search for"),
    ],
)
def test_reports_page_answers_any_query(analyst_client, corpus, query, says):
    page = analyst_client.get("/reports/", {"q": query})
    assert page.status_code == 200
    assert says in text(page)


def test_reports_page_queries_stay_bounded(analyst_client, corpus):
    url = "/reports/?q=Rafah+-Kerem"
    small = count_queries(analyst_client, url)
    rafah = corpus["closed"].crossings.get()
    for n in range(25):
        relevant(f"Rafah more {n}", "Rafah closed again", day=10 + n, crossings=[rafah])
    assert count_queries(analyst_client, url) == small
    assert small <= 12, small


def test_a_title_is_shown_whole_even_where_marking_would_cut_it(analyst_client):
    relevant("<img src=x onerror=alert(1)> Rafah closed", "Rafah closed.")
    html = analyst_client.get("/reports/", {"q": "rafah"}).content.decode()
    title = html.split('<p class="report-title">')[1].split("</p>")[0]
    assert "&lt;img src=x onerror=alert(1)&gt; " in title and "<img" not in title
