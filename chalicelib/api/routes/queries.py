"""Query/retrieve (C-FIND) from the REST API: ``/modalities/{id}/query``, ``/queries/...``, the
older ``/modalities/{id}/find-*`` and the worklist query ``/modalities/{id}/find-worklist``.
The retrieve routes live in ``retrieve.py``."""

from __future__ import annotations

from functools import partial
from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import bootstrap
from chalicelib.api import http
from chalicelib.api.requests import queries as read
from chalicelib.api.requests.fields import unsigned_timeout
from chalicelib.api.routes.content import tag_format
from chalicelib.api.routing import RouteTable
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.services.dicom_asked.query import QueryRequest, StoredQuery

blueprint = Blueprint(__name__)
routes = RouteTable(blueprint)

QUERY_RESOURCES = ["answers", "level", "modality", "query", "retrieve"]
# What /queries/{id}/answers/{index} lists, per level of the query. Orthanc 1.10.1 lists
# "query-study" for patients, although the route it serves is "query-studies".
ANSWER_RESOURCES = {
    "Patient": ["content", "retrieve", "query-study", "query-series", "query-instances"],
    "Study": ["content", "retrieve", "query-series", "query-instances"],
    "Series": ["content", "retrieve", "query-instances"],
    "Instance": ["content", "retrieve"],
}
LEGACY_LEVELS = {
    "find-patient": "Patient",
    "find-study": "Study",
    "find-series": "Series",
    "find-instance": "Instance",
}


def _created(query: StoredQuery) -> dict[str, str]:
    return {"ID": query.id, "Path": f"/queries/{query.id}"}


def submit(request: Request, id: str) -> Any:
    """C-FIND the modality now; the answers are kept under ``/queries/{ID}``."""
    return _created(
        bootstrap.queries().submit(id, read.query_request(http.json_body_or_none(request)))
    )


def list_queries(request: Request) -> Any:
    return bootstrap.queries().list()


def get_query(request: Request, id: str) -> Any:
    bootstrap.queries().get(id)
    return QUERY_RESOURCES


def delete_query(request: Request, id: str) -> Any:
    bootstrap.queries().delete(id)
    return http.text_response("")


def get_level(request: Request, id: str) -> Any:
    return http.text_response(bootstrap.queries().get(id).level)


def get_modality(request: Request, id: str) -> Any:
    return http.text_response(bootstrap.queries().get(id).modality)


def get_query_tags(request: Request, id: str) -> Any:
    return _tags(bootstrap.queries().get(id).query, tag_format(request))


def list_answers(request: Request, id: str) -> Any:
    query = bootstrap.queries().get(id)
    if not http.flag(http.query_params(request), "expand"):
        return [str(n) for n in range(len(query.answers))]
    fmt = tag_format(request)
    return [_tags(answer, fmt) for answer in query.answers]


def get_answer(request: Request, id: str, index: str) -> Any:
    service = bootstrap.queries()
    query = service.get(id)
    service.answer(query, index)
    return ANSWER_RESOURCES[query.level]


def get_answer_content(request: Request, id: str, index: str) -> Any:
    service = bootstrap.queries()
    return _tags(service.answer(service.get(id), index), tag_format(request))


def drill_down(child_level: str, request: Request, id: str, index: str) -> Any:
    """A query for the studies, series or instances below one answer, on the same modality
    (the checks in Orthanc's order: the body, the query and its answer, the child query, the
    timeout)."""
    body = read.drill_down_body(http.json_body_or_none(request))
    queries = bootstrap.queries()
    parent = queries.get(id)
    answer = queries.answer(parent, index)
    child = queries.child_query(parent, answer, child_level, read.drill_down_query(body))
    child_request = QueryRequest(child_level, child, timeout=unsigned_timeout(body))
    return _created(queries.submit(parent.modality, child_request))


def legacy_find(level: str, request: Request, id: str) -> Any:
    """``find-patient`` and friends: the answers at once, simplified; a bare 400 for a body
    Orthanc does not accept."""
    identifier = read.legacy_identifier(level, http.json_body_or_none(request))
    if identifier is None:
        return Response(body="", status_code=400)
    answers = bootstrap.queries().find(id, level, identifier)
    return [_tags(answer, TagFormat.SIMPLIFY) for answer in answers]


def find_tree(request: Request, id: str) -> Any:
    """``/modalities/{id}/find``: the patients, each with its ``Studies``, each with its
    ``Series`` (simplified)."""
    body = http.json_body_or_none(request)
    if not isinstance(body, dict):
        return Response(body="", status_code=400)
    identifier = read.legacy_identifier("Patient", body)
    if identifier is None:  # Orthanc answers no patient rather than refusing
        return []
    return [_tree_json(node) for node in bootstrap.queries().find_tree(id, identifier)]


def find_worklist(request: Request, id: str) -> Any:
    """The modality's worklist items matching the body's query, at once (nothing kept)."""
    from chalicelib.dicom.orthanc_json import reformat

    lookup = partial(bootstrap.modalities().get, id)
    queries = bootstrap.queries()
    body = http.json_body_or_none(request)
    modality, worklist = read.worklist_request(body, lookup, queries.default_encoding)
    result = queries.find_worklist(modality, worklist)
    return [reformat(answer, result.fmt.value) for answer in result.answers]  # type: ignore[arg-type]


def _tree_json(node: Any) -> dict[str, Any]:
    answer, children, key = node
    shown = _tags(answer, TagFormat.SIMPLIFY)
    if key:
        shown[key] = [_tree_json(child) for child in children]
    return shown


def _tags(values: dict[str, str], fmt: TagFormat) -> dict[str, Any]:
    from chalicelib.dicom.query_json import tags_json

    return tags_json(values, fmt)


routes.add("/modalities/{id}/query", POST=submit)
routes.add("/modalities/{id}/find", POST=find_tree)
routes.add("/modalities/{id}/find-worklist", POST=find_worklist)
for _route, _level in LEGACY_LEVELS.items():
    routes.add(f"/modalities/{{id}}/{_route}", POST=partial(legacy_find, _level))
routes.add("/queries", GET=list_queries)
routes.add("/queries/{id}", GET=get_query, DELETE=delete_query)
routes.add("/queries/{id}/level", GET=get_level)
routes.add("/queries/{id}/modality", GET=get_modality)
routes.add("/queries/{id}/query", GET=get_query_tags)
routes.add("/queries/{id}/answers", GET=list_answers)
routes.add("/queries/{id}/answers/{index}", GET=get_answer)
routes.add("/queries/{id}/answers/{index}/content", GET=get_answer_content)
for _route, _level in {"studies": "Study", "series": "Series", "instances": "Instance"}.items():
    routes.add(
        f"/queries/{{id}}/answers/{{index}}/query-{_route}", POST=partial(drill_down, _level)
    )
