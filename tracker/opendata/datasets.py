"""The public datasets, once: what each holds, where its files are, and which writer's columns describe them.

The columns are the API writers' own definitions (``tracker.api.exports``), read when a schema is built, so that a
column added to or renamed in the CSV is in the next ``datapackage.json`` without anyone editing this file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Model
from django.utils import timezone

from tracker.api import exports
from tracker.api.renderers import CsvColumn, RepeatedColumns

from . import downloads


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    # The writer's columns (crossings' depend on the moment described; the file describes now).
    columns: Callable[[], Sequence[CsvColumn | RepeatedColumns]]
    csv_view: type[downloads.OpenDataFile]
    geojson_view: type[downloads.OpenDataFile] | None = None
    primary_key: tuple[str, ...] = ()
    # Columns naming a row of another dataset: (column, dataset, its column). Declared in a package holding both.
    references: tuple[tuple[str, str, str], ...] = ()

    @property
    def watermark_models(self) -> Sequence[type[Model]]:
        """The tables whose writes change this file: the API view's own list (for "last updated")."""
        return tuple(getattr(self.csv_view, "watermark_models", ()))


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        slug="crossings",
        title="Crossings and their current status",
        description=(
            "Every border crossing and checkpoint we track, with where it is, the two sides it joins, the crises it "
            "belongs to, and for each kind of traffic (people, humanitarian aid, commercial goods, fuel) the status "
            "in effect now: open, restricted, closed or unknown, since when it has held, when it was last stated, "
            "whether it is stale, how certain it is, on whose word, and the reviewed report it cites."
        ),
        columns=lambda: exports.crossing_columns(timezone.now()),
        csv_view=downloads.CrossingsCsv,
        geojson_view=downloads.CrossingsGeoJson,
        primary_key=("crossing",),
    ),
    Dataset(
        slug="status-history",
        title="Crossing status history",
        description=(
            "Every status ever recorded for every crossing, oldest statements included: status, the traffic it "
            "applies to, when it took effect and when it was recorded, certainty, who stated it, its evidence, and "
            "its retraction if it was withdrawn. Nothing is overwritten: a correction is a row of its own."
        ),
        columns=lambda: exports.HISTORY_COLUMNS,
        csv_view=downloads.StatusHistoryCsv,
        primary_key=("uid",),
        references=(("crossing", "crossings", "crossing"),),
    ),
    Dataset(
        slug="flows",
        title="Daily flows at crossings",
        description=(
            "Daily figures at crossings (aid trucks, fuel trucks, people out, medical evacuations ...), one per "
            "crossing, day, metric and source: two sources' figures for the same day stand side by side."
        ),
        columns=lambda: exports.FLOW_COLUMNS,
        csv_view=downloads.FlowsCsv,
        primary_key=("uid",),
        references=(("crossing", "crossings", "crossing"),),
    ),
    Dataset(
        slug="aid-disputes",
        title="Aid disputes",
        description=(
            "What blocks aid: each dispute's parties, the crossings it affects, its subject (inspection, access, "
            "quantities, fuel, security guarantees ...), its state (open, negotiating, stalled, resolved) and dates."
        ),
        columns=lambda: exports.DISPUTE_COLUMNS,
        csv_view=downloads.DisputesCsv,
        primary_key=("dispute",),
    ),
    Dataset(
        slug="evacuation-agreements",
        title="Evacuation agreements",
        description=(
            "Arrangements for people to leave: parties and their roles (party, mediator, guarantor), the crossings, "
            "who may leave (dual nationals, foreign passport holders, wounded and sick ...), state and dates."
        ),
        columns=lambda: exports.AGREEMENT_COLUMNS,
        csv_view=downloads.AgreementsCsv,
        primary_key=("agreement",),
    ),
)

BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}
