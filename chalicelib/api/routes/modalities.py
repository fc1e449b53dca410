"""DICOM modalities: /modalities, their configuration, and C-ECHO."""

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

# What /modalities/{id} offers so far (Orthanc lists its query/retrieve routes too).
MODALITY_OPERATIONS = ["configuration", "echo"]


def list_modalities(request: Request) -> Any:
    modalities = bootstrap.modalities().all()
    if not http.flag(http.query_params(request), "expand"):
        return sorted(modalities)
    return {name: modalities[name].to_json() for name in sorted(modalities)}


def get_modality(request: Request, id: str) -> Any:
    bootstrap.modalities().get(id)
    return MODALITY_OPERATIONS


def put_modality(request: Request, id: str) -> Any:
    bootstrap.modalities().put(id, http.json_body(request))
    return http.text_response("")


def delete_modality(request: Request, id: str) -> Any:
    bootstrap.modalities().delete(id)
    return http.text_response("")


def get_configuration(request: Request, id: str) -> Any:
    return bootstrap.modalities().get(id).to_json()


def echo(request: Request, id: str) -> Any:
    """C-ECHO the modality; the body may be empty or ``{"Timeout": seconds}`` (0: none)."""
    service = bootstrap.modalities()
    modality = service.get(id)
    body = http.json_body(request) if request.raw_body else {}
    if not isinstance(body, dict):
        raise bad_file("The body must be empty or a JSON object")
    service.echo(modality, _timeout(body))
    return {}


def dicom_echo(request: Request) -> Any:
    """``POST /tools/dicom-echo``: C-ECHO a modality given in the body (not stored)."""
    service = bootstrap.modalities()
    body = http.json_body(request)
    timeout = _timeout(body) if isinstance(body, dict) else None
    service.echo(service.definition(body), timeout)
    return {}


def _timeout(body: dict[str, Any]) -> int | None:
    timeout = body.get("Timeout")
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise bad_file("Integer value expected in field: Timeout")
    return timeout


routes.add("/modalities", GET=list_modalities)
routes.add("/modalities/{id}", GET=get_modality, PUT=put_modality, DELETE=delete_modality)
routes.add("/modalities/{id}/configuration", GET=get_configuration)
routes.add("/modalities/{id}/echo", POST=echo)
routes.add("/tools/dicom-echo", POST=dicom_echo)
