"""DICOM storage commitment (Push Model), both sides, as Orthanc 1.10.1 does it.

As SCU (REST API): ``POST /modalities/{id}/storage-commitment`` sends the request and answers
the transaction UID at once; the modality's report arrives later at the DICOM service, which
records it (``record``) for ``GET /storage-commitment/{id}``. As SCP (DICOM service): a
modality's request is checked against the index (``check``) and answered by a report on a new
association (``answer``). Reports live in the ``commitments`` table (storage/commitments.py),
kept ``LIFETIME_SECONDS``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom_client import client as scu
from chalicelib.dicom_client import commitment as commitment_scu
from chalicelib.errors import ErrorCode, OrthancError, bad_file, unknown_resource
from chalicelib.jobs.request import integer_option
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_asked.modalities import ModalityService
from chalicelib.services.dicom_served.retrieve import RetrieveRequest, RetrieveService
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.delete import DeleteService
from chalicelib.storage.commitments import (
    FAILURE,
    PENDING,
    SUCCESS,
    CommitmentReport,
    CommitmentStore,
    Reference,
)
from chalicelib.storage.index import ResourceIndex

LIFETIME_SECONDS = 7 * 24 * 3600
NO_SUCH_OBJECT_INSTANCE = 0x0112
CLASS_INSTANCE_CONFLICT = 0x0119
# The failure reasons of PS3.4 J.3.3, with the standard's explanation of each.
FAILURE_REASONS = {
    0x0110: "A general failure in processing the operation was encountered",
    NO_SUCH_OBJECT_INSTANCE: (
        "One or more of the elements in the Referenced SOP Instance Sequence was not available"
    ),
    CLASS_INSTANCE_CONFLICT: (
        "The SOP Class of an element in the Referenced SOP Instance Sequence did not "
        "correspond to the SOP class registered for this SOP Instance at the SCP"
    ),
    0x0122: (
        "The SCP does not support the SOP Class of an element in the Referenced SOP "
        "Instance Sequence"
    ),
    0x0131: "The Transaction UID of the Storage Commitment Request is already in use",
    0x0213: (
        "The SCP does not currently have enough resources to store the requested SOP Instance(s)"
    ),
}
UNKNOWN_REASON = "Unknown failure reason"
NOT_AN_OBJECT = "Must provide a JSON object with a list of resources"


def new_transaction_uid() -> str:
    """A UID under the 2.25 root (a UUID as a decimal number), as Orthanc generates them."""
    return f"2.25.{uuid.uuid4().int}"


class StorageCommitmentService:
    def __init__(
        self,
        store: CommitmentStore,
        modalities: ModalityService,
        index: ResourceIndex,
        browse: BrowseService,
        retrieve: RetrieveService,
        delete: DeleteService,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._modalities = modalities
        self._index = index
        self._browse = browse
        self._retrieve = retrieve
        self._delete = delete
        self._clock = clock

    # -- SCU: the REST API --------------------------------------------------------------------

    def request(self, modality_name: str, body: Any) -> dict[str, str]:
        """``POST /modalities/{id}/storage-commitment``: ``Resources`` (Orthanc IDs of any
        level) and/or ``DicomInstances`` (``[class, instance]`` pairs or objects), ``Timeout``."""
        modality = self._modalities.get(modality_name)
        if not isinstance(body, dict):
            raise bad_file(NOT_AN_OBJECT)
        timeout = integer_option(body, "Timeout", None)
        if timeout is not None and timeout < 0:
            raise bad_file("Unsigned integer value expected in field: Timeout")
        if "Resources" not in body and "DicomInstances" not in body:
            raise bad_file(
                "Empty storage commitment request, one of these fields is mandatory: "
                '"Resources" or "DicomInstances"'
            )
        references = self._stored_references(body.get("Resources", []))
        references += _given_references(body.get("DicomInstances", []))
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
            commitment_scu.request_commitment(
                modality,
                self._modalities.local_aet,
                self._modalities.timeout(modality, timeout),
                uid,
                references,
            )
        except scu.DicomUnavailable as exc:
            self._store.delete(uid)
            raise OrthancError(ErrorCode.NETWORK_PROTOCOL, str(exc)) from exc
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
        stored = self._stored(report.references)
        self._delete.delete_many([s.instance_id for s in stored.values()])
        return {}

    # -- the DICOM service ----------------------------------------------------------------------

    def record(self, transaction_uid: str, remote_aet: str, references: list[Reference]) -> None:
        """A report received from ``remote_aet`` (for any transaction UID, as Orthanc)."""
        status = FAILURE if any(r.reason for r in references) else SUCCESS
        self._put(CommitmentReport(transaction_uid, remote_aet, status, references))

    def check(self, references: list[Reference]) -> list[Reference]:
        """SCP: each requested instance, with the reason it is not committed (0 if it is):
        stored in Cirrus with the same SOP class."""
        stored = self._stored(references)
        checked = []
        for reference in references:
            instance = stored.get(reference.sop_instance_uid)
            reason = 0
            if instance is None:
                reason = NO_SUCH_OBJECT_INSTANCE
            elif instance.sop_class_uid != reference.sop_class_uid:
                reason = CLASS_INSTANCE_CONFLICT
            checked.append(Reference(reference.sop_class_uid, reference.sop_instance_uid, reason))
        return checked

    def answer(
        self,
        modality: Modality,
        calling_aet: str,
        transaction_uid: str,
        references: list[Reference],
    ) -> None:
        """SCP: check the instances of a request and send the report to ``modality``."""
        checked = self.check(references)
        timeout = self._modalities.timeout(modality, None)
        commitment_scu.send_report(modality, calling_aet, timeout, transaction_uid, checked)

    # -- helpers --------------------------------------------------------------------------------

    def _stored_references(self, resource_ids: Any) -> list[Reference]:
        if not isinstance(resource_ids, list) or not all(isinstance(i, str) for i in resource_ids):
            raise bad_file('The "Resources" field must provide an array of Orthanc resources')
        return self.references_of(resource_ids)

    def _stored(self, references: list[Reference]) -> dict[str, Any]:
        """The stored instances of these SOP Instance UIDs, by UID (``ByUid`` lookups)."""
        uids = tuple(dict.fromkeys(r.sop_instance_uid for r in references if r.sop_instance_uid))
        if not uids:
            return {}
        found = self._retrieve.instances(RetrieveRequest(Level.INSTANCE, uids))
        return {instance.sop_instance_uid: instance for instance in found}

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


def _given_references(entries: Any) -> list[Reference]:
    """``DicomInstances``: ``[SOPClassUID, SOPInstanceUID]`` pairs or objects with those keys."""
    if not isinstance(entries, list):
        raise bad_file('The "DicomInstances" field must provide an array of DICOM instances')
    references = []
    for entry in entries:
        if isinstance(entry, list):
            if len(entry) != 2 or not all(isinstance(uid, str) for uid in entry):
                raise bad_file(
                    "An instance entry must provide an array with 2 strings: "
                    "SOP Class UID and SOP Instance UID"
                )
            references.append(Reference(entry[0], entry[1]))
        elif isinstance(entry, dict):
            sop_class, sop_instance = entry.get("SOPClassUID"), entry.get("SOPInstanceUID")
            if not isinstance(sop_class, str) or not isinstance(sop_instance, str):
                # Orthanc 1.10.1's message, typo and unbalanced quote included.
                raise bad_file(
                    "An instance entry must provide an object with 2 string fiels: "
                    '"SOPClassUID" and "SOPInstanceUID'
                )
            references.append(Reference(sop_class, sop_instance))
        else:
            raise bad_file(
                "JSON array or object is expected to specify one instance to be queried, "
                f"found: {json.dumps(entry)}\n"
            )
    return references
