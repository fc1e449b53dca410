"""Talking DICOM to a modality as a service class user (C-ECHO so far).

pynetdicom is imported inside the calls: the API module must not pay its import (and
pydicom's) on cold starts of routes that never talk DICOM.
"""

from __future__ import annotations

from typing import Any

from chalicelib.modalities.definition import Modality


class DicomUnavailable(Exception):
    """The modality could not be reached or refused; the message says which and why."""


def echo(modality: Modality, local_aet: str, timeout: float | None) -> None:
    """C-ECHO ``modality``, calling as its ``LocalAet`` or ``local_aet``."""
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    association = _associate(modality, local_aet, timeout, [Verification])
    try:
        status = association.send_c_echo()
    finally:
        association.release()
    if not status or status.Status != 0x0000:
        raise DicomUnavailable(f'C-ECHO to AET "{modality.aet}" failed: {_status(status)}')


def _associate(
    modality: Modality, local_aet: str, timeout: float | None, contexts: list[Any]
) -> Any:
    from pynetdicom import AE

    ae = AE(ae_title=modality.local_aet or local_aet)
    for context in contexts:
        ae.add_requested_context(context)
    for name in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
        setattr(ae, name, timeout)
    association = ae.associate(modality.host, modality.port, ae_title=modality.aet)
    if association.is_established:
        return association
    if association.is_rejected:
        reason = "the association was rejected"
    elif association.is_aborted:
        reason = "the association was aborted"
    else:
        reason = f"cannot connect to {modality.host}:{modality.port}"
    raise DicomUnavailable(f'DicomAssociation - connecting to AET "{modality.aet}": {reason}')


def _status(status: Any) -> str:
    return f"status 0x{status.Status:04X}" if status else "no answer"
