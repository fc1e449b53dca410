"""DynamoDB's and S3's requests handed straight to moto's handlers, without Flask (local tooling).

moto's server answers every request through a Flask application per service: a request
context, URL routing, CORS hooks, then moto's ``convert_to_flask_response``, which builds
moto's request object, records it, calls the service's handler and wraps its answer in a
response. Profiling the emulator under ``bench/ingest.py`` put the Flask part at about a
seventh of the emulator's CPU, for requests whose route is known before any routing:

- DynamoDB and DynamoDB Streams answer every operation at ``POST /`` (their ``urls.py``),
  named by the ``X-Amz-Target`` header;
- S3 answers every request on an object's path (``/<bucket>/<key>``, the path style botocore
  uses against an IP address) with ``S3Response.key_dispatch``, whatever the method and query
  (moto's two object routes in ``s3/urls.py`` both name it); a request goes this way only when
  it is signed (SigV4) and moto's dispatcher would pick S3 for it (not S3 Control, which is
  signed for ``s3`` too).

These are requests only SDKs send, never a browser (the console's presigned uploads carry
their signature in the query string, and go through Flask); the one header moto's CORS hook
adds to every answer (``Access-Control-Allow-Origin: *``) is added here too.

``DirectDispatch`` wraps moto's dispatcher application and, for such a request, does exactly
what ``convert_to_flask_response`` does, with moto's own request class (``BackendRequest``,
as Flask would build it), recorder and handler, and the same response class (and, for a
``HEAD``, the same ``Content-Length``); an exception propagates to the HTTP server as it does
through Flask in moto's debug mode (a 500). Everything else (Step Functions, Secrets Manager,
``/moto-api/``, S3 on a bucket's path, a DynamoDB request on another path or method) goes
through moto's dispatcher as before. ``tests/integration/test_emulator_dispatch.py`` compares
both paths' statuses, headers and bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from flask import Response
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import BackendRequest, DomainDispatcherApplication
from moto.s3.responses import S3Response
from moto.settings import DISABLE_GLOBAL_CORS

# X-Amz-Target prefix (the API version included) -> moto's handler of that service.
_HANDLERS: dict[str, Callable[..., Any]] = {
    "DynamoDB_20120810.": DynamoHandler.dispatch,
    "DynamoDBStreams_20120810.": DynamoDBStreamsHandler.dispatch,
}
# A bucket, a slash, and at least one character of a key (moto's route of an object).
_OBJECT_PATH = re.compile(r"/[^/]+/.")
# The credential scope of a SigV4 signature for S3 (and S3 Control).
_S3_SCOPE = "/s3/aws4_request"


def handler_of(
    environ: dict[str, Any], dispatcher: DomainDispatcherApplication
) -> Callable[..., Any] | None:
    """moto's handler for a DynamoDB, DynamoDB Streams or S3 object request that
    ``dispatcher`` (moto's) would route to it, or None for any other."""
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD")
    if method == "POST" and path == "/":
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        prefix = target[: target.find(".") + 1]
        return _HANDLERS.get(prefix) if prefix else None
    if _OBJECT_PATH.match(path) and _S3_SCOPE in environ.get("HTTP_AUTHORIZATION", ""):
        host = dispatcher.infer_service_region_host(environ, path)
        if host is not None and dispatcher.get_backend_for_host(host) == "s3":
            return S3Response.key_dispatch
    return None


class DirectDispatch:
    """A WSGI application: DynamoDB's and S3's object requests to moto's handlers, the rest
    to ``app``."""

    def __init__(self, app: DomainDispatcherApplication) -> None:
        self._app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        handler = handler_of(environ, self._app)
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
        if request.method == "HEAD" and "content-length" in headers:
            response.headers["Content-Length"] = headers["content-length"]
        if not DISABLE_GLOBAL_CORS:  # what moto's CORS hook sends with every answer
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response(environ, start_response)
