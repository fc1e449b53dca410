"""Searching the index: /tools/find, /tools/count-resources, /tools/lookup."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import bad_request

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def find(request: Request) -> Any:
    from chalicelib.api.requests.find import parse_find  # pydicom's dictionary: lazily

    return bootstrap.find().find(parse_find(http.json_body(request)))


def count_resources(request: Request) -> Any:
    from chalicelib.api.requests.find import parse_find

    return {"Count": bootstrap.find().count(parse_find(http.json_body(request)))}


def lookup(request: Request) -> Any:
    """The body is the identifier itself, as plain text."""
    try:
        value = (request.raw_body or b"").decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise bad_request("The identifier must be UTF-8 text") from exc
    return bootstrap.find().lookup(value)


routes.add("/tools/find", POST=find)
routes.add("/tools/count-resources", POST=count_resources)
routes.add("/tools/lookup", POST=lookup)
