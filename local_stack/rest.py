"""The REST API process (`python -m local_stack.rest`): the Chalice app on its local server.

The app is loaded the way ``chalice local`` loads it (project config, stage ``dev``, route
validation). The local server is then made to behave like the deployed stack where they differ:

- API Gateway passes every request to the function through its greedy proxy resource, and the
  app routes it (``chalicelib/api/proxy.py``); the gateway here sends the same proxy events
  (``local_stack/gateway.py``) instead of Chalice's pre-routed ones.
- API Gateway accepts chunked uploads; Chalice's handler reads only Content-Length bodies and
  would pass an empty body on. Chunked bodies are decoded here.
- API Gateway names the caller's address in the event (``sourceIp``, which the loopback check
  of ``RemoteAccessAllowed`` reads); Chalice writes 127.0.0.1 for everyone. Each connection's
  events name the socket's peer here (never a header a client could set).
- API Gateway refuses bodies above its limit; here a body larger than ``MaximumUploadSize`` is
  answered 413 (Orthanc's JSON error) before it is read, and the connection is closed.
- API Gateway answers ``GET /ohif/...`` and ``GET /ui/app/...`` from S3 without calling the
  function; here the viewer's and the console's builds are answered the same way
  (``local_stack/static_site.py``).
- Accepted sockets get ``TCP_NODELAY`` (headers and body are written separately; without it, a
  keep-alive client pays a delayed-ACK wait on every request), and the listen backlog is raised
  so that parallel benchmark clients are not refused.

HTTP/1.1 keep-alive and ``Expect: 100-continue`` come from Chalice's handler (http.server).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from pathlib import Path
from typing import Any

from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import ChaliceRequestHandler, HeaderType, LocalGateway, create_local_server

from chalicelib import bootstrap
from chalicelib.errors import ErrorCode, OrthancError, TooLarge
from chalicelib.services.resources.upload import too_large
from local_stack import feed, job_runner
from local_stack.child import service_address
from local_stack.gateway import GatewayResponse, OrthancGateway
from local_stack.static_site import StaticSite

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CHALICE_STAGE = "dev"
LISTEN_BACKLOG = 128
# Bounds for one chunk-size line, and for the trailer section of a chunked body.
_MAX_LINE = 1024
_MAX_TRAILER_LINES = 100


class MalformedChunkedBody(ValueError):
    """The request claimed chunked encoding but did not follow it."""


class CirrusRequestHandler(ChaliceRequestHandler):
    """Chalice's request handler with the differences listed in the module docstring."""

    def __init__(
        self,
        request: Any,
        client_address: Any,
        server: Any,
        gateway: LocalGateway,
        sites: tuple[StaticSite, ...] = (),
    ):
        self.sites = sites
        # Chalice's __init__ builds its own LocalGateway per connection; share ours instead,
        # naming this connection's peer.
        self.local_gateway = gateway.for_peer(client_address[0])
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log (Orthanc prints none either; one line per request slows benchmarks).
        Errors are still logged by http.server."""

    def _parse_payload(self) -> tuple[HeaderType, bytes | None]:
        limit = bootstrap.config().MaximumUploadSize
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            declared = self.headers.get("Content-Length", "0").strip()
            if declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise too_large(limit)
            return super()._parse_payload()
        body = _read_chunked(self.rfile, limit)
        # Present the body as API Gateway would: complete, with its length.
        del self.headers["Transfer-Encoding"]
        del self.headers["Content-Length"]
        self.headers["Content-Length"] = str(len(body))
        return dict(self.headers), body or None

    def _handle(self) -> None:
        if any(site.answer(self) for site in self.sites):
            return
        try:
            self._generic_handle()
        except MalformedChunkedBody as error:
            self._refuse(OrthancError(ErrorCode.BAD_REQUEST, str(error)))
        except TooLarge as error:
            self._refuse(error)

    def _refuse(self, error: OrthancError) -> None:
        """Answer ``error``, then close the connection: the rest of the stream cannot be
        parsed, or was not read."""
        self.close_connection = True
        self._send_error_response(GatewayResponse(error, self.command, self.path))

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _handle


def _read_chunked(stream: Any, limit: int) -> bytes:
    """Decode a chunked request body (RFC 9112, section 7.1) of at most ``limit`` bytes,
    trailers discarded."""
    parts: list[bytes] = []
    total = 0
    while True:
        line = stream.readline(_MAX_LINE)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise MalformedChunkedBody(f"Bad chunk size line {line[:40]!r}") from None
        if size == 0:
            break
        total += size
        if total > limit:
            raise too_large(limit)
        chunk = stream.read(size)
        if len(chunk) != size or stream.read(2) != b"\r\n":
            raise MalformedChunkedBody("Chunk shorter than announced")
        parts.append(chunk)
    for _ in range(_MAX_TRAILER_LINES):
        if stream.readline(_MAX_LINE) in (b"\r\n", b"\n", b""):
            return b"".join(parts)
    raise MalformedChunkedBody("Too many trailer lines")


def load_app() -> tuple[Any, Config]:
    """The app and its Chalice config, exactly as ``chalice local`` builds them."""
    # Chalice copies the stage's environment_variables into `environ`: give it the real one,
    # as `chalice local` does, so that the app sees them.
    factory = CLIFactory(str(PROJECT_ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=CHALICE_STAGE)
    app = config.chalice_app
    validate_routes(app.routes)
    return app, config


def serve(host: str, port: int) -> None:
    app, config = load_app()
    # The app imports pydicom lazily (the Lambda's cold start). Here the first request and the
    # change feed's first batch (a restart's catch-up) would import it in two threads at once,
    # which pydicom's circular package imports do not survive ("cannot import name 'Dataset'
    # from partially initialized module"): import it before the feed's thread starts.
    import pydicom  # noqa: F401

    # The stream trigger and the schedule of the deployed stack, run beside the API, and the
    # job steps Step Functions would invoke (unless a test runs them in a process of its own).
    feed.start()
    if os.environ.get("CIRRUS_JOB_RUNNER") != "external":
        job_runner.start_in_background()
    server = create_local_server(app, config, host, port).server
    # Chalice offers no parameter for the handler class of the server it builds.
    server.RequestHandlerClass = handler_class(app, config)
    server.socket.listen(LISTEN_BACKLOG)
    server.serve_forever()


def handler_class(app: Any, config: Config) -> Any:
    """What serves each connection: :class:`CirrusRequestHandler` with one shared gateway."""
    return functools.partial(
        CirrusRequestHandler,
        gateway=OrthancGateway(app, config),
        sites=tuple(StaticSite.built()),
    )


def main() -> None:
    host, port = service_address(__doc__.splitlines()[0])
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # botocore logs its endpoint resolution at INFO: noise next to the app's own messages.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    serve(host, port)


if __name__ == "__main__":
    main()
