"""A hostile HTTP receiver on loopback, in a thread: it drips its headers, drips its body, or says nothing.

Used by the outbound deadline tests, the webhook worker test and ``bench/soak.py --drip-webhook``.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time


class DripServer:
    """``mode``: ``headers`` (the status line, then one header byte every ``interval``), ``body`` (complete headers,
    then one body byte every ``interval``) or ``silent`` (accepts and never writes)."""

    def __init__(self, mode: str, *, interval: float = 0.2, host: str = "127.0.0.1") -> None:
        if mode not in {"headers", "body", "silent"}:
            raise ValueError(mode)
        self.mode, self.interval, self.host = mode, interval, host
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self.connections = 0
        self.open_connections = 0
        self.most_open = 0
        self.durations: list[float] = []  # seconds each connection stayed open, until the client let go
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self.open_connections += 1
                self.most_open = max(self.most_open, self.open_connections)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        opened = time.monotonic()
        try:
            conn.settimeout(1.0)
            with contextlib.suppress(OSError):
                conn.recv(65536)  # the request (enough of it; we never answer it properly)
            if self.mode == "headers":
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                drip = b"X-Drip: " + b"a" * 100000
            elif self.mode == "body":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
                drip = b"b" * 100000
            else:
                drip = b""
            for byte in [*drip, None]:
                # Wait the interval, but notice at once when the client lets go (readable, then EOF).
                until = time.monotonic() + (self.interval if byte is not None else 3600)
                while not self._stop.is_set() and (left := until - time.monotonic()) > 0:
                    readable, _, _ = select.select([conn], [], [], min(left, 0.1))
                    if readable and not conn.recv(65536):
                        return
                if self._stop.is_set() or byte is None:
                    return
                conn.sendall(bytes([byte]))
        except OSError:
            pass  # the client went away: what it should do at its deadline
        finally:
            conn.close()
            with self._lock:
                self.open_connections -= 1
                self.durations.append(time.monotonic() - opened)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


def wait_until(condition, timeout: float, step: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())
