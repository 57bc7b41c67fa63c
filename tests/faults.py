"""Servers of the fault tests' own, so that they can be killed and restarted without touching the shared ones:
a Redis with append-only persistence, a PostgreSQL cluster, gunicorn. Each on a free port, under a temporary
directory, stopped at the end of the test that started it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import redis
from django.db import DatabaseError

from bench.common import children_of, free_port

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


# What a service raises while it is starting or restarting: waited through. Anything else is a failure at once.
TRANSIENT = (OSError, redis.RedisError, DatabaseError)


def wait_until(
    predicate: Callable[[], object],
    *,
    timeout: float,
    what: str,
    every: float = 0.1,
    ignoring: tuple[type[BaseException], ...] = TRANSIENT,
) -> object:
    """The predicate's first true value, polled every ``every`` seconds; its ``ignoring`` errors count as false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except ignoring:
            value = None
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class OwnRedis:
    """``redis-server --appendonly yes`` as docker-compose runs it (fsync every second), on a port of its own."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> OwnRedis:
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "no",
            ],
            stdout=(self.directory / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_until(lambda: redis.Redis(port=self.port).ping(), timeout=10, what="redis to answer")
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final save; only what the append-only file already holds survives."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.kill()


class OwnPostgres:
    """A PostgreSQL 15 cluster of our own (initdb into a temporary directory), run as the ``postgres`` user when
    we are root, since PostgreSQL refuses to run as root."""

    def __init__(self) -> None:
        # Directly under the system's temporary directory: the postgres user must be able to reach it (pytest's
        # own temporary directories belong to root, mode 700).
        self.directory = Path(tempfile.mkdtemp(prefix="tracker-faults-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def url(self, name: str = "tracker") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def init(self) -> OwnPostgres:
        if self.as_user:
            shutil.chown(self.directory, "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync")  # fmt: skip
        return self

    def start(self) -> OwnPostgres:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.directory / "pg.log"),
                  "-w", "-t", "30", "start")  # fmt: skip
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def create_database(self, name: str = "tracker") -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def production_env(**overrides: str) -> dict[str, str]:
    """What a deployed process sees: DEBUG off, a secret key, every other production default."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "fault-tests-only-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Gunicorn:
    """The tracker under gunicorn, as docker-compose's web service runs it."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "tracker.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers), "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_until(self._answers, timeout=30, what="gunicorn to answer")
            wait_until(lambda: len(self.worker_pids()) == workers, timeout=30, what="every gunicorn worker to boot")
        except BaseException:
            self.stop()  # a server that never came up is not left running behind the failed test
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    def worker_pids(self) -> set[int]:
        return set(children_of(self.process.pid))

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_celery_worker(name: str, *, allowed_hosts: str, concurrency: int = 2, **env: str) -> Any:
    """A real ``celery worker`` (prefork) on the test database and, unless ``CELERY_BROKER_URL`` is given, this
    area's Redis database; see ``tests.ingest_fixtures.support.CeleryProcess``."""
    from tests.ingest_fixtures.support import start_worker

    return start_worker(name, allowed_hosts=allowed_hosts, concurrency=concurrency, extra_env=env)


def peak_memory_kib(pid: int) -> int:
    """The most resident memory a process ever used (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for {pid}")
