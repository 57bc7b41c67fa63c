"""A partner's generated client, end to end: openapi-python-client (the generator the issue names, pinned) builds a
client from the schema a live server publishes, failing on any warning, and the test uses only that client against
the same server: a list paged to its end, a crossing's history, the change feed polled to its end, the CSV exports
(text) and the GeoJSON (parsed into its own models), a conditional request answered 304, and a 404 read as our
error shape.

The generator reads one format per operation: the first it knows. So each export is also an operation of its own
under a file name (``crossings.csv``, ``crossings/{slug}.geojson``: tracker/api/urls.py); on the multi-format
addresses the client reads JSON, as a partner's code would ask for it."""

from __future__ import annotations

import csv
import importlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tracker.api import services as api_services
from tracker.demo import load_demo
from tracker.models import Change, Crossing

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PACKAGE = "tracker_partner_client"
CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"
GENERATOR = [sys.executable, "-m", "openapi_python_client", "generate"]


@pytest.fixture
def generated(live_server, tmp_path: Path) -> Iterator[Any]:
    """The client package, generated from the live server's schema URL and imported from a temporary folder."""
    config = tmp_path / "config.yml"
    config.write_text(CONFIG)
    output = tmp_path / PACKAGE
    command = [
        *GENERATOR,
        "--url",
        f"{live_server.url}/api/v1/schema/?format=json",
        "--meta",
        "none",
        "--config",
        str(config),
        "--output-path",
        str(output),
        "--fail-on-warning",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=tmp_path, check=False)
    assert done.returncode == 0, f"generation failed:\n{done.stdout}\n{done.stderr}"
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def api(name: str) -> Any:
    """A generated endpoint module, e.g. ``api("crossings.crossings_list")``."""
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def follow(next_url: str | None) -> dict[str, Any]:
    """The query of a ``next`` link as keyword arguments of the generated function (page numbers or cursors)."""
    if not next_url:
        return {}
    query = dict(parse_qsl(urlsplit(next_url).query))
    return {key: int(value) if value.isdigit() and key != "cursor" else value for key, value in query.items()}


def test_a_generated_client_reads_every_format_end_to_end(live_server, generated):
    load_demo()
    key = api_services.token_create(partner="Generated client", created_by=None).key
    client = generated.AuthenticatedClient(base_url=live_server.url, token=key, raise_on_unexpected_status=True)
    models = importlib.import_module(f"{PACKAGE}.models")
    crossings = Crossing.objects.count()
    assert crossings >= 3

    # A list, paged two at a time to its end: every crossing once.
    listing = api("crossings.crossings_list")
    slugs: list[str] = []
    page = listing.sync(client=client, page_size=2)
    pages = 1
    while True:
        assert isinstance(page, models.PaginatedCrossingList), page
        slugs += [crossing.slug for crossing in page.results]
        if not page.next_:
            break
        page = listing.sync(client=client, **follow(page.next_))
        pages += 1
    assert sorted(slugs) == sorted(Crossing.objects.values_list("slug", flat=True))
    assert pages == -(-crossings // 2)

    # One crossing's history.
    history = api("crossings.crossings_history_list").sync(client=client, slug="rafah")
    assert isinstance(history, models.PaginatedHistoryRowList), history
    assert history.results and all(row.status for row in history.results)

    # The change feed, polled to its end, then once more: nothing new, the same cursor back.
    feed = api("changes.changes_retrieve")
    seen: list[str] = []
    after: Any = generated.types.UNSET
    while True:
        batch = feed.sync(client=client, after=after, limit=3)
        assert isinstance(batch, models.ChangeFeedPage), batch
        seen += [change.cursor for change in batch.results]
        after = batch.next_cursor
        if not batch.has_more:
            break
    assert len(seen) == len(set(seen)) == Change.objects.count() > 0
    again = feed.sync(client=client, after=after)
    assert again.results == [] and again.next_cursor == after

    # CSV: text, a header row, the HXL hashtag row, one row per crossing; history and changes too.
    text = api("crossings.crossings_list_csv").sync(client=client)
    assert isinstance(text, str), type(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert all(tag.startswith("#") for tag in rows[1] if tag), rows[1]
    assert len(rows) == 2 + crossings
    history_csv = api("crossings.crossings_history_list_csv").sync(client=client, slug="rafah")
    assert len(list(csv.reader(io.StringIO(history_csv)))) >= 2 + len(history.results)
    changes_csv = api("changes.changes_retrieve_csv").sync(client=client)
    assert len(list(csv.reader(io.StringIO(changes_csv)))) == 2 + len(seen)

    # GeoJSON: parsed into the schema's own models, a collection and one feature.
    collection = api("crossings.crossings_list_geojson").sync(client=client)
    assert isinstance(collection, models.CrossingFeatureCollection), collection
    assert sorted(feature.id for feature in collection.features) == sorted(slugs)
    rafah = api("crossings.crossings_retrieve_geojson").sync(client=client, slug="rafah")
    assert isinstance(rafah, models.CrossingFeature), rafah
    assert rafah.id == "rafah" and isinstance(rafah.geometry, models.PointGeometry)
    longitude, latitude = rafah.geometry.coordinates
    assert 34 < longitude < 35 and 31 < latitude < 32  # Rafah, on the Gaza-Egypt border
    assert rafah.properties.additional_properties, "the feature carries the crossing's fields"

    # A conditional request: the ETag sent back gives 304, no body, nothing parsed.
    first = api("crossings.crossings_retrieve").sync_detailed(client=client, slug="rafah")
    assert first.status_code == 200 and isinstance(first.parsed, models.Crossing)
    etag = first.headers["ETag"]
    unchanged = api("crossings.crossings_retrieve").sync_detailed(client=client, slug="rafah", if_none_match=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""

    # An error is our error shape, as a model.
    missing = api("crossings.crossings_retrieve").sync(client=client, slug="no-such-crossing")
    assert isinstance(missing, models.Error), missing
    assert missing.error.code == "not_found"
