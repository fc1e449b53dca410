"""Reading a DICOMweb server's answer to a STOW-RS request (PS3.18 10.5.3): did it store
every instance sent?

The answer is DICOM JSON: a Referenced SOP Sequence (0008,1199) naming the instances
stored, and, when some were not, a Failed SOP Sequence (0008,1198) or an Other Failures
Sequence (0008,119A). Orthanc's DICOMweb plugin accepts an answer only when the first holds
exactly as many items as instances were sent and the other two, if present, are empty; so
does Cirrus, with the same tag spellings (upper- or lower-case hexadecimal). Anything else
is a :class:`~chalicelib.errors.RemoteError` (Orthanc's ``NetworkProtocol``).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.errors import RemoteError

REFERENCED_SOP_SEQUENCE = "00081199"
FAILED_SOP_SEQUENCE = "00081198"
OTHER_FAILURES_SEQUENCE = "0008119A"


def check_stow_answer(body: bytes, sent: int, server: str) -> None:
    """Raise RemoteError unless ``body`` says that all ``sent`` instances were stored."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise RemoteError(f"The STOW-RS answer of DICOMweb server {server!r} is not a JSON object")
    stored = _sequence_size(answer, REFERENCED_SOP_SEQUENCE, server)
    if stored is None:
        raise RemoteError(
            f"The STOW-RS answer of DICOMweb server {server!r} has no Referenced SOP Sequence "
            f"({REFERENCED_SOP_SEQUENCE})"
        )
    if stored != sent:
        raise RemoteError(
            f"DICOMweb server {server!r} stored {stored} of the {sent} instances sent by STOW-RS"
        )
    for tag, name in (
        (FAILED_SOP_SEQUENCE, "Failed SOP Sequence"),
        (OTHER_FAILURES_SEQUENCE, "Other Failures Sequence"),
    ):
        failed = _sequence_size(answer, tag, server)
        if failed:
            raise RemoteError(
                f"The STOW-RS answer of DICOMweb server {server!r} lists {failed} items in its "
                f"{name} ({tag})"
            )


def _sequence_size(answer: dict[str, Any], tag: str, server: str) -> int | None:
    """The number of items of a sequence of the answer, None when it is absent."""
    element = answer.get(tag.upper(), answer.get(tag.lower()))
    if element is None:
        return None
    items = element.get("Value", []) if isinstance(element, dict) else None
    if not isinstance(items, list):
        raise RemoteError(
            f"The STOW-RS answer of DICOMweb server {server!r} has a malformed ({tag})"
        )
    return len(items)
