"""Reading the bodies of the query routes (Cirrus asks a modality: C-FIND): ``/modalities/{id}/
query``, the drill-down from an answer, the older ``find-*`` routes and ``find-worklist``.

Checked in Orthanc 1.10.1's order, with its errors; where Orthanc looks the modality up
between the checks of the body, ``modality()`` (its 404) is called there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.api.requests.fields import boolean_option, unsigned_timeout
from chalicelib.dicom import query_normalization as normalization
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.errors import ErrorCode, OrthancError, bad_file
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_asked.query import QueryRequest, WorklistRequest

NOT_AN_OBJECT = "Must provide a JSON object"
UNHANDLED = "An unhandled exception was generated inside the HTTP server"


def query_request(body: Any) -> QueryRequest:
    """``POST /modalities/{id}/query``: ``Level``, ``Query``, ``Normalize``, ``Timeout``."""
    if not isinstance(body, dict):
        raise bad_file(NOT_AN_OBJECT)
    if not isinstance(body.get("Level"), str):
        raise bad_file("The JSON body must contain field Level")
    level = normalization.parse_level(body["Level"])
    query = normalization.parse_query(body.get("Query"))
    normalize = body.get("Normalize", True)
    if not isinstance(normalize, bool):
        raise bad_file("The field Normalize must contain a Boolean")
    return QueryRequest(level, query, normalize, unsigned_timeout(body))


def drill_down_body(body: Any) -> dict[str, Any]:
    """The body of ``POST /queries/{id}/answers/{i}/query-<level>``, checked first."""
    if not isinstance(body, dict):
        raise bad_file(NOT_AN_OBJECT)
    return body


def drill_down_query(body: dict[str, Any]) -> dict[str, str]:
    """Its ``Query`` (read once the parent query and answer are known, as Orthanc does)."""
    return normalization.parse_query(body.get("Query"), normalization.QUERY_EXPECTED)


def legacy_identifier(level: str, body: Any) -> dict[str, str] | None:
    """The identifier of ``find-<level>`` (the body is the query itself); None when
    Orthanc refuses the request without a word."""
    if not isinstance(body, dict):
        return None
    return normalization.legacy_identifier(level, body)


def worklist_request(
    body: Any, modality: Callable[[], Modality], default_encoding: Callable[[], str]
) -> tuple[Modality, Any]:
    """``find-worklist``: ``{"Query": {...}, "Short"|"Full"|"Simplify": bool, "Timeout": s}``
    or, as in Orthanc <= 1.9.4, the query alone. Checked in Orthanc's order: the query, the
    format, the modality, then the timeout. The identifier is built in the query's
    character set, else in ``default_encoding()``."""
    from chalicelib.dicom_client import find

    if body is None:
        raise bad_file(NOT_AN_OBJECT)
    if not isinstance(body, dict):
        raise OrthancError(ErrorCode.INTERNAL_ERROR, UNHANDLED)
    options = body if "Query" in body else {}
    query = normalization.worklist_query(body.get("Query", body))
    try:
        identifier = find.build_worklist_identifier(query, default_encoding())
    except find.BadValue as exc:
        raise bad_file(str(exc)) from exc
    fmt = _worklist_format(options)
    found = modality()
    return found, WorklistRequest(identifier, fmt, unsigned_timeout(options))


def _worklist_format(options: dict[str, Any]) -> TagFormat:
    """``Simplify`` wins, then ``Short``, then ``Full``; simplified by default."""
    if boolean_option(options, "Simplify", False):
        return TagFormat.SIMPLIFY
    if boolean_option(options, "Short", False):
        return TagFormat.SHORT
    return TagFormat.FULL if boolean_option(options, "Full", False) else TagFormat.SIMPLIFY
