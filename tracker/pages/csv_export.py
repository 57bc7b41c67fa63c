"""CSV downloads of what the pages list: streamed, one row at a time, safe to open in a spreadsheet, and HXL 1.1
like the API's (tracker/api/exports.py has the rules): a hashtag row under the header, each moment as a ``#date``
column of its UTC day beside the RFC 3339 time, lists spread over numbered columns, one value per cell."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import translation

from ..csv_cells import csv_cell, line_writer
from ..timestamps import rfc3339, utc_day

# Kept under its old name: the pages' views and tests call it ``cell``.
cell = csv_cell


# A status row's evidence, in the same columns on every page's CSV (and as the API names them).
EVIDENCE_HEADER = ["report_title", "report_url", "report_source", "report_organisations"]


def evidence_cells(report: Any, *, visible: bool) -> list[Any]:
    """The cited report as readers see it: title, link, the feed source's name, who wrote it (blank when the
    reader may not see the report)."""
    if report is None or not visible:
        return ["", "", "", []]
    return [report.title, report.url, report.source.name, list(report.organisations or [])]


# --- HXL ----------------------------------------------------------------------------------------------------------

# Each header the pages write, with its hashtag. A moment's hashtag attributes go on both of its columns.
HASHTAGS = {
    "crisis": "#crisis+name",
    "crossing": "#loc+name+crossing+i_en",
    "crossing_slug": "#loc+crossing+code",
    "traffic": "#meta+traffic",
    "status": "#status",
    "certainty": "#meta+certainty",
    "stale": "#meta+stale",
    "stated_by": "#org+name+stated",
    "report_title": "#meta+title+report",
    "report_url": "#meta+url+report",
    "report_source": "#meta+source+report",
    "report_organisations": "#org+name+originating",
    "note": "#description",
    "retracted": "#meta+retracted",
    "retraction_reason": "#description+retraction",
    "from_state": "#status+from",
    "to_state": "#status+to",
    "date": "#date+occurred",
    "category": "#meta+category",
    "kind": "#event+type+code",
    "title": "#meta+title",
    "detail": "#description",
    "actors": "#org+name",
    "reports": "#meta+title+report",
    "link": "#meta+path",  # the page's path on this site, not a full URL
    "source": "#meta+source",
    "url": "#meta+url",
    "review_state": "#status+review",
    "language": "#meta+lang",
    "crises": "#crisis+name",
    "crossings": "#loc+name+crossing",
    "excerpt": "#description+snippet",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
}
# Moments: header -> hashtag attributes. Each becomes "<header>_date" (#date) and "<header>" (#meta+datetime).
MOMENTS = {
    "since": "+since",
    "last_stated_at": "+stated",
    "effective_at": "+effective",
    "recorded_at": "+recorded",
    "published_at": "+published",
}
# List headers' columns: "actors" spreads over actor_1, actor_2, ...
SINGULAR = {
    "report_organisations": "report_organisation",
    "actors": "actor",
    "reports": "report",
    "crises": "crisis",
    "crossings": "crossing",
}
# The timeline's "time" is the moment of a line already dated in its "date" column.
TIMES = {"time": "#meta+datetime+occurred"}


def _widths() -> dict[str, Callable[[], int]]:
    """How many columns each list header spreads over: the most items any row can have, asked when the download
    starts (imported late: the pages' CSV helpers load before the API's)."""
    from tracker.api import exports
    from tracker.models import Report, TimelineEvent

    return {
        "report_organisations": exports._cited_organisations_width,
        "actors": lambda: max(1, exports._most(exports._through(TimelineEvent, "actors"), "timelineevent")),
        "reports": lambda: max(1, exports._most(exports._through(TimelineEvent, "reports"), "timelineevent")),
        "crises": lambda: exports._most(exports._through(Report, "crises"), "report"),
        "crossings": lambda: exports._most(exports._through(Report, "crossings"), "report"),
    }


@dataclass(frozen=True)
class _Column:
    header: str
    hxl: str
    value: Callable[[Sequence[Any]], Any]


def _at(index: int, read: Callable[[Any], Any] = lambda v: v) -> Callable[[Sequence[Any]], Any]:
    return lambda row: read(row[index])


def _item(index: int, n: int, last: bool) -> Callable[[Sequence[Any]], Any]:
    def read(row: Sequence[Any]) -> Any:
        items = list(row[index] or [])
        if last and len(items) > n + 1:
            return items[n:]  # grew during the download: kept whole in the last cell, never dropped
        return items[n] if n < len(items) else None

    return read


def _hxl_columns(header: Sequence[str]) -> list[_Column]:
    widths = _widths()
    columns: list[_Column] = []
    for index, name in enumerate(header):
        if name in MOMENTS:
            attributes = MOMENTS[name]
            columns.append(_Column(f"{name}_date", f"#date{attributes}", _at(index, utc_day)))
            columns.append(_Column(name, f"#meta+datetime{attributes}", _at(index, rfc3339)))
        elif name in TIMES:
            columns.append(_Column(name, TIMES[name], _at(index, rfc3339)))
        elif name in widths:
            count = max(1, widths[name]())
            singular = SINGULAR[name]
            for n in range(count):
                hxl = HASHTAGS[name]
                columns.append(_Column(f"{singular}_{n + 1}", hxl, _item(index, n, n == count - 1)))
        else:
            columns.append(_Column(name, HASHTAGS.get(name, f"#meta+{name}"), _at(index)))
    return columns


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A streamed ``text/csv`` download named ``filename``: header, HXL hashtag row, then the rows."""
    writer = line_writer()

    def lines() -> Iterator[str]:
        # Data is the same bytes in every language (issue 17): rows built while streaming (choice labels in the
        # timeline's titles) are in the project's language, not the reader's.
        with translation.override(settings.LANGUAGE_CODE):
            yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
            columns = _hxl_columns(header)
            yield writer.writerow([column.header for column in columns])
            yield writer.writerow([column.hxl for column in columns])
            for row in rows:
                yield writer.writerow([cell(column.value(row)) for column in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
