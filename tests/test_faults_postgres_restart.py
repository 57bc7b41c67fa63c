"""PostgreSQL dies and comes back while gunicorn serves a steady load: during the outage every request that needs the
database fails fast with 503 (JSON on the API, a short page elsewhere, Retry-After, no trace); /healthz stays up and
/readyz names the database; once PostgreSQL is back the same gunicorn processes serve again by themselves
(persistent connections are health-checked before use), with no restart.

Runs its own PostgreSQL cluster (initdb into a temporary directory, a free port): the shared one is never touched.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass

import pytest

from tests.faults import Gunicorn, OwnPostgres, manage, production_env, wait_until

pytestmark = pytest.mark.slow

# Every path needs the database except /healthz; pages are opened to anonymous readers so no session is needed.
PATHS = ["/api/v1/crossings/", "/api/v1/changes/", "/", "/crossings/rafah/", "/readyz", "/healthz"]
CONNECT_TIMEOUT = 2  # DB_CONNECT_TIMEOUT given to gunicorn: how long a request may wait for PostgreSQL


@dataclass
class Answer:
    at: float  # monotonic time the request started
    took: float
    path: str
    status: int
    content_type: str
    retry_after: str
    body: str


class Load:
    """Clients that keep asking, each request on a fresh connection, and keep every answer."""

    def __init__(self, base_port: int, token: str, clients: int = 8) -> None:
        self.port, self.token = base_port, token
        self.answers: list[Answer] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)]

    def _run(self, n: int) -> None:
        i = n
        while not self._stop.is_set():
            path = PATHS[i % len(PATHS)]
            i += 1
            started = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
                conn.request("GET", path, headers={"Authorization": f"Bearer {self.token}", "Host": "127.0.0.1"})
                response = conn.getresponse()
                body = response.read()
                conn.close()
            except Exception as exc:  # a hang (time-out) or a dropped connection is a failure of the test
                self.failures.append(f"{path}: {type(exc).__name__}: {exc} after {time.monotonic() - started:.1f} s")
                continue
            self.answers.append(
                Answer(
                    started,
                    time.monotonic() - started,
                    path,
                    response.status,
                    response.getheader("Content-Type", ""),
                    response.getheader("Retry-After", ""),
                    body.decode(errors="replace")[:2000],
                )
            )
            time.sleep(0.02)

    def start(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if start <= a.at and a.at + a.took <= end]


@pytest.fixture
def cluster():  # type: ignore[no-untyped-def]
    pg = OwnPostgres().init().start()
    yield pg
    pg.remove()


def test_postgres_restart_under_load_gives_fast_503s_then_recovers_without_a_restart(cluster, tmp_path):
    env = production_env(
        DATABASE_URL=cluster.create_database(),
        DB_CONN_MAX_AGE="60",  # persistent connections: each must be noticed broken and replaced after the restart
        DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        PAGES_OPEN_TO_ANONYMOUS="1",
        API_THROTTLE_RATE="1000000/minute",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    manage(env, "collectstatic", "--noinput")
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    token = manage(env, "create_api_token", "--partner", "Load test").strip().splitlines()[-1]
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    try:
        processes_before = (server.process.pid, server.worker_pids())
        load = Load(server.port, token).start()
        time.sleep(3)
        up_until = time.monotonic()

        cluster.stop("immediate")  # as if the database host crashed
        down_from = time.monotonic()
        time.sleep(6)
        back_from = time.monotonic()
        cluster.start()
        back_at = time.monotonic()

        # Recovery by itself: a DB-backed answer of 200 for every path, from the same processes.
        def recovered() -> bool:
            recent = [a for a in load.answers if a.at > back_at]
            return {a.path for a in recent if a.status == 200} >= set(PATHS)

        try:
            wait_until(recovered, timeout=30, what="every path to answer 200 again")
        except AssertionError:
            recent = [a for a in load.answers if a.at > back_at]
            seen = sorted({(a.path, a.status, a.body[:150]) for a in recent})
            raise AssertionError(f"not recovered; answers since the restart: {seen}") from None
        settled = time.monotonic()
        time.sleep(3)
        load.stop()
        processes_after = (server.process.pid, server.worker_pids())
    finally:
        server.stop()

    answers = load.answers
    during_all = load.between(down_from, back_from)
    first_ok = min((a.at + a.took for a in answers if a.at > back_at and a.status == 200 and a.path != "/healthz"),
                   default=float("nan"))  # fmt: skip
    print(  # the figures, for whoever runs this with -s
        f"{len(answers)} answers; outage {back_from - down_from:.1f} s: {len(during_all)} answers, "
        f"{sum(a.status == 503 for a in during_all)} of them 503, slowest {max(a.took for a in during_all):.2f} s; "
        f"first DB-backed 200 {first_ok - back_at:.1f} s after PostgreSQL was back; slowest answer of the run "
        f"{max(a.took for a in answers):.2f} s"
    )
    assert load.failures == [], "requests hung or were dropped:\n" + "\n".join(load.failures[:10])
    assert len(answers) > 100
    assert {a.status for a in answers} <= {200, 503}, sorted({(a.path, a.status) for a in answers})
    assert max(a.took for a in answers) < CONNECT_TIMEOUT + 3, "failing fast: no request waited long"

    before = load.between(0, up_until)
    assert before and all(a.status == 200 for a in before), "all served before the outage"

    during = load.between(down_from + 0.5, back_from)
    assert len(during) > 20, "the load went on during the outage"
    for answer in during:
        if answer.path == "/healthz":
            assert answer.status == 200
            continue
        assert answer.status == 503, (answer.path, answer.status, answer.body[:200])
        assert answer.retry_after or answer.path == "/readyz", answer.path
        if answer.path != "/readyz":  # /readyz names the failing part, for operators
            assert "Traceback" not in answer.body and "psycopg" not in answer.body.lower()
        if answer.path.startswith("/api/"):
            assert answer.content_type == "application/json"
            assert json.loads(answer.body)["error"]["code"] == "unavailable"
        elif answer.path == "/readyz":
            assert json.loads(answer.body)["checks"]["database"] != "ok"
        else:
            assert "briefly unavailable" in answer.body

    after = [a for a in answers if a.at > settled]
    assert after and all(a.status == 200 for a in after), sorted({(a.path, a.status) for a in after})
    assert processes_after == processes_before, "no gunicorn process was restarted"
