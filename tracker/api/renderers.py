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

from tracker.text import defuse_formula


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


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str):
        return defuse_formula(value)
    return value


def csv_lines(columns: Sequence[CsvColumn], rows: Iterable[Any]) -> Iterator[str]:
    """Header, HXL hashtag row, then one line per row, produced as they are read (nothing held in memory)."""
    writer = csv.writer(_Echo())
    yield writer.writerow([column.header for column in columns])
    yield writer.writerow([column.hxl for column in columns])
    for row in rows:
        yield writer.writerow([_cell(column.value(row)) for column in columns])
