"""The DICOMDIR of a media archive (``/{level}/{id}/media``, ``/tools/create-media``), with the
records Orthanc 1.10.1 writes (observed, and read in its DicomDirWriter for the facts):

- PATIENT: PatientID (if it has a value), PatientName; STUDY: StudyDate and StudyTime (falling
  back to the series, acquisition and content ones, then to the current UTC time),
  StudyDescription, StudyInstanceUID, StudyID (if it has a value), AccessionNumber; SERIES:
  Modality, SeriesInstanceUID, SeriesNumber (if it has a value), and SeriesDescription in the
  "extended" form; IMAGE: InstanceNumber and the referenced file, SOP class and instance and
  transfer syntax. Every record copies SpecificCharacterSet when there is one.
- values are read as Orthanc reads them (in the default encoding when the file has no
  SpecificCharacterSet), then reduced to printable ASCII (other characters are dropped);
- records are keyed by PatientID, StudyInstanceUID, SeriesInstanceUID and SOPInstanceUID, and
  are written depth first in the order their first instance was added.

pydicom's ``FileSet`` lays files out its own way (``PT000000/ST000000/...``) and copies them to
disk, while Orthanc's media use ``IMAGES/IM<n>``; so the records are built here and encoded
with pydicom, offsets computed as ``FileSet`` computes them (tests read the result back with
``FileSet``). Only the few record attributes of each instance are kept: memory grows with
the number of instances, not their size. Plain Python without AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalicelib.dicom.charsets import DEFAULT

if TYPE_CHECKING:
    from pydicom.dataset import Dataset
    from pydicom.filebase import DicomBytesIO

    from chalicelib.dicom.tag_values import Charset

FILE_SET_ID = "ORTHANC_MEDIA"
IN_USE = 0xFFFF
# (keyword, copied when absent or empty?) per record type: "1" always written (empty when
# missing), "1C" only with a value, "2" always, "3" when present (even empty).
_PATIENT = (("PatientID", "1C"), ("PatientName", "2"))
_STUDY = (
    ("StudyDescription", "2"),
    ("StudyInstanceUID", "1"),
    ("StudyID", "1C"),
    ("AccessionNumber", "2"),
)
_SERIES = (("Modality", "1"), ("SeriesInstanceUID", "1"), ("SeriesNumber", "1C"))
_EXTENDED_SERIES = (("SeriesDescription", "3"),)
_DATE_SOURCES = ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate")
_TIME_SOURCES = ("StudyTime", "SeriesTime", "AcquisitionTime", "ContentTime")


@dataclass
class _Node:
    record: Dataset
    children: list[_Node] = field(default_factory=list)


class DicomDir:
    """Collects the records of the instances added, then encodes the DICOMDIR file."""

    def __init__(
        self, extended: bool = False, now: datetime | None = None, default_encoding: str = DEFAULT
    ) -> None:
        """``default_encoding`` (an Orthanc name) reads the files without Specific Character
        Set."""
        self._extended = extended
        self._now = now or datetime.now(UTC)
        self._default_encoding = default_encoding
        self._roots: list[_Node] = []
        self._nodes: dict[tuple[str, str], _Node] = {}

    def add(self, file_id: str, header: Dataset) -> None:
        """Add the instance stored at ``file_id`` (``IMAGES/IM0``), from its header (read
        without pixel data, with its file meta). An instance already added is ignored."""
        from chalicelib.dicom.tag_values import Charset

        charset = Charset.of(header, self._default_encoding)
        key = ("IMAGE", _text(header, "SOPInstanceUID", charset) or "")
        if key in self._nodes:
            return
        image = self._image(file_id, header, charset)
        self._nodes[key] = image
        chain = [
            (("SERIES", _text(header, "SeriesInstanceUID", charset) or ""), self._series),
            (("STUDY", _text(header, "StudyInstanceUID", charset) or ""), self._study),
            (("PATIENT", _text(header, "PatientID", charset) or ""), self._patient),
        ]
        child = image
        for node_key, build in chain:
            parent = self._nodes.get(node_key)
            if parent is not None:
                parent.children.append(child)
                return
            parent = _Node(build(header, charset))
            parent.children.append(child)
            self._nodes[node_key] = parent
            child = parent
        self._roots.append(child)

    def encode(self) -> bytes:
        """The DICOMDIR file: explicit VR little endian, records in one sequence, each
        pointing at its next sibling and its first child by byte offset."""
        from pydicom.dataset import Dataset, FileMetaDataset
        from pydicom.filewriter import write_dataset, write_file_meta_info
        from pydicom.uid import ExplicitVRLittleEndian, MediaStorageDirectoryStorage, generate_uid

        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = MediaStorageDirectoryStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.FileSetID = FILE_SET_ID
        ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = 0
        ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = 0
        ds.FileSetConsistencyFlag = 0
        ds.DirectoryRecordSequence = []

        head = _buffer()
        head.write(b"\x00" * 128 + b"DICM")
        write_file_meta_info(head, meta, enforce_standard=True)
        write_dataset(head, ds)
        # The (empty) sequence ends the dataset: its 12-byte header is where items start.
        offset = head.tell()
        ordered = list(_depth_first(self._roots))
        offsets: dict[int, int] = {}
        for node in ordered:
            offsets[id(node)] = offset
            offset += 8 + _encoded_length(node.record)
        for siblings in [self._roots, *(node.children for node in ordered)]:
            for position, node in enumerate(siblings):
                after = siblings[position + 1] if position + 1 < len(siblings) else None
                node.record.OffsetOfTheNextDirectoryRecord = offsets[id(after)] if after else 0
                lower = offsets[id(node.children[0])] if node.children else 0
                node.record.OffsetOfReferencedLowerLevelDirectoryEntity = lower
        if self._roots:
            first, last = offsets[id(self._roots[0])], offsets[id(self._roots[-1])]
            ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = first
            ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = last
        ds.DirectoryRecordSequence = [node.record for node in ordered]
        out = _buffer()
        out.write(b"\x00" * 128 + b"DICM")
        write_file_meta_info(out, meta, enforce_standard=True)
        write_dataset(out, ds)
        return out.getvalue()

    # -- records -----------------------------------------------------------------------------

    def _patient(self, header: Dataset, charset: Charset) -> Dataset:
        return _record("PATIENT", header, _PATIENT, charset)

    def _study(self, header: Dataset, charset: Charset) -> Dataset:
        record = _record("STUDY", header, _STUDY, charset)
        date = _first(header, _DATE_SOURCES, charset)
        time = _first(header, _TIME_SOURCES, charset)
        record.StudyDate = self._now.strftime("%Y%m%d") if date is None else date
        record.StudyTime = self._now.strftime("%H%M%S.000000") if time is None else time
        return record

    def _series(self, header: Dataset, charset: Charset) -> Dataset:
        keywords = _SERIES + (_EXTENDED_SERIES if self._extended else ())
        return _record("SERIES", header, keywords, charset)

    def _image(self, file_id: str, header: Dataset, charset: Charset) -> _Node:
        record = _record("IMAGE", header, (("InstanceNumber", "1"),), charset)
        record.ReferencedFileID = file_id.split("/")
        sop_class, sop_instance = (
            _text(header, keyword, charset) or "" for keyword in ("SOPClassUID", "SOPInstanceUID")
        )
        record.ReferencedSOPClassUIDInFile = _ascii(sop_class)
        record.ReferencedSOPInstanceUIDInFile = _ascii(sop_instance)
        syntax = header.file_meta.get("TransferSyntaxUID", "")
        record.ReferencedTransferSyntaxUIDInFile = _ascii(str(syntax))
        return _Node(record)


def _record(
    kind: str, header: Dataset, keywords: tuple[tuple[str, str], ...], charset: Charset
) -> Dataset:
    from pydicom.dataset import Dataset

    record = Dataset()
    record.OffsetOfTheNextDirectoryRecord = 0
    record.RecordInUseFlag = IN_USE
    record.OffsetOfReferencedLowerLevelDirectoryEntity = 0
    record.DirectoryRecordType = kind
    for keyword, kind_of_type in (*keywords, ("SpecificCharacterSet", "1C")):
        value = _text(header, keyword, charset)
        if kind_of_type == "1C" and not value:
            continue
        if kind_of_type == "3" and value is None:
            continue
        setattr(record, keyword, _ascii(value or ""))
    return record


def _text(header: Dataset, keyword: str, charset: Charset) -> str | None:
    """The value of an element as Orthanc reads it (several values joined by backslashes),
    None when the element is absent, "" when it is empty."""
    from pydicom.datadict import tag_for_keyword

    from chalicelib.dicom.tag_values import element_value

    tag = tag_for_keyword(keyword)
    if tag is None or tag not in header:
        return None
    return element_value(header, tag, None, charset) or ""


def _first(header: Dataset, keywords: tuple[str, ...], charset: Charset) -> str | None:
    """The first of ``keywords`` present (even empty), as Orthanc picks a study's date."""
    for keyword in keywords:
        value = _text(header, keyword, charset)
        if value is not None:
            return _ascii(value)
    return None


def _ascii(text: str) -> str:
    """Orthanc writes DICOMDIR values in ASCII, dropping what does not fit."""
    return "".join(c for c in text if 32 <= ord(c) < 127)


def _depth_first(nodes: list[_Node]) -> list[_Node]:
    ordered: list[_Node] = []
    for node in nodes:
        ordered.append(node)
        ordered.extend(_depth_first(node.children))
    return ordered


def _encoded_length(record: Dataset) -> int:
    """Bytes of a record inside its (defined length) sequence item."""
    from pydicom.filewriter import write_dataset

    out = _buffer()
    write_dataset(out, record)
    return out.tell()


def _buffer() -> DicomBytesIO:
    """An explicit VR little endian buffer as pydicom's writers expect."""
    from pydicom.filebase import DicomBytesIO

    buffer = DicomBytesIO()
    buffer.is_little_endian = True
    buffer.is_implicit_VR = False
    return buffer
