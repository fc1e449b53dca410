"""Uploads through S3 for bodies larger than the API carries (Cirrus-specific routes under
``/cirrus/``, where Orthanc has none): chalicelib/services/resources/large_uploads.py. The
object is stored by the same code as ``POST /instances`` (``resources.py``)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import bad_request
from chalicelib.services.resources.large_uploads import UploadRequest

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def create_upload(request: Request) -> Any:
    body = http.json_body(request)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object")
    size = body.get("Size")
    multipart = body.get("Multipart", False)
    encoding = body.get("ContentEncoding", "")
    if not isinstance(multipart, bool) or encoding not in ("", "gzip"):
        raise bad_request('"Multipart" must be a Boolean and "ContentEncoding" "" or "gzip"')
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise bad_request('"Size" must be a number of bytes')
    upload = UploadRequest(
        size,
        multipart,
        encoding,
        user=http.username(request),
        remote_ip=http.remote_ip(request),
    )
    return bootstrap.large_uploads().create(upload)


def upload_status(request: Request, id: str) -> Any:
    return bootstrap.large_uploads().status(id)


def complete_upload(request: Request, id: str) -> Any:
    return bootstrap.large_uploads().complete(id)


routes.add("/cirrus/uploads", POST=create_upload)
routes.add("/cirrus/uploads/{id}", GET=upload_status)
routes.add("/cirrus/uploads/{id}/complete", POST=complete_upload)
