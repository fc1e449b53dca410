"""Reconstructing the index from the stored files: ``POST /{level}/{id}/reconstruct`` (in
the request, as Orthanc) and ``POST /tools/reconstruct`` (the whole archive, as a job)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests.fields import job_options
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.identifiers import Level

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def reconstruct(request: Request, id: str) -> Any:
    """Orthanc reads no body and ignores the level of the URI: the ID names the resource."""
    bootstrap.reconstruct().reconstruct(id)
    return http.text_response("")


def reconstruct_all(request: Request) -> Any:
    """Orthanc reads no body; a JSON object is read for the options of the job that runs
    it here (``Asynchronous``, ``Priority``, ``Permissive``, ``UserData``), anything else
    is ignored as Orthanc ignores it."""
    body = http.json_body_or_none(request)
    answer = bootstrap.reconstruct_jobs().reconstruct_all(
        job_options(body if isinstance(body, dict) else {})
    )
    return http.text_response("") if answer is None else answer


for _level in Level:
    routes.add(f"/{_level.collection}/{{id}}/reconstruct", POST=reconstruct)
routes.add("/tools/reconstruct", POST=reconstruct_all)
