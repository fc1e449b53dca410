"""Protection of patients against recycling: ``GET``/``PUT /patients/{id}/protected``."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def is_protected(request: Request, id: str) -> Any:
    return http.text_response("1" if bootstrap.protection().is_protected(id) else "0")


def set_protected(request: Request, id: str) -> Any:
    bootstrap.protection().set_protected(id, http.boolean_body(request))
    return http.text_response("")


routes.add("/patients/{id}/protected", GET=is_protected, PUT=set_protected)
