"""A recording stand-in for a remote DICOMweb server, on a free loopback port.

Real servers (Orthanc with its DICOMweb plugin, tests/interop) are used wherever their
answers matter; this one shows what a real server cannot: the exact request a proxy sent
(path, query, headers, Basic credentials, body), and answers a real server does not give on
demand (a chosen status, a body that is not JSON, a huge or a slow answer).
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.orthanc_server import free_port


@dataclass(frozen=True)
class Recorded:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass
class Canned:
    """What the server answers on one path (without its query)."""

    status: int = 200
    content_type: str = "application/dicom+json"
    body: bytes = b"[]"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FakeDicomWeb:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        # Path -> answer; a path not listed answers 200 with an empty DICOM JSON array.
        self.answers: dict[str, Canned] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/dicom-web/"

    def respond(self, request: Recorded) -> Canned:
        """The answer to a request (a subclass may compute it: tests/support/fake_stow.py)."""
        return self.answers.get(request.target.split("?", 1)[0], Canned())

    def __enter__(self) -> FakeDicomWeb:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(fake: FakeDicomWeb) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            """Quiet."""

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            recorded = Recorded(self.command, self.path, headers, body)
            fake.requests.append(recorded)
            canned = fake.respond(recorded)
            time.sleep(canned.delay)
            self.send_response(canned.status)
            self.send_header("Content-Type", canned.content_type)
            self.send_header("Content-Length", str(len(canned.body)))
            for name, value in canned.headers.items():
                self.send_header(name, value)
            self.end_headers()
            # The client may stop reading (a capped answer).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(canned.body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

    return Handler
