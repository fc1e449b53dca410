"""DICOM storage commitment as SCU: ``/modalities/{id}/storage-commitment`` sends a request,
``/storage-commitment/{id}`` shows the report the modality sent back (received by the DICOM
service), ``/storage-commitment/{id}/remove`` deletes what the modality committed to."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests.commitment import commitment_request
from chalicelib.api.routing import RouteTable

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def request_commitment(request: Request, id: str) -> Any:
    service = bootstrap.storage_commitment()
    modality, references, timeout = commitment_request(
        http.json_body_or_none(request),
        partial(bootstrap.modalities().get, id),
        service.references_of,
    )
    return service.request(modality, references, timeout)


def report(request: Request, id: str) -> Any:
    return bootstrap.storage_commitment().report(id)


def remove(request: Request, id: str) -> Any:
    return bootstrap.storage_commitment().remove(id)


routes.add("/modalities/{id}/storage-commitment", POST=request_commitment)
routes.add("/storage-commitment/{id}", GET=report)
routes.add("/storage-commitment/{id}/remove", POST=remove)
