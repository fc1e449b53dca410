"""Registering routes with Orthanc's behaviour around them, in one place.

Every route goes through :func:`RouteTable.add`, which gives it what Orthanc gives every URI
(:func:`serve`): authentication, and an Orthanc-style JSON body for every error (raised
anywhere as :class:`OrthancError`) instead of Chalice's own error shapes. The answers for a
path no route names and for a method a route lacks go through :func:`serve` too, from the
dispatch of ``chalicelib/api/proxy.py``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api.error_map import error_answer
from chalicelib.api.http import json_response, whatever_accept, xml_response
from chalicelib.api.xml_answers import wants_xml
from chalicelib.credentials import REALM, basic_user
from chalicelib.errors import ErrorCode, OrthancError

LOG = logging.getLogger(__name__)

# The methods routes may declare, in the order ``Allow`` lists them (Orthanc's).
METHODS = ("GET", "POST", "PUT", "DELETE")
Handler = Callable[..., Any]


def request_uri(request: Request) -> str:
    """The URI path as Orthanc names it in errors: relative to the API (``/system``).

    On AWS, API Gateway's ``requestContext.path`` starts with the stage (``/api/system``);
    the event's own ``path`` does not. Chalice's local server sends only the former, without
    a stage.
    """
    return request.to_original_event().get("path") or request.context.get("path", "")


def error_response(error: OrthancError, request: Request | None) -> Response:
    method = request.method if request else ""
    uri = request_uri(request) if request else ""
    status, body = error_answer(error, method, uri)
    response = json_response(body, status)
    response.headers.update(error.headers)
    return response


def authenticate(request: Request) -> str:
    """The user name of an authorized request ("" when authentication is off).

    With ``AuthenticationEnabled`` the request needs HTTP Basic credentials of one of the
    ``RegisteredUsers``. Without it, only loopback callers are served unless
    ``RemoteAccessAllowed`` says otherwise: the same default as Orthanc, so nothing is open
    to the network by mistake. On AWS, API Gateway's authorizer has admitted the caller
    before the function runs (infra/authorizer) and names it in the request's context, which
    clients cannot set.
    """
    config = bootstrap.config()
    if config.AuthenticationEnabled:
        user = basic_user(request.headers.get("authorization", ""), config.RegisteredUsers)
        if user is None:
            raise OrthancError(ErrorCode.UNAUTHORIZED, headers={"WWW-Authenticate": REALM})
        return user
    if not config.RemoteAccessAllowed and not _is_loopback(request):
        raise OrthancError(
            ErrorCode.FORBIDDEN_ACCESS, "Remote access is disabled (RemoteAccessAllowed)"
        )
    return str((request.context.get("authorizer") or {}).get("principalId", ""))


def _is_loopback(request: Request) -> bool:
    source = request.context.get("identity", {}).get("sourceIp") or ""
    try:
        return ipaddress.ip_address(source).is_loopback
    except ValueError:
        return False


def serve(request: Request, handler: Handler, params: dict[str, str]) -> Response:
    """What every URI gets around its handler: authentication first, then the handler's
    answer, every error in Orthanc's form. A JSON answer is XML when ``Accept`` asks for it
    (read before the handler, which may widen ``Accept``); errors stay JSON, as Orthanc's."""
    xml = wants_xml(request.headers.get("accept", ""))
    _accept_anything_by_default(request)
    try:
        request.context["cirrus_user"] = authenticate(request)
        answer = handler(request, **params)
    except OrthancError as error:
        return error_response(error, request)
    except (BotoCoreError, ClientError):
        # AWS storage unreachable or throttling beyond the SDK's retries: the client may
        # retry later, nothing was acknowledged.
        LOG.exception("Storage error on %s %s", request.method, request.path)
        return error_response(OrthancError(ErrorCode.DATABASE_UNAVAILABLE), request)
    except Exception:  # a bug, not bad input: log it, answer like Orthanc would
        LOG.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(OrthancError(ErrorCode.INTERNAL_ERROR), request)
    if isinstance(answer, Response):
        return answer
    return xml_response(answer) if xml else json_response(answer)


class RouteTable:
    """Routes of one Blueprint, declared per URI with one handler per HTTP method."""

    def __init__(self, blueprint: Blueprint) -> None:
        self._blueprint = blueprint

    def add(self, path: str, **handlers: Handler) -> None:
        """``add("/instances/{id}", GET=show, DELETE=remove)``.

        Handlers receive the Chalice request first, then the path parameters, and return a
        Chalice Response or something JSON-serializable. The other methods answer 405 with
        ``Allow`` (``chalicelib/api/proxy.py``).
        """
        unknown = set(handlers) - set(METHODS)
        if unknown:
            raise ValueError(f"{path}: no such method {sorted(unknown)}")
        for method in METHODS:
            if method in handlers:
                view = self._view(handlers[method])
                self._blueprint.route(path, methods=[method], content_types=["*/*"])(view)

    def _view(self, handler: Handler) -> Callable[..., Response]:
        blueprint = self._blueprint

        def view(**params: str) -> Response:
            return serve(blueprint.current_request, handler, params)

        view.__name__ = getattr(handler, "__name__", None) or handler.func.__name__
        return view


def _accept_anything_by_default(request: Request) -> None:
    """A request without ``Accept`` accepts any type (RFC 9110 section 12.5.1).

    Chalice refuses a binary answer unless ``Accept`` names a binary type, which would break
    clients that send no ``Accept`` at all (urllib, Orthanc's own import scripts) on
    ``/file`` and every other binary route. Filling in the header's absent default keeps
    Chalice's check meaningful for clients that do ask for something specific.
    """
    if "accept" not in request.headers:
        whatever_accept(request)
