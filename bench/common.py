"""What the benchmark scripts (``run.py``, ``soak.py``, ``ingest_bench.py``) and the tests' process helpers share:
a free port, a process's children, the benchmark databases and how they are seeded, and ``manage.py`` run as a
child process.

The scripts are run by path (``python bench/run.py``), so each puts the repository on ``sys.path`` before it
imports this module.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a pre-forking server's workers), read from /proc; the tests use it too."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def ensure_database(url: str, *, prefix: str = "tracker_bench", purpose: str = "benchmark") -> None:
    """Create the database ``url`` names when it does not exist yet; refuse any whose name lacks ``prefix``.

    Seeding (``seed_bench --reset``) empties the tracker's tables, so only a database named for the purpose is
    ever touched.
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith(prefix):
        raise SystemExit(f"refusing to {purpose} on {name!r}: use a database whose name starts with {prefix}")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def count_reports(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM tracker_report").fetchone()
        return int(row[0]) if row else 0


def vacuum(url: str) -> None:
    """``VACUUM (ANALYZE)`` the database: a freshly seeded one has no visibility map yet (every index-only scan
    visits the table) until autovacuum comes by, as it long has on a production database; measure that state."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def seed_sizes(reports: int) -> list[str]:
    """``seed_bench`` options for ``reports`` reports: the issue's proportions (300,000 status rows and 100,000 flow
    counts for a million reports), reached already at a third of that size, with a floor for tiny runs."""
    scale = min(reports / 1_000_000 * 3, 1)
    return [
        f"--reports={reports}",
        f"--statuses={max(1000, int(300_000 * scale))}",
        f"--flows={max(500, int(100_000 * scale))}",
    ]


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """``manage.py`` with ``args`` in a child process with ``env``; its output, or exit with what it said."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, input=stdin, timeout=3600
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout
