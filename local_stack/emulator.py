"""The AWS emulator process (`python -m local_stack.emulator`): moto, one request at a time.

This is ``moto_server`` (same application, same request handler) with these changes:

- AWS requests run one at a time. moto's recorder writes a request to the recording when it
  arrives, before it is executed; with concurrent requests the recorded order could differ from
  the order in which they were applied, and a replay of two conditional writes racing for the
  same item (``TransactWriteItems`` with ``attribute_not_exists``) could then pick the other
  winner. moto's own conditional checks are not atomic across threads either. One lock around
  each request makes the recording an exact log; it costs little, since moto's work is pure
  Python under the GIL anyway. ``/moto-api/`` calls skip the lock; the restore
  replays the recording's tail in-process (``local_stack.snapshot``).
- ``TransactWriteItems`` is moto's semantics without its per-action copy of the whole table
  (``local_stack.moto_transactions``), which made each upload slower as the archive grew.
- Queries read only the partition they name, or the range of it that matches the sort-key
  condition (``local_stack.moto_indexes``): moto goes through every item of the table for
  each Query.
- The state is restored from the data directory by the supervisor's first call, and kept there
  as snapshots plus the recording's tail (``local_stack.snapshot``); the last snapshot is taken
  when the emulator stops (SIGTERM).
- Accepted sockets get ``TCP_NODELAY``, so that a response written in two parts (headers, then
  body) is not held back by Nagle's algorithm waiting for a delayed ACK.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from local_stack import moto_indexes, moto_transactions
from local_stack.child import service_address
from local_stack.recording import record_writes_only
from local_stack.snapshot import Persistence, RestoreEndpoint, WsgiApp


class SerializedApp:
    """A WSGI wrapper running the AWS requests of ``app`` one at a time."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        # Also taken by a snapshot, which must fall between two requests.
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith("/moto-api/"):
            return self._app(environ, start_response)
        with self.lock:
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
    record_writes_only()
    # One access-log line per AWS call would bury the REST server's messages.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto = DomainDispatcherApplication(create_backend_app)
    app = SerializedApp(moto)
    # Without a data folder (the benchmarks' emulator, bench/servers.py) nothing is kept.
    data_dir = os.environ.get("CIRRUS_DATA_DIR")
    persistence = None if data_dir is None else Persistence(Path(data_dir), app.lock, moto)
    served = app if persistence is None else RestoreEndpoint(app, persistence)
    server = make_server(host, port, served, threaded=True, request_handler=NoDelayRequestHandler)
    try:
        server.serve_forever()
    finally:
        # SIGTERM (the supervisor stopping the stack): the next start replays nothing.
        if persistence is not None:
            persistence.snapshot()


if __name__ == "__main__":
    main()
