"""Keeping the archive within ``MaximumStorageSize`` and ``MaximumPatientCount``, as Orthanc
does: before a new file is stored, the least recently stored patients that are not protected
are deleted until it fits (``MaximumStorageMode: Recycle``, the default), or the file is
refused (``Reject``, Orthanc 1.11.3).

Orthanc's rule, followed here:

* the recycling order is the order in which patients last received an instance (a new
  patient goes to the end, and so does an existing one receiving an instance or being
  unprotected); protected patients are out of it;
* a file larger than the whole storage limit is refused at once;
* recycling is needed while the disk size with the new file would exceed the limit, or the
  patient count with the file's patient (if new) would;
* the patient the file belongs to is never recycled for it, and when no other unprotected
  patient is left the file is refused (``FullStorage``) and nothing is deleted: Orthanc rolls
  its transaction back, Cirrus chooses every patient to delete before deleting any.

The index knows the order (``ByRecycling``, read shard by shard) and the totals (the 16
counter shards, read only when a limit is configured); a patient's size comes from the walk
of its links. Deleting goes through the DELETE /patients/{id} service, so the files and the
changes go exactly as they do for a client's delete.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError, StorageRejected
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.delete import DeleteService
from chalicelib.storage.index import ResourceIndex

LOG = logging.getLogger(__name__)

MB = 1024 * 1024


def recycling_position(patient_id: str, when: datetime | None = None) -> str:
    """A patient's place in the recycling order from ``when`` (now by default): the time to
    the microsecond (UTC, so that it sorts as it happened), then the ID to break ties."""
    return f"{when or datetime.now(UTC):%Y%m%dT%H%M%S.%f}#{patient_id}"


@dataclass(frozen=True)
class StorageLimits:
    """The configured limits; 0 means none."""

    max_size: int = 0  # bytes
    max_patients: int = 0
    reject: bool = False

    @classmethod
    def of(cls, size_mb: int, patients: int, mode: str) -> StorageLimits:
        """From the configuration's values (``MaximumStorageSize`` is in MB)."""
        return cls(size_mb * MB, patients, mode == "Reject")

    @property
    def configured(self) -> bool:
        return bool(self.max_size or self.max_patients)


class RecyclingService:
    def __init__(
        self,
        index: ResourceIndex,
        browse: BrowseService,
        delete: DeleteService,
        limits: StorageLimits,
    ) -> None:
        self._index = index
        self._browse = browse
        self._delete = delete
        self._limits = limits

    def make_room(
        self, patient_id: str, new_patient: bool, size: int, replaced_size: int = 0
    ) -> None:
        """Make room for a file of ``size`` bytes of ``patient_id`` (``new_patient`` if the
        index has no such patient yet; ``replaced_size``: the file it overwrites), or raise
        Orthanc's ``FullStorage``."""
        limits = self._limits
        if limits.max_size and size > limits.max_size:
            raise OrthancError(
                ErrorCode.FULL_STORAGE,
                f"Cannot store an instance of size {size} bytes in a storage area limited "
                f"to {limits.max_size}",
            )
        totals = self._index.read_counts()
        excess_size = (
            totals.disk_size - replaced_size + size - limits.max_size if limits.max_size else 0
        )
        excess_patients = (
            totals.patients + int(new_patient) - limits.max_patients if limits.max_patients else 0
        )
        if excess_size <= 0 and excess_patients <= 0:
            return
        if limits.reject:
            reached = "storage size" if excess_size > 0 else "patient count"
            raise StorageRejected(f"Maximum {reached} reached")
        for victim in self._victims(patient_id, excess_size, excess_patients):
            LOG.info("Recycling patient %s", victim)
            try:
                self._delete.delete(Level.PATIENT, victim)
            except OrthancError as error:
                if error.code is not ErrorCode.UNKNOWN_RESOURCE:
                    raise
                # Another upload recycled it meanwhile: it is gone either way.

    def _victims(self, patient_id: str, excess_size: int, excess_patients: int) -> list[str]:
        """The patients to delete, oldest first, until ``excess_size`` bytes and
        ``excess_patients`` patients are freed; FullStorage if there are not enough."""
        chosen: list[str] = []
        freed = 0
        for candidate in self._index.recycling_order(page=max(excess_patients, 1) + 1):
            if candidate == patient_id:
                continue
            try:
                record, links = self._browse.load(Level.PATIENT, candidate)
            except OrthancError:
                continue  # deleted since the index listed it
            if record.protected:
                continue  # protected since the index listed it
            chosen.append(candidate)
            if freed < excess_size:
                instances = self._browse.walk(record, links)[Level.INSTANCE]
                freed += sum(link.file_size for link in instances)
            if freed >= excess_size and len(chosen) >= excess_patients:
                return chosen
        raise OrthancError(ErrorCode.FULL_STORAGE, "Cannot recycle more patients")
