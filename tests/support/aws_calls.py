"""Which AWS actions each function of ``app.py`` performs, recorded from botocore's events.

moto does not enforce IAM, so a handler calling what its role does not allow passes every
local test and fails on AWS. :func:`recording` notes, for every call a handler makes through
the app's boto3 session (``chalicelib.storage.aws``), the IAM action it needs and the resource
it names, attributed to the Lambda function running it (a Chalice middleware names it from the
event's type, and a schedule's from its rule) or to the DICOM service (:func:`running`); the
threads and thread pools a handler starts inherit its name. tests/infra/test_iam_calls.py
checks the calls against the roles of the synthesized template.

Resources are spelled symbolically, by their logical names in ``schema.json``, so that they
compare with the template whatever the physical names of a test: ``dynamodb:table/index``,
``dynamodb:table/index/index/ByUid``, ``s3:dicom/<key>``, ``s3:dicom`` (the bucket),
``states:stateMachine/jobs``, ``secretsmanager:secret/remotes/<peer>`` (a peer's secret, under
the deployment's prefix), ``secretsmanager:secret/configuration`` (the configuration secret).

The recorder costs nothing when it is not used: the hook, the middleware and the thread
patches exist only inside :func:`recording`.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from chalice.app import (
    CloudWatchEvent,
    DynamoDBEvent,
    LambdaFunctionEvent,
    Request,
    S3Event,
)

# The function of the template (Chalice's logical names) that each handler's event reaches.
FUNCTIONS_BY_EVENT: dict[type, str] = {
    Request: "APIHandler",
    DynamoDBEvent: "IndexStream",
    S3Event: "UploadReceived",
    LambdaFunctionEvent: "JobStep",
}
# Scheduled handlers all receive a CloudWatchEvent: the rule it names (its ARN's last
# segment, the handler's name in the tests' events) tells them apart.
FUNCTIONS_BY_RULE: dict[str, str] = {
    "stability_check": "StabilityCheck",
    "orphan_sweeper": "OrphanSweeper",
}
# The Fargate task of the DICOM service, checked against its task role.
DICOM_SERVICE = "DicomService"
_running: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cirrus_function", default=None
)

# botocore's service names -> IAM's service prefixes.
_PREFIXES = {"dynamodb": "dynamodb", "s3": "s3", "stepfunctions": "states"}
# Operations whose IAM action has another name (S3's documented mapping).
_S3_ACTIONS = {
    "HeadObject": "GetObject",
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListParts": "ListMultipartUploadParts",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
}
# DynamoDB's transaction members, each authorized as the single-item action.
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


@dataclass(frozen=True)
class Call:
    """One action a function needs: ``dynamodb:Query`` on ``dynamodb:table/index/index/ByUid``."""

    function: str
    action: str
    resource: str


def iam_requests(
    service: str, operation: str, params: dict[str, Any], names: dict[str, str]
) -> list[tuple[str, str]]:
    """The (IAM action, symbolic resource) pairs that authorize one botocore call.

    ``names``: physical table and bucket names -> logical names of the schema."""
    prefix = _PREFIXES.get(service, service)
    if service == "dynamodb":
        return _dynamodb(operation, params, names)
    if service == "s3":
        return _s3(operation, params, names)
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", _secret(params.get("SecretId") or params["Name"]))]
    if service == "stepfunctions":
        # The one state machine is named by configuration; its executions belong to it.
        for parameter, kind in (("stateMachineArn", "stateMachine"), ("executionArn", "execution")):
            if parameter in params:
                return [(f"states:{operation}", f"states:{kind}/jobs")]
    return [(f"{prefix}:{operation}", "*")]


def _secret(secret: str) -> str:
    """A secret named as the roles name it: by the deployment's prefix or as the
    configuration secret (``CIRRUS_CONFIG_SECRET``)."""
    from chalicelib.storage.secrets import secrets_prefix

    if secret == os.environ.get("CIRRUS_CONFIG_SECRET"):
        return "secretsmanager:secret/configuration"
    prefix = secrets_prefix()
    if secret.startswith(prefix):
        return f"secretsmanager:secret/remotes/{secret[len(prefix) :]}"
    return f"secretsmanager:secret/{secret}"


def _table(name: str, names: dict[str, str]) -> str:
    return f"dynamodb:table/{names.get(name, name)}"


def _dynamodb(
    operation: str, params: dict[str, Any], names: dict[str, str]
) -> list[tuple[str, str]]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", _table(member["TableName"], names))
            for item in params["TransactItems"]
            for kind, member in item.items()
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table(t, names)) for t in params["RequestItems"]]
    resource = _table(params["TableName"], names)
    if "IndexName" in params:
        resource += f"/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", resource)]


def _s3(operation: str, params: dict[str, Any], names: dict[str, str]) -> list[tuple[str, str]]:
    bucket = f"s3:{names.get(params['Bucket'], params['Bucket'])}"
    if operation == "DeleteObjects":
        return [("s3:DeleteObject", f"{bucket}/{o['Key']}") for o in params["Delete"]["Objects"]]
    if operation in ("CopyObject", "UploadPartCopy"):
        source = params["CopySource"]
        if isinstance(source, str):
            source_bucket, _, source_key = source.lstrip("/").partition("/")
        else:
            source_bucket, source_key = source["Bucket"], source["Key"]
        return [
            ("s3:GetObject", f"s3:{names.get(source_bucket, source_bucket)}/{source_key}"),
            ("s3:PutObject", f"{bucket}/{params['Key']}"),
        ]
    action = _S3_ACTIONS.get(operation, operation)
    if "VersionId" in params and action in ("GetObject", "DeleteObject"):
        action += "Version"
    if "Key" in params:
        return [(f"s3:{action}", f"{bucket}/{params['Key']}")]
    return [(f"s3:{action}", bucket)]


class Recorder:
    """The calls made while recording, by function; calls made outside any handler (the
    tests' own set-up, the local stack's stream reader and job runner) are kept apart."""

    def __init__(self, names: Callable[[], dict[str, str]]) -> None:
        self._names = names
        self._lock = threading.Lock()
        self.calls: set[Call] = set()
        self.unattributed: set[tuple[str, str]] = set()

    def before_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        """botocore's ``before-parameter-build``: the API parameters, also of presigned URLs
        (which the role signs, so it must be allowed what they do)."""
        function = _running.get()
        pairs = iam_requests(model.service_model.service_name, model.name, params, self._names())
        with self._lock:
            if function is None:
                self.unattributed.update(pairs)
            else:
                self.calls.update(Call(function, a, r) for a, r in pairs)

    @staticmethod
    def middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
        """Chalice middleware of every event type: names the function the event reaches.
        Each function runs in containers of its own on AWS, so the settings and secrets this
        process cached during another function's invocation are forgotten (they would hide
        this function's read of them)."""
        from chalicelib import bootstrap

        bootstrap.runtime_settings.cache_clear()
        bootstrap.log_levels.cache_clear()
        bootstrap.secrets.cache_clear()
        token = _running.set(_function_of(event))
        try:
            return get_response(event)
        finally:
            _running.reset(token)


def _function_of(event: Any) -> str:
    """The function of the template that ``event`` reaches."""
    if isinstance(event, CloudWatchEvent):
        [rule] = event.resources
        return FUNCTIONS_BY_RULE[rule.rpartition("/")[2]]
    return FUNCTIONS_BY_EVENT[type(event)]


@contextmanager
def running(function: str) -> Iterator[None]:
    """Attribute to ``function`` the calls made here and in the threads started here: the
    DICOM service (scp_container/), whose server threads start one per association."""
    token = _running.set(function)
    try:
        yield
    finally:
        _running.reset(token)


def _submit_in_context(submit: Callable[..., Any]) -> Callable[..., Any]:
    """``ThreadPoolExecutor.submit`` running the task in the submitter's context, so that the
    calls of a handler's thread pool (parallel reads, S3 transfers) are the handler's."""

    def submit_in_context(
        self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Any:
        return submit(self, contextvars.copy_context().run, fn, *args, **kwargs)

    return submit_in_context


def _start_in_context(start: Callable[[threading.Thread], None]) -> Callable[..., None]:
    """``Thread.start`` running the thread in the starter's context, so that the threads a
    handler starts (its DICOM associations, which receive C-GET's stores and storage
    commitment reports) are the handler's."""

    def start_in_context(self: threading.Thread) -> None:
        context = contextvars.copy_context()
        run = self.run
        self.run = lambda: context.run(run)  # type: ignore[method-assign]
        start(self)

    return start_in_context


def logical_names() -> dict[str, str]:
    """Physical names of the current tables and bucket -> their logical names."""
    from chalicelib.storage.schema import bucket_name, load_schema, table_name

    schema = load_schema()
    names = {table_name(t): t for t in schema["tables"]}
    names.update({bucket_name(b): b for b in schema["buckets"]})
    return names


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record the calls of the app's handlers: a botocore hook on every session the app's
    clients come from (``chalicelib.storage.aws.session``, built again after each
    ``bootstrap.reset``) and a Chalice middleware placed first (so that it also sees the
    log-level middleware's read). Everything built before or during is built again, as a
    client copies its session's hooks when it is built."""
    from app import app
    from chalicelib import bootstrap
    from chalicelib.storage import aws

    recorder = Recorder(logical_names)
    plain = aws.session

    @cache
    def hooked() -> boto3.session.Session:
        session = plain.__wrapped__()
        session.events.register("before-parameter-build", recorder.before_call)
        return session

    entry = (recorder.middleware, "all")
    submit, start = ThreadPoolExecutor.submit, threading.Thread.start
    aws.session = hooked
    app.middleware_handlers.insert(0, entry)
    _rebuild_event_handlers(app)
    ThreadPoolExecutor.submit = _submit_in_context(submit)  # type: ignore[method-assign]
    threading.Thread.start = _start_in_context(start)  # type: ignore[method-assign]
    bootstrap.reset()
    try:
        yield recorder
    finally:
        ThreadPoolExecutor.submit = submit  # type: ignore[method-assign]
        threading.Thread.start = start  # type: ignore[method-assign]
        app.middleware_handlers.remove(entry)
        _rebuild_event_handlers(app)
        aws.session = plain
        bootstrap.reset()


def _rebuild_event_handlers(app: Any) -> None:
    """Chalice builds an event handler's middleware chain at its first call (an earlier test
    of the same process may have called ``index_stream`` or ``job_step``): make each build it
    again from the app's middleware as it is now, the recorder's included or removed."""
    from chalice.app import _EVENT_CLASSES, _MIDDLEWARE_MAPPING, EventSourceHandler

    import app as app_module

    for handler in vars(app_module).values():
        if isinstance(handler, EventSourceHandler):
            kinds = {
                _MIDDLEWARE_MAPPING[name]
                for name, event_class in _EVENT_CLASSES.items()
                if event_class is handler.event_class
            }
            handler.middleware_handlers = [
                func for func, kind in app.middleware_handlers if kind == "all" or kind in kinds
            ]
            handler.handler = None
