"""Sending resources to a DICOM modality: the ``DicomModalityStore`` job.

Submitted by ``POST /modalities/{id}/store``. Each item is one instance (planned as every
sending job plans, ``chalicelib.services.jobs.sending``), read from S3 and sent by C-STORE; a job
step sends its batch over one association. DICOM offers no way to ask a modality whether it
holds an instance, so an instance a killed worker may have sent is sent again: receivers
treat a repeated SOP Instance UID as the same instance.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom_client.client import DicomUnavailable, StoreSession
from chalicelib.errors import ErrorCode
from chalicelib.jobs.model import Job
from chalicelib.services.dicom_asked.commitment import StorageCommitmentService, new_transaction_uid
from chalicelib.services.dicom_asked.modalities import ModalityService
from chalicelib.services.jobs.sending import SendingKind, read_file
from chalicelib.services.jobs.steps import ItemFailed
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

KIND = "DicomModalityStore"


class ModalityStoreKind(SendingKind):
    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        browse: BrowseService,
        modalities: ModalityService,
        commitment: StorageCommitmentService,
    ) -> None:
        super().__init__(index, blobs, browse)
        self._modalities = modalities
        self._commitment = commitment

    def params(
        self, modality_name: str, resource_ids: list[str], options: dict[str, Any]
    ) -> dict[str, Any]:
        """The job's parameters (404 if the modality is unknown). ``options``: LocalAet,
        MoveOriginatorAet, MoveOriginatorID, Timeout, Permissive, as checked by the route."""
        modality = self._modalities.get(modality_name)
        return {
            "Modality": modality_name,
            # As the job shows it, as it was when the job was submitted.
            "RemoteAet": modality.aet,
            "Resources": resource_ids,
            "LocalAet": options.get("LocalAet") or modality.local_aet or self._modalities.local_aet,
            "MoveOriginatorAet": options.get("MoveOriginatorAet", ""),
            "MoveOriginatorID": options.get("MoveOriginatorID", 0),
            "Timeout": options.get("Timeout"),
            "Permissive": bool(options.get("Permissive")),
            "StorageCommitmentTransactionUID": (
                new_transaction_uid() if options.get("StorageCommitment") else ""
            ),
        }

    def worker(self, job: Job) -> ModalitySender:
        return ModalitySender(self.session(job.params), self._blobs)

    def session(self, params: dict[str, Any]) -> StoreSession:
        modality = self._modalities.get(params["Modality"])
        originator = None
        if params["MoveOriginatorAet"]:
            originator = (params["MoveOriginatorAet"], int(params["MoveOriginatorID"]))
        timeout = self._modalities.timeout(modality, params.get("Timeout"))
        return StoreSession(modality, params["LocalAet"], timeout, originator)

    def content(self, job: Job) -> dict[str, Any]:
        """Orthanc's ``Content`` of a C-STORE job."""
        params = job.params
        answer: dict[str, Any] = {
            "Description": "REST API",
            "InstancesCount": job.total,
            "FailedInstancesCount": job.failed,
            "LocalAet": params["LocalAet"],
            "RemoteAet": params["RemoteAet"],
        }
        if params["Resources"]:
            answer["ParentResources"] = sorted(set(params["Resources"]))
        if params["MoveOriginatorAet"]:
            answer["MoveOriginatorAET"] = params["MoveOriginatorAet"]
            answer["MoveOriginatorID"] = params["MoveOriginatorID"]
        if params.get("StorageCommitmentTransactionUID"):
            answer["StorageCommitmentTransactionUID"] = params["StorageCommitmentTransactionUID"]
        return answer

    def conclude(self, job: Job) -> None:
        """With ``StorageCommitment``, once everything is sent: ask the modality to commit
        to the instances of the job (its report comes to the DICOM service)."""
        uid = job.params.get("StorageCommitmentTransactionUID")
        if not uid:
            return
        modality = self._modalities.get(job.params["Modality"])
        references = self._commitment.references_of(job.params["Resources"])
        self._commitment.send_request(modality, references, job.params.get("Timeout"), uid)


class ModalitySender:
    """C-STOREs the instances of one job step over one association."""

    def __init__(self, session: StoreSession, blobs: BlobStore) -> None:
        self._session = session
        self._blobs = blobs
        self.item_timeout = float(session.timeout or 60)

    def run(self, item: Any) -> int:
        data = read_file(self._blobs, item)
        try:
            self._session.send(data)
        except DicomUnavailable as exc:
            raise ItemFailed(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc
        return len(data)

    def already_done(self, item: Any) -> bool:
        return False

    def close(self) -> None:
        self._session.close()
