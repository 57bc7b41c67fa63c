"""CORS: a browser tool on an origin named in CORS_ALLOWED_ORIGINS may read the API and its schema (GET, HEAD and
their preflight); other origins, writes and the site's pages get no CORS header; with the setting empty (the
default) no origin does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.factories import CrossingFactory

pytestmark = pytest.mark.django_db

TOOL = "https://tools.example.org"


@pytest.fixture
def allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [TOOL]
    CrossingFactory(name="Rafah")


@pytest.mark.parametrize("path", ["/api/v1/crossings/", "/api/v1/crossings/?format=csv", "/api/v1/crossings/rafah/"])
def test_an_allowed_origin_may_read_and_see_the_headers_a_client_needs(partner_client, allowed, path):
    response = partner_client.get(path, HTTP_ORIGIN=TOOL)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == TOOL
    assert "Access-Control-Allow-Credentials" not in response
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified", "link", "location", "ratelimit", "ratelimit-policy", "retry-after"} <= exposed
    assert "origin" in response["Vary"].lower()


def test_the_schema_is_readable_cross_origin_without_a_token(client, allowed):
    response = client.get("/api/v1/schema/", HTTP_ORIGIN=TOOL)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == TOOL


def test_head_is_open_too(partner_client, allowed):
    response = partner_client.head("/api/v1/crossings/", HTTP_ORIGIN=TOOL)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == TOOL


def test_the_preflight_offers_reading_with_a_token_and_nothing_else(client, allowed):
    response = client.options(
        "/api/v1/crossings/",
        HTTP_ORIGIN=TOOL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-none-match",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == TOOL
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    allowed_headers = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "if-none-match", "if-modified-since", "accept"} <= allowed_headers


def test_a_post_preflight_is_not_offered_post(client, allowed):
    response = client.options(
        "/api/v1/crossings/rafah/history/",
        HTTP_ORIGIN=TOOL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert "POST" not in response.get("Access-Control-Allow-Methods", "")


def test_a_write_gets_no_cors_header_even_from_an_allowed_origin(editor_client, allowed):
    response = editor_client.post(
        "/api/v1/crossings/rafah/history/",
        data=json.dumps({"status": "closed"}),
        content_type="application/json",
        HTTP_ORIGIN=TOOL,
    )
    assert response.status_code in {400, 403}
    assert "Access-Control-Allow-Origin" not in response


def test_another_origin_gets_no_cors_header(partner_client, allowed):
    response = partner_client.get("/api/v1/crossings/", HTTP_ORIGIN="https://evil.example.com")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    preflight = partner_client.options(
        "/api/v1/crossings/", HTTP_ORIGIN="https://evil.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in preflight


def test_the_sites_pages_are_not_opened(analyst_client, allowed):
    response = analyst_client.get("/", HTTP_ORIGIN=TOOL)
    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_by_default(partner_client, settings):
    settings.CORS_ALLOWED_ORIGINS = []  # what the environment gives when it names none (next test)
    response = partner_client.get("/api/v1/crossings/", HTTP_ORIGIN=TOOL)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_the_setting_reads_a_comma_separated_list_from_the_environment():
    code = "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGINS)"
    env = {
        **os.environ,
        "CORS_ALLOWED_ORIGINS": " https://a.example.org, https://b.example.org:8443 ,",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == "['https://a.example.org', 'https://b.example.org:8443']"
    env.pop("CORS_ALLOWED_ORIGINS")
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == "[]"
