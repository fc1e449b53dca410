"""Orthanc's resource identifiers.

Orthanc names every patient, study, series and instance by the SHA-1 of the DICOM identifiers
that lead to it (``PatientID``, then ``|StudyInstanceUID``, ``|SeriesInstanceUID``,
``|SOPInstanceUID``), printed as five dash-separated groups of eight hex digits. Computing them
the same way is what lets a client move between Orthanc and Cirrus and keep its IDs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum

ID_PATTERN = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{8}){4}$")


class Level(StrEnum):
    """The four levels of the DICOM model of the real world, as Orthanc names them."""

    PATIENT = "Patient"
    STUDY = "Study"
    SERIES = "Series"
    INSTANCE = "Instance"

    @property
    def collection(self) -> str:
        """The REST collection of this level (``/patients``...)."""
        return _COLLECTIONS[self]

    @property
    def parent(self) -> Level | None:
        index = _ORDER.index(self)
        return _ORDER[index - 1] if index else None

    @property
    def child(self) -> Level | None:
        index = _ORDER.index(self)
        return _ORDER[index + 1] if index + 1 < len(_ORDER) else None

    @property
    def depth(self) -> int:
        return _ORDER.index(self)


# QueryRetrieveLevel (0008,0052), as C-FIND, C-MOVE and C-GET requests write it (any case):
# the level it names.
QUERY_RETRIEVE_LEVEL = 0x00080052
QUERY_RETRIEVE_LEVELS = {
    "PATIENT": Level.PATIENT,
    "STUDY": Level.STUDY,
    "SERIES": Level.SERIES,
    "IMAGE": Level.INSTANCE,
    "INSTANCE": Level.INSTANCE,
}


_ORDER = [Level.PATIENT, Level.STUDY, Level.SERIES, Level.INSTANCE]
_COLLECTIONS = {
    Level.PATIENT: "patients",
    Level.STUDY: "studies",
    Level.SERIES: "series",
    Level.INSTANCE: "instances",
}


def hash_identifier(text: str) -> str:
    """Orthanc's formatting of the SHA-1 of ``text``: 8-8-8-8-8 lowercase hex digits."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    return "-".join(digest[i : i + 8] for i in range(0, 40, 8))


@dataclass(frozen=True)
class ResourceIds:
    """The Orthanc IDs of an instance and of its three ancestors."""

    patient: str
    study: str
    series: str
    instance: str

    def of(self, level: Level) -> str:
        return {
            Level.PATIENT: self.patient,
            Level.STUDY: self.study,
            Level.SERIES: self.series,
            Level.INSTANCE: self.instance,
        }[level]


def compute_ids(patient_id: str, study_uid: str, series_uid: str, sop_uid: str) -> ResourceIds:
    """IDs of the four levels from the four DICOM identifiers of an instance, given as Orthanc
    reads them (padding already removed where DCMTK removes it: see ``parsing``)."""
    parts = [patient_id, study_uid, series_uid, sop_uid]
    return ResourceIds(
        patient=hash_identifier(parts[0]),
        study=hash_identifier("|".join(parts[:2])),
        series=hash_identifier("|".join(parts[:3])),
        instance=hash_identifier("|".join(parts)),
    )


def is_resource_id(value: str) -> bool:
    """Whether ``value`` has the shape of an Orthanc ID (cheap check before any lookup)."""
    return bool(ID_PATTERN.match(value))
