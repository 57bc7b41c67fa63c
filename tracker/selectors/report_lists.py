"""The reports list of the status pages: who sees what, full-text search, filters, as of a moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from ..models import Crisis, Crossing, Report, Source
from .reports import reports_search, reports_visible


def reports_listing(
    *,
    as_of: datetime,
    include_unreviewed: bool,
    text: str = "",
    source: Source | None = None,
    crisis: Crisis | None = None,
    crossing: Crossing | None = None,
    since: date | None = None,
    until: date | None = None,
    ranked: bool = True,
) -> QuerySet[Report]:
    """Reports published by ``as_of`` that the reader may see, matching ``text`` and the filters; ``since`` /
    ``until`` are days of publication. With ``text``, each has ``rank`` and ``snippet`` (and ``title_marked`` when
    ranked): ``ranked``, the most recent matches best first (see ``reports_search``); otherwise every match, newest
    first. Newest first without text."""
    reports = reports_visible(include_unreviewed=include_unreviewed).filter(published_at__lte=as_of)
    if source is not None:
        reports = reports.filter(source=source)
    if crisis is not None:
        reports = reports.filter(crises=crisis)
    if crossing is not None:
        reports = reports.filter(crossings=crossing)
    if since is not None:
        reports = reports.filter(published_at__gte=datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        reports = reports.filter(published_at__lt=datetime.combine(until, time.min, tzinfo=UTC) + timedelta(days=1))
    # Titles are marked on a page of results, not in a download of every match.
    found = reports_search(reports, text, ranked=ranked, mark_titles=ranked)
    if not (text or "").strip() or not ranked:
        found = found.order_by("-published_at", "-id")
    return found.select_related("source").prefetch_related("crises", "crossings")
