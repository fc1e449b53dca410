"""Reading the body of POST /tools/find (and /tools/count-resources) into a ``FindQuery``.

Checks follow Orthanc 1.10.1's messages where it answers 400, and answer 400 where Orthanc
gives a 500 (a non-object ``Query``, an unknown tag name, a non-Boolean option). Options of
later Orthanc versions (``RequestedTags`` 1.11, ``Labels`` 1.12, ``OrderBy``, ``Parent*`` and
``ResponseContent`` 1.12.5) are read with the same care.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom.matching import parse_constraint, resolve_tag
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.errors import ErrorCode, OrthancError, bad_request
from chalicelib.services.resources.labels import check_label
from chalicelib.services.search.query import (
    LABELS_CONSTRAINTS,
    RESPONSE_CONTENT,
    FindQuery,
    OrderKey,
)

_LEVEL_NAMES = {
    "patient": Level.PATIENT,
    "patients": Level.PATIENT,
    "study": Level.STUDY,
    "studies": Level.STUDY,
    "series": Level.SERIES,
    "instance": Level.INSTANCE,
    "instances": Level.INSTANCE,
    "image": Level.INSTANCE,
    "images": Level.INSTANCE,
}
_PARENT_OPTIONS = {
    "ParentPatient": Level.PATIENT,
    "ParentStudy": Level.STUDY,
    "ParentSeries": Level.SERIES,
}


def parse_level(text: Any) -> Level:
    if not isinstance(text, str):
        raise bad_request('Field "Level" is missing, or should be a string')
    level = _LEVEL_NAMES.get(text.lower())
    if level is None:
        raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, f"Unknown resource level: {text}")
    return level


def _boolean(body: dict[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise bad_request(f'Field "{name}" should be a Boolean')
    return value


def _count(body: dict[str, Any], name: str) -> int:
    value = body.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise bad_request(f'Field "{name}" should be an integer')
    if value < 0:
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE, f'Field "{name}" should be a positive integer'
        )
    return int(value)


def _strings(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f'Field "{name}" should be a list of strings')
    return value


def parse_find(body: Any) -> FindQuery:
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object")
    query = FindQuery(level=parse_level(body.get("Level")))
    constraints = body.get("Query")
    if not isinstance(constraints, dict):
        raise bad_request('Field "Query" is missing, or should be a JSON object')
    case_sensitive = _boolean(body, "CaseSensitive")
    for name, value in constraints.items():
        if not isinstance(value, str):
            raise bad_request(f'Tag "{name}" should be associated with a string')
        tag = resolve_tag(name)
        if value:  # an empty value is a universal match, as in a C-FIND
            query.constraints.append(parse_constraint(tag, value, case_sensitive))
    query.expand = _boolean(body, "Expand")
    if _boolean(body, "Full"):
        query.tag_format = TagFormat.FULL
    elif _boolean(body, "Short"):
        query.tag_format = TagFormat.SHORT
    query.since = _count(body, "Since")
    query.limit = _count(body, "Limit")
    query.requested_tags = [resolve_tag(n) for n in _strings(body, "RequestedTags")]
    query.order_by = [_order_key(k) for k in body.get("OrderBy", [])] if "OrderBy" in body else []
    query.parent = _parent(body)
    query.labels = _labels(body)
    query.labels_constraint = body.get("LabelsConstraint", "All")
    if query.labels_constraint not in LABELS_CONSTRAINTS:  # Orthanc 1.12: 400, BadRequest
        raise bad_request('Field "LabelsConstraint" must be "All", "Any", or "None"')
    if "ResponseContent" in body:
        query.response_content = _strings(body, "ResponseContent")
        unknown = set(query.response_content) - set(RESPONSE_CONTENT)
        if unknown:
            raise OrthancError(
                ErrorCode.PARAMETER_OUT_OF_RANGE,
                f"Unsupported ResponseContent: {', '.join(sorted(unknown))}",
            )
    return query


def _labels(body: dict[str, Any]) -> list[str]:
    """``Labels``, as Orthanc 1.12 reads them: empty names ignored, others checked."""
    labels = [label for label in _strings(body, "Labels") if label]
    for label in labels:
        check_label(label)
    return list(dict.fromkeys(labels))


def _order_key(spec: Any) -> OrderKey:
    if not isinstance(spec, dict) or not isinstance(spec.get("Key"), str):
        raise bad_request('Each item of "OrderBy" must be an object with a "Key" string')
    kind = spec.get("Type", "DicomTag")
    direction = spec.get("Direction", "ASC")
    if kind not in ("DicomTag", "Metadata") or direction not in ("ASC", "DESC"):
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            '"OrderBy" items need "Type" DicomTag or Metadata and "Direction" ASC or DESC',
        )
    if kind == "Metadata":
        return OrderKey(spec["Key"], None, direction == "DESC")
    return OrderKey(None, resolve_tag(spec["Key"]), direction == "DESC")


def _parent(body: dict[str, Any]) -> tuple[Level, str] | None:
    given = [(level, body[name]) for name, level in _PARENT_OPTIONS.items() if name in body]
    if not given:
        return None
    if len(given) > 1:
        raise bad_request("Only one of ParentPatient, ParentStudy, ParentSeries may be given")
    level, resource_id = given[0]
    if not isinstance(resource_id, str) or not is_resource_id(resource_id):
        raise bad_request(f"Parent{level.value} must be an Orthanc identifier")
    return level, resource_id
