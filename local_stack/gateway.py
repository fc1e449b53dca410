"""The local API Gateway: Chalice's imitation, made to send what the deployed API sends.

The deployed REST API has two resources, ``/`` and ``/{proxy+}``, that pass every request to
the API function (``infra/chalice_app.py``); the app routes it itself
(``chalicelib/api/proxy.py``). Chalice's local gateway instead matches each request against
the app's routes and sends a pre-routed event. :class:`OrthancGateway` sends the greedy proxy
event, so that the local server and the tests' client exercise the app's own routing, the
code that runs on AWS: the proxy's value decoded as API Gateway decodes path parameters,
``path`` as received, OPTIONS passed to the function as API Gateway's ANY method passes it.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from chalice.config import Config
from chalice.local import EventType as LambdaEvent
from chalice.local import (
    HeaderType,
    LambdaEventConverter,
    LocalGateway,
    LocalGatewayException,
    MatchResult,
)

from chalicelib.api.error_map import error_answer
from chalicelib.api.http import json_response
from chalicelib.api.proxy import PROXY_RESOURCE, ROOT_RESOURCE
from chalicelib.errors import OrthancError


class GatewayResponse(LocalGatewayException):
    """An answer of the gateway itself (no Lambda call), shaped like the app's errors."""

    def __init__(self, error: OrthancError, method: str, path: str) -> None:
        status, body = error_answer(error, method, urlsplit(path).path)
        response = json_response(body, status)
        super().__init__(dict(response.headers), response.body.encode("utf-8"))
        self.CODE = status


class GreedyProxyMatcher:
    """Chalice's route matcher, as the two proxy resources see every request."""

    def match_route(self, url: str) -> MatchResult:
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        proxy = unquote(parts.path.lstrip("/"))
        if not proxy:
            return MatchResult(ROOT_RESOURCE, {}, query)
        return MatchResult(PROXY_RESOURCE, {"proxy": proxy}, query)


class NoAuthorizer:
    """The app declares no Chalice authorizer (on AWS the API's authorizer is a function of
    its own, infra/authorizer; locally the app checks credentials itself). Chalice's local
    authorizer would look the proxy resource up in the app's route table, a defaultdict,
    and so add an empty route to it."""

    def authorize(self, raw_path: str, event: LambdaEvent, context: Any) -> tuple[Any, Any]:
        return event, context


class OrthancGateway(LocalGateway):
    """Chalice's API Gateway imitation, sending greedy proxy events."""

    def __init__(self, app_object: Any, config: Config) -> None:
        super().__init__(app_object, config)
        self.event_converter = LambdaEventConverter(
            GreedyProxyMatcher(),  # type: ignore[arg-type]  # the one method it calls
            app_object.api.binary_types,
        )
        self._authorizer = NoAuthorizer()  # type: ignore[assignment]
        self._source_ip: str | None = None

    def for_peer(self, address: str) -> OrthancGateway:
        """This gateway for the requests of one connection, whose events name ``address``
        (the socket's peer) as ``sourceIp``, as API Gateway names the caller: Chalice writes
        127.0.0.1 whoever calls, which would make every caller pass the loopback check of
        ``RemoteAccessAllowed``. A shallow copy: the app and the converter are shared."""
        gateway = copy.copy(self)
        gateway._source_ip = address
        return gateway

    def _generate_lambda_event(
        self, method: str, path: str, headers: HeaderType, body: bytes | None
    ) -> LambdaEvent:
        event = super()._generate_lambda_event(method, path, headers, body)
        event["resource"] = event["requestContext"]["resourcePath"]
        event["path"] = urlsplit(path).path
        event["httpMethod"] = method
        event["pathParameters"] = event["pathParameters"] or None  # API Gateway's null
        if self._source_ip is not None:
            event["requestContext"]["identity"]["sourceIp"] = self._source_ip
        return event

    def _has_user_defined_options_method(self, lambda_event: LambdaEvent) -> bool:
        """The ANY method passes OPTIONS to the function like any other method."""
        return True
