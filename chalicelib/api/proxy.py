"""API Gateway's greedy proxy: two resources for the whole API, the routing done here.

API Gateway counts one resource per path segment of every route, and the OpenAPI body that
declares them grows with every method (140 paths were 144 resources and 378 KB of template).
So the deployed REST API declares only ``/`` and ``/{proxy+}``, any method, both integrated
with the API function (``infra/chalice_app.py``), and stays at two resources however many
routes Cirrus grows. Every request then reaches the function as a proxy event whose resource
is one of those two; :class:`ProxyApp` finds the route its path names among the app's routes
as API Gateway would have with one resource per route, and hands Chalice the event API
Gateway would then have sent. The local stack's gateway sends the same proxy events
(``local_stack/gateway.py``), so the tests and ``make run`` route through this module too.

Matching follows API Gateway's rules: one path segment per ``{parameter}``, a literal segment
preferred to a parameter at the same place, values as API Gateway passes them (decoded). Empty
segments are ignored, as Orthanc ignores them (``/instances/`` is ``/instances``).

A path that names no route answers Orthanc's 404 ("Unknown resource"), a method the route does
not have 405 with ``Allow``; both after authentication, as Orthanc answers them. The method is
the one the client faked, if it did (:func:`with_faked_method`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from chalice import Chalice
from chalice.app import Request

from chalicelib.api.error_map import MethodNotAllowed
from chalicelib.api.routing import METHODS, serve
from chalicelib.errors import ErrorCode, OrthancError, bad_request

PROXY_RESOURCE = "/{proxy+}"
ROOT_RESOURCE = "/"
METHOD_OVERRIDE = "x-http-method-override"
FAKED_METHODS = ("PUT", "DELETE")


@dataclass(frozen=True)
class RouteMatch:
    route: str
    params: dict[str, str]


@dataclass
class _Node:
    """The routes below one path prefix, as API Gateway's resource tree holds them."""

    literals: dict[str, _Node] = field(default_factory=dict)
    parameter: tuple[str, _Node] | None = None
    route: str | None = None

    def child(self, segment: str, route: str) -> _Node:
        if not (segment.startswith("{") and segment.endswith("}")):
            return self.literals.setdefault(segment, _Node())
        name = segment[1:-1]
        if self.parameter is None:
            self.parameter = (name, _Node())
        elif self.parameter[0] != name:
            # API Gateway allows one variable child per resource.
            raise ValueError(f"{route}: {{{name}}} beside {{{self.parameter[0]}}}")
        return self.parameter[1]

    def find(self, segments: list[str], start: int, params: dict[str, str]) -> RouteMatch | None:
        if start == len(segments):
            return None if self.route is None else RouteMatch(self.route, params)
        segment = segments[start]
        literal = self.literals.get(segment)
        if literal is not None:
            found = literal.find(segments, start + 1, params)
            if found is not None:
                return found
        if self.parameter is None:
            return None
        name, node = self.parameter
        return node.find(segments, start + 1, {**params, name: segment})


class RouteResolver:
    """The route, and its path parameters, that a request path names."""

    def __init__(self, routes: list[str]) -> None:
        self._root = _Node()
        for route in routes:
            node = self._root
            for segment in _segments(route):
                node = node.child(segment, route)
            node.route = route

    def resolve(self, path: str) -> RouteMatch | None:
        return self._root.find(_segments(path), 0, {})


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def proxied_path(event: dict[str, Any]) -> str | None:
    """The path of a request API Gateway sent through a proxy resource, relative to the API
    (neither stage nor custom domain base path); None for an event already routed (Chalice's
    own local server routes by itself)."""
    resource = (event.get("requestContext") or {}).get("resourcePath")
    if resource == ROOT_RESOURCE:
        return "/"
    if resource == PROXY_RESOURCE:
        return "/" + (event.get("pathParameters") or {}).get("proxy", "")
    return None


def routed_event(event: dict[str, Any], match: RouteMatch) -> dict[str, Any]:
    """``event`` as API Gateway sends it through a resource of its own for the route."""
    context = {**event["requestContext"], "resourcePath": match.route}
    return {
        **event,
        "resource": match.route,
        "pathParameters": match.params or None,
        "requestContext": context,
    }


def with_faked_method(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with the method the client faked, as Orthanc reads method faking.

    Clients that can only send GET and POST (HTML forms, old proxies, Rails-style clients)
    name the method they mean: the ``X-HTTP-Method-Override`` header, whatever the request's
    method, or else, on a GET, the first ``_method`` query argument. Orthanc fakes only PUT
    and DELETE (any case); another value answers 400, an empty one is no faking (an empty
    header also hides ``_method``). Done before routing, so the faked method picks the route,
    the 405 and the errors' ``Method``, on AWS and locally alike.
    """
    context = event["requestContext"]
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    if METHOD_OVERRIDE in headers:
        faked = headers[METHOD_OVERRIDE] or ""
    elif context["httpMethod"] == "GET":
        query = event.get("multiValueQueryStringParameters") or {}
        faked = (query.get("_method") or [""])[0] or ""
    else:
        faked = ""
    if not faked:
        return event
    method = faked.upper()
    if method not in FAKED_METHODS:
        raise bad_request(f"Only PUT and DELETE can be faked, not {faked}")
    return {**event, "httpMethod": method, "requestContext": {**context, "httpMethod": method}}


class ProxyApp(Chalice):
    """Chalice, fed by API Gateway's greedy proxy (see the module docstring)."""

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        path = proxied_path(event)
        if path is None:
            return super().__call__(event, context)
        # The path relative to the API, as errors name it (``path`` keeps a custom domain's
        # base path mapping).
        event = {**event, "path": path}
        try:
            event = with_faked_method(event)
        except OrthancError as error:
            return self._refuse(event, context, error)
        method = event["requestContext"]["httpMethod"]
        match = self.resolver.resolve(path)
        if match is None:
            refusal: OrthancError = OrthancError(ErrorCode.UNKNOWN_RESOURCE)
        elif method not in (methods := self.routes[match.route]):
            refusal = MethodNotAllowed(method, ",".join(m for m in METHODS if m in methods))
        else:
            return super().__call__(routed_event(event, match), context)
        return self._refuse(event, context, refusal)

    @cached_property
    def resolver(self) -> RouteResolver:
        """Built at the first request: the blueprints register every route at import. (A
        route without methods is an entry Chalice's defaultdict made on a lookup.)"""
        return RouteResolver([route for route, methods in self.routes.items() if methods])

    def _refuse(self, event: dict[str, Any], context: Any, error: OrthancError) -> dict[str, Any]:
        def refuse(request: Request) -> None:
            raise error

        response = serve(Request(event, context), refuse, {})
        return response.to_dict(self.api.binary_types)
