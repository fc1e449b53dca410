"""Uploads through S3 for bodies larger than the API carries (Cirrus-specific routes under
``/cirrus/``, where Orthanc has none): chalicelib/services/resources/large_uploads.py."""

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


def create_upload(request: Request) -> Any:
    body = http.json_body(request)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object")
    return bootstrap.large_uploads().create(
        body,
        user=request.context.get("cirrus_user", ""),
        remote_ip=request.context.get("identity", {}).get("sourceIp", ""),
    )


def upload_status(request: Request, id: str) -> Any:
    return bootstrap.large_uploads().status(id)


def complete_upload(request: Request, id: str) -> Any:
    return bootstrap.large_uploads().complete(id)


routes.add("/cirrus/uploads", POST=create_upload)
routes.add("/cirrus/uploads/{id}", GET=upload_status)
routes.add("/cirrus/uploads/{id}/complete", POST=complete_upload)
