"""What a remote DICOMweb server answers when Cirrus retrieves from it (the
``DicomWebWadoRetrieveClient`` job): the instances its QIDO-RS listing names, and the DICOM
files of its WADO-RS answer.

A remote's answer that does not have the expected shape is the remote's fault, reported as
Orthanc's DICOMweb plugin reports it: a :class:`~chalicelib.errors.RemoteError` (Orthanc's
``NetworkProtocol``), naming what is wrong. Plain functions on bytes and JSON: the fetching
is ``chalicelib/services/dicomweb/retrieve_job.py``'s.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.multipart_related import (
    MULTIPART_RELATED,
    parse_content_type,
    parse_related,
    related_boundary,
)
from chalicelib.errors import MalformedBody, RemoteError, TooLarge

DICOM = "application/dicom"
SERIES_INSTANCE_UID = "0020000E"
SOP_INSTANCE_UID = "00080018"


def listed_instances(matches: Any) -> list[tuple[str, str]]:
    """The (Series Instance UID, SOP Instance UID) of each match of a QIDO-RS answer at the
    instance level (DICOM JSON), in the answer's order."""
    if not isinstance(matches, list):
        raise RemoteError("The QIDO-RS answer of the DICOMweb server is not a JSON array")
    return [(_uid(match, SERIES_INSTANCE_UID), _uid(match, SOP_INSTANCE_UID)) for match in matches]


def _uid(match: Any, tag: str) -> str:
    attribute = match.get(tag) if isinstance(match, dict) else None
    values = attribute.get("Value") if isinstance(attribute, dict) else None
    if not isinstance(values, list) or not values or not isinstance(values[0], str):
        raise RemoteError(f"A QIDO-RS match of the DICOMweb server has no value for {tag}")
    return values[0]


def dicom_parts(content_type: str, body: bytes, max_part_size: int) -> list[bytes]:
    """The DICOM files of a WADO-RS answer (``multipart/related``, every part
    ``application/dicom``, each at most ``max_part_size`` bytes); RemoteError otherwise."""
    try:
        parsed = parse_content_type(content_type)
        if parsed.media_type != MULTIPART_RELATED:
            raise RemoteError(
                f"The WADO-RS answer of the DICOMweb server is not {MULTIPART_RELATED}: "
                f"{content_type[:100]}"
            )
        parts = parse_related(body, related_boundary(parsed), max_part_size=max_part_size)
        for part in parts:
            if parse_content_type(part.content_type or "none/none").media_type != DICOM:
                raise RemoteError(
                    f'Parts of a WADO-RS retrieve should have "{DICOM}" type, but received: '
                    f"{part.content_type[:100]}"
                )
    except (MalformedBody, TooLarge) as error:
        raise RemoteError(f"Bad WADO-RS answer of the DICOMweb server: {error}") from error
    return [part.content for part in parts]
