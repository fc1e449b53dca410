"""DICOM modalities: /modalities, their configuration, C-ECHO and C-STORE."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.remotes import add_remote_routes, store_route
from chalicelib.api.requests.fields import nonnegative_timeout
from chalicelib.api.requests.sending import modality_store_options
from chalicelib.api.routing import RouteTable
from chalicelib.errors import bad_file
from chalicelib.remotes.modality import Modality

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

# What /modalities/{id} offers so far (Orthanc lists its query/retrieve routes too).
MODALITY_OPERATIONS = [
    "configuration",
    "echo",
    "find",
    "find-instance",
    "find-patient",
    "find-series",
    "find-study",
    "find-worklist",
    "move",
    "query",
    "storage-commitment",
    "store",
    "store-straight",
]


def echo(request: Request, id: str) -> Any:
    """C-ECHO the modality; the body may be empty or ``{"Timeout": seconds}`` (0: none)."""
    service = bootstrap.modalities()
    modality = service.get(id)
    body = http.json_body(request) if request.raw_body else {}
    if not isinstance(body, dict):
        raise bad_file("The body must be empty or a JSON object")
    service.echo(modality, nonnegative_timeout(body))
    return {}


def dicom_echo(request: Request) -> Any:
    """``POST /tools/dicom-echo``: C-ECHO a modality given in the body (not stored)."""
    service = bootstrap.modalities()
    body = http.json_body(request)
    timeout = nonnegative_timeout(body) if isinstance(body, dict) else None
    service.echo(service.definition(body), timeout)
    return {}


def store_straight(request: Request, id: str) -> Any:
    """C-STORE the body, a DICOM file, as it is; answers its SOP class and instance UIDs."""
    sop_class, sop_instance = bootstrap.modality_store().store_straight(id, request.raw_body or b"")
    return {"SOPClassUID": sop_class, "SOPInstanceUID": sop_instance}


routes.add("/modalities/{id}/echo", POST=echo)
routes.add(
    "/modalities/{id}/store", POST=store_route(bootstrap.modality_store, modality_store_options)
)
routes.add("/modalities/{id}/store-straight", POST=store_straight)
routes.add("/tools/dicom-echo", POST=dicom_echo)
add_remote_routes(routes, "modalities", bootstrap.modalities, Modality.to_json, MODALITY_OPERATIONS)
