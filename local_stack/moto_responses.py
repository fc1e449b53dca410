"""moto's request path made cheaper where it repeats the same work for every request.

Profiling the emulator under ``bench/ingest.py`` (docs/architecture.md, "Where the time goes
locally") showed costs that do not depend on what a request does:

- **Which backend answers.** moto's dispatcher finds the backend of each request's inferred
  host by listing moto's package directory (``list_of_moto_modules``: a ``listdir`` and an
  ``isdir`` per service) and then trying every backend's URL patterns. The answer depends on
  the host alone, and the backends do not change while the emulator runs, so it is kept per
  host.
- **Which method runs the action.** Each request lists its handler class's methods with
  ``inspect.getmembers`` to check that the action exists; a class's methods do not change, so
  the list is kept per class.
- **DynamoDB answers.** moto 5.2 serializes every DynamoDB answer with its generic,
  model-driven serializer: for each attribute of each returned item it looks the member up in
  botocore's shapes and picks the value through several spellings of its name. A
  ``BatchGetItem`` of a few Cirrus records spends more time there than in the backend. The
  answers of the data-plane operations are already JSON-ready dictionaries (moto builds them
  with the API's own member names), so for those the body is ``json.dumps`` of the result,
  less the top-level keys the operation's output has no member for (as the generic
  serializer drops them: moto adds ``ConsumedCapacityUnits`` to a ``DeleteItem`` of nothing).
  The generic serializer still answers everything else, and any result holding something
  ``json.dumps`` would render differently (``None``, bytes, binary attribute values, numbers
  that are not plain ``int``/``float``, non-string keys): ``_is_plain`` checks the whole tree
  first. ``tests/integration/test_emulator_responses.py`` compares both serializations over
  Cirrus's own requests and over every attribute type.
- **DynamoDB requests.** moto parses every request body through botocore's shapes as well
  (``parse_parameters``): for each member of each attribute value it looks the member up in
  the model, and builds a new dictionary (the stream's handler reads its few parameters from
  the body directly). For the data-plane operations above, whose input has no timestamps,
  ``json.loads`` of the body gives the same dictionary unless a value is binary (base64 text
  the parser decodes), null (which it drops) or a float (which it may turn into an integer):
  ``_is_plain`` checks the whole tree for those, and the model-driven parser reads the rest.
- **The stream's records.** The change feed's ``GetRecords`` (every 0.2 s while anything is
  written) went through the same generic serializer: a fifth of the emulator's time under
  ``bench/ingest.py``. Its records are items too, plus one timestamp each
  (``ApproximateCreationDateTime``), written as epoch seconds by moto's own conversion.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from moto.core import responses as core_responses
from moto.core.responses import ActionResult, BaseResponse
from moto.core.serialize import TimestampSerializer
from moto.core.utils import get_service_model
from moto.dynamodb.responses import DynamoHandler, DynamoResult
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

# Operations whose answers are items, keys and counts built by moto as plain dictionaries.
FAST_OPERATIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
    }
)
# The stream's records, read by the change feed every poll: items as above, and each record's
# ApproximateCreationDateTime, a datetime the protocol writes as epoch seconds.
STREAM_OPERATIONS = frozenset({"GetRecords"})
# The DynamoDB protocol's content type (the service model's jsonVersion 1.0).
_CONTENT_TYPE = "application/x-amz-json-1.0"
# Attribute value types the generic serializer transforms (blobs are base64-encoded).
_BINARY_TYPES = frozenset({"B", "BS"})
_SCALARS = (str, bool, int, float)
_STREAM_SCALARS = (*_SCALARS, datetime)
# What a request's JSON may hold for its parameters to be the body as it decodes (fast_params).
_REQUEST_SCALARS = (str, bool, int)

_installed = False


def install() -> None:
    """Patch moto in this process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    _cache_backend_lookup()
    core_responses.method_names_from_class = functools.cache(core_responses.method_names_from_class)
    generic = BaseResponse.serialized

    def serialized(self: BaseResponse, action_result: ActionResult) -> Any:
        body = fast_body(self._get_action(), action_result, self.service_name)
        if body is None:
            return generic(self, action_result)
        return 200, {"Content-Type": _CONTENT_TYPE, **self.response_headers}, body

    DynamoHandler.serialized = serialized  # type: ignore[method-assign]
    DynamoDBStreamsHandler.serialized = serialized  # type: ignore[method-assign]
    generic_parse = BaseResponse.parse_parameters

    def parse_parameters(self: BaseResponse, request: Any) -> None:
        params = fast_params(self._get_action(), request.data)
        if params is None:
            generic_parse(self, request)
        else:
            self.params = params

    DynamoHandler.parse_parameters = parse_parameters  # type: ignore[method-assign]


def fast_params(operation: str, body: bytes) -> dict[str, Any] | None:
    """The parameters of a data-plane request as moto's parser gives them, or None when the
    parser must read the body."""
    if operation not in FAST_OPERATIONS:
        return None
    try:
        params = json.loads(body)
    except ValueError:
        return None
    return params if type(params) is dict and _is_plain(params, _REQUEST_SCALARS) else None


def fast_body(operation: str, action_result: ActionResult, service: str = "dynamodb") -> str | None:
    """The body of a data-plane operation's answer, or None when the generic serializer must
    write it."""
    if service == "dynamodbstreams":
        if operation not in STREAM_OPERATIONS:
            return None
        scalars = _STREAM_SCALARS
    elif operation in FAST_OPERATIONS:
        scalars = _SCALARS
    else:
        return None
    if type(action_result) not in (ActionResult, DynamoResult):
        return None
    result = action_result.result
    if not isinstance(result, dict) or not _is_plain(result, scalars):
        return None
    members = _output_members(service, operation)
    return json.dumps(
        {key: value for key, value in result.items() if key in members}, default=_epoch_seconds
    )


def _epoch_seconds(value: datetime) -> int | float:
    """A timestamp as the JSON protocols write it (moto's own conversion)."""
    return TimestampSerializer._timestamp_unixtimestamp(value)


@functools.cache
def _output_members(service: str, operation: str) -> frozenset[str]:
    """The member names of an operation's output, from botocore's model."""
    shape = get_service_model(service).operation_model(operation).output_shape
    return frozenset(shape.members) if shape is not None else frozenset()


def _is_plain(value: Any, scalars: tuple[type, ...] = _SCALARS) -> bool:
    """Whether ``json.dumps`` renders ``value`` as the generic serializer would: dictionaries
    with string keys, lists, strings, booleans and plain numbers, and no binary attribute."""
    kind = type(value)
    if kind is dict:
        return all(
            type(key) is str and key not in _BINARY_TYPES and _is_plain(item, scalars)
            for key, item in value.items()
        )
    if kind is list:
        return all(_is_plain(item, scalars) for item in value)
    return kind in scalars


def _cache_backend_lookup() -> None:
    lookup = DomainDispatcherApplication.get_backend_for_host
    cache: dict[str | None, Any] = {}

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        if host not in cache:
            cache[host] = lookup(self, host)
        return cache[host]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]
