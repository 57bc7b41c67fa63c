"""Full-text search over reports: matches ranked, snippets highlighted and escaped, only what readers may see."""

from __future__ import annotations

import pytest

from tests.factories import SourceFactory, report
from tracker import selectors, services
from tracker.models import Report

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
