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
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

DEFAULT_BINARY = "/usr/sbin/Orthanc"
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    """A port nobody listens on now (the OS picks it when binding to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


class OrthancProcess:
    """Context manager: Orthanc running on ``self.url`` for the duration of the block."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or os.environ.get("ORTHANC_BINARY") or DEFAULT_BINARY
        if not (os.path.isfile(self.binary) and os.access(self.binary, os.X_OK)):
            found = shutil.which("Orthanc")
            if found is None:
                raise RuntimeError(
                    f"Orthanc not found at {self.binary} nor on PATH (apt-get install orthanc, "
                    "or set ORTHANC_BINARY)"
                )
            self.binary = found
        self.http_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> OrthancProcess:
        self._tmp = tempfile.TemporaryDirectory(prefix="cirrus-bench-orthanc-")
        root = Path(self._tmp.name)
        (root / "logs").mkdir()
        config = {
            "Name": "CirrusBenchOrthanc",
            "StorageDirectory": str(root / "storage"),
            "IndexDirectory": str(root / "index"),
            "HttpPort": self.http_port,
            "DicomPort": free_port(),
            "RemoteAccessAllowed": True,
            "AuthenticationEnabled": False,
            "Plugins": [],
        }
        config_path = root / "config.json"
        config_path.write_text(json.dumps(config, indent=2))
        self._process = subprocess.Popen(
            [self.binary, f"--logdir={root / 'logs'}", str(config_path)],
            cwd=root,
            env=dict(os.environ, TCP_NODELAY="1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_http(
                "127.0.0.1",
                self.http_port,
                "/system",
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
        """SIGTERM, wait for a clean exit (Orthanc flushes SQLite), then remove the files."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


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
