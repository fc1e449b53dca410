"""Folder and file names inside the ZIP archives of patients, studies and series, following
what Orthanc 1.10.1 writes (observed, see docs/notes/orthanc-dicom-observed.md).

``PatientID PatientName/AccessionNumber StudyDescription/Modality SeriesDescription/MO000000.dcm``
(``MO`` the first two letters of the modality, upper case):
each part keeps only ASCII letters, digits, ``.`` and ``_``, turns ``^`` into a space,
collapses runs of spaces and trims them; an empty part falls back to "Unknown Patient" (...);
siblings with the same name get ``-2``, ``-3``... in the order they are written. Plain Python so
the rules are unit-tested without AWS.

One rule is Cirrus's own: a name never starts with a dot. Orthanc 1.10.1 keeps leading dots, so a
PatientID, AccessionNumber or Modality of ``..`` makes members such as ``../../../..000000.dcm``
that an unzip tool may write outside its target folder; here leading dots are dropped (a name left
empty takes its fallback), so no path segment is ``.``, ``..`` or hidden.
"""

from __future__ import annotations

import re
import string

_KEPT = frozenset(string.ascii_letters + string.digits + "._ ")
_SPACES = re.compile(" +")


def clean(text: str) -> str:
    """``text`` reduced to the characters Orthanc keeps in archive paths."""
    kept = "".join(c for c in text.replace("^", " ") if c in _KEPT)
    return _SPACES.sub(" ", kept).strip()


def _segment(text: str) -> str:
    """``text`` cleaned into a path segment that cannot climb, stay put or hide: no leading
    dot (hence never ``.`` or ``..``)."""
    return clean(text).lstrip(". ")


def _folder(parts: list[str], fallback: str) -> str:
    return _segment(" ".join(parts)) or fallback


def patient_folder(tags: dict[str, str]) -> str:
    return _folder([tags.get("PatientID", ""), tags.get("PatientName", "")], "Unknown Patient")


def study_folder(tags: dict[str, str]) -> str:
    parts = [tags.get("AccessionNumber", ""), tags.get("StudyDescription", "")]
    return _folder(parts, "Unknown Study")


def series_folder(tags: dict[str, str]) -> str:
    return _folder([tags.get("Modality", ""), tags.get("SeriesDescription", "")], "Unknown Series")


def instance_file(series_tags: dict[str, str], position: int) -> str:
    """The name of the ``position``-th (from 0) file of a series: up to two letters of the
    modality (upper case), then digits up to 8 characters."""
    prefix = _segment(series_tags.get("Modality", "")).replace(" ", "")[:2].upper()
    return f"{prefix}{position:0{8 - len(prefix)}d}.dcm"


def media_file(position: int) -> str:
    """The ``position``-th (from 0) file of a DICOMDIR media, as a Referenced File ID: DICOM
    media file names have at most 8 characters, in one folder."""
    return f"IMAGES/IM{position}"


def unique(names: list[str]) -> list[str]:
    """Sibling names made distinct: the second ``X`` becomes ``X-2``, the third ``X-3``."""
    seen: dict[str, int] = {}
    answer = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        answer.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return answer
