"""Registering routes with Orthanc's behaviour around them, in one place.

Every route goes through :func:`RouteTable.add`, which gives it what Orthanc gives every URI
(:func:`serve`): authentication, the caller's role checked against the policy table
(chalicelib/api/permissions.py), and an Orthanc-style JSON body for every error (raised
anywhere as :class:`OrthancError`) instead of Chalice's own error shapes. The answers for a
path no route names and for a method a route lacks go through :func:`serve` too, from the
dispatch of ``chalicelib/api/proxy.py``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api.error_map import error_answer
from chalicelib.api.http import json_response, whatever_accept, xml_response
from chalicelib.api.permissions import required_role
from chalicelib.api.xml_answers import wants_xml
from chalicelib.credentials import (
    ADMINISTRATOR,
    READ_ONLY,
    REALM,
    ROLES,
    basic_role,
    basic_user,
    grants,
)
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


@dataclass(frozen=True)
class Caller:
    """Who sent a request ("" when authentication is off) and the role it holds."""

    name: str
    role: str


def authenticate(request: Request) -> Caller:
    """The caller of an authenticated request.

    With ``AuthenticationEnabled`` the request needs HTTP Basic credentials of one of the
    ``RegisteredUsers``, whose role ``CirrusUserRoles`` gives. Without it, only loopback
    callers are served unless ``RemoteAccessAllowed`` says otherwise: the same default as
    Orthanc, so nothing is open to the network by mistake. On AWS, API Gateway's authorizer
    has admitted the caller before the function runs (infra/authorizer) and names it and its
    role in the request's context, which clients cannot set; a context without a valid role
    (an authorizer's answer cached from before roles) is read-only. With no authentication
    at all, everyone is an administrator, as in Orthanc.
    """
    config = bootstrap.config()
    if config.AuthenticationEnabled:
        user = basic_user(request.headers.get("authorization", ""), config.RegisteredUsers)
        if user is None:
            raise OrthancError(ErrorCode.UNAUTHORIZED, headers={"WWW-Authenticate": REALM})
        return Caller(user, basic_role(user, config.CirrusUserRoles))
    if not config.RemoteAccessAllowed and not _is_loopback(request):
        raise OrthancError(
            ErrorCode.FORBIDDEN_ACCESS, "Remote access is disabled (RemoteAccessAllowed)"
        )
    authorizer = request.context.get("authorizer") or {}
    if not authorizer:
        return Caller("", ADMINISTRATOR)
    role = authorizer.get("role")
    return Caller(str(authorizer.get("principalId", "")), role if role in ROLES else READ_ONLY)


def authorize(caller: Caller, request: Request) -> None:
    """Refuse, as Orthanc's authorization filter does (403), a request the caller's role does
    not allow. ``request.method`` is the faked method, if the client faked one."""
    needed = required_role(request.method, request.context.get("resourcePath", ""))
    if not grants(caller.role, needed):
        raise OrthancError(
            ErrorCode.FORBIDDEN_ACCESS, f"This requires the role {needed}, not {caller.role}"
        )


def _is_loopback(request: Request) -> bool:
    source = request.context.get("identity", {}).get("sourceIp") or ""
    try:
        return ipaddress.ip_address(source).is_loopback
    except ValueError:
        return False


def serve(request: Request, handler: Handler, params: dict[str, str]) -> Response:
    """What every URI gets around its handler: authentication and the role's check first,
    then the handler's answer, every error in Orthanc's form. A JSON answer is XML when
    ``Accept`` asks for it (read before the handler, which may widen ``Accept``); errors stay
    JSON, as Orthanc's."""
    xml = wants_xml(request.headers.get("accept", ""))
    _accept_anything_by_default(request)
    try:
        caller = authenticate(request)
        request.context["cirrus_user"] = caller.name
        authorize(caller, request)
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
