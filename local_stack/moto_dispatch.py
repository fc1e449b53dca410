"""DynamoDB's requests handed straight to moto's handler, without Flask (local tooling).

moto's server answers every request through a Flask application per service: a request
context, URL routing, CORS hooks, then moto's ``convert_to_flask_response``, which builds
moto's request object, records it, calls the service's handler and wraps its answer in a
response. Profiling the emulator under ``bench/ingest.py`` put the Flask part at about a
seventh of the emulator's CPU, for requests that have a single route: DynamoDB and DynamoDB
Streams answer every operation at ``POST /`` (their ``urls.py``), named by the
``X-Amz-Target`` header. These are also requests only SDKs send, never a browser; the one
header moto's CORS hook adds to every answer (``Access-Control-Allow-Origin: *``) is added
here too.

``DirectDynamoDB`` wraps moto's dispatcher application and, for such a request, does exactly
what ``convert_to_flask_response`` does, with moto's own request class (``BackendRequest``,
as Flask would build it), recorder and handler, and the same response class; an exception
propagates to the HTTP server as it does through Flask in moto's debug mode (a 500).
Everything else (S3, Step Functions, Secrets Manager, ``/moto-api/``, a DynamoDB request on
another path or method) goes through moto's dispatcher as before.
``tests/integration/test_emulator_dispatch.py`` compares both paths' statuses, headers and bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from flask import Response
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import BackendRequest
from moto.settings import DISABLE_GLOBAL_CORS

from local_stack.snapshot import WsgiApp

# X-Amz-Target prefix (the API version included) -> moto's handler of that service.
_HANDLERS: dict[str, Callable[..., Any]] = {
    "DynamoDB_20120810.": DynamoHandler.dispatch,
    "DynamoDBStreams_20120810.": DynamoDBStreamsHandler.dispatch,
}


def handler_of(environ: dict[str, Any]) -> Callable[..., Any] | None:
    """moto's handler for a DynamoDB or DynamoDB Streams request, or None for any other."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/":
        return None
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    prefix = target[: target.find(".") + 1]
    return _HANDLERS.get(prefix) if prefix else None


class DirectDynamoDB:
    """A WSGI application: DynamoDB requests to moto's handler, the rest to ``app``."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        handler = handler_of(environ)
        if handler is None:
            return self._app(environ, start_response)
        request = BackendRequest(environ)
        recorder._record_request(request)
        try:
            result = handler(request, request.raw_url, dict(request.headers))
        except ClientError as exc:
            result = 400, {}, exc.response["Error"]["Message"]
        status, headers, content = result if len(result) == 3 else (200, {}, result)
        response = Response(response=content, status=status, headers=headers)
        if not DISABLE_GLOBAL_CORS:  # what moto's CORS hook sends with every answer
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response(environ, start_response)
