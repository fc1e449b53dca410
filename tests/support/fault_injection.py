"""Throttling and transient AWS failures injected into the app's own boto3 calls.

On AWS, DynamoDB throttles (ProvisionedThroughputExceededException, ThrottlingException, a
transaction cancelled for ThrottlingError), S3 answers SlowDown and InternalError, Step
Functions throttles, and connections time out. moto never does, so without this every local
test sees a perfect AWS. :func:`injecting` makes a seeded fraction of the app's calls fail
with the real error shapes, at the HTTP layer: a botocore ``before-send`` hook answers the
request itself with the status, headers and body the service would send (JSON for DynamoDB and
Step Functions, XML for S3), or raises the connection error botocore would raise. Everything
above it is real: botocore parses the answer, its retry policy (the product's
``chalicelib/storage/aws.py``: standard mode, 5 attempts) decides to retry or not, and the
product sees the ClientError or BotoCoreError it would see on AWS.

Two kinds of trouble, both needed:

* ``transient``: a chosen call fails on its first attempt only; botocore's retries should
  absorb it, so nothing may change for the client;
* ``persistent``: a chosen call fails on every attempt; it surfaces to the product, which
  must answer a clean, retryable error (503) and leave the index, S3 and the counters in
  agreement (tests/support/consistency.py).

Only the clients the app builds after entering are affected (the hook goes on the session of
``chalicelib.storage.aws``, and ``bootstrap.reset`` makes the app build its clients again):
the tests' own clients and the local stack's stream reader and job runner stay reliable, as
Lambda's and Step Functions' own plumbing are. Calls are chosen by a ``random.Random(seed)``
in the order they are made, so a single-threaded run is repeatable. botocore's back-off sleeps
are set to zero meanwhile: the retries happen, only not the waiting.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

# A URL no emulator answers: an injected request is pointed there so that moto's own
# before-send stub (which runs after this hook) does not carry it out as well.
_NOWHERE = "https://fault-injection.invalid/"
_DYNAMODB_TYPE = "com.amazonaws.dynamodb.v20120810#"


@dataclass(frozen=True)
class Fault:
    """One AWS failure: a service error answer (``status`` and ``code``) or, with ``raises``,
    the botocore connection error of a timeout or an unreachable endpoint."""

    service: str  # botocore's service id, hyphenized: "dynamodb", "s3", "sfn"
    code: str
    status: int = 0
    message: str = ""
    operations: tuple[str, ...] = ()  # only these operations ("" = all)
    raises: type[Exception] | None = None

    def answer(self, request: AWSPreparedRequest) -> AWSResponse:
        """The HTTP answer the service sends for this error."""
        headers = {"x-amzn-RequestId": "fault-injection"}
        if self.service == "s3":
            headers = {"Content-Type": "application/xml", "x-amz-request-id": "fault-injection"}
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{self.code}</Code><Message>{self.message}</Message>"
                "<RequestId>fault-injection</RequestId><HostId>fault-injection</HostId></Error>"
            ).encode()
            if request.method == "HEAD":
                body = b""  # HEAD answers carry no body: botocore reads the status alone
        else:
            headers["Content-Type"] = "application/x-amz-json-1.0"
            prefix = _DYNAMODB_TYPE if self.service == "dynamodb" else ""
            document: dict[str, Any] = {"__type": prefix + self.code, "message": self.message}
            if self.code == "TransactionCanceledException":
                document["CancellationReasons"] = _throttled_reasons(request)
            body = json.dumps(document).encode()
        return AWSResponse(_NOWHERE, self.status, headers, _Body(body))

    def applies_to(self, service: str, operation: str) -> bool:
        return service == self.service and (not self.operations or operation in self.operations)


def _throttled_reasons(request: AWSPreparedRequest) -> list[dict[str, str]]:
    """DynamoDB's cancellation reasons for a transaction throttled on its first item: one
    reason per action, ``None`` for the others."""
    body = request.body
    actions = json.loads(body.decode() if isinstance(body, bytes) else body)["TransactItems"]
    reasons = [{"Code": "None"} for _ in actions]
    reasons[0] = {
        "Code": "ThrottlingError",
        "Message": "Throughput exceeds the current capacity of your table or index.",
    }
    return reasons


class _Body:
    """The raw stream an AWSResponse reads its content from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


FAULTS: tuple[Fault, ...] = (
    Fault(
        "dynamodb",
        "ProvisionedThroughputExceededException",
        400,
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
    Fault(
        "dynamodb", "ThrottlingException", 400, "Rate of requests exceeds the allowed throughput."
    ),
    Fault("dynamodb", "InternalServerError", 500, "Internal server error"),
    Fault(
        "dynamodb",
        "TransactionCanceledException",
        400,
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ThrottlingError]",
        operations=("TransactWriteItems",),
    ),
    Fault("s3", "SlowDown", 503, "Please reduce your request rate."),
    Fault("s3", "InternalError", 500, "We encountered an internal error. Please try again."),
    Fault("sfn", "ThrottlingException", 400, "Rate exceeded"),
    Fault("dynamodb", "ReadTimeout", raises=ReadTimeoutError),
    Fault("s3", "ConnectTimeout", raises=ConnectTimeoutError),
    Fault("sfn", "EndpointConnectionError", raises=EndpointConnectionError),
)


@dataclass
class Injector:
    """Decides, call by call, whether and how a call fails, and counts what it did.

    ``rate``: the fraction of matching calls that fail; ``persistent``: fail every attempt
    of a chosen call rather than the first only; ``services``/``operations``: which calls
    may fail (empty: any of the services of ``FAULTS``)."""

    seed: int
    rate: float
    persistent: bool = False
    services: tuple[str, ...] = ()
    operations: tuple[str, ...] = ()
    faults: tuple[Fault, ...] = FAULTS
    injected: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    # The bodies of the calls that failed for good (persistent), by "<service>.<Operation>":
    # what a test needs to tell which writes never happened.
    failed_bodies: dict[str, list[bytes]] = field(default_factory=dict)
    enabled: bool = True
    # A thread whose calls never fail (e.g. the test's own requests, while the faults are
    # meant for the job runner's thread from its first step).
    spared_thread: int | None = None

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._chosen: dict[str, Fault | None] = {}
        self._lock = threading.Lock()

    def before_send(self, request: AWSPreparedRequest, event_name: str, **_: Any) -> Any:
        """botocore's ``before-send.<service>.<Operation>``: once per attempt."""
        if threading.get_ident() == self.spared_thread:
            return None
        _, service, operation = event_name.split(".", 2)
        invocation = _header(request, "amz-sdk-invocation-id")
        first_attempt = "attempt=1;" in _header(request, "amz-sdk-request") + ";"
        with self._lock:
            if first_attempt:
                self.calls[f"{service}.{operation}"] += 1
                self._chosen[invocation] = self._choose(service, operation)
                if self._chosen[invocation] is not None and self.persistent:
                    body = request.body if isinstance(request.body, bytes) else b""
                    self.failed_bodies.setdefault(f"{service}.{operation}", []).append(body)
            fault = self._chosen.get(invocation)
            if fault is None or not (first_attempt or self.persistent):
                return None
            self.injected[f"{service}.{operation}:{fault.code}"] += 1
        request.url = _NOWHERE
        if fault.raises is not None:
            raise fault.raises(endpoint_url=_NOWHERE, error="injected")
        return fault.answer(request)

    def _choose(self, service: str, operation: str) -> Fault | None:
        if not self.enabled:
            return None
        if self.services and service not in self.services:
            return None
        if self.operations and operation not in self.operations:
            return None
        candidates = [f for f in self.faults if f.applies_to(service, operation)]
        if not candidates or self._random.random() >= self.rate:
            return None
        return self._random.choice(candidates)


def _header(request: AWSPreparedRequest, name: str) -> str:
    """A header botocore's retry handler adds (bytes or str, depending on the path)."""
    value = request.headers.get(name, "")
    return value.decode() if isinstance(value, bytes) else value


@contextmanager
def injecting(injector: Injector) -> Iterator[Injector]:
    """Inject ``injector``'s faults into the clients the app builds from here on; on exit,
    the app builds reliable clients again. ``injector.enabled`` can be switched off inside
    (then retried requests must succeed)."""
    from botocore.retries import standard

    from chalicelib import bootstrap
    from chalicelib.storage import aws

    bootstrap.reset()
    events = aws.session().events
    events.register_first("before-send", injector.before_send)
    delay = standard.ExponentialBackoff.delay_amount
    standard.ExponentialBackoff.delay_amount = _no_delay  # type: ignore[method-assign]
    try:
        yield injector
    finally:
        standard.ExponentialBackoff.delay_amount = delay  # type: ignore[method-assign]
        events.unregister("before-send", injector.before_send)
        bootstrap.reset()


def _no_delay(self: Any, context: Any) -> float:
    return 0.0
