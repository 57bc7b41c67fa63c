"""Reads about reports: what readers may see, and full-text search.

On PostgreSQL, search uses the ``search_vector`` column (a stored generated tsvector of title and text, with a GIN
index; migration 0004); on SQLite (``make run``), the FTS5 table ``tracker_report_fts`` (migration 0010, kept in step
by triggers; Porter stemming over unicode61, as close to PostgreSQL's 'english' as FTS5 comes). Both take the same
query language (``search_query`` reads it once, and writes it out for FTS5 with every term quoted), rank, and mark
matches in the snippet with the same markers, so pages and API show the same HTML on both.

Ranking is done among the most recent matches only (``SEARCH_RANK_WINDOW``, 1,000 by default): a common word
matches hundreds of thousands of reports, and ranking (or even counting) all of them reads every one (0.4 s on a
million reports), while the newest 1,000 come straight off the (review state, publication) index in a few
milliseconds. A reader who needs every match asks for them in date order (``ranked=False``), which pages
through all of them as cheaply.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, TextField, Value
from django.db.models.expressions import Expression, RawSQL
from django.db.models.functions import Coalesce, Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Crossing, CrossingAlias, CrossingStatus, Report
from . import search_query

SEARCH_CONFIG = "english"
# ts_headline does not escape the text it quotes; these control characters never occur in report text, so the
# snippet can be escaped first and marked up after.
_MARK_START, _MARK_STOP = "\x02", "\x03"
_MARKED = re.compile("\x02[^\x02\x03]*\x03")


def reports_for_readers() -> QuerySet[Report]:
    """Reports an editor marked relevant: all that analysts and partners ever see."""
    return Report.objects.filter(review_state=Report.ReviewState.RELEVANT)


# What editors see besides: new reports, not yet reviewed (pages mark them). Readers see only relevant ones.
SHOWN_TO_EDITORS = (Report.ReviewState.RELEVANT, Report.ReviewState.NEW)


def shown_states(*, include_unreviewed: bool) -> tuple[str, ...]:
    """The review states of the reports a reader may see (for a report in hand, where no query is made)."""
    return SHOWN_TO_EDITORS if include_unreviewed else (Report.ReviewState.RELEVANT,)


def reports_visible(*, include_unreviewed: bool) -> QuerySet[Report]:
    """What a reader may see: relevant reports; editors also see new (unreviewed) ones, which pages mark."""
    if include_unreviewed:
        return Report.objects.filter(review_state__in=SHOWN_TO_EDITORS)
    return reports_for_readers()


def latest_reports_about(crossing: Crossing, *, as_of: datetime, include_unreviewed: bool, limit: int) -> list[Report]:
    """The ``limit`` latest reports about ``crossing`` published by ``as_of`` that the reader may see, newest first
    (then by id, as reports are ordered everywhere), with their source. One query, read from the links' dated copy
    (``ReportCrossingDate``) newest first, however many reports the crossing has or the record holds."""
    return list(
        reports_visible(include_unreviewed=include_unreviewed)
        .filter(crossing_dates__crossing=crossing, crossing_dates__published_at__lte=as_of)
        .select_related("source")
        .order_by("-crossing_dates__published_at", "-id")[:limit]
    )


@functools.cache
def _sqlite_has_fts5() -> bool:
    """Whether the SQLite library Python links has FTS5 (CPython's builds and Debian's do; migration 0010 needs it)."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.Error:
        return False
    return True


def search_supported() -> bool:
    """Whether this database searches by full text (PostgreSQL's tsvector, or SQLite's FTS5)."""
    return connection.vendor == "postgresql" or (connection.vendor == "sqlite" and _sqlite_has_fts5())


class SearchVectorColumn(Expression):
    """The report table's ``search_vector`` column, which the model does not declare (see migration 0004),
    qualified by the table's alias in the query being compiled: inside a subquery that is ``U0``, so the subquery
    reads its own rows rather than the outer query's."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        # A list, as the compiler joins parameters with ``+`` (django-stubs says tuple).
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_vector", []


FTS_TABLE = "tracker_report_fts"  # SQLite's FTS5 index of reports' title and text (migration 0010)
# FTS5's bm25() weights per column (title, text): a title match counts as PostgreSQL's weight A against B.
_BM25 = f"-bm25({FTS_TABLE}, 10.0, 1.0)"
_SNIPPET = f"snippet({FTS_TABLE}, 1, char(2), char(3), ' … ', 40)"
_TITLE = f"highlight({FTS_TABLE}, 0, char(2), char(3))"


class Fts5Value(Expression):
    """An FTS5 auxiliary function (rank, snippet, highlight) for the report of the row being read, or NULL when
    the report does not match ``match``. Qualified by the query's own alias, as ``SearchVectorColumn``."""

    def __init__(self, function: str, match: str, output_field: Any) -> None:
        super().__init__(output_field=output_field)
        self.function, self.match = function, match

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        sql = f"(SELECT {self.function} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {alias}.id)"
        return sql, [self.match]


def _fts5_match(expression: str) -> Q:
    """Reports whose title or text match an FTS5 expression (built by ``search_query``, every term quoted)."""
    return Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]))


def _text_match(positives: list[search_query.Term], negatives: list[search_query.Term]) -> Q:
    """Reports whose text holds every positive term and none of the negative ones."""
    if connection.vendor == "postgresql":
        words = [t.websearch() for t in positives] + ["-" + t.websearch() for t in negatives]
        return Q(search_vector=SearchQuery(" ".join(words), config=SEARCH_CONFIG, search_type="websearch"))
    if not positives:
        return ~_fts5_match(search_query.fts5_any(negatives))
    expression = f"({search_query.fts5_all(positives)})"
    if negatives:
        expression += f" NOT ({search_query.fts5_any(negatives)})"
    return _fts5_match(expression)


# Up to this many reports linked to a named crossing are given to the database as a list of ids, which PostgreSQL
# can OR with the full-text index (a bitmap of each). Past it, as a subquery: such a crossing's reports are common
# enough that the newest matches are found within the first rows of the date index.
LINKED_AS_LIST = 5000


def _linked(crossings: Iterable[int]) -> Q:
    """Reports linked to any of these crossings (the link the crossing filter uses), or cited as a status's
    evidence there.

    Why a list: as a subquery, PostgreSQL can only test it row by row, and a name with few matches then reads every
    report's vector through the date index (2 to 3 s on 200,000 reports, against 50 ms as a list)."""
    ids = sorted(crossings)
    linked = (
        Report.crossings.through.objects.filter(crossing_id__in=ids)
        .order_by()
        .values_list("report_id", flat=True)
        .union(
            CrossingStatus.objects.filter(crossing_id__in=ids, report__isnull=False)
            .order_by()
            .values_list("report_id", flat=True)
        )
    )
    found = list(linked[: LINKED_AS_LIST + 1])
    if len(found) <= LINKED_AS_LIST:
        return Q(pk__in=found)
    return Q(pk__in=Report.crossings.through.objects.filter(crossing_id__in=ids).values("report_id")) | Q(
        pk__in=CrossingStatus.objects.filter(crossing_id__in=ids, report__isnull=False).values("report_id")
    )


def _condition(parsed: search_query.Parsed, text: str) -> Q:
    if connection.vendor == "postgresql" and not parsed.names_crossings:
        # The reader's own text: PostgreSQL reads it as ``search_query`` does (tested), and the plan stays the
        # one the benchmark measures.
        return Q(search_vector=SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch"))
    found = Q(pk__in=[])
    for group in parsed.groups:
        plain = [atom for atom in group.atoms if not atom.crossings]
        positives = [t for atom in plain if not atom.negated for t in atom.terms]
        negatives = [t for atom in plain if atom.negated for t in atom.terms]
        holds = _text_match(positives, negatives) if plain else Q()
        for atom in group.atoms:
            if atom.crossings:
                named = _text_match(list(atom.terms), []) | _linked(atom.crossings)
                holds &= ~named if atom.negated else named
        found |= holds
    return found


def _named_crossings(parsed: search_query.Parsed) -> tuple[search_query.Parsed, list[str]]:
    """``parsed`` with the crossings it names marked, and every name of those crossings (to mark in snippets).

    One query: the names and aliases of the crossings any of whose names holds a word of the query."""
    words = sorted(search_query.query_words(parsed) - search_query.STOP_WORDS)[:20]
    if not words:
        return parsed, []
    spelled = Q()
    for word in words:
        spelled |= Q(name__icontains=word) | Q(aliases__name__icontains=word)
    candidates = Crossing.objects.filter(spelled).values("pk")
    names = list(
        Crossing.objects.filter(pk__in=candidates)
        .order_by()
        .values_list("pk", "name")
        .union(
            CrossingAlias.objects.filter(crossing__in=candidates).order_by().values_list("crossing_id", "name"),
            all=True,
        )
    )
    parsed = search_query.with_mentions(parsed, search_query.name_index(names))
    named = parsed.crossing_ids()
    return parsed, sorted({name for crossing_id, name in names if crossing_id in named})


def reports_search(
    queryset: QuerySet[Report], text: str, *, ranked: bool = True, mark_titles: bool = False
) -> QuerySet[Report]:
    """``queryset`` narrowed to reports matching ``text`` (web-search syntax: words, "phrases", -not, or), each
    annotated with ``rank`` and ``snippet`` (plain text with match markers; see ``snippet_html``), and with
    ``mark_titles`` ``title_marked`` (the title, its matches marked). A query that spells a crossing's name or
    alias, in any language, also finds the reports linked to that crossing; their snippets mark its names.

    ``ranked``: the ``SEARCH_RANK_WINDOW`` most recent matches, best first (then newest first). Otherwise every
    match, in no particular order: the caller orders them by date."""
    text = (text or "").strip()
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()), snippet=Left("text", 240))
    if not search_supported():
        words = Q()
        for word in text.split():
            words &= Q(title__icontains=word) | Q(text__icontains=word)
        found = queryset.filter(words).annotate(rank=Value(0.0, output_field=FloatField()), snippet=Left("text", 240))
        return found.order_by("-published_at", "-id") if ranked else found
    parsed = search_query.parse(text)
    if parsed.empty:  # nothing but stop words and punctuation: nothing matches, as on PostgreSQL
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()), snippet=Left("text", 240))
    parsed, names = _named_crossings(parsed)
    postgres = connection.vendor == "postgresql"
    base = queryset.alias(search_vector=SearchVectorColumn()) if postgres else queryset
    matches = base.filter(_condition(parsed, text))
    if ranked:
        # The newest matches walk the (review state, -published_at, -id) index backwards, testing each row; the
        # outer query then ranks only those (PostgreSQL computes the snippets for the page's rows alone).
        recent = matches.order_by("-published_at", "-id").values("pk")[: settings.SEARCH_RANK_WINDOW]
        matches = base.filter(pk__in=recent)
    best_first = ("-rank", "-published_at", "-id") if ranked else ()
    annotations = _postgres_marks(text, names, mark_titles) if postgres else _fts5_marks(parsed, names, mark_titles)
    return matches.annotate(**annotations).order_by(*best_first)


def _postgres_marks(text: str, names: list[str], mark_titles: bool) -> dict[str, Any]:
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    if names:
        alternatives = " or ".join(search_query.Term(name).websearch() for name in names)
        query = query | SearchQuery(alternatives, config=SEARCH_CONFIG, search_type="websearch")
    marks: dict[str, Any] = {"config": SEARCH_CONFIG, "start_sel": _MARK_START, "stop_sel": _MARK_STOP}
    annotations: dict[str, Any] = {
        "rank": SearchRank(F("search_vector"), query),
        "snippet": SearchHeadline(
            Left("text", 100_000),
            query,
            **marks,
            max_words=40,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    }
    if mark_titles:
        annotations["title_marked"] = SearchHeadline("title", query, **marks, highlight_all=True)
    return annotations


def _fts5_marks(parsed: search_query.Parsed, names: list[str], mark_titles: bool) -> dict[str, Any]:
    terms = parsed.positive_terms() + [search_query.Term(name) for name in names]
    if not terms:  # only exclusions: nothing to mark or rank by
        annotations: dict[str, Any] = {"rank": Value(0.0, output_field=FloatField()), "snippet": Left("text", 240)}
        if mark_titles:
            annotations["title_marked"] = F("title")
        return annotations
    match = search_query.fts5_any(terms)
    annotations = {
        "rank": Coalesce(Fts5Value(_BM25, match, FloatField()), Value(0.0), output_field=FloatField()),
        "snippet": Coalesce(Fts5Value(_SNIPPET, match, TextField()), Left("text", 240), output_field=TextField()),
    }
    if mark_titles:
        title = Fts5Value(_TITLE, match, TextField())
        annotations["title_marked"] = Coalesce(title, F("title"), output_field=TextField())
    return annotations


def snippet_html(snippet: str) -> SafeString:
    """A search snippet as HTML: its text escaped, its matches in ``<mark>``."""
    escaped = str(escape(snippet or ""))
    # Word by word, as PostgreSQL marks them (FTS5 marks a matched phrase as one span).
    escaped = _MARKED.sub(lambda m: re.sub(r"(\s+)", _MARK_STOP + r"\1" + _MARK_START, m.group(0)), escaped)
    return mark_safe(escaped.replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>"))


def title_html(title: str, marked: str | None) -> SafeString:
    """A title as escaped HTML with its matches in ``<mark>``; unmarked where marking lost any of it (PostgreSQL's
    ts_headline drops whatever looks like an HTML tag, and a title must be shown whole)."""
    if marked and snippet_plain(marked) == title:
        return snippet_html(marked)
    return escape(title)


def snippet_plain(snippet: str) -> str:
    """A search snippet with the match markers removed (for CSV and JSON)."""
    return (snippet or "").replace(_MARK_START, "").replace(_MARK_STOP, "")
