"""The Frictionless Data Package (https://datapackage.org/) describing the open datasets: licence, sources, update
frequency, and for each CSV a Table Schema built from the writer's own column definitions.

Each CSV has its header row, then the HXL hashtag row, then data. The dialect says so (``headerRows: [1]``,
``commentRows: [2]``), so that Frictionless tools read the names from the first row and skip the hashtags, while
HXL tools (libhxl, the HXL Proxy, Quick Charts) find the hashtags where they look for them. Each field carries its
hashtag in the custom property ``hxl:hashtag`` (the standard's ``namespace:property`` form for custom properties).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from tracker.api.conditional import data_watermark
from tracker.api.renderers import CsvColumn, expand_columns
from tracker.models import FlowCount, Report, Source
from tracker.timestamps import rfc3339

from .datasets import DATASETS, Dataset

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
LICENSE_NOTE = (
    "The editorial record (statuses, dates, certainty, disputes, agreements, flow figures as recorded here) is "
    "published under CC BY 4.0: reuse it freely, naming this tracker. Cited reports are linked by title, address "
    "and source name only; their text stays under its publisher's terms."
)
# HDX's vocabulary: each file is built from the record when it is downloaded.
UPDATE_FREQUENCY = "Live"
UPDATE_FREQUENCY_NOTE = (
    "Live: every download is built from the record as it stands at that moment; editors record changes as they "
    "are reported, and ingestion polls sources every few minutes."
)
DIALECT = {"header": True, "headerRows": [1], "commentRows": [2]}


def field_type(column: CsvColumn) -> str:
    """A Table Schema type for a column: the writer's declaration (``column.type``) when it makes one, else the
    type the HXL dictionary gives its hashtag (``#date`` a day, ``#geo+lat`` and ``+num`` numbers), and
    ``#meta+datetime`` (the column beside each ``#date`` holding the full RFC 3339 time) a datetime."""
    declared = getattr(column, "type", None)
    if declared:
        return str(declared)
    base, *attributes = column.hxl.lower().split("+")
    attrs = set(attributes)
    if base == "#geo" and attrs & {"lat", "lon"}:
        return "number"
    if "num" in attrs:
        return "number"
    if base == "#date":
        return "date"
    if base == "#meta" and "datetime" in attrs:
        return "datetime"
    return "string"


def columns(dataset: Dataset) -> list[CsvColumn]:
    """The file's columns as the writer spreads them (a list over numbered columns, as wide as the data needs)."""
    return expand_columns(dataset.columns())


def table_schema(columns: Sequence[CsvColumn], *, primary_key: Iterable[str] = ()) -> dict[str, Any]:
    fields = [{"name": column.header, "type": field_type(column), "hxl:hashtag": column.hxl} for column in columns]
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    names = {column.header for column in columns}
    key = [name for name in primary_key if name in names]
    if key and len(key) == len(tuple(primary_key)):
        schema["primaryKey"] = key
    return schema


def cited_sources() -> list[dict[str, str]]:
    """Where the record's evidence comes from: the sources of reports readers may see, and of flow figures."""
    readable = Report.objects.filter(source=OuterRef("pk"), review_state=Report.ReviewState.RELEVANT)
    counted = FlowCount.objects.filter(source=OuterRef("pk"))
    rows = Source.objects.filter(Exists(readable) | Exists(counted)).order_by("name").values("name", "home_page")
    return [{"title": row["name"], **({"path": row["home_page"]} if row["home_page"] else {})} for row in rows]


def last_updated(dataset: Dataset) -> datetime | None:
    """The latest write to any table the dataset is read from (one query; the API's Last-Modified watermark)."""
    return data_watermark(dataset.watermark_models)


def resources(dataset: Dataset, absolute: Callable[[str], str], *, updated: datetime | None) -> list[dict[str, Any]]:
    csv: dict[str, Any] = {
        "name": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "path": absolute(reverse("opendata:csv", args=[dataset.slug])),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": DIALECT,
        "schema": table_schema(columns(dataset), primary_key=dataset.primary_key),
    }
    files = [csv]
    if dataset.geojson_view is not None:
        files.append(
            {
                "name": f"{dataset.slug}-geojson",
                "title": f"{dataset.title} (GeoJSON)",
                "description": "The same crossings as points (RFC 7946, WGS 84), with their status in each "
                "feature's properties: add the address as a vector layer in QGIS.",
                "path": absolute(reverse("opendata:geojson", args=[dataset.slug])),
                "format": "geojson",
                "mediatype": "application/geo+json",
                "encoding": "utf-8",
            }
        )
    stamp = rfc3339(updated)
    if stamp:
        for item in files:
            item["lastModified"] = stamp
    return files


def _link(files: list[dict[str, Any]], datasets: Sequence[Dataset]) -> None:
    """Foreign keys between files of one package (a flow's crossing is a row of the crossings file), so that
    Frictionless checks them too; only where both files and both columns are there."""
    by_name = {item["name"]: item for item in files if "schema" in item}
    for dataset in datasets:
        source = by_name.get(dataset.slug)
        for column, target_name, target_column in dataset.references:
            target = by_name.get(target_name)
            if source is None or target is None:
                continue
            if column not in _names(source) or target_column not in _names(target):
                continue
            source["schema"].setdefault("foreignKeys", []).append(
                {"fields": [column], "reference": {"resource": target_name, "fields": [target_column]}}
            )


def _names(resource: dict[str, Any]) -> set[str]:
    return {field["name"] for field in resource["schema"]["fields"]}


def package(datasets: Sequence[Dataset], absolute: Callable[[str], str], *, name: str, title: str) -> dict[str, Any]:
    """The descriptor: ``absolute`` turns a path into the address partners reach us at (the request's host)."""
    files: list[dict[str, Any]] = []
    for dataset in datasets:
        files += resources(dataset, absolute, updated=last_updated(dataset))
    _link(files, datasets)
    homepage = absolute(reverse("opendata:index"))
    return {
        "name": name,
        "title": title,
        "description": (
            "A sourced, dated record of humanitarian crises and the border crossings they turn on: whether each "
            "crossing is open, restricted or closed for which traffic, since when and on whose word; the disputes "
            "that block aid; the agreements that let people leave; daily flows. Only what editors reviewed is "
            "published. CSV files carry an HXL hashtag row (https://hxlstandard.org/) under their header. "
            + LICENSE_NOTE
        ),
        "homepage": homepage,
        "created": rfc3339(timezone.now()),  # this descriptor's own moment: the files are built when asked for
        "licenses": [LICENSE],
        "sources": [{"title": settings.OPEN_DATA_PUBLISHER, "path": homepage}, *cited_sources()],
        "contributors": [{"title": settings.OPEN_DATA_PUBLISHER, "role": "publisher", "path": homepage}],
        "keywords": ["humanitarian access", "border crossings", "crisis", "evacuation", "HXL"],
        "updateFrequency": UPDATE_FREQUENCY,
        "updateFrequencyNote": UPDATE_FREQUENCY_NOTE,
        "resources": files,
    }


def full_package(absolute: Callable[[str], str]) -> dict[str, Any]:
    return package(DATASETS, absolute, name="situation-tracker", title="Situation tracker: open data")


def dataset_package(dataset: Dataset, absolute: Callable[[str], str]) -> dict[str, Any]:
    return package([dataset], absolute, name=f"situation-tracker-{dataset.slug}", title=dataset.title)
