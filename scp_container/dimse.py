"""What every handler of the DICOM service shares: the statuses it answers, and the AE
titles of the association it serves."""

from __future__ import annotations

from typing import Any

# The C-STORE statuses come from where a received file is stored (shared with C-GET as SCU).
from chalicelib.services.dicom_served.store import CANNOT_UNDERSTAND, OUT_OF_RESOURCES, SUCCESS

__all__ = [
    "CANCEL",
    "CANNOT_UNDERSTAND",
    "NOT_AUTHORIZED",
    "OUT_OF_RESOURCES",
    "PENDING",
    "SUCCESS",
    "UNABLE_TO_PROCESS",
    "ae_title",
    "calling_aet",
    "peer_ip",
]

PENDING = 0xFF00
CANCEL = 0xFE00
NOT_AUTHORIZED = 0x0124
UNABLE_TO_PROCESS = 0xC000


def ae_title(title: Any) -> str:
    """An AE title as text, without its padding (pynetdicom gives str, older peers bytes)."""
    text = title.decode("ascii", "replace") if isinstance(title, bytes) else str(title)
    return text.strip()


def calling_aet(event: Any) -> str:
    return ae_title(event.assoc.requestor.ae_title)


def peer_ip(event: Any) -> str:
    """The IP address the association comes from (``DicomCheckModalityHost`` compares it)."""
    return str(event.assoc.requestor.address)
