"""Reads about reports: what readers may see, and full-text search.

On PostgreSQL, search uses the ``search_vector`` column (a stored generated tsvector of title and text, with a GIN
index; migration 0004), ranked, with a highlighted snippet. SQLite (``make run``) falls back to matching every
word with ``icontains``, unranked: enough for a demo, not for a million reports.

Ranking is done among the most recent matches only (``SEARCH_RANK_WINDOW``, 1,000 by default): a common word
matches hundreds of thousands of reports, and ranking (or even counting) all of them reads every one (0.4 s on a
million reports), while the newest 1,000 come straight off the (review state, publication) index in a few
milliseconds. A reader who needs every match asks for them in date order (``ranked=False``), which pages
through all of them as cheaply.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Left
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import Report

SEARCH_CONFIG = "english"
# ts_headline does not escape the text it quotes; these control characters never occur in report text, so the
# snippet can be escaped first and marked up after.
_MARK_START, _MARK_STOP = "\x02", "\x03"


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


def search_supported() -> bool:
    return connection.vendor == "postgresql"


class SearchVectorColumn(Expression):
    """The report table's ``search_vector`` column, which the model does not declare (see migration 0004),
    qualified by the table's alias in the query being compiled: inside a subquery that is ``U0``, so the subquery
    reads its own rows rather than the outer query's."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        # A list, as the compiler joins parameters with ``+`` (django-stubs says tuple).
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_vector", []


def reports_search(queryset: QuerySet[Report], text: str, *, ranked: bool = True) -> QuerySet[Report]:
    """``queryset`` narrowed to reports matching ``text`` (web-search syntax: words, "phrases", -not, or), each
    annotated with ``rank`` and ``snippet`` (plain text with match markers; see ``snippet_html``).

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
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    matches = queryset.alias(search_vector=SearchVectorColumn()).filter(search_vector=query)
    if ranked:
        # The newest matches walk the (review state, -published_at, -id) index backwards, testing each row; the
        # outer query then ranks only those (PostgreSQL computes the snippets for the page's rows alone).
        recent = matches.order_by("-published_at", "-id").values("pk")[: settings.SEARCH_RANK_WINDOW]
        matches = queryset.alias(search_vector=SearchVectorColumn()).filter(pk__in=recent)
    best_first = ("-rank", "-published_at", "-id") if ranked else ()
    return matches.annotate(
        rank=SearchRank(F("search_vector"), query),
        snippet=SearchHeadline(
            Left("text", 100_000),
            query,
            config=SEARCH_CONFIG,
            start_sel=_MARK_START,
            stop_sel=_MARK_STOP,
            max_words=40,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    ).order_by(*best_first)


def snippet_html(snippet: str) -> SafeString:
    """A search snippet as HTML: its text escaped, its matches in ``<mark>``."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>"))


def snippet_plain(snippet: str) -> str:
    """A search snippet with the match markers removed (for CSV and JSON)."""
    return (snippet or "").replace(_MARK_START, "").replace(_MARK_STOP, "")
