"""Several processes, one set of counts: gunicorn with two workers and the README's full-stack settings (DEBUG off,
CACHE_URL at a Redis they share) lets a token have its rate once, not once per worker; and a forged
X-Forwarded-For from a peer that is not a trusted proxy does not give an anonymous reader a fresh bucket.

Its own Redis (a free port, tests/faults.py) and its own database on the shared PostgreSQL, dropped at the end."""

from __future__ import annotations

import http.client
import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.faults import Gunicorn, OwnRedis, manage, production_env

pytestmark = pytest.mark.slow

RATE = 5  # per minute: every request of the test falls within one minute


@pytest.fixture
def database():  # type: ignore[no-untyped-def]
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker"))
    name = f"{base.path.lstrip('/') or 'tracker'}_throttle_{os.getpid()}"
    admin_url = urlunsplit(base._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(base._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def shared_cache(tmp_path):  # type: ignore[no-untyped-def]
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    """One request on a fresh connection, so that either worker may take it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _burst(port: int, headers: list[dict[str, str]]) -> list[int]:
    """All at once, each on its own connection: while one worker answers, the other accepts."""
    with ThreadPoolExecutor(max_workers=len(headers)) as pool:
        return list(pool.map(lambda h: _get(port, "/api/v1/crises/", h), headers))


def _workers_that_answered(log: str, path: str) -> set[str]:
    return {line.split()[0] for line in log.splitlines() if line.split()[1:2] == [path]}


def test_two_workers_share_one_count_and_a_forged_forwarded_for_changes_nothing(database, shared_cache, tmp_path):
    env = production_env(
        DATABASE_URL=database,
        CACHE_URL=shared_cache.url(1),
        API_THROTTLE_RATE=f"{RATE}/minute",
        API_ANONYMOUS_READ="1",
        TRUSTED_PROXY_COUNT="0",  # nobody in front: whoever connects is the client
        STATIC_ROOT=str(tmp_path / "static"),
        # The access log names the worker (its pid) that answered each request.
        GUNICORN_CMD_ARGS=f"--access-logfile {tmp_path / 'access.log'} --access-logformat '%(p)s %(U)s %(s)s'",
    )
    manage(env, "migrate", "--noinput")
    assert "tracker.E001" not in manage(env, "check", "--deploy", "--fail-level", "CRITICAL")
    token = manage(env, "create_api_token", "--partner", "Throttle test").strip().splitlines()[-1]
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2, threads=1)
    try:
        assert len(server.worker_pids()) == 2
        workers = {f"<{pid}>" for pid in server.worker_pids()}
        by_token = _burst(server.port, [{"Authorization": f"Bearer {token}"}] * (RATE * 3))
        anonymous = _burst(server.port, [{"X-Forwarded-For": f"198.51.100.{n}"} for n in range(RATE * 3)])
    finally:
        server.stop()
    answered_by = _workers_that_answered((tmp_path / "access.log").read_text(), "/api/v1/crises/")
    assert answered_by == workers, "both workers answered (else this shows nothing about sharing)"

    assert by_token.count(200) == RATE and by_token.count(429) == RATE * 2, by_token
    assert anonymous.count(200) == RATE and anonymous.count(429) == RATE * 2, anonymous
