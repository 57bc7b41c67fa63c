"""`make bench`: the HTTP benchmark harness.

1. Makes sure the benchmark database exists, is migrated and seeded (``seed_bench``; about 3 minutes for a million
   reports on 2 cores), and vacuumed as autovacuum keeps a production one.
2. Starts the tracker under gunicorn with production settings, and the raw-SQL baseline (``bench/baseline.py``)
   under the same gunicorn settings.
3. Cold: for the status pages, whose answers are cached (``tracker/pages/fragments.py``), times requests that
   each find the cache empty, one after another, in a ``manage.py shell`` child against the same database with a
   cache of its own: the wall time of each, and the CPU time spent for them by that process and by its PostgreSQL
   backend. That is the rebuild every reader waits for once a minute, and the time a reader of a page nobody
   asked for in that minute waits.
4. Warm: drives each endpoint with wrk (a separate process; closed loop, 8 connections by default) and reads
   throughput, p50/p95/p99 latency and errors; counts the SQL queries of one request to each endpoint.
5. Prints the tables, with each issue target met or missed, and writes the figures as JSON under ``var/bench/``.

Run ``python bench/run.py --help`` for the knobs; ``--reports 20000`` makes a quick run on a small data set.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run by path: bench/ is on sys.path, the repository is not
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    PYTHON,
    count_reports,
    ensure_database,
    free_port,
    manage,
    seed_sizes,
    vacuum,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/tracker_bench"
LUA = ROOT / "bench" / "wrk_report.lua"


@dataclass
class Target:
    name: str
    path: str  # may hold {placeholders} filled from the prepared context
    server: str = "tracker"  # or "baseline"
    auth: str = "token"  # token, session or none
    metric: str = ""  # which figure the target constrains: p95 or p99
    limit_ms: float | None = None
    # A second figure under load the target constrains (issue 16: the status pages' p99), as (metric, limit).
    also: tuple[str, float] | None = None
    # Cold (answer cache empty before each request): the median wall time of a request must stay under this.
    cold_limit_ms: float | None = None
    # Pages of "now" are rebuilt once a minute (tracker/pages/fragments.py): measured over --page-duration (a
    # minute by default), so that each run holds one rebuild, neither none nor several for a 20-second window.
    page: bool = False


TARGETS = [
    Target("crossings", "/api/v1/crossings/", metric="p99", limit_ms=40),
    Target("crossings as of 2y", "/api/v1/crossings/?as_of={as_of}", metric="p99", limit_ms=80),
    Target("crossing history", "/api/v1/crossings/{slug}/history/", metric="p99", limit_ms=40),
    Target("reports ?q=common", "/api/v1/reports/?q={word}", metric="p95", limit_ms=150),
    Target("reports first page", "/api/v1/reports/", metric="p95", limit_ms=30),
    Target("reports 500k deep", "/api/v1/reports/?cursor={deep_cursor}", metric="p95", limit_ms=30),
    Target("changes ?after=old", "/api/v1/changes/?after={old_cursor}", metric="p95", limit_ms=30),
    Target(
        "dashboard /", "/", auth="session", metric="p95", limit_ms=100, also=("p99", 250), cold_limit_ms=100, page=True
    ),
    Target(
        "crossing page",
        "/crossings/{slug}/",
        auth="session",
        metric="p95",
        limit_ms=100,
        also=("p99", 250),
        cold_limit_ms=50,
        page=True,
    ),
    Target("baseline crossings", "/crossings/", server="baseline", auth="none"),
    Target("baseline reports", "/reports/", server="baseline", auth="none"),
]

PREPARE = r"""
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from tracker.api import services as api_services
from tracker.api.pagination import encode_change_cursor, encode_cursor
from tracker.models import Change, Crossing, CrossingStatus
from tracker import selectors

User = get_user_model()
analyst, _ = User.objects.get_or_create(username="bench-analyst", defaults={"is_staff": True})
analyst.groups.add(Group.objects.get(name="analysts"))
session = SessionStore()
session["_auth_user_id"] = str(analyst.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = analyst.get_session_auth_hash()
session.create()
token = api_services.token_create(partner="bench", created_by=None).key
crossing = Crossing.objects.order_by("name").first()
busiest = (CrossingStatus.objects.values("crossing__slug").order_by("crossing__slug").first() or {})
readers = selectors.reports_for_readers().order_by("-published_at", "-id")
depth = min(500_000, max(readers.count() - 60, 0))
row = readers.values("published_at", "id")[depth] if depth else None
deep = encode_cursor({"p": row["published_at"].isoformat(), "i": row["id"]}) if row else ""
first_change = Change.objects.order_by("id").values_list("id", flat=True).first() or 0
print(json.dumps({
    "token": token, "session": session.session_key, "slug": crossing.slug if crossing else "",
    "as_of": (timezone.now() - timedelta(days=730)).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    "deep_cursor": deep, "depth": depth, "old_cursor": encode_change_cursor(first_change + 1000), "word": "trucks",
}))
"""

COUNT_QUERIES = r"""
import json, sys
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
paths = json.loads(sys.stdin.read())
client = Client(HTTP_HOST="127.0.0.1")
out = {}
for name, (path, headers) in paths.items():
    cache.clear()  # this process's own memory cache (CACHE_URL unset for it below): each count is of a miss
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    out[name] = {"status": response.status_code, "queries": len(queries)}
print(json.dumps(out))
"""

# Each request of a cold run finds the answer cache empty. The first requests to each path (imports, compiled
# templates, the connection) are not counted: a web worker has served many before.
COLD = r"""
import json, os, resource, sys, time
from django.core.cache import cache
from tracker.runtime import tune_garbage_collector
tune_garbage_collector()  # as tracker.wsgi does in every web worker
from django.db import connection
from django.test import Client
spec = json.loads(sys.stdin.read())
client = Client(HTTP_HOST="127.0.0.1")


def backend_cpu():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None  # PostgreSQL on another machine or in a container: its CPU is not guessed
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


out = {}
for name, (path, headers) in spec["paths"].items():
    for _ in range(spec["warmup"]):
        cache.clear()
        client.get(path, headers=headers)
    walls = []
    statuses = set()
    db_before, app_before = backend_cpu(), own_cpu()
    for _ in range(spec["requests"]):
        cache.clear()
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        walls.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    app_after, db_after = own_cpu(), backend_cpu()
    n = spec["requests"]
    out[name] = {
        "walls_ms": walls,
        "statuses": sorted(statuses),
        "app_cpu_ms": (app_after - app_before) / n * 1000,
        "db_cpu_ms": None if db_before is None or db_after is None else (db_after - db_before) / n * 1000,
    }
print(json.dumps(out))
"""


def nearest_rank(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: a value that was measured, and for few values the honest (high) one."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def cold_figures(raw: dict[str, Any]) -> dict[str, Any]:
    """Median and p95 wall time of the cold requests, and the CPU time per request of the process and of its
    database backend (their sum is what one rebuild costs the machine, whatever else runs on it)."""
    walls = raw["walls_ms"]
    app, db = raw["app_cpu_ms"], raw["db_cpu_ms"]
    return {
        "requests": len(walls),
        "statuses": raw["statuses"],
        "median_ms": statistics.median(walls),
        "p95_ms": nearest_rank(walls, 0.95),
        "max_ms": max(walls),
        "app_cpu_ms": app,
        "db_cpu_ms": db,
        "cpu_ms": app + (db or 0.0),
        "walls_ms": [round(wall, 2) for wall in walls],
    }


def cold_verdict(target: Target, figures: dict[str, Any]) -> str:
    if target.cold_limit_ms is None:
        return ""
    ok = figures["median_ms"] <= target.cold_limit_ms and figures["statuses"] == [200]
    answered = "" if figures["statuses"] == [200] else f" (answered {figures['statuses']})"
    return f"median {figures['median_ms']:.1f} <= {target.cold_limit_ms:g} ms{answered}: {'met' if ok else 'MISSED'}"


def production_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",  # no TLS on the loopback; every other production setting stays
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
        # Several gunicorn workers share one cache, as in production (docker-compose sets CACHE_URL too).
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"),
        "API_THROTTLE_RATE": "1000000/minute",  # measure the API, not its throttle
        "LOG_LEVEL": "WARNING",
        # Production static storage (a hashed manifest) needs collectstatic; kept under var/, not in the tree.
        "STATIC_ROOT": os.environ.get("STATIC_ROOT", str(ROOT / "var" / "bench" / "static")),
    }


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int) -> Any:
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers; the baseline has no /healthz
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"{app} did not start") from None
                time.sleep(0.3)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wrk(url: str, headers: dict[str, str], *, duration: int, connections: int, threads: int) -> dict[str, Any]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=duration + 60)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed for {url}:\n{result.stdout}\n{result.stderr}")
    return dict(json.loads(lines[-1]))


def headers_for(target: Target, context: dict[str, Any]) -> dict[str, str]:
    if target.auth == "token":
        return {"Authorization": f"Bearer {context['token']}"}
    if target.auth == "session":
        return {"Cookie": f"sessionid={context['session']}"}
    return {}


def verdict(target: Target, figures: dict[str, Any]) -> str:
    if target.limit_ms is None:
        return ""
    if figures["requests"] == 0:
        return "no request completed: MISSED"
    parts = []
    for metric, limit in ((target.metric, target.limit_ms), *([target.also] if target.also else [])):
        value = figures[f"{metric}_ms"]
        ok = value <= limit and figures["errors"] == 0
        parts.append(f"{metric} {value:.1f} <= {limit:g} ms: {'met' if ok else 'MISSED'}")
    return "; ".join(parts)


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports to seed if the database is empty")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the database holds data")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--page-duration", type=int, default=60, help="seconds of load per status page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measurement (0: none)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, for the tracker and the baseline")
    parser.add_argument(
        "--cold-requests", type=positive, default=20, help="requests per status page with the answer cache emptied"
    )
    parser.add_argument("--only", action="append", default=[], help="run only targets whose name contains this")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args()

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk); `make bench` installs it")
    env = production_env(args.database_url)
    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    if args.reseed or count_reports(args.database_url) == 0:
        print(f"seeding {args.database_url.rsplit('/', 1)[-1]} ...", flush=True)
        print(manage(env, "seed_bench", "--reset", *seed_sizes(args.reports)), flush=True)
    vacuum(args.database_url)
    context = json.loads(manage(env, "shell", "--no-imports", "-c", PREPARE).strip().splitlines()[-1])
    targets = [t for t in TARGETS if not args.only or any(o in t.name for o in args.only)]
    fill = {k: str(v) for k, v in context.items()}

    queries = json.loads(
        manage(
            {**env, "CACHE_URL": ""},  # a memory cache of its own: nothing shared is cleared, no earlier run counts
            "shell",
            "--no-imports",
            "-c",
            COUNT_QUERIES,
            stdin=json.dumps(
                {t.name: (t.path.format(**fill), headers_for(t, context)) for t in targets if t.server == "tracker"}
            ),
        )
        .strip()
        .splitlines()[-1]
    )

    # Figures are only comparable on a quiet machine: the load before and after the run is printed and kept.
    load_before = os.getloadavg()
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}", flush=True)
    cold: dict[str, Any] = {}
    cold_targets = [t for t in targets if t.cold_limit_ms is not None]
    if cold_targets:
        print(f"cold: {args.cold_requests} requests per page, the answer cache emptied before each", flush=True)
        raw = json.loads(
            manage(
                {**env, "CACHE_URL": ""},  # a memory cache of its own, emptied at will: nothing shared is touched
                "shell",
                "--no-imports",
                "-c",
                COLD,
                stdin=json.dumps(
                    {
                        "paths": {t.name: (t.path.format(**fill), headers_for(t, context)) for t in cold_targets},
                        "requests": args.cold_requests,
                        "warmup": 2,
                    }
                ),
            )
            .strip()
            .splitlines()[-1]
        )
        for target in cold_targets:
            figures = cold_figures(raw[target.name])
            figures["verdict"] = cold_verdict(target, figures)
            cold[target.name] = figures
            print(f"  {target.name:<22} cold median {figures['median_ms']:7.1f} ms  {figures['verdict']}", flush=True)
    results: dict[str, Any] = {}
    baseline_env = {**env, "PYTHONPATH": str(ROOT)}
    with (
        gunicorn("tracker.wsgi:application", env, args.workers) as tracker_port,
        gunicorn("bench.baseline:app", baseline_env, args.workers) as baseline_port,
    ):
        for target in targets:
            port = tracker_port if target.server == "tracker" else baseline_port
            url = f"http://127.0.0.1:{port}{target.path.format(**fill)}"
            headers = headers_for(target, context)
            if target.page:
                # Warm means built: one request builds the page alone (the cold figures above are of that), so
                # the load measures serving it and its once-a-minute rebuild, not every connection's first wait.
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as response:
                    response.read()
            if args.warmup:
                wrk(url, headers, duration=args.warmup, connections=args.connections, threads=args.threads)
            duration = args.page_duration if target.page else args.duration
            figures = wrk(url, headers, duration=duration, connections=args.connections, threads=args.threads)
            figures.update(queries.get(target.name, {}))
            figures["verdict"] = verdict(target, figures)
            if target.name in cold:
                figures["cold"] = cold[target.name]
            results[target.name] = figures
            print(
                f"  {target.name:<22} {figures['rps']:8.1f} req/s  p99 {figures['p99_ms']:7.1f} ms  "
                f"{figures['verdict']}",
                flush=True,
            )

    ratios = {}
    for ours, base in (("crossings", "baseline crossings"), ("reports first page", "baseline reports")):
        if ours in results and base in results:
            ratios[ours] = results[ours]["rps"] / results[base]["rps"]
    if "reports first page" in results and "reports 500k deep" in results:
        ratios["deep / first (p95)"] = results["reports 500k deep"]["p95_ms"] / results["reports first page"]["p95_ms"]

    load_after = os.getloadavg()
    print()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print(
        f"{'endpoint':<22} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6} {'queries':>7}  target"
    )
    for name, r in results.items():
        print(
            f"{name:<22} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f} "
            f"{r['errors']:6d} {r.get('queries', ''):>7}  {r['verdict']}"
        )
    for name, ratio in ratios.items():
        label = f"{name} / baseline" if "deep" not in name else name
        print(f"{label:<40} {ratio:6.2f}")
    if cold:
        print()
        print(f"cold: the answer cache emptied before each of {args.cold_requests} requests, one at a time")
        print(f"{'page':<22} {'median':>8} {'p95 ms':>8} {'max ms':>8} {'CPU app':>8} {'CPU db':>8}  target")
        for name, c in cold.items():
            db = "n/a" if c["db_cpu_ms"] is None else f"{c['db_cpu_ms']:.1f}"
            print(
                f"{name:<22} {c['median_ms']:8.1f} {c['p95_ms']:8.1f} {c['max_ms']:8.1f} {c['app_cpu_ms']:8.1f} "
                f"{db:>8}  {c['verdict']}"
            )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "machine": machine(),
        "settings": vars(args),
        "depth": context["depth"],
        "load_average": {"before": load_before, "after": load_after},
        "results": results,
        "cold": cold,
        "ratios": ratios,
    }
    (out / f"http-{stamp}.json").write_text(json.dumps(report, indent=2))
    (out / "http-latest.json").write_text(json.dumps(report, indent=2))
    print(f"\nwritten {out / f'http-{stamp}.json'}")


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "postgres": subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip(),
    }


if __name__ == "__main__":
    main()
