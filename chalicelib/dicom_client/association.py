"""Opening an association to a modality, and what every DIMSE exchange of the client shares.

pynetdicom is imported inside the calls: the API module must not pay its import (and
pydicom's) on cold starts of routes that never talk DICOM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.errors import RemoteError
from chalicelib.remotes.modality import Modality

# Opens an established association to one modality proposing ``(abstract syntax, transfer
# syntax or None for pynetdicom's defaults)`` contexts; keyword arguments go to pynetdicom's
# ``associate`` (C-GET passes its SCP role selection and C-STORE handler). Raises RemoteError.
Associate = Callable[..., Any]


def open_association(
    modality: Modality,
    calling_aet: str,
    timeout: float | None,
    tls_args: tuple[Any, str] | None,
    contexts: list[tuple[str, str | None]],
    **extra: Any,
) -> Any:
    """An established association to ``modality``, calling as ``calling_aet``; RemoteError
    saying why otherwise."""
    from pynetdicom import AE, evt

    ae = AE(ae_title=calling_aet)
    for abstract_syntax, transfer_syntax in contexts:
        ae.add_requested_context(abstract_syntax, transfer_syntax)
    for name in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
        setattr(ae, name, timeout)
    association = ae.associate(
        modality.host,
        modality.port,
        ae_title=modality.aet,
        tls_args=tls_args,
        evt_handlers=[(evt.EVT_CONN_OPEN, set_tcp_nodelay), *extra.pop("evt_handlers", [])],
        **extra,
    )
    if association.is_established:
        return association
    if association.is_rejected:
        reason = "the association was rejected"
    elif association.rejected_contexts and not association.accepted_contexts:
        proposed = ", ".join(sorted({syntax for _, syntax in contexts if syntax}))
        reason = f"no presentation context was accepted (transfer syntaxes: {proposed})"
    elif association.is_aborted:
        reason = "the association was aborted"
    else:
        reason = f"cannot connect to {modality.host}:{modality.port}"
    raise RemoteError(f'DicomAssociation - connecting to AET "{modality.aet}": {reason}')


def set_tcp_nodelay(event: Any) -> None:
    """TCP_NODELAY on an association's socket (pynetdicom's EVT_CONN_OPEN), on both sides:
    without it each small DIMSE message waits for the peer's delayed ACK (tens of
    milliseconds per C-STORE)."""
    import socket

    raw = getattr(event.assoc.dul.socket, "socket", None)
    if raw is not None:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def status_text(status: Any) -> str:
    return f"status 0x{status.Status:04X}" if status else "no answer"
