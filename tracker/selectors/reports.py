"""Reads about reports: what readers may see, and full-text search.

On PostgreSQL, search uses the ``search_vector`` column (a stored generated tsvector of title and text, with a GIN
index; migration 0004), ranked, with a highlighted snippet. SQLite (``make run``) falls back to matching every
word with ``icontains``, unranked: enough for a demo, not for a million reports.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
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


def search_supported() -> bool:
    return connection.vendor == "postgresql"


def reports_search(queryset: QuerySet[Report], text: str) -> QuerySet[Report]:
    """``queryset`` narrowed to reports matching ``text`` (web-search syntax: words, "phrases", -not, or), best
    first, each annotated with ``rank`` and ``snippet`` (plain text with match markers; see ``snippet_html``)."""
    text = (text or "").strip()
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()), snippet=Left("text", 240))
    if not search_supported():
        words = Q()
        for word in text.split():
            words &= Q(title__icontains=word) | Q(text__icontains=word)
        return queryset.filter(words).annotate(rank=Value(0.0, output_field=FloatField()), snippet=Left("text", 240))
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    vector = RawSQL(f"{Report._meta.db_table}.search_vector", [], output_field=SearchVectorField())
    return (
        queryset.alias(search_vector=vector)
        .filter(search_vector=query)
        .annotate(
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
        )
        .order_by("-rank", "-published_at", "-id")
    )


def snippet_html(snippet: str) -> SafeString:
    """A search snippet as HTML: its text escaped, its matches in ``<mark>``."""
    escaped = escape(snippet or "")
    return mark_safe(escaped.replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>"))


def snippet_plain(snippet: str) -> str:
    """A search snippet with the match markers removed (for CSV and JSON)."""
    return (snippet or "").replace(_MARK_START, "").replace(_MARK_STOP, "")
