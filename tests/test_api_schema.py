"""The OpenAPI schema is valid, documents every endpoint and parameter with examples, the docs are served from our
own static files, and schemathesis finds no 5xx and no response that breaks the schema."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, close_old_connections, connection
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tracker import outbound
from tracker.api import services as api_services
from tracker.demo import load_demo

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/",
    "/api/v1/crises/",
    "/api/v1/crises/{slug}/",
    "/api/v1/actors/",
    "/api/v1/actors/{slug}/",
    "/api/v1/crossings/",
    "/api/v1/crossings/{slug}/",
    "/api/v1/crossings/{slug}/history/",
    "/api/v1/crossings/{slug}/history/{uid}/",
    "/api/v1/aid-disputes/",
    "/api/v1/aid-disputes/{slug}/",
    "/api/v1/evacuation-agreements/",
    "/api/v1/evacuation-agreements/{slug}/",
    "/api/v1/timeline/",
    "/api/v1/timeline/{uid}/",
    "/api/v1/flows/",
    "/api/v1/flows/{uid}/",
    "/api/v1/reports/",
    "/api/v1/reports/{uid}/",
    "/api/v1/changes/",
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{uid}/",
    "/api/v1/webhooks/{uid}/resume/",
    # Exports under a file name: one operation per format, for generated clients and URL-only tools.
    "/api/v1/crises.csv",
    "/api/v1/actors.csv",
    "/api/v1/crossings.csv",
    "/api/v1/crossings.geojson",
    "/api/v1/crossings/{slug}.geojson",
    "/api/v1/crossings/{slug}/history.csv",
    "/api/v1/aid-disputes.csv",
    "/api/v1/evacuation-agreements.csv",
    "/api/v1/timeline.csv",
    "/api/v1/flows.csv",
    "/api/v1/reports.csv",
    "/api/v1/changes.csv",
]


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3_1(schema):
    assert schema["openapi"] == "3.1.0"
    validate(schema)


def test_no_openapi_3_0_nullable_is_left(schema):
    """3.0's ``nullable`` beside ``allOf`` and no ``type`` is read as not nullable by strict validators (issue 15:
    18,999 failures); 3.1 says null in ``type`` or with ``oneOf``."""

    def walk(node, where):
        if isinstance(node, dict):
            assert "nullable" not in node, where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(schema, "")


def test_every_format_header_and_conditional_response_is_declared(schema):
    """Each GET declares If-None-Match and If-Modified-Since, 304, 406 and 429 (with Retry-After), and its 200 the
    validators and rate-limit headers; CSV and GeoJSON appear under their media types; a 201 names Location."""
    media_types = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            responses = operation["responses"]
            assert "Retry-After" in responses["429"]["headers"], label
            if method == "get":
                names = {p["name"] for p in operation["parameters"] if "name" in p}
                assert {"If-None-Match", "If-Modified-Since"} <= names, label
                assert {"200", "304", "406", "429"} <= set(responses), label
                assert {"ETag", "Last-Modified", "RateLimit", "RateLimit-Policy"} <= set(responses["200"]["headers"])
                media_types |= set(responses["200"]["content"])
            if "201" in responses:
                location = responses["201"]["headers"]["Location"]
                if "$ref" in location:
                    location = schema["components"]["headers"][location["$ref"].rsplit("/", 1)[1]]
                assert location["required"], label
    assert {"application/json", "text/csv", "application/geo+json"} <= media_types


def test_schema_covers_every_endpoint(schema):
    assert sorted(schema["paths"]) == sorted(ENDPOINTS)


def test_every_operation_and_parameter_is_described_with_an_example(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("description"), label
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (label, parameter["name"])
                assert "example" in parameter or "examples" in parameter, (label, parameter["name"])
            for code, response in operation["responses"].items():
                assert response.get("description"), (label, code)
            assert {"400", "401", "404", "429"} <= set(operation["responses"]), label


def test_docs_page_is_served_from_our_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html) + re.findall(r"""["'](/static/[^"']+)["']""", html)
    assert assets, html
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], "no CDN"
    assert "cdn." not in html
    static = [a for a in assets if a.startswith("/static/")]
    assert any("swagger-ui" in a for a in static)
    for asset in static:
        assert finders.find(asset.removeprefix("/static/")), asset


# --- schemathesis -------------------------------------------------------------------------------------------------

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app(settings, monkeypatch):
    """The real WSGI application, in this process and this test's transaction (as Django's test client does, the
    per-request connection recycling is switched off, or it would close the test's connection)."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_THROTTLE_RATE = ""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def offline(host, port, *, url=""):
        # Webhook URLs the fuzzer invents are not looked up in DNS: tests never reach outside the machine.
        if re.fullmatch(r"[0-9.]+|\[?[0-9a-fA-F:]+\]?", host):
            return [host.strip("[]")]
        raise outbound.ConnectionFailed(f"no DNS in tests for {host!r}")

    monkeypatch.setattr(outbound, "resolve_checked", offline)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_schema_violation(wsgi_app, editor):
    """Every operation, positive and negative data, a bounded number of examples each, against the demo data and
    with a token that may also write (so the write path is exercised too)."""
    load_demo()
    key = api_services.token_create(partner="Fuzzer", created_by=None, user=editor).key
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    headers = {"Authorization": f"Bearer {key}"}
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every operation is walked: the resources' (root and one status row of a history included) and the 12 exports
    # under a file name. A change in this number is an operation added or lost: say which here.
    assert len(operations) == 38
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=12,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case) -> None:
                try:
                    case.call_and_validate(headers=headers, checks=CHECKS)
                finally:
                    # A database error swallowed mid-stream (a CSV export) would poison every later request of this
                    # in-process run; name the request that caused it instead.
                    try:
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT 1")
                    except DatabaseError as exc:
                        raise AssertionError(f"database error after {case.as_curl_command(headers)}") from exc

            try:
                run()
            except Unsatisfiable:
                # Nothing invalid can be sent (the root takes no parameter, and any header value is a string).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as exc:  # collect, so one run reports every operation that fails
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
