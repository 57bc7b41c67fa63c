"""Real answers of every endpoint, in every format each declares, successes and errors alike, checked against the
OpenAPI schema the server publishes by a strict validator: JSON Schema 2020-12 with OpenAPI 3.1's dialect and
formats checked (openapi-schema-validator's OAS31Validator), plus what a schema validator does not look at: the
status code and media type are declared for that operation, each required header is there, and every header we
send that a client may act on (ETag, RateLimit, Retry-After, Location, ...) is declared on that response.

The tests walk the schema's paths rather than a list of URLs: a new endpoint, format or header is checked as soon
as it exists, and one the server sends without declaring it fails here."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.factories import SourceFactory
from tracker import outbound, services
from tracker.api import services as api_services
from tracker.demo import load_demo
from tracker.models import Crossing, FlowCount

pytestmark = pytest.mark.django_db

SCHEMA_URI = "urn:tracker:api:v1"
# Headers a client may act on: each one a response carries must be declared on that response.
WATCHED_HEADERS = (
    "ETag",
    "Last-Modified",
    "RateLimit-Policy",
    "RateLimit",
    "Retry-After",
    "Location",
    "Deprecation",
    "Sunset",
    "Link",
    "Content-Disposition",
    "WWW-Authenticate",
)
JSON_TYPES = re.compile(r"^application/(?:[\w.-]+\+)?json$")
METHODS = ("get", "post", "put", "patch", "delete")


class Contract:
    """The published schema, and the checks of one real answer against one operation."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        resource = Resource.from_contents(schema, default_specification=DRAFT202012)
        self.registry: Registry = Registry().with_resource(SCHEMA_URI, resource)
        self.seen: set[tuple[str, str, str, str]] = set()  # (method, path, status, media type)

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for path, item in self.schema["paths"].items():
            for method, operation in item.items():
                if method in METHODS:
                    yield path, method, operation

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.registry.resolver(SCHEMA_URI).lookup(node["$ref"]).contents
        return node

    def validate(self, instance: Any, pointer: str) -> None:
        reference = {"$ref": f"{SCHEMA_URI}#{quote(pointer, safe='/~')}"}
        validator = OAS31Validator(reference, registry=self.registry, format_checker=oas31_format_checker)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            raise AssertionError(
                "\n".join(f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message[:300]}" for e in errors[:5])
            )

    def check(self, path: str, method: str, response: Any) -> Any:
        """The answer conforms to what the schema says of this operation; returns the parsed body."""
        label = f"{method.upper()} {path} -> {response.status_code}"
        operation = self.schema["paths"][path][method]
        code = str(response.status_code)
        assert code in operation["responses"], f"{label}: status not declared ({sorted(operation['responses'])})"
        declared = self.resolve(operation["responses"][code])
        body = b"".join(response.streaming_content) if response.streaming else response.content
        content = declared.get("content", {})
        media_type = response.get("Content-Type", "").split(";")[0].strip()
        data: Any = None
        if content:
            assert media_type in content, f"{label}: {media_type!r} not declared ({sorted(content)})"
            data = json.loads(body) if JSON_TYPES.match(media_type) else body.decode("utf-8")
            pointer = "/".join(
                ["", "paths", _escape(path), method, "responses", code, "content", _escape(media_type), "schema"]
            )
            if "schema" in content[media_type]:
                try:
                    self.validate(data, pointer)
                except AssertionError as exc:
                    raise AssertionError(f"{label} [{media_type}]: body breaks the schema:\n{exc}") from None
        else:
            assert body == b"", f"{label}: a body where the schema declares none"
        headers = {name.lower(): (name, self.resolve(header)) for name, header in declared.get("headers", {}).items()}
        for lowered, (name, header) in headers.items():
            if header.get("required"):
                assert name in response, f"{label}: required header {name} missing"
            if name in response:
                value: Any = response[name]
                if header.get("schema", {}).get("type") == "integer":
                    assert value.isdigit(), f"{label}: {name}: {value!r} is not a whole number"
                    value = int(value)
                self.validate(value, "/".join(["", "components", "headers", _escape(name), "schema"]))
                if lowered == "location":
                    assert response[name].startswith(("http://", "https://")), f"{label}: Location not absolute"
        for name in WATCHED_HEADERS:
            if name in response:
                assert name.lower() in headers, f"{label}: sends {name}: {response[name]!r}, not declared"
        self.seen.add((method, path, code, media_type if content else ""))
        return data


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _offline(host: str, port: int, *, url: str = "") -> list[str]:
    # Webhook URLs are not looked up in DNS: tests never reach outside the machine (a public documentation address).
    return ["93.184.215.14"]


@pytest.fixture
def world(settings, monkeypatch, editor):  # type: ignore[no-untyped-def]
    """The demo record, an editor's token (reads and writes), a partner's (reads only), one webhook, the schema."""
    settings.API_THROTTLE_RATE = ""
    monkeypatch.setattr(outbound, "resolve_checked", _offline)
    load_demo()
    if not FlowCount.objects.exists():  # every list needs a row to fill its detail path
        services.flow_count_record(
            crossing=Crossing.objects.get(slug="rafah"),
            day=date(2023, 10, 21),
            metric=FlowCount.Metric.AID_TRUCKS,
            value=20,
            source=SourceFactory(),
            recorded_by=None,
        )
    cache.clear()
    created = api_services.token_create(partner="Schema check", created_by=None, user=editor)
    partner_key = api_services.token_create(partner="Read only", created_by=None).key
    client = Client(headers={"Authorization": f"Bearer {created.key}"})
    api_services.webhook_register(token=created.token, url="https://partner.example.org/hook")
    schema = Client().get("/api/v1/schema/?format=json").json()
    return {
        "client": client,
        "partner": Client(headers={"Authorization": f"Bearer {partner_key}"}),
        "anonymous": Client(),
        "contract": Contract(schema),
    }


def concrete(client: Client, path: str) -> str:
    """The path with each parameter replaced by a value that exists, read from the list the path before it names
    (``/crossings/{slug}/history/{uid}/``: a crossing from ``/crossings/`` that has rows, then one of them)."""
    match = re.search(r"\{(\w+)\}", path)
    if match is None:
        return path
    head = path[: match.start()]
    listing = client.get(head, {"page_size": 100})
    assert listing.status_code == 200, (head, listing.status_code, listing.content[:500])
    for row in listing.json()["results"]:
        filled = path[: match.start()] + quote(str(row[match.group(1)]), safe="") + path[match.end() :]
        try:
            return concrete(client, filled)
        except LookupError:
            continue
    raise LookupError(f"no rows at {head} to fill {path}")


def bogus(path: str) -> str:
    """The path with each parameter replaced by a well-formed value that names nothing."""
    return re.sub(r"\{uid\}", str(uuid.UUID(int=0)), re.sub(r"\{slug\}", "no-such-thing", path))


def declared_media_types(contract: Contract, operation: dict[str, Any]) -> list[str]:
    ok = contract.resolve(operation["responses"].get("200", {}))
    return list(ok.get("content", {}))


def test_every_read_in_every_declared_format_conforms_and_answers_304_to_its_etag(world):
    client, contract = world["client"], world["contract"]
    failures = []
    reads = [(p, o) for p, m, o in contract.operations() if m == "get"]
    assert len(reads) >= 15
    for path, operation in reads:
        url = concrete(client, path)
        media_types = declared_media_types(contract, operation)
        assert media_types, f"GET {path}: no format declared"
        for media_type in media_types:
            try:
                response = client.get(url, headers={"Accept": media_type})
                assert response.status_code == 200, (url, media_type, response.status_code, response.content[:300])
                assert response["Content-Type"].split(";")[0] == media_type, (url, response["Content-Type"])
                contract.check(path, "get", response)
                etag = response.get("ETag")
                if etag:
                    again = client.get(url, headers={"Accept": media_type, "If-None-Match": etag})
                    assert again.status_code == 304, (url, media_type, "If-None-Match", again.status_code)
                    contract.check(path, "get", again)
            except AssertionError as exc:
                failures.append(f"GET {url} [{media_type}]: {exc}")
    assert not failures, "\n\n".join(failures)
    formats = {media for (_, _, code, media) in contract.seen if code == "200"}
    assert {"application/json", "text/csv", "application/geo+json"} <= formats


def test_every_error_a_read_can_give_conforms(world, settings):
    """400 (an unknown parameter), 401 (no token), 404 (a slug or id that names nothing), 406 (a format nobody
    offers), 429 (over the rate): each real answer is declared, in JSON, with its headers."""
    client, contract = world["client"], world["contract"]
    failures = []
    cases = []
    for path, method, operation in contract.operations():
        if method != "get":
            continue
        url = concrete(client, path)
        cases.append((path, url, {"unknown_parameter": "1"}, {}, world["client"], 400))
        public = {} in operation.get("security", [{}])
        cases.append((path, url, {}, {}, world["anonymous"], 200 if public else 401))
        if not re.search(r"\.\w+$", path):  # a file name names its format: Accept is not asked there
            cases.append((path, url, {}, {"Accept": "application/xml"}, world["client"], 406))
        if "{" in path:
            cases.append((path, bogus(path), {}, {}, world["client"], 404))
    for path, url, params, headers, caller, expected in cases:
        try:
            response = caller.get(url, params, headers=headers)
            assert response.status_code == expected, (url, params, headers, response.status_code)
            contract.check(path, "get", response)
        except AssertionError as exc:
            failures.append(f"GET {url} {params} {headers}: {exc}")
    settings.API_THROTTLE_RATE = "1/minute"
    for path, method, _operation in contract.operations():
        if method != "get":
            continue
        cache.clear()
        url = concrete(client, path) if "{" not in path else None
        try:
            if url is None:
                settings.API_THROTTLE_RATE = ""
                url = concrete(client, path)
                settings.API_THROTTLE_RATE = "1/minute"
                cache.clear()
            first = client.get(url)
            contract.check(path, "get", first)
            second = client.get(url)
            assert second.status_code == 429, (url, second.status_code)
            contract.check(path, "get", second)
        except AssertionError as exc:
            failures.append(f"GET {url} (over the rate): {exc}")
    assert not failures, "\n\n".join(failures)
    codes = {code for (_, _, code, _) in contract.seen}
    assert {"400", "401", "404", "406", "429"} <= codes


def _request_example(contract: Contract, operation: dict[str, Any]) -> Any:
    body = operation.get("requestBody")
    if not body:
        return None
    media = contract.resolve(body)["content"]["application/json"]
    if "examples" in media:
        return next(iter(media["examples"].values()))["value"]
    return media.get("example")


def test_every_write_conforms_success_and_refusal(world):
    """Each write with its documented example (201 with Location, 200, 204), with a body that is wrong (400) and
    as a read-only partner (403); the webhook is removed last."""
    client, contract = world["client"], world["contract"]
    failures = []
    writes = sorted(((p, m, o) for p, m, o in contract.operations() if m != "get"), key=lambda w: w[1] == "delete")
    assert writes
    for path, method, operation in writes:
        url = concrete(client, path)
        example = _request_example(contract, operation)
        call = getattr(client, method)
        try:
            response = call(url, example, content_type="application/json") if example else call(url)
            assert response.status_code < 300, (url, response.status_code, response.content[:300])
            contract.check(path, method, response)
            if response.status_code == 201:
                assert "Location" in response
            if operation.get("requestBody"):
                wrong = call(url, {"no_such_field": True, "url": 12, "status": "shut"}, content_type="application/json")
                assert wrong.status_code == 400, (url, wrong.status_code)
                contract.check(path, method, wrong)
            refused = getattr(world["anonymous"], method)(url)
            assert refused.status_code == 401, (url, refused.status_code)
            contract.check(path, method, refused)
            # A read-only token: refused (403) where only editors write, a 400 or 404 where its own webhooks are
            # asked for; whichever, declared.
            partner = getattr(world["partner"], method)(url)
            assert 400 <= partner.status_code < 500, (url, partner.status_code)
            contract.check(path, method, partner)
        except AssertionError as exc:
            failures.append(f"{method.upper()} {url}: {exc}")
    assert not failures, "\n\n".join(failures)
