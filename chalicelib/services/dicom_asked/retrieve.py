"""Retrieving from a modality: the ``DicomMoveScu`` and ``DicomGetScu`` jobs, and the requests
that submit them (``/modalities/{id}/move|get``, ``/queries/{id}/[answers/{i}/]retrieve``).

A job holds the resources to retrieve as ``Query`` entries (``gggg,eeee`` -> value, with
their QueryRetrieveLevel), shown in its ``Content`` as Orthanc shows them; its items are
the entries' positions, each one C-MOVE or C-GET, and a job step keeps one association. A
C-GET brings the files back on that association: each goes through the ingest service, as
if POSTed to /instances, and the modality hears success only once it is stored.

Whether a killed worker's last request reached the modality cannot be known (DICOM has no
way to ask), so it is sent again: the files come again, and receivers keep one copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.dicom import query_normalization as normalization
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.dicom_client import retrieve as dimse
from chalicelib.dicom_client.client import DicomUnavailable
from chalicelib.errors import ErrorCode, OrthancError, bad_file
from chalicelib.jobs.model import Job
from chalicelib.jobs.request import JobOptions, job_options
from chalicelib.remotes.modality import RETRIEVE_METHODS
from chalicelib.services.dicom_asked.modalities import ModalityService
from chalicelib.services.jobs.steps import ItemFailed

if TYPE_CHECKING:
    from chalicelib.services.dicom_asked.query import StoredQuery
    from chalicelib.services.resources.ingest import IngestService

LOG = logging.getLogger(__name__)

MOVE_KIND = "DicomMoveScu"
# Orthanc 1.12.6's name (OrthancServer/Sources/ServerJobs/DicomGetScuJob.h).
GET_KIND = "DicomGetScu"
REQUEST_FIELDS = "Must provide a JSON body containing fields Resources and Level"
# The answer tags a /queries retrieve keeps in its job (Orthanc shows these only).
_ANSWER_TAGS = (dimse.QUERY_RETRIEVE_LEVEL, "0010,0020", "0020,000d", "0020,000e")
_ANSWER_TAGS += ("0008,0018", "0008,0050")


class Method(StrEnum):
    MOVE = "C-MOVE"
    GET = "C-GET"

    @property
    def kind(self) -> str:
        return MOVE_KIND if self is Method.MOVE else GET_KIND


class RetrieveRequests:
    """Turns retrieve requests into job parameters (Orthanc's errors for bad ones)."""

    def __init__(self, modalities: ModalityService, default_method: str) -> None:
        self._modalities = modalities
        self._default_method = default_method

    def from_modality(
        self, modality_name: str, body: Any, method: Method
    ) -> tuple[dict[str, Any], JobOptions]:
        """``POST /modalities/{id}/move|get``: ``Level`` and ``Resources`` (objects of tags
        by name or number) and options, checked in Orthanc 1.10.1's order."""
        if not isinstance(body, dict) or not isinstance(body.get("Resources"), list):
            raise bad_file(REQUEST_FIELDS)
        if not isinstance(body.get("Level"), str):
            raise bad_file(REQUEST_FIELDS)
        level = normalization.RETRIEVE_LEVELS[normalization.parse_level(body["Level"])]
        local_aet, target_aet = _aet(body, "LocalAet"), _aet(body, "TargetAet")
        timeout = _timeout(body)
        modality = self._modalities.get(modality_name)
        entries = [_entry(resource, level) for resource in body["Resources"]]
        if any(dimse.identifier(entry) is None for entry in entries):
            raise OrthancError(ErrorCode.BAD_REQUEST)
        options = job_options(body)
        params = {
            "Modality": modality_name,
            "RemoteAet": modality.aet,
            "LocalAet": modality.local_aet or local_aet or self._modalities.local_aet,
            "TargetAet": target_aet or self._modalities.local_aet,
            "Timeout": timeout,
            "Permissive": options.permissive,
            "Query": entries,
            "QueryFormat": TagFormat.SHORT.value,
        }
        return params, options

    def from_query(
        self, query: StoredQuery, answers: list[dict[str, str]], body: Any
    ) -> tuple[Method, dict[str, Any], JobOptions]:
        """``POST /queries/{id}/[answers/{i}/]retrieve``: the body is empty, a bare target
        AET, or an object (``TargetAet``, ``RetrieveMethod``, ``Timeout``, job options,
        ``Simplify``/``Full`` for the job's Query)."""
        if isinstance(body, str | None):
            body = {"TargetAet": (body or "").strip()}
        if not isinstance(body, dict):
            raise bad_file("The body must be empty, an AET, or a JSON object")
        target_aet = _aet(body, "TargetAet")
        timeout = body.get("Timeout", -1)
        if isinstance(timeout, bool) or not isinstance(timeout, int):
            raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
        modality = self._modalities.get(query.modality)
        method = self._method(body.get("RetrieveMethod"), modality.retrieve_method)
        options = job_options(body)
        params = {
            "Modality": query.modality,
            "RemoteAet": modality.aet,
            "LocalAet": modality.local_aet or self._modalities.local_aet,
            "TargetAet": target_aet or self._modalities.local_aet,
            "Timeout": timeout if timeout >= 0 else None,
            "Permissive": options.permissive,
            "Query": [{k: v for k, v in a.items() if k in _ANSWER_TAGS} for a in answers],
            # C-GET proposes the storage classes a study answer names.
            "SopClasses": [_sop_classes(answer) for answer in answers],
            "QueryFormat": _query_format(body).value,
        }
        return method, params, options

    def _method(self, requested: Any, modality_method: str) -> Method:
        """The request's RetrieveMethod, else the modality's, else DicomDefaultRetrieveMethod."""
        chosen = requested if requested is not None else modality_method or self._default_method
        if chosen not in RETRIEVE_METHODS:
            raise bad_file(f"RetrieveMethod must be one of {', '.join(RETRIEVE_METHODS)}")
        return Method(chosen)


class RetrieveKind:
    """The ``DicomMoveScu`` or ``DicomGetScu`` job kind (chalicelib.services.jobs.steps)."""

    def __init__(
        self,
        method: Method,
        modalities: ModalityService,
        ingest: Callable[[], IngestService],
    ) -> None:
        self._method = method
        self._modalities = modalities
        self._ingest = ingest

    def plan(self, job: Job) -> list[Any]:
        return list(range(len(job.params["Query"])))

    def worker(self, job: Job) -> Retriever:
        params = job.params
        modality = self._modalities.get(params["Modality"])
        timeout = self._modalities.timeout(modality, params["Timeout"])
        on_store = None
        if self._method is Method.GET:
            on_store = _Receiver(self._ingest, modality.host, modality.aet, params["LocalAet"])
        session = dimse.RetrieveSession(modality, params["LocalAet"], timeout, on_store)
        return Retriever(self._method, session, params, on_store)

    def content(self, job: Job) -> dict[str, Any]:
        """Orthanc's ``Content`` of a retrieve job."""
        from chalicelib.dicom.query_json import tags_json

        params = job.params
        fmt = TagFormat(params["QueryFormat"])
        return {
            "Description": "REST API",
            "LocalAet": params["LocalAet"],
            "Query": [tags_json(entry, fmt) for entry in params["Query"]],
            "RemoteAet": params["RemoteAet"],
        }


class Retriever:
    """Retrieves the resources of one job step over one association."""

    def __init__(
        self,
        method: Method,
        session: dimse.RetrieveSession,
        params: Mapping[str, Any],
        receiver: _Receiver | None,
    ) -> None:
        self._method = method
        self._session = session
        self._params = params
        self._receiver = receiver
        self.item_timeout = float(session.timeout or 60)

    def run(self, item: Any) -> int:
        """One C-MOVE or C-GET; the bytes a C-GET brought (a C-MOVE brings none here)."""
        item = int(item)  # DynamoDB gives numbers back as Decimal
        entry = self._params["Query"][item]
        keys = dimse.identifier(entry)
        if keys is None:
            raise ItemFailed(ErrorCode.BAD_REQUEST, "The resource lacks its identifying tags")
        level = entry[dimse.QUERY_RETRIEVE_LEVEL]
        received = self._receiver.received if self._receiver else 0
        try:
            if self._method is Method.MOVE:
                self._session.move(level, keys, self._params["TargetAet"])
            else:
                self._session.get(level, keys, self._sop_classes(item, entry))
        except DicomUnavailable as exc:
            raise ItemFailed(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc
        except ValueError as exc:  # a value the VR of its tag cannot hold
            raise ItemFailed(ErrorCode.BAD_FILE_FORMAT, str(exc)) from exc
        return self._receiver.received - received if self._receiver else 0

    def already_done(self, item: Any) -> bool:
        return False

    def close(self) -> None:
        self._session.close()

    def _sop_classes(self, item: int, entry: Mapping[str, str]) -> tuple[str, ...]:
        listed = self._params.get("SopClasses")
        return tuple(listed[item]) if listed else tuple(_sop_classes(entry))


class _Receiver:
    """Stores the files a C-GET brings through the ingest service, as the DICOM service's
    C-STORE handler does: the DIMSE status tells the modality whether it is stored."""

    def __init__(
        self, ingest: Callable[[], IngestService], host: str, remote_aet: str, local_aet: str
    ) -> None:
        from chalicelib.services.resources.ingest import Origin

        self._ingest = ingest
        self._origin = Origin("DicomProtocol", host, remote_aet, local_aet)
        self.received = 0

    def __call__(self, data: bytes) -> int:
        from chalicelib.services.dicom_served.store import SUCCESS, store_received

        status = store_received(self._ingest(), data, self._origin)
        if status == SUCCESS:
            self.received += len(data)
        return status


def _entry(resource: Any, level: str) -> dict[str, str]:
    """A resource of a move/get request by ``gggg,eeee``, with its QueryRetrieveLevel."""
    if not isinstance(resource, dict) or not all(isinstance(v, str) for v in resource.values()):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    entry: dict[str, str] = {}
    for name, value in resource.items():
        try:
            entry[normalization.tag_key(name)] = value
        except ValueError as exc:
            raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG, http_status=500) from exc
    entry[dimse.QUERY_RETRIEVE_LEVEL] = level
    return entry


def _sop_classes(entry: Mapping[str, str]) -> list[str]:
    text = entry.get(dimse.SOP_CLASSES_IN_STUDY, "")
    return [uid.strip() for uid in text.split("\\") if uid.strip()]


def _aet(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if not isinstance(value, str):
        raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
    return value


def _timeout(body: dict[str, Any]) -> int | None:
    timeout = body.get("Timeout")
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int):
        raise bad_file("Integer value expected in field: Timeout")
    if timeout < 0:
        raise bad_file("Unsigned integer value expected in field: Timeout")
    return timeout


def _query_format(body: dict[str, Any]) -> TagFormat:
    """How the job shows its Query: ``Short`` unless ``Simplify`` or ``Full`` is true."""
    if body.get("Simplify") is True:
        return TagFormat.SIMPLIFY
    if body.get("Full") is True:
        return TagFormat.FULL
    return TagFormat.SHORT
