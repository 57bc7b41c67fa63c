"""Helpers for the ingestion tests: feeds written on the spot, the demo crossings, a real Celery worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from django.db import connection

from bench.common import children_of
from tests.factories import CrisisFactory, CrossingFactory, SourceFactory
from tracker.models import Country, Crossing, CrossingAlias, Source

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent


def rss(items: Iterable[dict[str, str]], *, title: str = "Test feed") -> bytes:
    """An RSS 2.0 document; each item's keys become elements (guid, title, link, description, pubDate)."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>']
    for item in items:
        parts.append("<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in item.items()) + "</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def item(n: int, text: str = "", **fields: str) -> dict[str, str]:
    base = {
        "guid": f"item-{n}",
        "title": f"Item {n}",
        "link": f"https://news.example.org/items/{n}",
        "description": f"<p>{text or f'Nothing about crossings in item {n}.'}</p>",
        "pubDate": "Mon, 16 Oct 2023 09:00:00 GMT",
    }
    return {**base, **fields}


def crossings() -> dict[str, Crossing]:
    """Rafah and Kerem Shalom with their English, Arabic and Hebrew names, in one crisis."""
    crisis = CrisisFactory(name="Israel–Hamas war")
    rafah = CrossingFactory(name="Rafah")
    kerem = CrossingFactory(name="Kerem Shalom", side_a=Country.objects.get(iso3="ISR"))
    for crossing in (rafah, kerem):
        crossing.crises.add(crisis)
    for crossing, names in [
        (rafah, [("Rafah crossing", "en"), ("معبر رفح", "ar"), ("رفح", "ar"), ("מעבר רפיח", "he"), ("רפיח", "he")]),
        (kerem, [("Karem Abu Salem", "en"), ("كرم أبو سالم", "ar"), ("כרם שלום", "he")]),
    ]:
        for name, language in names:
            CrossingAlias.objects.create(crossing=crossing, name=name, language=language)
    return {"rafah": rafah, "kerem": kerem, "crisis": crisis}  # type: ignore[dict-item]


def feed_source(url: str = "https://feeds.example.org/rss", **fields: object) -> Source:
    return SourceFactory(kind=Source.Kind.FEED, url=url, **fields)


def reliefweb_source(url: str, **fields: object) -> Source:
    fields.setdefault("params", {"appname": "situation-tracker-tests", "limit": 3})
    return SourceFactory(kind=Source.Kind.RELIEFWEB, url=url, **fields)


# --- a real Celery worker (and beat) ---------------------------------------------------------------------------


class CeleryProcess:
    """``celery -A tracker worker`` (or ``beat``) in a subprocess, on the test database and this area's Redis db."""

    def __init__(self, name: str, args: list[str], *, allowed_hosts: str, extra_env: dict[str, str] | None = None):
        self.name = name
        self.log = ROOT / "var" / f"test-celery-{name}-{os.getpid()}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        database = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "INGEST_ALLOWED_HOSTS": allowed_hosts,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-worker"),
            "SECURE_SSL_REDIRECT": "0",
            "INGEST_RETRY_BASE_SECONDS": "1",
            "DB_CONN_MAX_AGE": "0",
            **(extra_env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tracker", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_for_line(self, marker: bytes, timeout: float = 30) -> CeleryProcess:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery {self.name} exited early:\n{self.output()}")
            if marker in self.log.read_bytes():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"celery {self.name}: no {marker!r} after {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-8000:]

    def task_results(self) -> list[str]:
        """What each finished task returned, from the worker's log lines ("... succeeded in 0.1s: 'busy'")."""
        lines = self.log.read_text(errors="replace").splitlines()  # the whole log: output() is only its tail
        return [line.rsplit(": ", 1)[1].strip("'") for line in lines if " succeeded in " in line]

    def children(self) -> list[int]:
        """The pool processes that run tasks (children of the worker's main process)."""
        return children_of(self.process.pid)

    def kill_children(self) -> list[int]:
        killed = self.children()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        return killed

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.unlink(missing_ok=True)


def start_worker(
    name: str, *, allowed_hosts: str, concurrency: int = 1, extra_env: dict[str, str] | None = None
) -> CeleryProcess:
    """A real ``celery worker`` (prefork), ready to take tasks."""
    worker = CeleryProcess(
        name,
        [
            "worker", "--pool=prefork", f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
            "--without-heartbeat", f"--hostname={name}@%h", "--loglevel=INFO",
        ],
        allowed_hosts=allowed_hosts,
        extra_env=extra_env,
    )  # fmt: skip
    return worker.wait_for_line(b" ready.")


def start_beat(*, allowed_hosts: str) -> CeleryProcess:
    beat = CeleryProcess(
        "beat",
        ["beat", "--loglevel=INFO", "--max-interval=1", "--pidfile="],
        allowed_hosts=allowed_hosts,
    )
    return beat.wait_for_line(b"beat: Starting")
