"""Splitting and merging studies: ``POST /studies/{id}/split`` and ``/studies/{id}/merge``
(``SplitStudy`` and ``MergeStudy`` jobs; see ``chalicelib/services/modification/restructure.py``).

The body is checked in Orthanc's order: JSON syntax first (an empty body is not JSON), then
the study and the fields (the service, which answers only once they are all valid, so the
body is then an object), then the job options, ``Permissive`` before the others as Orthanc's
commands jobs read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests.fields import job_options
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError

if TYPE_CHECKING:  # pydicom stays unloaded at cold start
    from chalicelib.services.modification.restructure import Restructuring

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def _json(request: Request) -> Any:
    """The parsed body, whatever its type; Orthanc's bare 400 when it is not JSON."""
    if not (request.raw_body or b"").strip():
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    try:
        return http.json_body(request)
    except OrthancError as error:
        if error.code is not ErrorCode.BAD_JSON:
            raise
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT) from None


def _submit(request: Request, restructuring: Restructuring, body: dict[str, Any]) -> Any:
    return bootstrap.restructure().submit(
        restructuring,
        job_options(body),
        remote_ip=http.remote_ip(request),
        username=http.username(request),
    )


def split(request: Request, id: str) -> Any:
    body = _json(request)
    return _submit(request, bootstrap.restructure().split(id, body), body)


def merge(request: Request, id: str) -> Any:
    body = _json(request)
    return _submit(request, bootstrap.restructure().merge(id, body), body)


routes.add("/studies/{id}/split", POST=split)
routes.add("/studies/{id}/merge", POST=merge)
