"""The API's per-address throttle knows callers by the sign-in lockout's rule (TRUSTED_PROXY_COUNT), so a forged
X-Forwarded-For buys no fresh bucket; and production with a per-process cache fails `manage.py check --deploy`."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.checks import run_checks
from django.test import Client, RequestFactory
from rest_framework.request import Request

from tracker.api.throttling import PartnerRateThrottle
from tracker.security import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_reads(settings):  # type: ignore[no-untyped-def]
    settings.API_ANONYMOUS_READ = True
    settings.API_THROTTLE_RATE = "3/minute"
    cache.clear()


def test_forged_forwarded_for_from_an_untrusted_peer_does_not_open_a_new_bucket(anonymous_reads, settings):
    settings.TRUSTED_PROXY_COUNT = 0  # nobody in front: REMOTE_ADDR is the caller
    caller = Client(REMOTE_ADDR="203.0.113.9")
    answers = [
        caller.get("/api/v1/crises/", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(5)
    ]
    assert answers == [200, 200, 200, 429, 429]


def test_behind_one_proxy_only_the_address_it_saw_counts(anonymous_reads, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    # The client prepends whatever it likes; our proxy appends the address it really saw (the last entry).
    answers = [
        proxy.get("/api/v1/crises/", headers={"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.9"}).status_code
        for n in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    other = proxy.get("/api/v1/crises/", headers={"X-Forwarded-For": "203.0.113.10"})
    assert other.status_code == 200, "another real client behind the same proxy has its own bucket"


@pytest.mark.parametrize("count", [0, 1, 2])
@pytest.mark.parametrize(
    "forwarded", ["", "198.51.100.1", "198.51.100.1, 203.0.113.9", "junk, 203.0.113.9, 10.0.0.3", "not-an-address"]
)
def test_throttle_and_sign_in_lockout_name_the_same_client(settings, count, forwarded):
    settings.TRUSTED_PROXY_COUNT = count
    django_request = RequestFactory().get("/api/v1/crises/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert PartnerRateThrottle().get_ident(Request(django_request)) == client_ip(django_request)


def test_drf_is_told_the_same_number_of_proxies():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


def _deploy_errors() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True) if m.id and m.id.startswith("tracker.")]


def test_deploy_check_refuses_a_per_process_cache_in_production(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert _deploy_errors() == ["tracker.E001"]


def test_deploy_check_accepts_a_shared_cache_or_debug(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "tracker.caching.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1"}}
    assert _deploy_errors() == []
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert _deploy_errors() == []


def test_the_full_stack_shares_one_cache():
    import yaml
    from django.conf import settings

    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    for service in ("web", "worker"):
        assert compose["services"][service]["environment"]["CACHE_URL"].startswith("redis://"), service
    readme = (settings.BASE_DIR / "README.md").read_text()
    assert "export CACHE_URL=redis://" in readme
    assert "\nCACHE_URL=redis://" in (settings.BASE_DIR / ".env.example").read_text()
