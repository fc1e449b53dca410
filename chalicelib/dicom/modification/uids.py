"""New identifiers for modified and anonymized instances, derived from a seed.

Orthanc draws random UIDs and remembers them in its job; Cirrus derives each one from the
job's seed and the original value (a name-based UUID), so that every Lambda working on the
same job, and a batch replayed after a crash, give an original the same new value without
sharing any state: a replay writes the same instances, never duplicates.

Values are mapped per kind, as Orthanc maps them: a patient's PatientID and PatientName
(``Patient``: a UUID string, as Orthanc's generated PatientID), a study's and a series'
UIDs, and every other UID (``Instance``: SOP Instance UIDs and the UIDs that may point at
them, so a ``ReferencedSOPInstanceUID`` gets the value of the instance it references).
"""

from __future__ import annotations

import uuid

from chalicelib.dicom.identifiers import Level

# Fixed namespace of Cirrus's name-based UUIDs.
_NAMESPACE = uuid.UUID("9b4e0c52-1f7b-4d0e-9a57-3c2f4a8e6d15")


class UidMapper:
    """``map(value, level)``: the new value of an original one, stable for a seed."""

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._forced: dict[tuple[Level, str], str] = {}

    def force(self, original: str, mapped: str, level: Level) -> None:
        """An original whose new value the request chose (a replaced StudyInstanceUID): the
        references to it follow."""
        self._forced.setdefault((level, original.strip(" \0")), mapped)

    def map(self, original: str, level: Level) -> str:
        stripped = original.strip(" \0")
        forced = self._forced.get((level, stripped))
        if forced is not None:
            return forced
        name = uuid.uuid5(_NAMESPACE, f"{self._seed}|{level.value}|{stripped}")
        return str(name) if level is Level.PATIENT else f"2.25.{name.int}"
