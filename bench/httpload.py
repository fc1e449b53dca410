"""The load generator: POST /instances over keep-alive connections, timing every request.

``http.client`` rather than ``requests``: on a small machine the client shares the CPUs with
the server under test, and ``requests`` costs several times more per call. Each client thread
owns one persistent connection (what a DICOM router or a migration script does) with
TCP_NODELAY, so Nagle's algorithm never adds 40 ms to a request whose headers and body go out
in separate writes.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from dicomgen import Instance


@dataclass
class LoadResult:
    """What one run measured: wall time, per-request latencies and how requests ended."""

    wall_seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile in seconds (no interpolation: p99 of 500 is a real sample)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
        return ordered[rank]


class Uploader:
    """One keep-alive connection to the server; reconnects once if the server closed it."""

    def __init__(self, url: str, auth: tuple[str, str] | None, timeout: float = 120.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http":
            raise ValueError(f"only http:// URLs are supported, got {url!r}")
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._path = parts.path.rstrip("/") + "/instances"
        self._timeout = timeout
        self._headers = {"Content-Type": "application/dicom", "Accept": "application/json"}
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            self._headers["Authorization"] = f"Basic {token}"
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            conn.connect()
            assert conn.sock is not None
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def upload(self, data: bytes) -> tuple[int, bytes]:
        """POST one file; returns (HTTP status, body)."""
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request("POST", self._path, body=data, headers=self._headers)
                response = conn.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, body
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A server may drop an idle keep-alive connection: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _outcome(status: int, body: bytes) -> str:
    """``"200 Success"``, ``"200 AlreadyStored"``, ``"500"``...: what the status table counts."""
    label = str(status)
    try:
        answer = json.loads(body)
    except ValueError:
        return label
    if isinstance(answer, dict) and isinstance(answer.get("Status"), str):
        label += f" {answer['Status']}"
    return label


def run(
    url: str,
    instances: Sequence[Instance],
    clients: int = 1,
    auth: tuple[str, str] | None = None,
) -> LoadResult:
    """Upload every instance once, spread over ``clients`` threads pulling from one queue.

    A shared cursor rather than fixed slices keeps all threads busy until the end, so the wall
    time is not set by the unluckiest slice.
    """
    cursor = iter(instances)
    cursor_lock = threading.Lock()
    result_lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    result = LoadResult(wall_seconds=0.0)
    uploaders = [Uploader(url, auth) for _ in range(clients)]

    def worker(uploader: Uploader) -> None:
        # Connect before the gate: connection set-up is not part of steady-state ingest.
        try:
            uploader._connection()
        except OSError:
            pass  # upload() connects again and records the failure against an instance
        finally:
            start_gate.wait()
        while True:
            with cursor_lock:
                instance = next(cursor, None)
            if instance is None:
                return
            began = time.perf_counter()
            try:
                status, body = uploader.upload(instance.data)
                outcome = _outcome(status, body)
                error = None if status == 200 else f"{status}: {body[:200]!r}"
            except (OSError, http.client.HTTPException) as exc:
                outcome, error = type(exc).__name__, repr(exc)
            elapsed = time.perf_counter() - began
            with result_lock:
                result.latencies.append(elapsed)
                result.statuses[outcome] += 1
                if error is not None:
                    result.errors.append(error)

    threads = [threading.Thread(target=worker, args=(u,), daemon=True) for u in uploaders]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - began
    for uploader in uploaders:
        uploader.close()
    return result
