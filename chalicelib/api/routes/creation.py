"""``POST /tools/create-dicom``: a new instance (or series) from tags and a PNG, JPEG or PDF,
as Orthanc 1.10.1 creates it (chalicelib/services/resources/creation.py).

The body is bounded like the other JSON bodies of ``/tools/*`` (1 MiB); a body that is not a
JSON object is Orthanc's 400 "Bad request".
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def create_dicom(request: Request) -> Any:
    from chalicelib.services.resources.ingest import Origin  # pydicom: cold start

    body = http.json_body_or_none(request)
    if not isinstance(body, dict):
        raise OrthancError(ErrorCode.BAD_REQUEST)
    origin = Origin(
        protocol="RestApi",
        remote_ip=http.remote_ip(request),
        http_username=http.username(request),
    )
    return bootstrap.creation().create(body, origin)


routes.add("/tools/create-dicom", POST=create_dicom)
