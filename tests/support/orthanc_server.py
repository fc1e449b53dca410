"""Run a real, throw-away Orthanc 1.10.1 for differential tests.

Cirrus promises Orthanc's REST API, so the most reliable spec is Orthanc itself: tests upload
the same files to both and compare answers. Each ``OrthancServer`` gets its own temporary
storage and free ports, so several can run side by side and never touch a developer's own
Orthanc on 8042/4242.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

DEFAULT_ORTHANC_BINARY = "/usr/sbin/Orthanc"
STARTUP_TIMEOUT_SECONDS = 10.0


# Debian's orthanc-dicomweb (1.7), the reference of Cirrus's /dicom-web/ routes.
DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"


def dicomweb_config(**options: Any) -> dict[str, Any]:
    """``extra_config`` for an Orthanc serving DICOMweb under ``/dicom-web/`` as Cirrus does;
    ``options`` are added to the plugin's ``DicomWeb`` section (e.g. ``Servers``)."""
    if not os.path.exists(DICOMWEB_PLUGIN):
        raise OrthancUnavailable(f"{DICOMWEB_PLUGIN} is missing: apt-get install orthanc-dicomweb")
    return {
        "Plugins": [DICOMWEB_PLUGIN],
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/", **options},
    }


class OrthancUnavailable(RuntimeError):
    """Orthanc is not installed or did not come up; the message says what to do."""


# Ports are taken below Linux's ephemeral range (32768-60999), where the OS never puts a
# client socket or a bind to port 0, and each pytest-xdist worker has its own slice: a port
# handed out here cannot be taken by another worker, or by an outgoing connection, before
# the server it is meant for binds it.
PORTS_START, PORTS_PER_WORKER = 20000, 3000
_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()


_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_FIRST_PORT = PORTS_START + (_WORKER % 4) * PORTS_PER_WORKER
# Where the next search starts in the slice: a random point, so that two runs outside xdist
# rarely meet.
_next_offset = random.randrange(PORTS_PER_WORKER)


def free_port() -> int:
    """A TCP port nobody listens on right now, never the same one twice in this process (a
    server's HTTP and DICOM ports must not collide), from this worker's slice."""
    global _next_offset
    with _HANDED_OUT_LOCK:
        for _ in range(PORTS_PER_WORKER):
            port = _FIRST_PORT + _next_offset
            _next_offset = (_next_offset + 1) % PORTS_PER_WORKER
            if port in _HANDED_OUT:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError(f"no free port left in {_FIRST_PORT}-{_FIRST_PORT + PORTS_PER_WORKER}")


def find_orthanc_binary() -> str:
    """The Orthanc executable: $ORTHANC_BINARY, /usr/sbin/Orthanc, or ``Orthanc`` on PATH."""
    candidates = [os.environ.get("ORTHANC_BINARY"), DEFAULT_ORTHANC_BINARY, shutil.which("Orthanc")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise OrthancUnavailable(
        "Orthanc 1.10.1 is required for the interop tests but was not found "
        f"(looked at $ORTHANC_BINARY, {DEFAULT_ORTHANC_BINARY} and PATH). "
        "Install it, e.g. `apt-get install orthanc`, or set ORTHANC_BINARY."
    )


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict merge: nested sections of ``extra`` override key by key."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class OrthancServer:
    """A real Orthanc in a temporary directory, on free ports; use it as a context manager.

    ``extra_config`` is merged into the generated configuration (e.g.
    ``{"AuthenticationEnabled": True, "RegisteredUsers": {"u": "p"}}``).
    """

    def __init__(
        self,
        extra_config: dict[str, Any] | None = None,
        binary: str | None = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        self.binary = binary or find_orthanc_binary()
        self.http_port = free_port()
        self.dicom_port = free_port()
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.session = requests.Session()
        if auth is not None:
            self.session.auth = auth
        self._extra_config = extra_config or {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The Orthanc process while it runs (the benchmarks read its CPU time)."""
        return self._process.pid if self._process is not None else None

    def config(self, root: Path) -> dict[str, Any]:
        """The configuration file contents for an Orthanc whose files live under ``root``."""
        base = {
            "Name": "CirrusInteropOrthanc",
            "StorageDirectory": str(root / "storage"),
            "IndexDirectory": str(root / "index"),
            "HttpPort": self.http_port,
            "DicomPort": self.dicom_port,
            "DicomAet": "ORTHANCTEST",
            "RemoteAccessAllowed": True,
            "AuthenticationEnabled": False,
            "Plugins": [],
            "HttpTimeout": 30,
        }
        return _merge(base, self._extra_config)

    def start(self) -> OrthancServer:
        """Launch Orthanc and block until ``GET /system`` answers."""
        self._tmp = tempfile.TemporaryDirectory(prefix="cirrus-orthanc-")
        root = Path(self._tmp.name)
        (root / "logs").mkdir()
        config_path = root / "config.json"
        config_path.write_text(json.dumps(self.config(root), indent=2))
        env = dict(os.environ, TCP_NODELAY="1")
        self._process = subprocess.Popen(
            [self.binary, f"--logdir={root / 'logs'}", str(config_path)],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise OrthancUnavailable(
                    f"Orthanc exited with code {self._process.returncode} at startup; "
                    f"logs: {self.logs()[-2000:]}"
                )
            try:
                if self.session.get(f"{self.url}/system", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise OrthancUnavailable(
            f"Orthanc did not answer on {self.url} within {STARTUP_TIMEOUT_SECONDS} s; "
            f"logs: {self.logs()[-2000:]}"
        )

    def logs(self) -> str:
        """Everything Orthanc logged so far (for failure messages)."""
        if self._tmp is None:
            return ""
        parts = []
        for path in sorted((Path(self._tmp.name) / "logs").glob("*")):
            if path.is_file():
                parts.append(path.read_text(errors="replace"))
        return "\n".join(parts)

    def stop(self) -> None:
        """Kill Orthanc, wait for it to exit, then delete its files."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):  # kill does not time out
                process.wait(timeout=10)
        self.session.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> OrthancServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- REST helpers ----------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """A raw GET (``path`` starts with ``/``)."""
        return self.session.get(f"{self.url}{path}", timeout=30, **kwargs)

    def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET ``path`` and decode the JSON answer, raising on HTTP errors."""
        response = self.get(path, **kwargs)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        """A raw POST."""
        return self.session.post(f"{self.url}{path}", timeout=30, **kwargs)

    def delete(self, path: str) -> requests.Response:
        """A raw DELETE."""
        return self.session.delete(f"{self.url}{path}", timeout=30)

    def upload(self, data: bytes) -> dict[str, Any]:
        """POST a DICOM file to ``/instances``; returns Orthanc's answer, raises if refused."""
        response = self.post("/instances", data=data)
        response.raise_for_status()
        return response.json()

    def try_upload(self, data: bytes) -> tuple[int, Any]:
        """POST a DICOM file; returns (HTTP status, decoded JSON body or None)."""
        response = self.post("/instances", data=data)
        try:
            body = response.json()
        except ValueError:
            body = None
        return response.status_code, body
