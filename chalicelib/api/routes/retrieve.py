"""Retrieving from modalities: ``/modalities/{id}/move`` (C-MOVE), ``/modalities/{id}/get``
(C-GET, as Orthanc 1.12.6) and ``/queries/{id}/[answers/{i}/]retrieve``, each run as a job."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.routing import RouteTable
from chalicelib.dicom_client.retrieve import UNPROCESSABLE
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.jobs.request import JobOptions
from chalicelib.services.dicom_asked.retrieve import Method

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def move(request: Request, id: str) -> Any:
    """C-MOVE resources to ``TargetAet`` (Cirrus itself by default). Orthanc 1.10.1 answers
    ``{}`` once done (and 422 when the modality could not process the request); with
    ``"Asynchronous": true`` the job's ID, as later versions do."""
    params, options = bootstrap.retrieve_scu().from_modality(id, _body(request), Method.MOVE)
    try:
        answer = _run(Method.MOVE, params, options)
    except OrthancError as error:
        if error.code is ErrorCode.NETWORK_PROTOCOL and (error.details or "").endswith(
            UNPROCESSABLE
        ):
            error.http_status = 422
        raise
    return answer if options.asynchronous else {}


def get(request: Request, id: str) -> Any:
    """C-GET resources into Cirrus; answers the job's Content once done (or its ID)."""
    params, options = bootstrap.retrieve_scu().from_modality(id, _body(request), Method.GET)
    return _run(Method.GET, params, options)


def retrieve_all(request: Request, id: str) -> Any:
    """Retrieve every answer of a query, by C-MOVE or C-GET (``RetrieveMethod``)."""
    query = bootstrap.queries().get(id)
    return _retrieve(query, query.answers, request)


def retrieve_one(request: Request, id: str, index: str) -> Any:
    queries = bootstrap.queries()
    query = queries.get(id)
    return _retrieve(query, [queries.answer(query, index)], request)


def _retrieve(query: Any, answers: list[dict[str, str]], request: Request) -> Any:
    method, params, options = bootstrap.retrieve_scu().from_query(query, answers, _body(request))
    return _run(method, params, options)


def _run(method: Method, params: dict[str, Any], options: JobOptions) -> Any:
    wait = bootstrap.config().SynchronousJobTimeout
    return bootstrap.jobs().run(method.kind, params, options, wait)


def _body(request: Request) -> Any:
    """The JSON body; its text when it is not JSON (a bare AET); None when empty."""
    try:
        return http.json_body(request)
    except OrthancError as error:
        if error.code is not ErrorCode.BAD_JSON:
            raise
        return (request.raw_body or b"").decode("utf-8", "replace")


routes.add("/modalities/{id}/move", POST=move)
routes.add("/modalities/{id}/get", POST=get)
routes.add("/queries/{id}/retrieve", POST=retrieve_all)
routes.add("/queries/{id}/answers/{index}/retrieve", POST=retrieve_one)
