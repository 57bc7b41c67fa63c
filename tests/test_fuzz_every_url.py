"""Hostile input at every URL the resolver serves (pages, admin, API, accounts, health, docs), as anonymous, analyst,
editor and partner: NUL and other controls, lone surrogates, overlong and broken UTF-8 percent-encoded, huge numbers,
very long strings, in path parameters, query parameters and bodies (JSON nested 10,000 deep among them). Nothing may
answer 5xx. Bounded: 100 examples per caller and one sweep of every pattern; the file runs in about half a minute."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.demo import load_demo

pytestmark = pytest.mark.django_db

# Parameters as they appear in route() and re_path() patterns.
_ROUTE_PARAM = re.compile(r"<(?:\w+:)?\w+>")
_REGEX_PARAM = re.compile(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)")
# Addresses whose POST would end the caller's session or change an account: left out so every example runs as
# the caller it names.
_SKIP = ("logout", "password")


def _templates(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _templates(pattern.url_patterns, prefix + _template(str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            yield prefix + _template(str(pattern.pattern))


def _template(pattern: str) -> str:
    """A pattern as a path with "{}" for each parameter (regex patterns reduced to their literal form)."""
    text = _REGEX_PARAM.sub("{}", pattern)
    text = _ROUTE_PARAM.sub("{}", text)
    text = text.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    if text == r"[\s\S]*":  # the API's catch-all
        return "{}"
    return text


def url_templates() -> list[str]:
    found = {"/" + template for template in _templates(get_resolver().url_patterns)}
    usable = {t for t in found if not re.search(r"[\\^$*+?()\[\]|]", t) and not any(s in t for s in _SKIP)}
    return sorted(usable)


HOSTILE_SEGMENTS = [
    "%00",
    "a%00b",
    "%01",
    "%7F",
    "%ED%A0%80",  # a lone surrogate, as UTF-8 would spell it
    "%C0%AE%C0%AE",  # overlong "..": not UTF-8
    "%C0%80",  # overlong NUL
    "%FF%FE",
    "%E2%80%AE",  # right-to-left override: text, but odd
    "9" * 400,
    "-1",
    "0",
    "1e309",
    "a" * 10_000,
    "..%2F..%2Fetc%2Fpasswd",
    "%0D%0ASet-Cookie:%20x",
    "rafah",
    "1",
]
QUERY_NAMES = [
    "q", "format", "page", "cursor", "as_of", "since", "until", "status", "traffic", "crossing", "crisis", "term",
    "app_label", "model_name", "field_name", "o", "p", "e", "all", "published_at__year", "published_at__month",
    "effective_at__year", "day__year", "limit", "page_size", "ordering", "next", "%00", "%ED%A0%80",
]  # fmt: skip
HOSTILE_VALUES = [
    *HOSTILE_SEGMENTS,
    "csv",
    "geojson",
    "9999",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "NaN",
    "Infinity",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00%2B23:59",
    "%09%0A",
]
JSON_BODIES = [
    "[" * 10_000 + "]" * 10_000,
    '{"a":' * 10_000 + "1" + "}" * 10_000,
    '{"url": "https://example.org/\\u0000"}',
    '{"url": "\\ud800"}',
    '{"status": "open", "effective_at": "9999-12-31T23:59:59-05:00", "traffic": "all", "note": "x"}',
    '{"value": 1e999999}',
    '{"value": ' + "9" * 5000 + "}",
    '{"note": "' + "a" * 100_000 + '"}',
    "\x00",
    "not json",
]


@st.composite
def hostile_request(draw: st.DrawFn, templates: list[str]) -> tuple[str, str, str, str]:
    template = draw(st.sampled_from(templates))
    path = template.format(*(draw(st.sampled_from(HOSTILE_SEGMENTS)) for _ in range(template.count("{}"))))
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(QUERY_NAMES), st.sampled_from(HOSTILE_VALUES)), min_size=0, max_size=3)
    )
    query = "&".join(f"{name}={value}" for name, value in pairs)
    method = draw(st.sampled_from(["GET", "GET", "POST", "POST-form"]))
    body = draw(st.sampled_from(JSON_BODIES)) if method == "POST" else ""
    if method == "POST-form":
        body = "&".join(f"{name}={value}" for name, value in pairs) or "name=%00"
    return method, path, query, body


def fire(client: Client, method: str, path: str, query: str, body: str) -> Any:
    url = f"{path}?{query}" if query else path
    if method == "GET":
        return client.get(url)
    content_type = "application/json" if method == "POST" else "application/x-www-form-urlencoded"
    return client.post(url, data=body, content_type=content_type)


@pytest.fixture
def templates(db) -> list[str]:  # type: ignore[no-untyped-def]
    load_demo()
    found = url_templates()
    assert len(found) > 50, found  # the walk reaches the admin, pages and API
    assert {"/api/v1/crossings/{}/", "/api/v1/reports/{}/", "/admin/tracker/report/{}/change/"} <= set(found)
    return found


def _caller(kind: str, request: pytest.FixtureRequest) -> Client:
    if kind == "partner":
        return request.getfixturevalue("partner_client")
    client = Client()
    if kind != "anonymous":
        client.force_login(request.getfixturevalue(kind))
    return client


@pytest.mark.parametrize("caller", ["anonymous", "analyst", "editor", "partner"])
def test_no_hostile_request_at_any_url_answers_5xx(templates, caller, request):
    client = _caller(caller, request)
    client.raise_request_exception = False
    failures: list[str] = []

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(hostile_request(templates))
    def run(case: tuple[str, str, str, str]) -> None:
        cache.clear()  # throttle buckets: a partner may be throttled (429), which is not what is tested here
        method, path, query, body = case
        response = fire(client, method, path, query, body)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {method} {path[:120]}?{query[:200]} body={body[:60]!r}")

    run()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("caller", ["anonymous", "analyst", "editor", "partner"])
def test_every_url_with_nul_and_a_lone_surrogate_answers_4xx_or_better(templates, caller, request):
    """Beside the sample above, a sweep: each pattern once per caller, NUL in every parameter, a lone surrogate and
    a year no calendar has in the query."""
    client = _caller(caller, request)
    client.raise_request_exception = False
    failures = []
    for template in templates:
        cache.clear()
        path = template.format(*(["a%00"] * template.count("{}")))
        response = client.get(f"{path}?q=%ED%A0%80&published_at__year=9999&format=csv")
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {path}")
    assert not failures, failures
