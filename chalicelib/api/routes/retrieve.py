"""Retrieving from modalities (Cirrus is the SCU): ``/modalities/{id}/move`` (C-MOVE),
``/modalities/{id}/get`` (C-GET, as Orthanc 1.12.6) and
``/queries/{id}/[answers/{i}/]retrieve``, each run as a job."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests import retrieve as read
from chalicelib.api.routing import RouteTable
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.services.dicom_asked.query import StoredQuery
from chalicelib.services.dicom_asked.retrieve import Method

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)


def move(request: Request, id: str) -> Any:
    """C-MOVE resources to ``TargetAet`` (Cirrus itself by default). Orthanc 1.10.1 answers
    ``{}`` once done, running the C-MOVEs itself rather than as a job, so a failure keeps its
    own error (a modality's "unable to process" is a 422); with ``"Asynchronous": true`` the
    job's ID, as later versions do."""
    lookup = partial(bootstrap.modalities().get, id)
    modality, retrieve = read.from_modality(_body(request), Method.MOVE, lookup)
    answer = bootstrap.retrieve_jobs().submit(id, modality, retrieve, own_errors=True)
    return answer if retrieve.job.asynchronous else {}


def get(request: Request, id: str) -> Any:
    """C-GET resources into Cirrus; answers the job's Content once done (or its ID)."""
    lookup = partial(bootstrap.modalities().get, id)
    modality, retrieve = read.from_modality(_body(request), Method.GET, lookup)
    return bootstrap.retrieve_jobs().submit(id, modality, retrieve)


def retrieve_all(request: Request, id: str) -> Any:
    """Retrieve every answer of a query, by C-MOVE or C-GET (``RetrieveMethod``)."""
    query = bootstrap.queries().get(id)
    return _retrieve(query, query.answers, request)


def retrieve_one(request: Request, id: str, index: str) -> Any:
    queries = bootstrap.queries()
    query = queries.get(id)
    return _retrieve(query, [queries.answer(query, index)], request)


def _retrieve(query: StoredQuery, answers: list[dict[str, str]], request: Request) -> Any:
    lookup = partial(bootstrap.modalities().get, query.modality)
    default = bootstrap.config().DicomDefaultRetrieveMethod
    modality, retrieve = read.from_query(_body(request), answers, lookup, default)
    return bootstrap.retrieve_jobs().submit(query.modality, modality, retrieve)


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
