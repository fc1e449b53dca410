"""DICOM storage commitment (Push Model) as SCU, as Orthanc 1.10.1 does it: Cirrus asks a
modality to commit to instances it sent.

``POST /modalities/{id}/storage-commitment`` (or the end of a ``DicomModalityStore`` job)
sends the request and answers the transaction UID at once; the modality's report arrives
later at the DICOM service, which records it (``record``) for ``GET /storage-commitment/{id}``.
Reports live in the ``commitments`` table (storage/commitments.py), kept ``LIFETIME_SECONDS``.
The other side, a modality asking Cirrus, is ``services/dicom_served/commitment.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom_client.commitment import FAILURE_REASONS
from chalicelib.errors import ErrorCode, OrthancError, RemoteError, unknown_resource
from chalicelib.model import Reference
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_served.retrieve import RetrieveService
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.delete import DeleteService
from chalicelib.storage.commitments import (
    FAILURE,
    PENDING,
    SUCCESS,
    CommitmentReport,
    CommitmentStore,
)
from chalicelib.storage.index import ResourceIndex

if TYPE_CHECKING:
    from chalicelib.dicom_client.client import DicomClient

LIFETIME_SECONDS = 7 * 24 * 3600
UNKNOWN_REASON = "Unknown failure reason"


def new_transaction_uid() -> str:
    """A transaction UID, made as every UID Cirrus makes (under the 2.25 root, as Orthanc
    makes them). Imported here: ``dicom.creation`` loads pydicom, which the routes that
    only read a report need not load."""
    from chalicelib.dicom.creation import new_uid

    return new_uid()


class StorageCommitmentService:
    def __init__(
        self,
        store: CommitmentStore,
        client: DicomClient,
        index: ResourceIndex,
        browse: BrowseService,
        retrieve: RetrieveService,
        delete: DeleteService,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._client = client
        self._index = index
        self._browse = browse
        self._retrieve = retrieve
        self._delete = delete
        self._clock = clock

    # -- SCU: the REST API --------------------------------------------------------------------

    def request(
        self, modality: Modality, references: list[Reference], timeout: int | None
    ) -> dict[str, str]:
        """``POST /modalities/{id}/storage-commitment``: ask ``modality`` to commit to
        ``references``; the transaction's ID and path at once (its report comes later)."""
        uid = self.send_request(modality, references, timeout)
        return {"ID": uid, "Path": f"/storage-commitment/{uid}"}

    def send_request(
        self,
        modality: Modality,
        references: list[Reference],
        timeout: int | None,
        transaction_uid: str | None = None,
    ) -> str:
        """Record the transaction as pending, then send the request (the report may come
        back before ``send_n_action`` returns); a refused request is forgotten."""
        uid = transaction_uid or new_transaction_uid()
        self._put(CommitmentReport(uid, modality.aet, PENDING))
        try:
            self._client.request_commitment(modality, uid, references, timeout)
        except RemoteError:
            self._store.delete(uid)
            raise
        return uid

    def references_of(self, resource_ids: list[str]) -> list[Reference]:
        """The SOP class and instance UIDs of every instance below the resources, each
        once, in order; 404 if one is unknown."""
        found = self._index.get_many(i for i in resource_ids if is_resource_id(i))
        instance_ids: dict[str, None] = {}
        for resource_id in resource_ids:
            resource = found.get(resource_id)
            if resource is None:
                raise unknown_resource()
            if resource.level is Level.INSTANCE:
                instance_ids.setdefault(resource.id)
                continue
            _, links = self._index.get_with_children(resource.id)
            for link in self._browse.walk(resource, links)[Level.INSTANCE]:
                instance_ids.setdefault(link.child)
        records = self._index.get_many(instance_ids)
        return [
            Reference(
                records[i].metadata.get("SopClassUid", ""),
                records[i].main_tags.get("SOPInstanceUID", ""),
            )
            for i in instance_ids
            if i in records
        ]

    def report(self, transaction_uid: str) -> dict[str, Any]:
        """``GET /storage-commitment/{id}``, in Orthanc's shape."""
        report = self._get(transaction_uid)
        answer: dict[str, Any] = {"RemoteAET": report.remote_aet, "Status": report.status}
        if report.status == PENDING:
            return answer
        answer["Success"] = [
            {"SOPClassUID": r.sop_class_uid, "SOPInstanceUID": r.sop_instance_uid}
            for r in report.references
            if not r.reason
        ]
        answer["Failures"] = [
            {
                "Description": FAILURE_REASONS.get(r.reason, UNKNOWN_REASON),
                "FailureReason": r.reason,
                "SOPClassUID": r.sop_class_uid,
                "SOPInstanceUID": r.sop_instance_uid,
            }
            for r in report.references
            if r.reason
        ]
        return answer

    def remove(self, transaction_uid: str) -> dict[str, Any]:
        """``POST /storage-commitment/{id}/remove``: delete the local copies of the instances
        of a fully successful transaction (those Cirrus does not hold are skipped)."""
        report = self._get(transaction_uid)
        if report.status != SUCCESS:
            raise OrthancError(
                ErrorCode.BAD_SEQUENCE_OF_CALLS,
                "Cannot remove DICOM instances after failure in storage commitment "
                f"transaction: {transaction_uid}",
            )
        stored = self._retrieve.by_sop_instance_uid(r.sop_instance_uid for r in report.references)
        self._delete.delete_many([s.instance_id for s in stored.values()])
        return {}

    # -- received by the DICOM service ------------------------------------------------------

    def record(self, transaction_uid: str, remote_aet: str, references: list[Reference]) -> None:
        """A report received from ``remote_aet`` (for any transaction UID, as Orthanc)."""
        status = FAILURE if any(r.reason for r in references) else SUCCESS
        self._put(CommitmentReport(transaction_uid, remote_aet, status, references))

    # -- helpers --------------------------------------------------------------------------------

    def _get(self, transaction_uid: str) -> CommitmentReport:
        report = self._store.get(transaction_uid, self._clock())
        if report is None:
            raise OrthancError(
                ErrorCode.INEXISTENT_ITEM,
                f"No storage commitment transaction with UID: {transaction_uid}",
            )
        return report

    def _put(self, report: CommitmentReport) -> None:
        self._store.put(report, int(self._clock()) + LIFETIME_SECONDS)
