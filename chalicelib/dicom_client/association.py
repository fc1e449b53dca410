"""Opening an association to a modality, and what every DIMSE exchange of the client shares.

pynetdicom is imported inside the calls: the API module must not pay its import (and
pydicom's) on cold starts of routes that never talk DICOM.

The modality's host is checked against ``RemoteNetworksAllowed`` first
(``chalicelib.remotes.destinations``) and the association opened to the checked address (TLS
still names the host). A refused destination fails with the very words of a closed or
unreachable port, so that C-ECHO cannot map which internal ports are open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.errors import RemoteError
from chalicelib.remotes.destinations import DestinationRefused, Destinations
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
    *,
    destinations: Destinations,
    **extra: Any,
) -> Any:
    """An established association to ``modality``, calling as ``calling_aet``; RemoteError
    saying why otherwise."""
    from pynetdicom import AE, evt

    unreachable = RemoteError(
        f'DicomAssociation - connecting to AET "{modality.aet}": '
        f"cannot connect to {modality.host}:{modality.port}"
    )
    try:
        address = destinations.check(modality.host, modality.port)
    except DestinationRefused as exc:
        raise unreachable from exc
    ae = AE(ae_title=calling_aet)
    for abstract_syntax, transfer_syntax in contexts:
        ae.add_requested_context(abstract_syntax, transfer_syntax)
    for name in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
        setattr(ae, name, timeout)
    connected: list[bool] = []
    association = ae.associate(
        address,
        modality.port,
        ae_title=modality.aet,
        tls_args=tls_args,
        evt_handlers=[
            (evt.EVT_CONN_OPEN, set_tcp_nodelay),
            (evt.EVT_CONN_OPEN, lambda event: connected.append(True)),
            *extra.pop("evt_handlers", []),
        ],
        **extra,
    )
    if association.is_established:
        return association
    if not connected:  # pynetdicom reports a failed TCP connection as an abort
        raise unreachable
    if association.is_rejected:
        reason = "the association was rejected"
    elif association.rejected_contexts and not association.accepted_contexts:
        proposed = ", ".join(sorted({syntax for _, syntax in contexts if syntax}))
        reason = f"no presentation context was accepted (transfer syntaxes: {proposed})"
    else:
        reason = "the association was aborted"
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
