"""Sending resources to a DICOM modality: the ``DicomModalityStore`` job.

Submitted by ``POST /modalities/{id}/store``. Each item is one instance (planned as every
sending job plans, ``chalicelib.services.jobs.sending``), read from S3 and sent by C-STORE; a job
step sends its batch over one association. DICOM offers no way to ask a modality whether it
holds an instance, so an instance a killed worker may have sent is sent again: receivers
treat a repeated SOP Instance UID as the same instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.errors import bad_file
from chalicelib.jobs.model import Job
from chalicelib.services.dicom_asked.commitment import StorageCommitmentService, new_transaction_uid
from chalicelib.services.dicom_asked.modalities import ModalityService
from chalicelib.services.jobs.sending import SendingKind, SendRequest, read_file
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

if TYPE_CHECKING:
    from chalicelib.dicom_client.client import DicomClient
    from chalicelib.dicom_client.store import StoreSession

KIND = "DicomModalityStore"


@dataclass(frozen=True)
class ModalityStoreOptions:
    """What ``POST /modalities/{id}/store`` says of the C-STOREs: the AE title to call as,
    the C-MOVE they serve (its originator), the timeout, and whether to ask the modality for
    storage commitment once all is sent."""

    local_aet: str = ""
    move_originator_aet: str = ""
    move_originator_id: int = 0
    timeout: int | None = None
    storage_commitment: bool = False


class ModalityStoreKind(SendingKind[ModalityStoreOptions]):
    KIND = KIND

    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        browse: BrowseService,
        modalities: ModalityService,
        commitment: StorageCommitmentService,
        client: DicomClient,
    ) -> None:
        super().__init__(index, blobs, browse)
        self._modalities = modalities
        self._commitment = commitment
        self._client = client

    def params(
        self, destination: str, request: SendRequest[ModalityStoreOptions]
    ) -> dict[str, Any]:
        """The job's parameters (404 if the modality is unknown)."""
        modality = self._modalities.get(destination)
        options = request.options
        return {
            "Modality": destination,
            # As the job shows it, as it was when the job was submitted.
            "RemoteAet": modality.aet,
            "Resources": request.resources,
            "LocalAet": options.local_aet or modality.local_aet or self._modalities.local_aet,
            "MoveOriginatorAet": options.move_originator_aet,
            "MoveOriginatorID": options.move_originator_id,
            "Timeout": options.timeout,
            "Permissive": request.job.permissive,
            "StorageCommitmentTransactionUID": (
                new_transaction_uid() if options.storage_commitment else ""
            ),
        }

    def worker(self, job: Job) -> ModalitySender:
        return ModalitySender(self._session(job.params), self._blobs)

    def store_straight(self, modality_name: str, data: bytes) -> tuple[str, str]:
        """``POST /modalities/{id}/store-straight``: C-STORE ``data``, a DICOM file, as it is;
        its SOP class and instance UIDs."""
        modality = self._modalities.get(modality_name)
        session = self._client.store_session(modality, self._modalities.local_aet, None)
        try:
            return session.send(data)
        except (ValueError, AttributeError, EOFError) as exc:
            raise bad_file("The body must be a DICOM file") from exc
        finally:
            session.close()

    def _session(self, params: dict[str, Any]) -> StoreSession:
        modality = self._modalities.get(params["Modality"])
        originator = None
        if params["MoveOriginatorAet"]:
            originator = (params["MoveOriginatorAet"], int(params["MoveOriginatorID"]))
        return self._client.store_session(
            modality, params["LocalAet"], params.get("Timeout"), originator
        )

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
        self._session.send(data)
        return len(data)

    def already_done(self, item: Any) -> bool:
        return False

    def close(self) -> None:
        self._session.close()
