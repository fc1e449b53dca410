"""A recording stand-in for an Orthanc peer: counts every upload it receives.

Real Orthanc peers are used wherever the content matters (tests/interop); this one answers
what exactly-once tests must know and Orthanc cannot tell: how many times each instance was
POSTed. It answers like Orthanc (``Success``/``AlreadyStored``, ``GET /instances/{id}``), can
require Basic credentials, serve HTTPS, and hold an upload until the test releases it (to kill
a worker while its request is in flight).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import ssl
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pydicom

from chalicelib.dicom.identifiers import compute_ids


class FakePeer:
    def __init__(
        self, credentials: tuple[str, str] | None = None, tls: ssl.SSLContext | None = None
    ) -> None:
        self.posts: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []  # lower-cased names
        self.credentials = credentials
        # Set by a test: the upload number (1-based) to hold until ``release`` is set.
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.uploads = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls else "http"
        host = "localhost" if tls else "127.0.0.1"
        self.url = f"{scheme}://{host}:{self._server.server_address[1]}/"

    def __enter__(self) -> FakePeer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def store(self, body: bytes) -> tuple[str, str]:
        """Record an upload; (Orthanc ID, status)."""
        ds = pydicom.dcmread(io.BytesIO(body), stop_before_pixels=True)
        ids = compute_ids(
            str(ds.get("PatientID", "")),
            str(ds.StudyInstanceUID),
            str(ds.SeriesInstanceUID),
            str(ds.SOPInstanceUID),
        )
        with self._lock:
            status = "AlreadyStored" if self.posts[ids.instance] else "Success"
            self.posts[ids.instance] += 1
        return ids.instance, status


def _handler(peer: FakePeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            """Quiet."""

        def _authorized(self) -> bool:
            if peer.credentials is None:
                return True
            expected = base64.b64encode(":".join(peer.credentials).encode()).decode()
            if self.headers.get("Authorization") == f"Basic {expected}":
                return True
            self._answer(401, {"Message": "Bad credentials"})
            return False

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if not self._authorized():
                return
            if self.path == "/system":
                self._answer(200, {"Name": "FakePeer", "Version": "1.10.1"})
            elif self.path.startswith("/instances/"):
                known = peer.posts[self.path.rsplit("/", 1)[1]] > 0
                self._answer(200 if known else 404, {"ID": self.path.rsplit("/", 1)[1]})
            else:
                self._answer(404, {"Message": "Unknown resource"})

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if not self._authorized():
                return
            peer.headers.append({k.lower(): v for k, v in self.headers.items()})
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            instance, status = peer.store(body)
            with peer._lock:
                peer.uploads += 1
                hold = peer.uploads == peer.hold_at
            if hold:
                peer.holding.set()
                peer.release.wait(30)
            self._answer(200, {"ID": instance, "Path": f"/instances/{instance}", "Status": status})

    return Handler
