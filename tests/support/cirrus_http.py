"""Cirrus served over real HTTP inside the test process, for clients that cannot be handed
Chalice's test client (a real Orthanc sending to, or fetching from, Cirrus).

The server is the local stack's (its request handler and gateway: chunked uploads decoded,
the socket's peer named in the events) on a loopback port of the caller's choosing, one thread
per connection, over whatever AWS the test has set up (moto in-process: its patch is global,
so the server's threads reach the same tables and bucket as the test's own client). It is far
cheaper than a ``python -m local_stack`` process and serves the same code path.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cirrus_over_http(port: int) -> Iterator[str]:
    """Serve the app on ``127.0.0.1:port`` for the duration of the block; yields its URL.

    The port is the caller's so that a server configured with Cirrus's URL before Cirrus
    starts (a module-scoped Orthanc, per-test Cirrus) can reach each test's Cirrus."""
    from chalice.config import Config
    from chalice.local import ThreadedHTTPServer

    from app import app
    from local_stack.rest import handler_class

    httpd = ThreadedHTTPServer(("127.0.0.1", port), handler_class(app, Config()))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
