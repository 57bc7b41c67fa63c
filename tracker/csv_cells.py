"""One way to write a value into a CSV cell, for every CSV we serve (the API's exports, the pages' downloads, the
open data files): the same question answered the same way on every surface.

Times are RFC 3339 in UTC (``tracker.timestamps``), days ISO 8601, booleans ``true``/``false`` (what pandas,
frictionless and HXL's own tools read as booleans), text with spreadsheet formulas defused, and a list that outgrew
its numbered columns joined with "; "."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .text import defuse_formula
from .timestamps import rfc3339


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return rfc3339(value) or ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)  # a number, never a formula: -73.5 stays -73.5
    if isinstance(value, list | tuple):
        return "; ".join(csv_cell(item) for item in value)
    return defuse_formula(str(value))


class _Echo:
    """A file that hands back what is written to it: ``csv.writer`` then makes one line at a time to stream."""

    def write(self, value: str) -> str:
        return value


def line_writer() -> Any:
    """A ``csv.writer`` whose ``writerow`` returns the line, for streamed responses."""
    return csv.writer(_Echo())
