"""Modify and anonymize, the use cases behind Orthanc's routes:

- ``POST /instances/{id}/modify|anonymize``: the modified file is the answer, nothing is
  stored (random new UIDs, as Orthanc);
- ``POST /{patients|studies|series}/{id}/modify|anonymize`` and
  ``/tools/bulk-modify|bulk-anonymize``: a ``ResourceModification`` job stores the new
  resources (synchronous by default, ``Asynchronous`` answers the job at once).

An anonymization that does not name the PatientName gets Orthanc's ``Anonymized<N>``, ``N``
from one counter shared by every Lambda (one DynamoDB update per request).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib import CIRRUS_VERSION
from chalicelib.dicom.identifiers import Level, compute_ids
from chalicelib.dicom.modification.apply import derived_identifiers
from chalicelib.dicom.modification.files import modify_file, transcoded
from chalicelib.dicom.modification.spec import (
    Modification,
    check_level,
    detect_level,
    parse_anonymize,
    parse_modify,
    patient_name_generated,
    set_generated_name,
)
from chalicelib.dicom.modification.uids import UidMapper
from chalicelib.dicom.parsing import DicomIdentifiers
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.jobs.model import JobOptions
from chalicelib.model import Resource
from chalicelib.services.jobs.engine import JobService
from chalicelib.services.modification.jobs import KIND, identifier_values, output_json
from chalicelib.services.resources.content import ContentService
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.logs import SequencedLog

# Who anonymized, in the DeidentificationMethod written (Orthanc writes its own name).
PRODUCT = f"Cirrus {CIRRUS_VERSION}"


@dataclass(frozen=True)
class ModificationRequest:
    """A modify or anonymize body of a job route, read: the modification, the job's options,
    and who asked (the new instances' RemoteIP and HttpUsername metadata, as Orthanc)."""

    modification: Modification
    transcode: str | None
    keep_source: bool
    job: JobOptions
    remote_ip: str = ""
    username: str = ""


class ModificationService:
    def __init__(
        self,
        index: ResourceIndex,
        content: ContentService,
        jobs: JobService,
        names: SequencedLog,
        private_creator: str,
        wait_seconds: float,
    ) -> None:
        """``names``: the counter of generated patient names; ``wait_seconds``: how long a
        synchronous request waits for its job (``SynchronousJobTimeout``)."""
        self._index = index
        self._content = content
        self._jobs = jobs
        self._names = names
        self._private_creator = private_creator
        self._wait = wait_seconds

    def read(self, body: Any, anonymize: bool) -> Modification:
        """The modification a body asks for (Orthanc's 400s), with its generated name."""
        if not anonymize:
            return parse_modify(body, self._private_creator)
        modification = parse_anonymize(body, self._private_creator, PRODUCT)
        if patient_name_generated(modification):
            set_generated_name(modification, f"Anonymized{self._names.allocate(1)}")
        return modification

    def instance(
        self, instance_id: str, modification: Modification, transcode: str | None
    ) -> bytes:
        """The modified file of one instance (Orthanc's level rules for a single instance,
        checked once the instance is found, as Orthanc checks them)."""
        if not modification.anonymization:
            modification.level = detect_level(modification)
        _, data = self._content.file(instance_id)
        check_level(modification)
        modified = modify_file(
            data,
            modification,
            UidMapper(str(uuid.uuid4())),
            default_encoding=self._content.default_encoding(),
        )
        if transcode:
            return transcoded(modified.data, transcode)
        return modified.data

    def resource(self, level: Level, resource_id: str, request: ModificationRequest) -> Any:
        """Modify a patient, study or series into a new one, as a job."""
        modification = request.modification
        if not modification.anonymization:
            modification.level = level
        resource = self._index.get(resource_id)
        if resource is None or resource.level is not level:
            raise unknown_resource()
        check_level(modification)
        seed = str(uuid.uuid4())
        source, has_patient_id = self._identifiers(resource)
        new = derived_identifiers(modification, UidMapper(seed), source, has_patient_id)
        output = output_json(level, compute_ids(*identifier_values(new)))
        return self._submit(request, [resource_id], seed, output)

    def bulk(
        self, resource_ids: list[str], level: Level | None, request: ModificationRequest
    ) -> Any:
        """``/tools/bulk-modify|bulk-anonymize``: resources of any level, one job."""
        modification = request.modification
        if not modification.anonymization:
            modification.level = level or detect_level(modification)
        found = self._index.get_many(resource_ids)
        if any(r not in found for r in resource_ids):
            raise unknown_resource()
        check_level(modification)
        return self._submit(request, resource_ids, str(uuid.uuid4()), None)

    def _submit(
        self,
        request: ModificationRequest,
        resource_ids: list[str],
        seed: str,
        output: dict[str, Any] | None,
    ) -> Any:
        params = {
            "Modification": request.modification.to_json(),
            "IsAnonymization": request.modification.anonymization,
            "Derivation": _DERIVATION[request.modification.anonymization],
            "Resources": resource_ids,
            "Seed": seed,
            "KeepSource": request.keep_source,
            "Transcode": request.transcode,
            "Output": output,
            "Permissive": request.job.permissive,
            "RemoteIp": request.remote_ip,
            "Username": request.username,
        }
        return self._jobs.run(KIND, params, request.job, self._wait)

    def _identifiers(self, resource: Resource) -> tuple[DicomIdentifiers, bool]:
        """The DICOM identifiers above and at a resource, read from the index (the patient's
        PatientID, the study's and series' UIDs as received), and whether its files have a
        PatientID element at all (the index keeps no PatientID for files without one)."""
        values = {Level.STUDY: "", Level.SERIES: ""}
        patient_tags: dict[str, str] = {}
        current: Resource | None = resource
        while current is not None:
            if current.level is Level.PATIENT:
                patient_tags = current.main_tags
                break
            values[current.level] = current.main_tags.get(_IDENTIFIER_NAMES[current.level], "")
            if current.level is Level.STUDY:
                patient_tags = current.patient_main_tags
                break
            current = self._index.get(current.parent) if current.parent else None
        identifiers = DicomIdentifiers(
            patient_tags.get("PatientID", ""), values[Level.STUDY], values[Level.SERIES], ""
        )
        return identifiers, "PatientID" in patient_tags


# The metadata naming the source of a modified resource.
_DERIVATION = {True: "AnonymizedFrom", False: "ModifiedFrom"}
_IDENTIFIER_NAMES = {
    Level.PATIENT: "PatientID",
    Level.STUDY: "StudyInstanceUID",
    Level.SERIES: "SeriesInstanceUID",
    Level.INSTANCE: "SOPInstanceUID",
}


def check_transcode(value: Any, job: bool) -> str | None:
    """``Transcode``: a transfer syntax UID or absent (Orthanc's errors: the instance route
    says "Unknown transfer syntax", the jobs "Unknown transfer syntax UID")."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, "String value expected in field: Transcode")
    from chalicelib.dicom.transcoding import check_syntax

    try:
        return check_syntax(value)
    except OrthancError:
        if job:
            raise OrthancError(
                ErrorCode.BAD_FILE_FORMAT, f"Unknown transfer syntax UID: {value}"
            ) from None
        raise
