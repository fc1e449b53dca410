"""Folder and file names inside the ZIP archives of patients, studies and series, following
what Orthanc 1.10.1 writes (observed, see docs/notes/orthanc-dicom-observed.md).

``PatientID PatientName/StudyDescription/Modality SeriesDescription/{Modality}{000000}.dcm``:
each part keeps only ASCII letters, digits, ``.`` and ``_``, turns ``^`` into a space,
collapses runs of spaces and trims them; an empty part falls back to "Unknown Patient" (...);
siblings with the same name get ``-2``, ``-3``... in the order they are written. Plain Python so
the rules are unit-tested without AWS.
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


def _folder(parts: list[str], fallback: str) -> str:
    return clean(" ".join(parts)) or fallback


def patient_folder(tags: dict[str, str]) -> str:
    return _folder([tags.get("PatientID", ""), tags.get("PatientName", "")], "Unknown Patient")


def study_folder(tags: dict[str, str]) -> str:
    return _folder([tags.get("StudyDescription", "")], "Unknown Study")


def series_folder(tags: dict[str, str]) -> str:
    return _folder([tags.get("Modality", ""), tags.get("SeriesDescription", "")], "Unknown Series")


def instance_file(series_tags: dict[str, str], position: int) -> str:
    """The name of the ``position``-th (from 0) file of a series: the modality then 6 digits,
    or 8 digits when the series has no modality."""
    modality = clean(series_tags.get("Modality", ""))
    return f"{modality}{position:06d}.dcm" if modality else f"{position:08d}.dcm"


def unique(names: list[str]) -> list[str]:
    """Sibling names made distinct: the second ``X`` becomes ``X-2``, the third ``X-3``."""
    seen: dict[str, int] = {}
    answer = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        answer.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return answer
