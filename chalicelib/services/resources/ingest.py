"""Storing a DICOM file: the single ingest path of ``POST /instances`` (and the members of a
ZIP), of uploads through S3 (``/cirrus/uploads``), of C-STORE to the DICOM service and of
the files a C-GET brings back.

The sequence is chosen for durability and few round trips (at most 3 AWS requests for a new
instance, 1 for one already stored):

1. one consistent BatchGetItem tells which of the instance and its three ancestors exist
   (with ``MaximumStorageSize`` or ``MaximumPatientCount``, a second one reads the totals and
   patients are recycled if the file does not fit: ``recycling.py``);
2. the file is written to S3 under a fresh key (never overwriting a file the index points at);
3. one transaction creates the instance, the missing ancestors, their links and the counter
   update, each record conditioned on not existing.

Only after step 3 is the instance visible and the client acknowledged. If step 3 loses a race
(another upload created the same series a moment earlier) the service re-reads and retries;
if it fails for good, the S3 object is removed and the error reported. Existing ancestors are
not written at all, so parallel uploads into one series do not contend on the series item.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydicom.dataset import Dataset

from chalicelib import observability
from chalicelib.dicom import main_tags
from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.identifiers import Level, ResourceIds, compute_ids
from chalicelib.dicom.parsing import (
    DicomIdentifiers,
    InvalidDicom,
    MissingIdentifier,
    invalid_file_message,
    parse_dicom,
    read_identifiers,
    transfer_syntax,
)
from chalicelib.errors import ErrorCode, OrthancError, bad_file, write_conflicts
from chalicelib.model import ChildLink, Counts, Resource
from chalicelib.services.resources.recycling import RecyclingService, recycling_position
from chalicelib.services.shared.clock import orthanc_now
from chalicelib.storage.blobs import BlobStore, blob_key, stored_objects
from chalicelib.storage.index import ResourceIndex, TransactionConflict

LOG = logging.getLogger(__name__)

# A race on ancestor creation resolves in one retry; more means something is badly wrong.
MAX_ATTEMPTS = 8


class StoreStatus(StrEnum):
    SUCCESS = "Success"
    ALREADY_STORED = "AlreadyStored"


@dataclass(frozen=True)
class Origin:
    """Who sent the file: becomes the instance's Origin/RemoteIP/... metadata."""

    protocol: str = "RestApi"
    remote_ip: str = ""
    remote_aet: str = ""
    called_aet: str = ""
    http_username: str = ""


@dataclass(frozen=True)
class StoreResult:
    ids: ResourceIds
    status: StoreStatus


@dataclass(frozen=True)
class ParsedFile:
    """Everything the index needs from the file, read before anything is stored: pydicom
    decodes values only when they are read, so a malformed value must fail here. The
    reconstruction of the index (``reconstruct.py``) reads stored files with it too."""

    identifiers: DicomIdentifiers
    ids: ResourceIds
    tags: dict[str, dict[str, str]]
    expected_instances: int | None
    index_in_series: int | None
    file_metadata: dict[str, str]

    def identifier(self, level: Level) -> str:
        """The DICOM identifier naming the resource of ``level`` (the index's ``uid`` key)."""
        return {
            Level.PATIENT: self.identifiers.patient_id,
            Level.STUDY: self.identifiers.study_uid,
            Level.SERIES: self.identifiers.series_uid,
            Level.INSTANCE: self.identifiers.sop_uid,
        }[level]


class IngestService:
    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        overwrite: bool,
        recycling: RecyclingService | None = None,
        *,
        default_encoding: Callable[[], str],
        max_inflated: int | None = None,
    ) -> None:
        self._index = index
        self._blobs = blobs
        self._overwrite = overwrite
        # The most a deflated data set may inflate to (the largest object accepted).
        self._max_inflated = max_inflated
        # Orthanc's current DefaultEncoding (by name): how a file without Specific Character
        # Set reads (and how the modification jobs storing through here write one).
        self.default_encoding = default_encoding
        # Only with MaximumStorageSize or MaximumPatientCount: no totals read otherwise.
        self._recycling = recycling

    def store(
        self, data: bytes, origin: Origin, metadata: Mapping[Level, dict[str, str]] | None = None
    ) -> StoreResult:
        """Store one DICOM file; raises OrthancError(BadFileFormat) for a non-DICOM input.
        ``metadata``: more metadata for the resources this file creates, by level (the
        ModifiedFrom/AnonymizedFrom of a modified file)."""
        parsed = parse_file(data, self.default_encoding(), self._max_inflated)
        file_uuid = str(uuid.uuid4())
        key = blob_key(parsed.ids.instance, file_uuid)
        md5 = hashlib.md5(data).hexdigest()  # the MD5 Orthanc records for the attachment
        written = False
        try:
            for _ in range(MAX_ATTEMPTS):
                existing = self._index.existing(parsed.ids.of(level) for level in Level)
                stored = None
                if parsed.ids.instance in existing:
                    if not self._overwrite:
                        return StoreResult(parsed.ids, StoreStatus.ALREADY_STORED)
                    # Only a replacement needs the stored record (its file, attachments and
                    # labels): one more read, on the path OverwriteInstances alone takes.
                    stored = self._index.get(parsed.ids.instance)
                if not written:
                    if self._recycling is not None:  # before anything is written, as Orthanc
                        self._recycling.make_room(
                            parsed.ids.patient,
                            parsed.ids.patient not in existing,
                            len(data),
                            stored.file_size if stored else 0,
                        )
                    self._blobs.put(key, data)
                    written = True
                records = self._records(parsed, existing, origin, len(data), md5, file_uuid, key)
                for record in records:
                    record.metadata.update((metadata or {}).get(record.level, {}))
                links = [
                    ChildLink(r.parent, r.id, r.level, r.file_size, r.blob_key, r.index_in_series)
                    for r in records
                    if r.parent
                ]
                delta = sum((Counts.one(r.level, r.file_size) for r in records), Counts())
                if stored:
                    replaced_size = stored.file_size + stored.attachments_size
                    delta = delta + -Counts.one(Level.INSTANCE, replaced_size)
                try:
                    self._index.insert(records, links, delta, stored)
                except TransactionConflict as conflict:
                    if parsed.ids.instance not in conflict.failed:
                        continue  # an ancestor was created meanwhile: read again, retry
                    current = self._index.get(parsed.ids.instance)
                    if current is not None and current.file_uuid == file_uuid:
                        # Our own transaction committed, but its answer was lost and the
                        # SDK's retry then failed the condition: the file is stored.
                        written = False
                        return self._committed(parsed.ids, stored)
                    if not self._overwrite:
                        # Another upload of the same instance won: ours is a duplicate.
                        return StoreResult(parsed.ids, StoreStatus.ALREADY_STORED)
                    continue
                written = False
                return self._committed(parsed.ids, stored)
            raise write_conflicts()
        finally:
            if written:
                # Nothing points at the object: remove it so a failure leaves no trace.
                self._blobs.discard([key])

    def _committed(self, ids: ResourceIds, replaced: Resource | None) -> StoreResult:
        """The index points at the new file: drop the file it replaced, if any, and that
        instance's user attachments (Orthanc deletes the old instance, attachments and all)."""
        if replaced is not None:
            self._blobs.discard(stored_objects([replaced]))
        observability.count("InstancesStored")
        return StoreResult(ids, StoreStatus.SUCCESS)

    @staticmethod
    def _records(
        parsed: ParsedFile,
        existing: set[str],
        origin: Origin,
        size: int,
        md5: str,
        file_uuid: str,
        key: str,
    ) -> list[Resource]:
        """The records to create: the instance and every ancestor not yet in the index."""
        now = orthanc_now()
        ids, tags = parsed.ids, parsed.tags
        position = recycling_position(ids.patient)
        records = []
        for level in Level:
            if level is not Level.INSTANCE and ids.of(level) in existing:
                continue
            parent = level.parent
            record = Resource(
                id=ids.of(level),
                level=level,
                parent=ids.of(parent) if parent else None,
                main_tags=tags[level.value],
                last_update=now,
                dicom_uid=parsed.identifier(level),
                unstable=level is not Level.INSTANCE,
            )
            if level in (Level.PATIENT, Level.INSTANCE):
                # A new patient goes to the end of the recycling order; an existing one moves
                # there when the change feed sees this instance (services/changes/feed.py).
                record.recycling_position = position
            if level is Level.STUDY:
                record.patient_main_tags = tags[Level.PATIENT.value]
            if level in (Level.SERIES, Level.INSTANCE):
                # The instance keeps its own count too: CompletedSeries is decided with it.
                record.expected_instances = parsed.expected_instances
            if level is Level.SERIES:
                record.metadata = _series_metadata(parsed.expected_instances, origin)
            if level is Level.INSTANCE:
                record.ancestors = (ids.series, ids.study, ids.patient)
                record.new_ancestors = len(records)
                record.file_size = size
                record.file_md5 = md5
                record.file_uuid = file_uuid
                record.blob_key = key
                record.index_in_series = parsed.index_in_series
                record.metadata = _instance_metadata(parsed.file_metadata, origin, now)
            records.append(record)
        return records


def parse_file(
    data: bytes, default_encoding: str = DEFAULT, max_inflated: int | None = None
) -> ParsedFile:
    """What the index derives from a DICOM file, read in ``default_encoding`` (an Orthanc
    name) if it has no Specific Character Set; raises OrthancError (BadFileFormat,
    InexistentTag) for a file that cannot be stored, a deflated data set inflating beyond
    ``max_inflated`` bytes included."""
    try:
        parsed = parse_dicom(data, max_inflated)
        ds = parsed.dataset
        identifiers = read_identifiers(ds, default_encoding)
        return ParsedFile(
            identifiers,
            compute_ids(
                identifiers.patient_id,
                identifiers.study_uid,
                identifiers.series_uid,
                identifiers.sop_uid,
            ),
            main_tags.extract_main_tags(ds, default_encoding),
            main_tags.expected_number_of_instances(ds),
            main_tags.index_in_series(ds),
            _file_metadata(ds, parsed.pixel_data_offset),
        )
    except MissingIdentifier as exc:
        raise OrthancError(ErrorCode.INEXISTENT_TAG, str(exc)) from exc
    except InvalidDicom as exc:
        raise bad_file(str(exc)) from exc
    except MemoryError:
        raise
    except Exception as exc:
        # A value pydicom cannot decode (an unknown VR, a length past the end of a
        # sequence, a broken deflate stream): refused as Orthanc refuses it, logged in
        # case it is Cirrus's fault rather than the file's.
        LOG.warning("Refused a DICOM file that cannot be read", exc_info=True)
        raise bad_file(invalid_file_message(len(data))) from exc


def _file_metadata(ds: Dataset, pixel_data_offset: int | None) -> dict[str, str]:
    """The built-in metadata Orthanc reads from the file itself."""
    meta = {"TransferSyntax": transfer_syntax(ds)}
    if "SOPClassUID" in ds:  # Orthanc leaves the metadata out when the tag is absent
        meta["SopClassUid"] = str(ds.SOPClassUID or "")
    index_text = main_tags.index_in_series_metadata(ds)
    if index_text is not None:
        meta["IndexInSeries"] = index_text
    if pixel_data_offset is not None:
        meta["PixelDataOffset"] = str(pixel_data_offset)
    return meta


def _series_metadata(expected_instances: int | None, origin: Origin) -> dict[str, str]:
    """The built-in metadata Orthanc (1.9.0 and later) attaches to a new series: the AE
    title of the file that created it (empty over REST), and its expected count if any."""
    meta = {"RemoteAET": origin.remote_aet}
    if expected_instances is not None:
        meta["ExpectedNumberOfInstances"] = str(expected_instances)
    return meta


def _instance_metadata(file_metadata: dict[str, str], origin: Origin, now: str) -> dict[str, str]:
    """The built-in metadata Orthanc attaches to a stored instance."""
    meta = {
        "ReceptionDate": now,
        "Origin": origin.protocol,
        "RemoteAET": origin.remote_aet,
        "RemoteIP": origin.remote_ip,
        "CalledAET": origin.called_aet,
        "HttpUsername": origin.http_username,
        **file_metadata,
    }
    if not origin.called_aet:
        del meta["CalledAET"]
    return meta
