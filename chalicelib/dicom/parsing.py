"""Reading DICOM bytes into a pydicom Dataset, with Orthanc's notion of a valid file."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pydicom
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from chalicelib.dicom import deflated
from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.tag_values import summary_value

PIXEL_DATA = 0x7FE00010


class InvalidDicom(ValueError):
    """The bytes are not a DICOM file Orthanc would store; the message says why."""


def invalid_file_message(size: int) -> str:
    """Orthanc's words for a file it cannot parse."""
    return f"Cannot parse an invalid DICOM file (size: {size} bytes)"


class MissingIdentifier(InvalidDicom):
    """One of the three UIDs that name an instance is absent from the dataset (Orthanc
    answers this case differently from a present but empty UID)."""


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
    if _is_deflated(ds):
        return None  # the offset would point into the inflated stream, not into the file
    raw = ds.get_item(PIXEL_DATA)
    value_offset = getattr(raw, "value_tell", None)
    if raw is None or value_offset is None:
        return None
    if ds.is_implicit_VR:
        return value_offset - 8
    # Explicit VR: tag, VR, and for OB/OW/UN two reserved bytes and a 4-byte length.
    return value_offset - (12 if raw.VR in ("OB", "OW", "UN", "OF", "OD", "OL", None) else 8)


UNDEFINED_LENGTH = 0xFFFFFFFF
SEQUENCE_DELIMITER = {True: b"\xfe\xff\xdd\xe0", False: b"\xff\xfe\xe0\xdd"}


def _contradicts_transfer_syntax(ds: Dataset, data: bytes) -> bool:
    """Whether an explicit-VR transfer syntax announces a dataset written in implicit VR.

    pydicom silently switches to implicit VR in that case; DCMTK does not, so Orthanc refuses
    such a file. The first element after the meta group must show a two-letter VR.
    """
    meta = getattr(ds, "file_meta", None)
    syntax = getattr(meta, "TransferSyntaxUID", None)
    group_length = getattr(meta, "FileMetaInformationGroupLength", None)
    if syntax is None or group_length is None or not data.startswith(b"DICM", 128):
        return False
    if not syntax.is_transfer_syntax or syntax.is_implicit_VR or syntax.is_deflated:
        return False
    start = 132 + 12 + int(group_length)
    vr = data[start + 4 : start + 6]
    return len(vr) == 2 and not vr.isalpha()


ELEMENT_HEADER = 8


class _HeaderWatch(io.BytesIO):
    """The file as pydicom reads it, noting a cut inside an element's header: pydicom reads
    each header 8 bytes at a time and stops without a word when fewer remain at the end of
    the dataset, where DCMTK (and so Orthanc) refuses the file."""

    cut_in_header = False

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        if size == ELEMENT_HEADER and 0 < len(data) < ELEMENT_HEADER:
            self.cut_in_header = True
        return data


def _check_complete(ds: Dataset, data: bytes) -> None:
    """Refuse a file whose last element is cut short, as DCMTK (and so Orthanc) does.

    pydicom reads what it can of a truncated value without complaint, so each top-level raw
    element is checked: a defined length must be fully present, and an undefined length
    (sequences, encapsulated pixel data) must end with its sequence delimiter.
    """
    if _contradicts_transfer_syntax(ds, data):
        raise InvalidDicom(invalid_file_message(len(data)))
    little_endian = ds.is_little_endian is not False
    for tag in ds.keys():  # noqa: SIM118 - iterating the Dataset itself would decode values
        raw = ds.get_item(tag)
        length = getattr(raw, "length", None)
        value = getattr(raw, "value", None)
        if length is None or not isinstance(value, bytes):
            continue
        if length == UNDEFINED_LENGTH:
            end = raw.value_tell + len(value)
            if data[end : end + 4] != SEQUENCE_DELIMITER[little_endian]:
                raise InvalidDicom(invalid_file_message(len(data)))
        elif len(value) < length:
            raise InvalidDicom(invalid_file_message(len(data)))


def _is_deflated(ds: Dataset) -> bool:
    """Offsets in a deflated file are offsets in the inflated stream, not in the file."""
    syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    return syntax is not None and syntax.is_deflated


def parse_dicom(data: bytes, max_inflated: int | None = None) -> ParsedDicom:
    """Parse a DICOM file (Part 10, with or without preamble). A deflated data set that
    inflates beyond ``max_inflated`` bytes is refused before pydicom inflates it whole."""
    if not data:
        raise InvalidDicom("Received an empty DICOM file")
    inflated = None if max_inflated is None else deflated.inflated_size(data, max_inflated)
    if inflated is not None and max_inflated is not None and inflated > max_inflated:
        raise InvalidDicom(f"The deflated data set inflates beyond {max_inflated} bytes")
    stream = _HeaderWatch(data)
    try:
        ds = pydicom.dcmread(stream, force=True)
        offset = _pixel_data_offset(ds)
        # pydicom parses lazily and leniently; check completeness on the raw elements, which
        # are left undecoded because Orthanc's JSON forms need their exact bytes.
        _check_complete(ds, data)
    except InvalidDicom:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # pydicom's many ways to fail on bytes that are not DICOM
        raise InvalidDicom(invalid_file_message(len(data))) from exc
    if stream.cut_in_header:
        raise InvalidDicom(invalid_file_message(len(data)))
    if len(ds) == 0 or "SOPInstanceUID" not in ds and "SOPClassUID" not in ds and not ds.file_meta:
        raise InvalidDicom(invalid_file_message(len(data)))
    return ParsedDicom(ds, offset)


def _text(ds: Dataset, tag: int, default_encoding: str) -> str:
    """The value as Orthanc stores it (the identifiers are hashed in that exact form: an
    element stored with VR UN keeps its trailing space, for instance)."""
    return summary_value(ds, tag, default_encoding) or ""


def read_identifiers(ds: Dataset, default_encoding: str = DEFAULT) -> DicomIdentifiers:
    """The four identifiers that name an instance; the three UIDs are mandatory. Without a
    Specific Character Set they are read in ``default_encoding``, as Orthanc hashes them."""
    found = DicomIdentifiers(
        patient_id=_text(ds, 0x00100020, default_encoding),
        study_uid=_text(ds, 0x0020000D, default_encoding),
        series_uid=_text(ds, 0x0020000E, default_encoding),
        sop_uid=_text(ds, 0x00080018, default_encoding),
    )
    required = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")
    for keyword in required:
        if keyword not in ds:
            raise MissingIdentifier(f"Missing tag {keyword} in the DICOM file")
    if not (found.study_uid and found.series_uid and found.sop_uid):
        raise InvalidDicom("missing StudyInstanceUID, SeriesInstanceUID or SOPInstanceUID")
    return found


def transfer_syntax(ds: Dataset) -> str:
    """The transfer syntax UID of the file: from its meta header, or, for a bare dataset
    without one, the encoding pydicom detected (as DCMTK reports it to Orthanc)."""
    declared = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
    if declared:
        return str(declared)
    if ds.is_implicit_VR:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if ds.is_little_endian else ExplicitVRBigEndian
