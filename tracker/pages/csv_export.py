"""CSV downloads of what the pages list: streamed, one row at a time, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.http import StreamingHttpResponse

from ..text import defuse_formula


class _Echo:
    def write(self, value: str) -> str:
        return value


def cell(value: Any) -> str:
    """One value as CSV text: times in UTC ISO 8601, lists joined with "; ", formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value.utcoffset() is not None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "; ".join(cell(item) for item in value)
    return defuse_formula(str(value))


# A status row's evidence, in the same columns on every page's CSV (and as the API names them).
EVIDENCE_HEADER = ["report_title", "report_url", "report_source", "report_organisations"]


def evidence_cells(report: Any, *, visible: bool) -> list[Any]:
    """The cited report as readers see it: title, link, the feed source's name, who wrote it (blank when the
    reader may not see the report)."""
    if report is None or not visible:
        return ["", "", "", ""]
    return [report.title, report.url, report.source.name, list(report.organisations or [])]


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A streamed ``text/csv`` download named ``filename``."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
