"""Sign-in attempts are counted on both sign-in pages (the site's and the admin's): after LOGIN_FAILURE_LIMIT failures
for one username, or from one address, sign-in is refused for LOGIN_LOCKOUT_MINUTES, even with the right password."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client, RequestFactory
from django.utils import timezone

from tracker.security import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
SITE, ADMIN = "/accounts/login/", "/admin/login/"


def sign_in(client: Client, page: str, username: str, password: str, address: str = "198.51.100.7"):  # type: ignore[no-untyped-def]
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def fail(times: int, page: str, username: str = "alice", address: str = "198.51.100.7") -> None:
    for _ in range(times):
        response = sign_in(Client(), page, username, "wrong password", address)
        assert response.status_code == 200, "a failure below the limit shows the form again"


@pytest.mark.parametrize("page", [SITE, ADMIN])
def test_the_right_password_is_refused_after_repeated_failures(client, editor, page):
    limit = django_settings.AXES_FAILURE_LIMIT
    assert limit == 5
    fail(limit - 1, page)
    response = sign_in(client, page, "alice", "wrong password")
    assert response.status_code == 429, "the failure that reaches the limit is answered with the lockout"
    response = sign_in(client, page, "alice", PASSWORD)
    assert response.status_code == 429
    page_text = response.content.decode()
    assert "Too many failed sign-ins" in page_text and "Traceback" not in page_text
    assert not signed_in(client)


def test_failures_on_one_sign_in_page_count_on_the_other(client, editor):
    fail(3, SITE)
    fail(1, ADMIN)
    assert sign_in(Client(), ADMIN, "alice", "wrong again").status_code == 429
    assert sign_in(client, SITE, "alice", PASSWORD).status_code == 429
    assert not signed_in(client)


def test_the_lockout_lifts_after_the_cool_off(client, editor):
    fail(4, SITE)
    assert sign_in(Client(), SITE, "alice", "wrong").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = sign_in(client, SITE, "alice", PASSWORD)
        assert response.status_code == 302
        assert signed_in(client)


def test_one_username_is_locked_whatever_the_address_guessing_comes_from(client, editor):
    for n in range(5):
        sign_in(Client(), SITE, "alice", f"guess {n}", address=f"203.0.113.{n + 1}")
    assert sign_in(client, SITE, "alice", PASSWORD, address="192.0.2.200").status_code == 429


def test_one_address_is_locked_whatever_usernames_it_tries(client, editor, analyst):
    for name in ["root", "admin", "editor", "alice", "bob"]:
        sign_in(Client(), SITE, name, "guess", address="203.0.113.66")
    assert sign_in(client, SITE, "charlie", PASSWORD, address="203.0.113.66").status_code == 429
    other = Client()
    assert sign_in(other, SITE, "charlie", PASSWORD, address="192.0.2.10").status_code == 302, "others sign in"


def test_a_successful_sign_in_starts_the_count_again(editor):
    fail(4, SITE)
    assert sign_in(Client(), SITE, "alice", PASSWORD).status_code == 302
    fail(4, SITE)
    assert sign_in(Client(), SITE, "alice", PASSWORD).status_code == 302


def test_attempts_are_recorded_without_the_password(editor):
    fail(2, ADMIN, address="198.51.100.99")
    attempt = AccessAttempt.objects.get(username="alice")
    assert attempt.ip_address == "198.51.100.99" and attempt.failures_since_start == 2
    assert "wrong password" not in attempt.post_data


def test_behind_a_proxy_the_address_is_the_one_our_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()
    # The client sent its own X-Forwarded-For ("1.1.1.1"); our proxy appended the address it really came from.
    request = factory.post(SITE, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.5"
    assert client_ip(factory.post(SITE, REMOTE_ADDR="10.0.0.2")) == "10.0.0.2", "no header: the peer"
    assert client_ip(factory.post(SITE, HTTP_X_FORWARDED_FOR="not an address", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2", "without a proxy the header is the client's own word: ignored"


def test_spoofed_forwarded_addresses_do_not_dodge_the_address_lockout(settings, client, analyst):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        Client().post(
            SITE,
            {"username": f"user{n}", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"10.1.1.{n}, 203.0.113.77",
            REMOTE_ADDR="10.0.0.2",
        )
    response = client.post(
        SITE,
        {"username": "charlie", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.77",
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 429
    other = Client().post(
        SITE, {"username": "charlie", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.78", REMOTE_ADDR="10.0.0.2"
    )
    assert other.status_code == 302, "another client behind the same proxy is not locked out"
