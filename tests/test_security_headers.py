"""Production hardening, checked on real responses: HSTS, CSP without inline script or style, no sniffing, no
framing, a strict referrer policy, secure HttpOnly SameSite cookies, sessions that expire, strong passwords, API
keys compared in constant time, and no secret in the repository."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tracker.api import services as api_services

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-for-tests-only"


def csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/docs/", "/api/v1/crises/", "/healthz"])
def test_every_kind_of_response_carries_the_security_headers(client, path):
    response = client.get(path, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = csp(response)
    assert policy["script-src"] == ["'self'"], "no inline script, no eval, no other host"
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["default-src"] == ["'self'"]


def test_plain_http_is_redirected_to_https_in_production(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200, "load balancers probe health over plain HTTP"


def test_session_and_csrf_cookies_are_secure_httponly_and_same_site(client, analyst):
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/accounts/login/", {"username": analyst.username, "password": PASSWORD}, secure=True, REMOTE_ADDR="10.9.0.1"
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert not session["max-age"] and not session["expires"], "a browser session cookie: gone when the browser closes"


def test_a_signed_in_session_expires_after_the_session_age(client, editor):
    assert django_settings.SESSION_COOKIE_AGE <= 8 * 3600 and django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=django_settings.SESSION_COOKIE_AGE + 60)):
        response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "password",
    ["short1!", "password1234", "12345678901234", "convoy-planner-1"],
    ids=["too short", "common", "numeric", "like the username"],
)
def test_weak_passwords_are_refused(django_user_model, password):
    user = django_user_model(username="convoy-planner")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_the_admin_refuses_to_set_a_weak_password(client, superuser, django_user_model):
    client.force_login(superuser)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "weakling", "usable_password": "true", "password1": "password1234", "password2": "password1234"},
    )
    assert response.status_code == 200 and "This password is too common" in response.content.decode()
    assert not django_user_model.objects.filter(username="weakling").exists()


def test_api_keys_are_compared_in_constant_time_even_when_no_token_matches(partner_token, monkeypatch):
    import hmac

    compared: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_services.hmac, "compare_digest", spy)
    good = partner_token.key
    wrong_secret = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    unknown_prefix = "trk_ZZZZZZZZ_" + good.split("_", 2)[2]
    for key in (good, wrong_secret, unknown_prefix):
        Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/crises/")
    assert len(compared) == 3, "one constant-time comparison per request, found token or not"
    assert all(len(a) == len(b) == 64 for a, b in compared), "hashes of equal length, never the raw keys"
    assert partner_token.key not in str(compared)


def test_no_secret_is_kept_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert ".env" not in tracked, "the environment file is never committed"
    patterns = {
        "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        "API token": re.compile(r"trk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}"),
        "webhook secret": re.compile(r"whsec_[A-Za-z0-9_-]{43}"),
        "AWS key": re.compile(r"AKIA[0-9A-Z]{16}"),
        "Django secret key": re.compile(r"""SECRET_KEY\s*=\s*["'][^"']{20,}["']"""),
    }
    found = []
    for name in tracked:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {what}" for what, pattern in patterns.items() if pattern.search(text)]
    assert found == []


def test_secrets_and_deployment_settings_come_from_the_environment():
    source = (ROOT / "tracker" / "settings.py").read_text()
    assert 'env_str("SECRET_KEY")' in source
    assert not re.search(r"^SECRET_KEY\s*=\s*[\"']", source, re.MULTILINE)
    example = (ROOT / ".env.example").read_text()
    assert "SECRET_KEY=change-me" in example, ".env.example holds a placeholder, not a key"
    assert not django_settings.DEBUG, "the suite runs with production settings"
