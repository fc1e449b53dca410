"""Subprocess servers for the benchmark: a throw-away Orthanc 1.10.1 and moto's AWS emulator.

Both run on free ports in temporary directories, so a run never touches a developer's own
Orthanc (8042/4242) or local stack (4566), and leaves nothing behind.

The comparison only means something on the same machine, so the benchmark starts Orthanc
itself instead of trusting whatever runs on 8042: same CPUs, same disk, a fresh SQLite index,
no plugins. TCP_NODELAY=1 is Orthanc's own switch for the socket option; without it Orthanc's
answers can sit in Nagle's buffer and the comparison would be unfair to Orthanc.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Orthanc is started by the same helper as the interoperability tests.
from tests.support.orthanc_server import OrthancServer, free_port  # noqa: E402, F401

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0


def wait_for_http(
    host: str, port: int, path: str, timeout: float, alive: Callable[[], bool]
) -> None:
    """Poll ``GET path`` until it answers 200; ``alive()`` False means the server died."""
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"server on port {port} exited during start-up")
        conn = http.client.HTTPConnection(host, port, timeout=1)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                return
            last_error = f"HTTP {response.status}"
        except OSError as exc:
            last_error = repr(exc)
        finally:
            conn.close()
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} not ready after {timeout} s: {last_error}")


class MotoProcess:
    """The local stack's AWS emulator (``python -m local_stack.emulator``: moto's server with
    requests serialized and a TransactWriteItems that does not copy the whole table).

    A subprocess rather than ``mock_aws()`` in the benchmark process, because that is how the
    local stack runs and because an in-process emulator would compete with the server under
    test for the GIL and blur the profile.
    """

    def __init__(self, python: str | None = None) -> None:
        self.python = python or sys.executable
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The emulator's process while it runs (the benchmarks read its CPU time)."""
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> MotoProcess:
        # moto logs every request; a temporary file keeps that off the terminal cheaply.
        self._log = tempfile.TemporaryFile(prefix="cirrus-bench-moto-")
        self._process = subprocess.Popen(
            [self.python, "-m", "local_stack.emulator", "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_http(
                "127.0.0.1",
                self.port,
                "/moto-api/",
                STARTUP_TIMEOUT,
                lambda: self._process is not None and self._process.poll() is None,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def post_instances(url: str, files: Sequence[bytes], workers: int) -> list[dict[str, Any]]:
    """Fill a server (untimed set-up): POST every file to ``/instances`` from ``workers``
    threads, one keep-alive session each (requests.Session is not thread-safe); the answers,
    in order. Any refused upload stops the benchmark, whose comparison would be void."""
    import requests

    local = threading.local()

    def post(data: bytes) -> dict[str, Any]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        response = session.post(f"{url}/instances", data=data, timeout=120)
        if response.status_code != 200:
            raise RuntimeError(
                f"{url} refused an upload: HTTP {response.status_code} {response.text}"
            )
        return response.json()

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(post, files))


def upload_study(name: str, url: str, files: Sequence[bytes], workers: int) -> str:
    """Fill a server with one study (``post_instances``); its Orthanc ID, once the server
    is seen to hold every file in it. RuntimeError otherwise."""
    import requests

    answers = post_instances(url, files, workers)
    studies = {answer["ParentStudy"] for answer in answers}
    if len(studies) != 1:
        raise RuntimeError(f"expected one study on {name}, got {sorted(studies)}")
    study = studies.pop()
    with requests.Session() as session:
        held = instances_of(session, url, study)
    if held != len(files):
        raise RuntimeError(f"{name} holds {held} instances of {study}, not {len(files)}")
    return study


def instances_of(session: Any, url: str, study: str) -> int:
    """How many instances ``url`` holds in ``study`` (0 if the study is unknown)."""
    response = session.get(f"{url}/studies/{study}/instances", timeout=60)
    if response.status_code == 404:
        return 0
    response.raise_for_status()
    return len(response.json())
