"""Cirrus served by ``chalice local`` inside the benchmark process, backed by moto's server.

Why in-process: the issue asks for the AWS requests made per ingested instance, counted with
botocore's event hooks. Hooks only see requests made in the process that registers them, so
the Chalice app runs here, in a background thread, exactly as ``chalice local`` would serve it
(same Config built from ``.chalice/config.json``, same ``LocalDevServer``, one thread per
connection), with a hook on the product code's own boto3 session
(``chalicelib.storage.aws.session()``).

The load generator runs in a separate process (see ``ingest.py``), so it never competes with
this server for the GIL.
"""

from __future__ import annotations

import cProfile
import functools
import os
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from types import TracebackType
from typing import Any

from chalice import local

REPO_ROOT = Path(__file__).resolve().parent.parent
# `python bench/ingest.py` puts bench/ on the path, not the project: the product code
# (chalicelib, app.py) is imported from the repository root.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from local_stack.gateway import OrthancGateway  # noqa: E402
from local_stack.rest import CirrusRequestHandler, load_app  # noqa: E402


class AwsRequestCounter:
    """Counts every AWS request (retries included) and times its round trip, per operation.

    ``before-send`` fires once per HTTP attempt, just before botocore hands the request to
    urllib3; ``before-parse`` fires when the response is in. The time between the two is the
    round trip: network plus the emulator's (or AWS's) own work, i.e. what the product code
    waits for. Registered with ``register_first`` so that, under ``moto.mock_aws()`` (whose
    stub answers from a later ``before-send`` handler), the in-process emulator's work is
    timed as well.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.counts: Counter[str] = Counter()
        self.round_trips: defaultdict[str, list[float]] = defaultdict(list)
        # Non-200 answers per operation, e.g. {"dynamodb:TransactWriteItems 500": 9}: moto's
        # 500s are retried by botocore, conditional-check failures by the product code.
        self.failures: Counter[str] = Counter()

    def attach(self, boto3_session: Any) -> None:
        """Register on a boto3 session; only clients created afterwards inherit the hooks."""
        boto3_session.events.register_first("before-send", self._before_send)
        boto3_session.events.register_last("before-parse", self._before_parse)

    @staticmethod
    def _operation(event_name: str) -> str:
        # "before-send.dynamodb.BatchGetItem" -> "dynamodb:BatchGetItem"
        _, service, operation = event_name.split(".", 2)
        return f"{service}:{operation}"

    def _before_send(self, event_name: str, **_: Any) -> None:
        self._local.started = time.perf_counter()
        with self._lock:
            self.counts[self._operation(event_name)] += 1

    def _before_parse(self, event_name: str, response_dict: dict[str, Any], **_: Any) -> None:
        status = response_dict.get("status_code")
        if status != 200:
            with self._lock:
                self.failures[f"{self._operation(event_name)} {status}"] += 1
        started = getattr(self._local, "started", None)
        if started is None:
            return
        elapsed = time.perf_counter() - started
        self._local.started = None
        with self._lock:
            self.round_trips[self._operation(event_name)].append(elapsed)

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()
            self.round_trips.clear()
            self.failures.clear()

    def snapshot(self) -> tuple[Counter[str], dict[str, list[float]]]:
        """Requests per operation, and each operation's round trips in call order."""
        with self._lock:
            return Counter(self.counts), {op: list(t) for op, t in self.round_trips.items()}

    @property
    def total_seconds(self) -> float:
        with self._lock:
            return sum(sum(times) for times in self.round_trips.values())


def product_environment(endpoint_url: str | None, prefix: str) -> dict[str, str | None]:
    """The variables the product code reads; None removes a variable (in-process moto)."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "CIRRUS_RESOURCE_PREFIX": prefix,
        "CIRRUS_CONFIG": None,
    }


class EnvironmentPatch:
    """Set variables for the duration of a block and restore the previous values after."""

    def __init__(self, values: dict[str, str | None]) -> None:
        self._values = values
        self._saved: dict[str, str | None] = {}

    def __enter__(self) -> EnvironmentPatch:
        for name, value in self._values.items():
            self._saved[name] = os.environ.get(name)
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        return self

    def __exit__(self, *_: object) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def fresh_product_stack(counter: AwsRequestCounter) -> None:
    """Forget cached clients, hook the new session, create tables and bucket, zero the count.

    Must run after the environment is set: the product code builds its clients from it.
    """
    from chalicelib import bootstrap
    from chalicelib.storage import aws
    from chalicelib.storage.schema import ensure_storage

    bootstrap.reset()
    counter.attach(aws.session())
    ensure_storage(aws.client("dynamodb"), aws.client("s3"))
    counter.reset()


class ProfileCollector:
    """One cProfile profiler per server thread (cProfile only sees the thread enabling it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.profilers: list[cProfile.Profile] = []
        self.requests = 0

    def profiler(self) -> cProfile.Profile:
        profiler = getattr(self._local, "profiler", None)
        if profiler is None:
            profiler = cProfile.Profile()
            self._local.profiler = profiler
            with self._lock:
                self.profilers.append(profiler)
        return profiler

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1


class ProfilingHandler(CirrusRequestHandler):
    """Profiles each request from the parsed request line to the last byte of the answer.

    Only the handling is profiled, not the wait for the next request on a keep-alive
    connection: that idle time belongs to the client.
    """

    collector: ProfileCollector  # set on a subclass made per run

    def _profiled_handle(self) -> None:
        profiler = self.collector.profiler()
        profiler.enable()
        try:
            self._handle()
        finally:
            profiler.disable()
            self.collector.count_request()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _profiled_handle


class CirrusServer:
    """Context manager: Cirrus on ``self.url``, served from a thread of this process.

    ``endpoint_url`` is the moto server the product code talks to. Every request the product
    code makes is counted by ``self.counter``.
    """

    def __init__(self, endpoint_url: str) -> None:
        self.counter = AwsRequestCounter()
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}"
        self._env = EnvironmentPatch(product_environment(endpoint_url, self.prefix))
        self._server: local.LocalDevServer | None = None
        self._thread: threading.Thread | None = None
        self._app: Any = None
        self._config: Any = None
        self._gateway: OrthancGateway | None = None
        self.url = ""

    def __enter__(self) -> CirrusServer:
        self._env.__enter__()
        try:
            fresh_product_stack(self.counter)
            # The local stack's REST server (TCP_NODELAY, Orthanc's 404 for unknown routes),
            # in this process so that botocore's event hooks count the product's requests.
            self._app, self._config = load_app()
            self._gateway = OrthancGateway(self._app, self._config)
            self._server = local.create_local_server(self._app, self._config, "127.0.0.1", 0)
            self.use_handler(CirrusRequestHandler)
            port = self._server.server.server_address[1]
            self.url = f"http://127.0.0.1:{port}"
            self._thread = threading.Thread(
                target=self._server.server.serve_forever, name="cirrus-local", daemon=True
            )
            self._thread.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def fresh_tables(self) -> None:
        """Point the running server at new, empty tables and bucket (a new resource prefix).

        moto's TransactWriteItems deep-copies the whole table for every action of a
        transaction, so its cost grows with the table: without a fresh start, each run would
        be slower than the previous one for reasons that have nothing to do with Cirrus.
        """
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}"
        os.environ["CIRRUS_RESOURCE_PREFIX"] = self.prefix
        fresh_product_stack(self.counter)

    def use_handler(self, handler_cls: type[CirrusRequestHandler]) -> None:
        """Serve new connections with ``handler_cls`` (existing ones keep their handler)."""
        assert self._server is not None
        self._server.server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
            handler_cls, gateway=self._gateway
        )

    def start_profiling(self) -> ProfileCollector:
        collector = ProfileCollector()
        handler = type("BenchProfilingHandler", (ProfilingHandler,), {"collector": collector})
        self.use_handler(handler)
        return collector

    def stop_profiling(self) -> None:
        self.use_handler(CirrusRequestHandler)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None and self._thread is not None:
            # shutdown() waits for serve_forever() to return: only call it if that runs.
            self._server.shutdown()
            self._thread.join(5)
        if self._server is not None:
            self._server.server.server_close()
        self._server = None
        self._thread = None
        self._env.__exit__(None, None, None)
