"""GeoJSON as GIS users read it (issue 15, finding 7): flat properties (``status_people``, ``since_people``,
``stale_people``, ``evidence_url_people``, ...) that geopandas (over GDAL, through pyogrio) reads into typed columns,
filters on, and writes to a GeoPackage and a Shapefile unchanged; no nested object becomes a JSON string."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas
import pandas as pd
import pytest

from tests.factories import CrossingFactory, SourceFactory, report, status
from tracker.models import Traffic

pytestmark = pytest.mark.django_db

KINDS = [kind.value for kind in Traffic.specific()]


@pytest.fixture
def crossings():
    rafah = CrossingFactory(name="Rafah", latitude="31.246900", longitude="34.256700")
    erez = CrossingFactory(name="Erez", latitude="31.560600", longitude="34.541700")
    CrossingFactory(name="Nowhere in particular")  # no coordinates: a feature with no geometry
    cited = report(SourceFactory(name="ReliefWeb"), title="Flash update", url="https://example.org/flash")
    status(rafah, "closed", datetime(2023, 10, 7, tzinfo=UTC), report=cited)
    status(rafah, "restricted", datetime(2023, 10, 21, tzinfo=UTC), "aid", note="Twenty trucks")
    status(erez, "open", datetime(2023, 10, 9, tzinfo=UTC), "people")
    return rafah, erez


def download(client, tmp_path: Path) -> Path:
    response = client.get("/api/v1/crossings/", {"format": "geojson", "as_of": "2023-10-22"})
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    path = tmp_path / "crossings.geojson"
    path.write_bytes(response.content)
    return path


def test_properties_are_flat_scalars(partner_client, crossings):
    features = partner_client.get("/api/v1/crossings/", {"format": "geojson"}).json()["features"]
    for feature in features:
        properties = feature["properties"]
        assert "status" not in properties
        assert all(not isinstance(value, dict | list) for value in properties.values()), properties
        for kind in KINDS:
            for name in ("status", "since", "stale", "evidence_url", "last_stated_at", "certainty"):
                assert f"{name}_{kind}" in properties


def test_geopandas_reads_it_back_and_filters_on_status(partner_client, crossings, tmp_path):
    frame = geopandas.read_file(download(partner_client, tmp_path), engine="pyogrio")
    assert len(frame) == 3 and frame.crs.to_epsg() == 4326
    closed_to_people = frame[frame["status_people"] == "closed"]
    assert list(closed_to_people["slug"]) == ["rafah"]
    assert list(frame[frame["status_aid"] == "restricted"]["slug"]) == ["rafah"]
    assert list(frame[frame["status_people"] == "open"]["slug"]) == ["erez"]
    rafah = frame.set_index("slug").loc["rafah"]
    assert rafah["evidence_url_people"] == "https://example.org/flash"
    assert rafah["evidence_note_aid"] == "Twenty trucks"
    assert str(rafah["since_people"]).startswith("2023-10-07")
    assert bool(rafah["stale_people"]) is True  # stated two weeks before 22 October
    assert abs(rafah.geometry.x - 34.2567) < 1e-6 and abs(rafah.geometry.y - 31.2469) < 1e-6
    assert frame.set_index("slug").loc["nowhere-in-particular"].geometry is None


def test_a_geopackage_keeps_every_status_column_filterable(partner_client, crossings, tmp_path):
    frame = geopandas.read_file(download(partner_client, tmp_path), engine="pyogrio")
    placed = frame[frame.geometry.notna()]
    package = tmp_path / "crossings.gpkg"
    placed.to_file(package, driver="GPKG", engine="pyogrio")
    back = geopandas.read_file(package, engine="pyogrio", where="status_people = 'closed'")
    assert list(back["slug"]) == ["rafah"]
    for kind in KINDS:
        assert pd.api.types.is_string_dtype(back[f"status_{kind}"]) and back[f"stale_{kind}"].dtype == bool
