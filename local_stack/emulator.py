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
- DynamoDB's data-plane answers and the stream's records are written by ``json.dumps``
  rather than by moto's generic serializer, and the backend of each request is looked up once
  per host (``local_stack.moto_responses``).
- Stream shard iterators expire after 15 minutes, as on AWS, instead of piling up in memory
  and in every snapshot (``local_stack.moto_streams``).
- DynamoDB's requests and S3's object requests go straight to moto's handlers, without its
  Flask application (``local_stack.moto_dispatch``).
- An update expression is parsed once per distinct text, and the validator's copy of it is
  unpickled rather than deep-copied (``local_stack.moto_updates``).
- An item's size limit is checked once per item built, not once per attribute
  (``local_stack.moto_items``).
- The state is restored from the data directory by the supervisor's first call, and kept there
  as snapshots plus the recording's tail (``local_stack.snapshot``); the last snapshot is taken
  when the emulator stops (SIGTERM).
- It is served by waitress instead of werkzeug's development server, which answers every
  request with ``Connection: close`` and starts a thread per connection: botocore then opened
  a new connection for each AWS request, and the emulator spent about a sixth of its time
  accepting them. waitress keeps connections alive (botocore's pool reuses them), hands
  requests to a fixed pool of threads, and sets ``TCP_NODELAY`` on every connection, so that
  a response written in two parts (headers, then body) is not held back by Nagle's algorithm.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from waitress import create_server

from local_stack import moto_dispatch, moto_patches
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


# waitress's threads: AWS requests run one at a time (SerializedApp), so more threads only let
# the next requests be read while one runs; /moto-api/ and the restore do not wait for them.
_THREADS = 8
# Every process of the stack keeps a pool of connections per AWS service (botocore's default
# is 10 per client); waitress's default of 100 could refuse some under load.
_CONNECTION_LIMIT = 1000
# S3's largest single PutObject: the console's large uploads go to presigned S3 URLs.
_MAXIMUM_BODY = 5 * 1024**3


def main() -> None:
    host, port = service_address(__doc__.splitlines()[0])
    moto_patches.install()
    # "Task queue depth" warnings, whenever several clients send at once, would bury the REST
    # server's messages.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    moto = moto_dispatch.DirectDispatch(DomainDispatcherApplication(create_backend_app))
    app = SerializedApp(moto)
    # Without a data folder (the benchmarks' emulator, bench/servers.py) nothing is kept.
    data_dir = os.environ.get("CIRRUS_DATA_DIR")
    persistence = None if data_dir is None else Persistence(Path(data_dir), app.lock, moto)
    record_writes_only(None if persistence is None else persistence.recorded)
    served = app if persistence is None else RestoreEndpoint(app, persistence)
    server = create_server(
        served,
        host=host,
        port=port,
        threads=_THREADS,
        connection_limit=_CONNECTION_LIMIT,
        max_request_body_size=_MAXIMUM_BODY,
        ident="Cirrus AWS emulator (moto)",
    )
    try:
        server.run()
    finally:
        # SIGTERM (the supervisor stopping the stack): the next start replays nothing.
        if persistence is not None:
            persistence.snapshot()


if __name__ == "__main__":
    main()
