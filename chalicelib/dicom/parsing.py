"""Reading DICOM bytes into a pydicom Dataset, with Orthanc's notion of a valid file."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from chalicelib.dicom.identifiers import normalize_uid

PIXEL_DATA = 0x7FE00010


class InvalidDicom(ValueError):
    """The bytes are not a DICOM file Orthanc would store; the message says why."""


@dataclass(frozen=True)
class DicomIdentifiers:
    patient_id: str
    study_uid: str
    series_uid: str
    sop_uid: str


@dataclass(frozen=True)
class ParsedDicom:
    dataset: Dataset
    # Where the Pixel Data element starts in the file (Orthanc's PixelDataOffset metadata).
    pixel_data_offset: int | None


def _pixel_data_offset(ds: Dataset) -> int | None:
    """Offset of the Pixel Data element's tag, from pydicom's record of its value offset."""
    raw = ds.get_item(PIXEL_DATA)
    value_offset = getattr(raw, "value_tell", None)
    if raw is None or value_offset is None:
        return None
    if ds.is_implicit_VR:
        return value_offset - 8
    # Explicit VR: tag, VR, and for OB/OW/UN two reserved bytes and a 4-byte length.
    return value_offset - (12 if raw.VR in ("OB", "OW", "UN", "OF", "OD", "OL", None) else 8)


def parse_dicom(data: bytes) -> ParsedDicom:
    """Parse a DICOM file (Part 10, with or without preamble)."""
    if not data:
        raise InvalidDicom("Received an empty DICOM file")
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
        offset = _pixel_data_offset(ds)
        # pydicom parses lazily: touching every element surfaces truncation here, not later.
        for _ in ds.iterall():
            pass
    except (InvalidDicomError, EOFError, ValueError, KeyError, TypeError, OverflowError) as exc:
        raise InvalidDicom(f"Cannot parse an invalid DICOM file (size: {len(data)} bytes)") from exc
    if len(ds) == 0 or "SOPInstanceUID" not in ds and "SOPClassUID" not in ds and not ds.file_meta:
        raise InvalidDicom(f"Cannot parse an invalid DICOM file (size: {len(data)} bytes)")
    return ParsedDicom(ds, offset)


def _text(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    return "" if value is None else normalize_uid(str(value))


def read_identifiers(ds: Dataset) -> DicomIdentifiers:
    """The four identifiers that name an instance; the three UIDs are mandatory."""
    found = DicomIdentifiers(
        patient_id=_text(ds, "PatientID"),
        study_uid=_text(ds, "StudyInstanceUID"),
        series_uid=_text(ds, "SeriesInstanceUID"),
        sop_uid=_text(ds, "SOPInstanceUID"),
    )
    for keyword, value in (
        ("StudyInstanceUID", found.study_uid),
        ("SeriesInstanceUID", found.series_uid),
        ("SOPInstanceUID", found.sop_uid),
    ):
        if not value:
            raise InvalidDicom(f"Missing tag {keyword} in the DICOM file")
    return found
