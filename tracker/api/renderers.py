"""Formats: JSON (orjson), CSV with an HXL hashtag row (streamed by the views), GeoJSON for crossings."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from django.utils.encoding import force_str
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer

from tracker.csv_cells import csv_cell, line_writer


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Promise):
        return force_str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else dumps(data)


class GeoJSONRenderer(ORJSONRenderer):
    """RFC 7946; the view shapes the FeatureCollection."""

    media_type = "application/geo+json"
    format = "geojson"


class CSVRenderer(BaseRenderer):
    """Chosen by content negotiation; list views answer it with a streamed export (see ``CsvColumn``)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # Only reached for something that is not a list export (views stream those); say so plainly.
        buffer = io.StringIO()
        csv.writer(buffer).writerow(["error"])
        buffer.write(force_str(data))
        return buffer.getvalue().encode()


@dataclass(frozen=True)
class CsvColumn:
    """A CSV column: its header, its HXL hashtag (https://hxlstandard.org/), and how to read it from a row."""

    header: str
    hxl: str
    value: Callable[[Any], Any]

    def expand(self) -> list[CsvColumn]:
        """The columns this stands for in an export: itself (``RepeatedColumns`` spreads to several)."""
        return [self]


Part = tuple[str, str, Callable[[Any], Any]]  # (header suffix, hashtag, value of one item)


@dataclass(frozen=True)
class RepeatedColumns(CsvColumn):
    """A list spread over numbered columns sharing one hashtag, one value per cell (HXL's way: libhxl's
    ``with_rows('#org+name=Egypt')`` tries every column the tag matches). ``value`` gives a row's items; ``parts``
    are what each item gives, side by side (``country_1``, ``country_1_iso3``, ``country_2``, ...); ``width`` is how
    many items the widest row has, asked of the database once when the export starts, so that every row has the same
    columns (at least one set, so the columns exist when no row has any). Made by ``repeated``."""

    parts: tuple[Part, ...] = ()
    width: Callable[[], int] = lambda: 1

    def expand(self) -> list[CsvColumn]:
        count = max(1, self.width())
        columns: list[CsvColumn] = []
        for n in range(count):
            last = n == count - 1
            for suffix, hxl, value in self.parts:
                columns.append(CsvColumn(f"{self.header}_{n + 1}{suffix}", hxl, _nth(self.value, n, value, last)))
        return columns


def repeated(
    header: str, parts: tuple[Part, ...], items: Callable[[Any], Sequence[Any]], width: Callable[[], int]
) -> RepeatedColumns:
    """Columns ``<header>_1``, ``<header>_2``, ... for the ``items`` of a row, ``width()`` of them."""
    return RepeatedColumns(header, parts[0][1], items, parts=parts, width=width)


def _nth(
    items: Callable[[Any], Sequence[Any]], n: int, value: Callable[[Any], Any], last: bool
) -> Callable[[Any], Any]:
    def read(row: Any) -> Any:
        found = list(items(row))
        if n >= len(found):
            return ""
        if last and len(found) > n + 1:
            # Written after the width was asked (a write during the export): kept, not dropped, in the last cell.
            return "; ".join(str(csv_cell(value(item))) for item in found[n:])
        return value(found[n])

    return read


def expand_columns(columns: Sequence[CsvColumn]) -> list[CsvColumn]:
    """The columns of one export, each repeated group spread to its width."""
    return [flat for column in columns for flat in column.expand()]


def csv_lines(columns: Sequence[CsvColumn], rows: Iterable[Any]) -> Iterator[str]:
    """Header, HXL hashtag row, then one line per row, produced as they are read (nothing held in memory)."""
    writer = line_writer()
    flat = expand_columns(columns)
    yield writer.writerow([column.header for column in flat])
    yield writer.writerow([column.hxl for column in flat])
    for row in rows:
        yield writer.writerow([csv_cell(column.value(row)) for column in flat])
