"""Comparing modified or anonymized DICOM files from Orthanc and from Cirrus.

Both servers draw new identifiers their own way (Orthanc random DCMTK UIDs, Cirrus UIDs
derived from a job's seed), so their values can never be equal; what must be equal is
everything else, and the identity relations between the new values: which elements, in
which files, got the same new value (a ``ReferencedSOPInstanceUID`` that points at an
instance modified in the same job must equal that instance's new ``SOPInstanceUID``, in
both). ``canonical`` therefore replaces each generated value by a label naming the first
place it occurs, so that two sets of files compare equal exactly when their generated values
partition their places the same way.

A file is flattened into ``{path: (VR, value)}`` with the paths of the dcmodify syntax Orthanc
reads (``(0008,1140)[0].(0008,1155)``), sequences included as their item counts, and the file
meta information reduced to what a modification decides (the SOP Class and Instance UIDs and
the transfer syntax: the implementation UID and name are each product's own).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pydicom
from pydicom.dataset import Dataset

Flat = dict[str, tuple[str, Any]]

PATIENT_ID = "(0010,0020)"
PATIENT_NAME = "(0010,0010)"
DEIDENTIFICATION_METHOD = "(0012,0063)"
META_KEPT = ("(0002,0002)", "(0002,0003)", "(0002,0010)")
# "Orthanc 1.10.1 - PS 3.15-2021b ..." / "Cirrus 0.1.0 - PS 3.15-2021b ...": each product
# names itself in the DeidentificationMethod it writes.
_PRODUCT_PREFIX = re.compile(r"^(Orthanc|Cirrus) [0-9.]+ - ")
_GENERATED_NAME = re.compile(r"^Anonymized[0-9]+$")


def tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def read(data: bytes) -> Dataset:
    return pydicom.dcmread(io.BytesIO(data), force=True)


def flatten(data: bytes | Dataset) -> Flat:
    """Every element of a file (or data set), nested ones included, by path."""
    dataset = read(data) if isinstance(data, bytes) else data
    flat: Flat = {}
    meta = getattr(dataset, "file_meta", None)
    if meta is not None:
        for element in meta:
            if tag_text(int(element.tag)) in META_KEPT:
                flat[tag_text(int(element.tag))] = ("UI", _value(element.value))
    _walk(dataset, "", flat)
    return flat


def _walk(dataset: Dataset, prefix: str, flat: Flat) -> None:
    for element in dataset:
        path = prefix + tag_text(int(element.tag))
        if element.VR == "SQ":
            flat[path] = ("SQ", len(element.value))
            for index, item in enumerate(element.value):
                _walk(item, f"{path}[{index}].", flat)
        else:
            flat[path] = (element.VR, _value(element.value))


def _value(value: Any) -> Any:
    """A comparable value: text as read, several values as a tuple, bytes as they are."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return tuple(_value(v) for v in value)
    return str(value)


def original_values(sources: Iterable[Flat]) -> set[Any]:
    """Every value found in the source files: a value among them is never generated."""
    return {value for flat in sources for _, value in flat.values()}


def is_generated(path: str, vr: str, value: Any, originals: set[Any]) -> bool:
    """Whether a result's value is a new identifier the server drew: a UID (or an
    anonymized PatientID) no source holds, or an ``Anonymized<N>`` name (N is each server's
    own counter)."""
    if value in originals or value in ("", ()):
        return False
    final = path.rsplit(".", 1)[-1]
    if final == PATIENT_NAME and isinstance(value, str):
        return bool(_GENERATED_NAME.match(value))
    return vr == "UI" or final == PATIENT_ID


def canonical(results: Mapping[str, Flat], originals: set[Any]) -> dict[str, Flat]:
    """``results`` (by a key both servers share: the source instance) with each generated
    value replaced by ``<new:key:path>``, the first place where it occurs."""
    first: dict[Any, str] = {}
    for key in sorted(results):
        for path in sorted(results[key]):
            vr, value = results[key][path]
            if is_generated(path, vr, value, originals):
                first.setdefault(value, f"<new:{key}:{path}>")
    labelled: dict[str, Flat] = {}
    for key, flat in results.items():
        labelled[key] = {}
        for path, (vr, value) in flat.items():
            if value in first and is_generated(path, vr, value, originals):
                value = first[value]
            elif path == DEIDENTIFICATION_METHOD and isinstance(value, str):
                value = _PRODUCT_PREFIX.sub("<product> - ", value)
            labelled[key][path] = (vr, value)
    return labelled


def differences(theirs: Flat, ours: Flat) -> list[str]:
    """Where two flattened files differ, one line per path (for assertion messages)."""
    lines = []
    for path in sorted(set(theirs) | set(ours)):
        if theirs.get(path) != ours.get(path):
            lines.append(f"{path}: Orthanc {theirs.get(path)!r} / Cirrus {ours.get(path)!r}")
    return lines


def is_cirrus_only_removal(path: str) -> bool:
    """A top-level element of the profile's wildcard rows, (50xx,xxxx) curve data,
    (60xx,3000) overlay data and (60xx,4000) overlay comments: Cirrus removes them at the top
    level too, where Orthanc 1.10.1 removes them inside sequences only (docs/compatibility.md)."""
    if "." in path or not path.startswith("("):
        return False
    group, element = int(path[1:5], 16), int(path[6:10], 16)
    if 0x5000 <= group <= 0x50FF:
        return True
    return 0x6000 <= group <= 0x60FF and element in (0x3000, 0x4000)
