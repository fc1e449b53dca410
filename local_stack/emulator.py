"""The AWS emulator process (`python -m local_stack.emulator`): moto, one request at a time.

This is ``moto_server`` (same application, same request handler) with these changes:

- AWS requests run one at a time. moto's recorder writes a request to the recording when it
  arrives, before it is executed; with concurrent requests the recorded order could differ from
  the order in which they were applied, and a replay of two conditional writes racing for the
  same item (``TransactWriteItems`` with ``attribute_not_exists``) could then pick the other
  winner. moto's own conditional checks are not atomic across threads either. One lock around
  each request makes the recording an exact log; it costs little, since moto's work is pure
  Python under the GIL anyway. ``/moto-api/`` calls skip the lock: replaying the recording is
  one such call that sends every recorded request back to this same server.
- ``TransactWriteItems`` is moto's semantics without its per-action copy of the whole table
  (``local_stack.moto_transactions``), which made each upload slower as the archive grew.
- Queries reuse the sorted order of the table's items between writes
  (``local_stack.moto_indexes``): moto sorts the whole table for every Query.
- Accepted sockets get ``TCP_NODELAY``, so that a response written in two parts (headers, then
  body) is not held back by Nagle's algorithm waiting for a delayed ACK.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from local_stack import moto_indexes, moto_transactions
from local_stack.child import service_address

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SerializedApp:
    """A WSGI wrapper running the AWS requests of ``app`` one at a time."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith("/moto-api/"):
            return self._app(environ, start_response)
        with self._lock:
            return self._app(environ, start_response)


class NoDelayRequestHandler(MotoRequestHandler):
    """moto's request handler, with TCP_NODELAY on each connection."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def main() -> None:
    host, port = service_address(__doc__.splitlines()[0])
    moto_transactions.install()
    moto_indexes.install()
    # One access-log line per AWS call would bury the REST server's messages.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = SerializedApp(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=NoDelayRequestHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
