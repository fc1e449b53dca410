"""Protection of patients against recycling: ``GET``/``PUT /patients/{id}/protected``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import bad_file

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

_BOOLEANS = {"0": False, "false": False, "1": True, "true": True}


def boolean_body(request: Request) -> bool:
    """Orthanc's Boolean bodies: ``0``, ``1``, ``false`` or ``true`` between any white space
    (checked before the resource is looked up, as Orthanc does)."""
    text = (request.raw_body or b"").decode("utf-8", "replace").strip(" \t\n\v\f\r")
    if text not in _BOOLEANS:
        raise bad_file("Boolean value expected")
    return _BOOLEANS[text]


def is_protected(request: Request, id: str) -> Any:
    return http.text_response("1" if bootstrap.protection().is_protected(id) else "0")


def set_protected(request: Request, id: str) -> Any:
    bootstrap.protection().set_protected(id, boolean_body(request))
    return http.text_response("")


routes.add("/patients/{id}/protected", GET=is_protected, PUT=set_protected)
