"""Open data mode (issue 15, finding 8): the reviewed record by URL, without a token, described by a Frictionless
Data Package that the ``frictionless`` library validates together with every file it lists."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import frictionless
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ActorFactory, CrisisFactory, CrossingFactory, SourceFactory, agreement, dispute, report
from tests.factories import status as record_status
from tracker import services
from tracker.api.renderers import expand_columns
from tracker.models import AgreementParty, FlowCount, Report, Source, Traffic
from tracker.opendata.datasets import DATASETS

pytestmark = pytest.mark.django_db

HIDDEN_TITLE = "Unreviewed claim that must never be published"
HIDDEN_URL = "https://example.org/unreviewed-claim"
REJECTED_TITLE = "Rejected report once cited, then judged not relevant"
REJECTED_URL = "https://example.org/rejected-after-retraction"

FILES = [f"/data/{d.slug}.csv" for d in DATASETS] + [f"/data/{d.slug}.geojson" for d in DATASETS if d.geojson_view]
PAGES = ["/data/", *[f"/data/{d.slug}/" for d in DATASETS]]
PACKAGES = ["/data/datapackage.json", *[f"/data/{d.slug}/datapackage.json" for d in DATASETS]]
EVERY_URL = FILES + PAGES + PACKAGES


@pytest.fixture(autouse=True)
def _open_data(settings):
    settings.OPEN_DATA = True
    settings.OPEN_DATA_THROTTLE_RATE = "10000/minute"
    cache.clear()  # throttle counts and cached answers of other tests
    yield
    cache.clear()


def build(n: int) -> None:
    """``n`` of everything the datasets hold, each with relations and evidence, plus material readers never see."""
    source = SourceFactory(name=f"Wire {Source.objects.count() + 1}", home_page="https://example.org/wire")
    for i in range(n):
        crisis = CrisisFactory()
        actor = ActorFactory()
        crossing = CrossingFactory(latitude="31.2469", longitude="34.2594")
        crossing.crises.add(crisis)
        crossing.aliases.create(name=f"Alias {crossing.pk}", language="ar")
        evidence = report(source, title=f"Evidence {crossing.pk}", url=f"https://example.org/evidence/{crossing.pk}")
        services.report_review(report=evidence, state=Report.ReviewState.RELEVANT, reviewed_by=None)
        record_status(crossing, "closed", datetime(2023, 10, 7, tzinfo=UTC), report=evidence, stated_by=actor)
        record_status(crossing, "open", datetime(2023, 10, 21, 7, 30, tzinfo=UTC), Traffic.AID)
        # A row cited a report, was retracted, and the report was then judged not relevant: the row stays in the
        # history, its evidence is no longer shown to anyone outside the newsroom.
        rejected = report(source, title=f"{REJECTED_TITLE} {crossing.pk}", url=f"{REJECTED_URL}/{crossing.pk}")
        services.report_review(report=rejected, state=Report.ReviewState.RELEVANT, reviewed_by=None)
        mistaken = record_status(crossing, "open", datetime(2023, 10, 8, tzinfo=UTC), Traffic.PEOPLE, report=rejected)
        services.crossing_retract_status(status_row=mistaken, recorded_by=None, reason="Wrong crossing")
        services.report_review(report=rejected, state=Report.ReviewState.NOT_RELEVANT, reviewed_by=None)
        # Ingested, linked, never reviewed.
        unreviewed = report(source, title=f"{HIDDEN_TITLE} {crossing.pk}", url=f"{HIDDEN_URL}/{crossing.pk}")
        services.report_link(report=unreviewed, crossings=[crossing], crises=[crisis])
        fight = dispute(crisis)
        fight.parties.add(actor)
        fight.crossings.add(crossing)
        deal = agreement(crisis)
        AgreementParty.objects.create(agreement=deal, actor=actor, role="party")
        deal.eligible.create(group="dual_nationals")
        deal.crossings.add(crossing)
        services.flow_count_record(
            crossing=crossing,
            day=date(2023, 10, 21),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=20 + i,
            source=source,
            report=evidence,
            recorded_by=None,
        )


# --- off / on -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", EVERY_URL)
def test_off_every_open_data_url_is_404(client, settings, url):
    settings.OPEN_DATA = False
    build(1)
    assert client.get(url).status_code == 404


def test_off_unless_the_environment_says_so():
    """A deployment that says nothing publishes nothing."""
    env = {k: v for k, v in os.environ.items() if k != "OPEN_DATA"}
    read = [
        sys.executable,
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.OPEN_DATA)",
    ]
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    env["TRACKER_ENV_FILE"] = "/nonexistent/.env"  # a developer's own .env does not decide this test
    assert subprocess.run(read, env=env, capture_output=True, text=True, check=True).stdout.strip() == "False"
    env["OPEN_DATA"] = "1"
    assert subprocess.run(read, env=env, capture_output=True, text=True, check=True).stdout.strip() == "True"


@pytest.mark.parametrize("url", EVERY_URL)
def test_on_no_token_needed(url):
    build(1)
    response = Client().get(url)
    assert response.status_code == 200, response.content[:500]
    assert Client().head(url).status_code == 200


def test_a_token_or_a_bad_one_changes_nothing(partner_token):
    """No authentication runs: a partner's token is not needed, and a wrong one is not a 401."""
    build(1)
    # (not crossings.csv: its "as of now" column moves with the clock between two requests)
    plain = b"".join(Client().get("/data/status-history.csv").streaming_content)
    for header in (f"Bearer {partner_token.key}", "Bearer trk_AAAAAAAA_nope"):
        response = Client(headers={"Authorization": header}).get("/data/status-history.csv")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == plain


def test_unknown_dataset_is_404_and_writes_are_refused(client):
    build(1)
    assert client.get("/data/reports.csv").status_code == 404  # reports are never an open dataset
    assert client.get("/data/flows.geojson").status_code == 404
    assert client.get("/data/nothing/").status_code == 404
    assert client.post("/data/crossings.csv").status_code == 405
    assert client.post("/data/datapackage.json").status_code == 405


def test_the_footer_links_open_data_only_when_on(client, settings):
    assert b'href="/data/"' in client.get("/accounts/login/").content
    settings.OPEN_DATA = False
    assert b'href="/data/"' not in client.get("/accounts/login/").content


# --- what is published ----------------------------------------------------------------------------------------


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_unreviewed_and_rejected_reports_never_appear(client):
    build(2)
    seen = 0
    for url in EVERY_URL:
        response = client.get(url)
        assert response.status_code == 200
        content = body(response).decode()
        for secret in (HIDDEN_TITLE, HIDDEN_URL, REJECTED_TITLE, REJECTED_URL):
            assert secret not in content, f"{secret!r} in {url}"
        seen += "https://example.org/evidence/" in content
    # The reviewed evidence is there, so the absence above is not an empty file's.
    assert seen >= 2


def test_the_retracted_row_is_published_without_its_rejected_evidence(client):
    build(1)
    rows = client.get("/data/status-history.csv")
    text = body(rows).decode()
    assert "Wrong crossing" in text  # the retraction itself is part of the record
    assert REJECTED_TITLE not in text


def test_crossings_geojson_is_a_feature_collection_with_points(client):
    build(2)
    response = client.get("/data/crossings.geojson", HTTP_ACCEPT="text/html")  # whatever the client asks for
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 2
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [34.2594, 31.2469]}


def test_csv_has_the_hxl_row_and_is_csv_whatever_accept_says(client):
    build(1)
    response = client.get("/data/flows.csv", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = body(response).decode().splitlines()
    assert lines[1].startswith("#")
    assert len(lines) == 3


@pytest.mark.parametrize("url", FILES)
def test_every_file_answers_304_when_unchanged_and_200_after_a_write(client, url):
    build(1)
    first = client.get(url)
    body(first)
    assert first.status_code == 200
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    cache.clear()
    build(1)  # a write to every dataset
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


# --- throttling -----------------------------------------------------------------------------------------------


def test_throttled_per_address_with_429_and_retry_after(settings):
    settings.OPEN_DATA_THROTTLE_RATE = "3/minute"
    settings.TRUSTED_PROXY_COUNT = 0
    build(1)
    first = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert first.get("/data/crossings.csv").status_code == 200
    refused = first.get("/data/flows.csv")  # one bucket per address, across files
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # A forged X-Forwarded-For does not open a fresh bucket when no proxy is trusted ...
    forged = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert forged.get("/data/crossings.csv").status_code == 429
    # ... a token does not either ...
    assert Client(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer x").get("/data/flows.csv").status_code == 429
    # ... and another address has its own.
    assert Client(REMOTE_ADDR="203.0.113.8").get("/data/crossings.csv").status_code == 200


def test_pages_and_descriptors_draw_from_the_same_bucket_as_the_files(settings):
    """A datapackage.json costs a score of queries and needs no sign-in: it is throttled like the files."""
    settings.OPEN_DATA_THROTTLE_RATE = "3/minute"
    settings.TRUSTED_PROXY_COUNT = 0
    build(1)
    reader = Client(REMOTE_ADDR="203.0.113.20")
    assert reader.get("/data/").status_code == 200
    assert reader.get("/data/crossings/").status_code == 200
    assert reader.get("/data/crossings.csv").status_code == 200
    for url in ("/data/", "/data/crossings/", "/data/datapackage.json", "/data/crossings/datapackage.json"):
        refused = reader.get(url)
        assert refused.status_code == 429, url
        assert 0 < int(refused["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="203.0.113.21").get("/data/datapackage.json").status_code == 200


def test_behind_a_trusted_proxy_the_address_it_saw_counts(settings):
    settings.OPEN_DATA_THROTTLE_RATE = "2/minute"
    settings.TRUSTED_PROXY_COUNT = 1
    build(1)
    for _ in range(2):
        assert (
            Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9").get("/data/flows.csv").status_code == 200
        )
    assert Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9").get("/data/flows.csv").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.10").get("/data/flows.csv").status_code == 200


# --- the Data Package -----------------------------------------------------------------------------------------


def package_on_disk(client: Client, url: str, folder: Path) -> tuple[dict[str, Any], Path]:
    """The descriptor and every file it lists, fetched through the test client and written beside it, with the
    paths made local: what ``frictionless validate`` reads from a live server, without a server."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    descriptor = response.json()
    for resource in descriptor["resources"]:
        path = urlsplit(resource["path"]).path
        fetched = client.get(path)
        assert fetched.status_code == 200, path
        name = path.rsplit("/", 1)[-1]
        (folder / name).write_bytes(body(fetched))
        resource["path"] = name
    target = folder / "datapackage.json"
    target.write_text(json.dumps(descriptor))
    return descriptor, target


def test_datapackage_carries_licence_sources_and_update_frequency(client):
    build(1)
    descriptor = client.get("/data/datapackage.json").json()
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0 International",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
    assert descriptor["sources"][0]["title"] == "Situation tracker"
    assert {"title": "Wire 1", "path": "https://example.org/wire"} in descriptor["sources"]
    assert descriptor["updateFrequency"] == "Live"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", descriptor["created"])
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["crossings", "crossings-geojson", "status-history", "flows", "aid-disputes",
                     "evacuation-agreements"]  # fmt: skip
    for resource in descriptor["resources"]:
        assert resource["path"].startswith("http://testserver/data/")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", resource["lastModified"])
    flows = next(r for r in descriptor["resources"] if r["name"] == "flows")
    assert flows["schema"]["foreignKeys"] == [
        {"fields": ["crossing"], "reference": {"resource": "crossings", "fields": ["crossing"]}}
    ]
    value = next(f for f in flows["schema"]["fields"] if f["name"] == "value")
    assert value == {"name": "value", "type": "number", "hxl:hashtag": "#indicator+value+num"}


def test_each_field_carries_the_writers_column_and_hashtag(client):
    build(1)
    descriptor = client.get("/data/datapackage.json").json()
    for dataset in DATASETS:
        resource = next(r for r in descriptor["resources"] if r["name"] == dataset.slug)
        fields = resource["schema"]["fields"]
        written = expand_columns(dataset.columns())
        assert [(f["name"], f["hxl:hashtag"]) for f in fields] == [(c.header, c.hxl) for c in written]
        # ... and the file's own two header rows say the same.
        lines = body(client.get(f"/data/{dataset.slug}.csv")).decode().splitlines()
        assert lines[0].split(",") == [f["name"] for f in fields]
        assert lines[1].split(",") == [f["hxl:hashtag"] for f in fields]


def test_datapackage_validates_with_frictionless_and_every_file_matches_its_schema(client, tmp_path):
    build(3)
    _descriptor, target = package_on_disk(client, "/data/datapackage.json", tmp_path)
    report_ = frictionless.validate(str(target))
    assert report_.valid, report_.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    rows = {task.name: task.stats.get("rows") for task in report_.tasks}
    assert rows["crossings"] == 3
    assert rows["status-history"] == 9
    assert rows["flows"] == 3
    assert rows["aid-disputes"] == 3
    assert rows["evacuation-agreements"] == 3


@pytest.mark.parametrize("dataset", [d.slug for d in DATASETS])
def test_each_dataset_package_validates(client, tmp_path, dataset):
    build(2)
    descriptor, target = package_on_disk(client, f"/data/{dataset}/datapackage.json", tmp_path)
    assert descriptor["resources"][0]["name"] == dataset
    report_ = frictionless.validate(str(target))
    assert report_.valid, report_.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def test_validation_is_not_vacuous(client, tmp_path):
    """The same files, read as if the hashtag row were data, or with a wrong type, fail: the check has teeth."""
    build(1)
    descriptor, target = package_on_disk(client, "/data/crossings/datapackage.json", tmp_path)
    crossings = descriptor["resources"][0]
    crossings["dialect"] = {"header": True}
    target.write_text(json.dumps(descriptor))
    assert not frictionless.validate(str(target)).valid
    # A flow at a crossing the crossings file does not hold breaks the package's foreign key.
    descriptor, target = package_on_disk(client, "/data/datapackage.json", tmp_path)
    flows = tmp_path / "flows.csv"
    flows.write_text(flows.read_text().replace(",crossing-", ",elsewhere-"))
    assert not frictionless.validate(str(target)).valid
    descriptor, target = package_on_disk(client, "/data/flows/datapackage.json", tmp_path)
    field = next(f for f in descriptor["resources"][0]["schema"]["fields"] if f["name"] == "crossing")
    field["type"] = "integer"
    target.write_text(json.dumps(descriptor))
    assert not frictionless.validate(str(target)).valid


@pytest.mark.django_db(transaction=True)
def test_frictionless_validates_the_package_from_a_live_server(live_server, settings):
    """What HDX does: give frictionless the descriptor's address and let it fetch every file itself."""
    settings.OPEN_DATA = True
    settings.OPEN_DATA_THROTTLE_RATE = "10000/minute"
    build(2)
    report_ = frictionless.validate(f"{live_server.url}/data/datapackage.json")
    assert report_.valid, report_.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    rows = {task.name: task.stats.get("rows") for task in report_.tasks}
    assert rows["crossings"] == 2
    assert rows["status-history"] == 6


# --- cost -----------------------------------------------------------------------------------------------------


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        body(response)  # a streamed file runs its queries as it is read
    return len(captured)


def test_queries_do_not_grow_with_the_data(client):
    build(1)
    small = {}
    for url in EVERY_URL:
        cache.clear()  # no cached answer, no throttle count carried over
        small[url] = queries(client, url)
    build(4)
    large = {}
    for url in EVERY_URL:
        cache.clear()
        large[url] = queries(client, url)
    assert large == small, "queries grew with the data"
    # The whole package asks each dataset's watermark and list widths: a fixed number, however much data.
    assert {url: n for url, n in small.items() if n > (24 if url == "/data/datapackage.json" else 16)} == {}


def test_files_are_public_for_caches_and_any_web_page(client):
    build(1)
    for url in FILES:
        response = client.get(url, HTTP_ORIGIN="https://tools.example.org")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert "public" in response["Cache-Control"] and "private" not in response["Cache-Control"]
        assert "Cookie" not in response.get("Vary", "")
