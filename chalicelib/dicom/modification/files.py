"""One stored DICOM file in, its modified (or anonymized) version out: parse, apply, write,
and transcode if asked. The caller holds one file at a time; nothing here touches AWS.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.identifiers import ResourceIds, compute_ids
from chalicelib.dicom.modification.apply import apply
from chalicelib.dicom.modification.spec import SOP_UID, Modification
from chalicelib.dicom.modification.uids import UidMapper
from chalicelib.dicom.parsing import read_identifiers
from chalicelib.errors import ErrorCode, OrthancError


@dataclass(frozen=True)
class ModifiedFile:
    data: bytes
    # The Orthanc IDs of the file before and after (what ModifiedFrom/AnonymizedFrom name).
    source: ResourceIds
    result: ResourceIds


def modify_file(
    data: bytes,
    modification: Modification,
    mapper: UidMapper,
    transcode: str | None = None,
    default_encoding: str = DEFAULT,
) -> ModifiedFile:
    """The modified file. When ``transcode`` names a syntax the file cannot be written in, the
    file keeps its syntax (as Orthanc's jobs do; the instance route checks it itself with
    ``transcoded``). ``default_encoding`` (an Orthanc name) is the character set of a file
    without Specific Character Set, for the values read and written."""
    import pydicom

    dataset = pydicom.dcmread(io.BytesIO(data), force=True)
    source = _ids(dataset, default_encoding)
    apply(dataset, modification, mapper, default_encoding)
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    written = out.getvalue()
    if transcode:
        written = _transcoded(written, transcode, str(dataset[SOP_UID].value)) or written
    return ModifiedFile(written, source, _ids(dataset, default_encoding))


def transcoded(data: bytes, syntax: str) -> bytes:
    """``data`` in ``syntax``; Orthanc's 500 when it cannot be (the instance route)."""
    from chalicelib.dicom.transcoding import transcode

    result = transcode(data, syntax)
    if result is None:
        raise OrthancError(
            ErrorCode.INTERNAL_ERROR, f"Cannot transcode to transfer syntax: {syntax}"
        )
    return result


def _transcoded(data: bytes, syntax: str, sop_uid: str) -> bytes | None:
    """The file in ``syntax`` keeping the modification's SOP Instance UID (a lossy syntax
    would otherwise derive a random one, and a replayed job would store a duplicate)."""
    import pydicom

    from chalicelib.dicom.transcoding import transcode

    result = transcode(data, syntax)
    if result is None:
        return None
    dataset = pydicom.dcmread(io.BytesIO(result), force=True)
    if str(dataset.get(SOP_UID, "")) == sop_uid or SOP_UID not in dataset:
        return result
    dataset.SOPInstanceUID = sop_uid
    dataset.file_meta.MediaStorageSOPInstanceUID = sop_uid
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _ids(dataset: object, default_encoding: str) -> ResourceIds:
    identifiers = read_identifiers(dataset, default_encoding)  # type: ignore[arg-type]
    return compute_ids(
        identifiers.patient_id, identifiers.study_uid, identifiers.series_uid, identifiers.sop_uid
    )
