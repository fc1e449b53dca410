"""Reading the bodies of the retrieve routes into a ``ModalityRetrieve``:
``/modalities/{id}/move|get`` and ``/queries/{id}/[answers/{i}/]retrieve``.

Checked in Orthanc 1.10.1's order, with its errors; the modality is looked up (``modality()``,
Orthanc's 404) at the point Orthanc looks it up, between the checks of the body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.api.requests.fields import job_options, unsigned_timeout
from chalicelib.dicom import query_normalization as normalization
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.dicom_client.retrieve import QUERY_RETRIEVE_LEVEL, identifier
from chalicelib.errors import ErrorCode, OrthancError, ServerFault, bad_file
from chalicelib.remotes.modality import RETRIEVE_METHODS, Modality
from chalicelib.services.dicom_asked.retrieve import Method, ModalityRetrieve, sop_classes

REQUEST_FIELDS = "Must provide a JSON body containing fields Resources and Level"
# The answer tags a /queries retrieve keeps in its job (Orthanc shows these only).
ANSWER_TAGS = (QUERY_RETRIEVE_LEVEL, "0010,0020", "0020,000d", "0020,000e", "0008,0018")
ANSWER_TAGS += ("0008,0050",)


def from_modality(
    body: Any, method: Method, modality: Callable[[], Modality]
) -> tuple[Modality, ModalityRetrieve]:
    """``POST /modalities/{id}/move|get``: ``Level`` and ``Resources`` (objects of tags by
    name or number) and options."""
    if not isinstance(body, dict) or not isinstance(body.get("Resources"), list):
        raise bad_file(REQUEST_FIELDS)
    if not isinstance(body.get("Level"), str):
        raise bad_file(REQUEST_FIELDS)
    level = normalization.RETRIEVE_LEVELS[normalization.parse_level(body["Level"])]
    local_aet, target_aet = _aet(body, "LocalAet"), _aet(body, "TargetAet")
    timeout = unsigned_timeout(body)
    found = modality()
    entries = [_entry(resource, level) for resource in body["Resources"]]
    if any(identifier(entry) is None for entry in entries):
        raise OrthancError(ErrorCode.BAD_REQUEST)
    request = ModalityRetrieve(
        method=method,
        entries=entries,
        job=job_options(body),
        local_aet=local_aet,
        target_aet=target_aet,
        timeout=timeout,
    )
    return found, request


def from_query(
    body: Any,
    answers: list[dict[str, str]],
    modality: Callable[[], Modality],
    default_method: str,
) -> tuple[Modality, ModalityRetrieve]:
    """``POST /queries/{id}/[answers/{i}/]retrieve`` of ``answers``: the body is empty, a
    bare target AET, or an object (``TargetAet``, ``RetrieveMethod`` (else the modality's,
    else ``default_method``), ``Timeout``, job options, ``Simplify``/``Full`` for the job's
    Query)."""
    if isinstance(body, str | None):
        body = {"TargetAet": (body or "").strip()}
    if not isinstance(body, dict):
        raise bad_file("The body must be empty, an AET, or a JSON object")
    target_aet = _aet(body, "TargetAet")
    timeout = body.get("Timeout", -1)
    if isinstance(timeout, bool) or not isinstance(timeout, int):
        raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
    found = modality()
    requested = body.get("RetrieveMethod")
    chosen = requested if requested is not None else found.retrieve_method or default_method
    if chosen not in RETRIEVE_METHODS:
        raise bad_file(f"RetrieveMethod must be one of {', '.join(RETRIEVE_METHODS)}")
    request = ModalityRetrieve(
        method=Method(chosen),
        entries=[{k: v for k, v in a.items() if k in ANSWER_TAGS} for a in answers],
        job=job_options(body),
        target_aet=target_aet,
        timeout=timeout if timeout >= 0 else None,
        # C-GET proposes the storage classes a study answer names.
        sop_classes=[sop_classes(answer) for answer in answers],
        query_format=_query_format(body),
    )
    return found, request


def _entry(resource: Any, level: str) -> dict[str, str]:
    """A resource of a move/get request by ``gggg,eeee``, with its QueryRetrieveLevel."""
    if not isinstance(resource, dict) or not all(isinstance(v, str) for v in resource.values()):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    entry: dict[str, str] = {}
    for name, value in resource.items():
        try:
            entry[normalization.tag_key(name)] = value
        except ValueError as exc:
            raise ServerFault(ErrorCode.UNKNOWN_DICOM_TAG) from exc
    entry[QUERY_RETRIEVE_LEVEL] = level
    return entry


def _aet(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
    return value


def _query_format(body: Mapping[str, Any]) -> TagFormat:
    """How the job shows its Query: ``Short`` unless ``Simplify`` or ``Full`` is true."""
    if body.get("Simplify") is True:
        return TagFormat.SIMPLIFY
    if body.get("Full") is True:
        return TagFormat.FULL
    return TagFormat.SHORT
