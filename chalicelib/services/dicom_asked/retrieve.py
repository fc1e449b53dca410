"""Retrieving from a modality: the ``DicomMoveScu`` and ``DicomGetScu`` jobs, submitted by
``/modalities/{id}/move|get`` and ``/queries/{id}/[answers/{i}/]retrieve``.

A job holds the resources to retrieve as ``Query`` entries (``gggg,eeee`` -> value, with
their QueryRetrieveLevel), shown in its ``Content`` as Orthanc shows them; its items are
the entries' positions, each one C-MOVE or C-GET, and a job step keeps one association. A
C-GET brings the files back on that association: each goes through the ingest service, as
if POSTed to /instances, and the modality hears success only once it is stored.

Whether a killed worker's last request reached the modality cannot be known (DICOM has no
way to ask), so it is sent again: the files come again, and receivers keep one copy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chalicelib.dicom.tag_format import TagFormat
from chalicelib.dicom_client import retrieve as dimse
from chalicelib.errors import ErrorCode, OrthancError, bad_file
from chalicelib.jobs.model import Job, JobOptions
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_asked.modalities import ModalityService

if TYPE_CHECKING:
    from chalicelib.dicom_client.client import DicomClient
    from chalicelib.services.jobs.engine import JobService
    from chalicelib.services.resources.ingest import IngestService

MOVE_KIND = "DicomMoveScu"
# Orthanc 1.12.6's name (OrthancServer/Sources/ServerJobs/DicomGetScuJob.h).
GET_KIND = "DicomGetScu"


class Method(StrEnum):
    MOVE = "C-MOVE"
    GET = "C-GET"

    @property
    def kind(self) -> str:
        return MOVE_KIND if self is Method.MOVE else GET_KIND


@dataclass(frozen=True)
class ModalityRetrieve:
    """What a retrieve route asks of a modality, read from its body at the edge
    (``chalicelib/api/requests/retrieve.py``)."""

    method: Method
    # The resources, each as ``gggg,eeee`` -> value with its QueryRetrieveLevel.
    entries: list[dict[str, str]]
    job: JobOptions
    # The AE title to call as ("": the modality's LocalAet, else DicomAet).
    local_aet: str = ""
    # Where a C-MOVE sends the files ("": Cirrus itself).
    target_aet: str = ""
    timeout: int | None = None
    # C-GET: the storage classes to propose for each entry (None: from the entry).
    sop_classes: list[list[str]] | None = None
    # How the job's Content shows its Query.
    query_format: TagFormat = TagFormat.SHORT


class RetrieveJobs:
    """Submits the retrieve jobs."""

    def __init__(self, jobs: JobService, local_aet: str, wait_seconds: float) -> None:
        self._jobs = jobs
        self._local_aet = local_aet
        self._wait = wait_seconds

    def submit(
        self,
        modality_name: str,
        modality: Modality,
        request: ModalityRetrieve,
        own_errors: bool = False,
    ) -> dict[str, Any]:
        """Run the job (``own_errors``: see ``JobService.run``)."""
        params: dict[str, Any] = {
            "Modality": modality_name,
            "RemoteAet": modality.aet,
            "LocalAet": modality.local_aet or request.local_aet or self._local_aet,
            "TargetAet": request.target_aet or self._local_aet,
            "Timeout": request.timeout,
            "Permissive": request.job.permissive,
            "Query": request.entries,
            "QueryFormat": request.query_format.value,
        }
        if request.sop_classes is not None:
            params["SopClasses"] = request.sop_classes
        kind = request.method.kind
        return self._jobs.run(kind, params, request.job, self._wait, own_errors)


class RetrieveKind:
    """The ``DicomMoveScu`` or ``DicomGetScu`` job kind (chalicelib.services.jobs.steps)."""

    def __init__(
        self,
        method: Method,
        modalities: ModalityService,
        client: DicomClient,
        ingest: Callable[[], IngestService],
    ) -> None:
        self._method = method
        self._modalities = modalities
        self._client = client
        self._ingest = ingest

    def plan(self, job: Job) -> list[Any]:
        return list(range(len(job.params["Query"])))

    def worker(self, job: Job) -> Retriever:
        params = job.params
        modality = self._modalities.get(params["Modality"])
        on_store = None
        if self._method is Method.GET:
            on_store = _Receiver(self._ingest, modality.host, modality.aet, params["LocalAet"])
        session = self._client.retrieve_session(
            modality, params["LocalAet"], params["Timeout"], on_store
        )
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
            raise OrthancError(ErrorCode.BAD_REQUEST, "The resource lacks its identifying tags")
        level = entry[dimse.QUERY_RETRIEVE_LEVEL]
        received = self._receiver.received if self._receiver else 0
        try:
            if self._method is Method.MOVE:
                self._session.move(level, keys, self._params["TargetAet"])
            else:
                self._session.get(level, keys, self._sop_classes(item, entry))
        except ValueError as exc:  # a value the VR of its tag cannot hold
            raise bad_file(str(exc)) from exc
        return self._receiver.received - received if self._receiver else 0

    def already_done(self, item: Any) -> bool:
        return False

    def close(self) -> None:
        self._session.close()

    def _sop_classes(self, item: int, entry: Mapping[str, str]) -> tuple[str, ...]:
        listed = self._params.get("SopClasses")
        return tuple(listed[item]) if listed else tuple(sop_classes(entry))


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


def sop_classes(entry: Mapping[str, str]) -> list[str]:
    """The storage classes a study answer names (``SOPClassesInStudy``)."""
    text = entry.get(dimse.SOP_CLASSES_IN_STUDY, "")
    return [uid.strip() for uid in text.split("\\") if uid.strip()]
