"""DICOM storage commitment as SCU: ``/modalities/{id}/storage-commitment`` sends a request,
``/storage-commitment/{id}`` shows the report the modality sent back (received by the DICOM
service), ``/storage-commitment/{id}/remove`` deletes what the modality committed to."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError, bad_file

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def request_commitment(request: Request, id: str) -> Any:
    service = bootstrap.storage_commitment()
    try:
        body = http.json_body(request)
    except OrthancError as error:
        if error.code is not ErrorCode.BAD_JSON:
            raise
        # Orthanc answers a body that is not JSON as one that is not an object.
        bootstrap.modalities().get(id)
        raise bad_file("Must provide a JSON object with a list of resources") from None
    return service.request(id, body)


def report(request: Request, id: str) -> Any:
    return bootstrap.storage_commitment().report(id)


def remove(request: Request, id: str) -> Any:
    return bootstrap.storage_commitment().remove(id)


routes.add("/modalities/{id}/storage-commitment", POST=request_commitment)
routes.add("/storage-commitment/{id}", GET=report)
routes.add("/storage-commitment/{id}/remove", POST=remove)
