"""Talking DICOM to a modality as a service class user: associations, C-ECHO, C-STORE
(C-FIND in ``find_scu.py``, C-MOVE and C-GET in ``retrieve_scu.py``).

pynetdicom is imported inside the calls: the API module must not pay its import (and
pydicom's) on cold starts of routes that never talk DICOM.
"""

from __future__ import annotations

from typing import Any

from chalicelib.remotes.modality import Modality


class DicomUnavailable(Exception):
    """The modality could not be reached or refused; the message says which and why."""


def echo(modality: Modality, local_aet: str, timeout: float | None) -> None:
    """C-ECHO ``modality``, calling as its ``LocalAet`` or ``local_aet``."""
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    association = associate(modality, local_aet, timeout, [(Verification, None)])
    try:
        status = association.send_c_echo()
    finally:
        association.release()
    if not status or status.Status != 0x0000:
        raise DicomUnavailable(f'C-ECHO to AET "{modality.aet}" failed: {status_text(status)}')


def associate(
    modality: Modality,
    local_aet: str,
    timeout: float | None,
    contexts: list[tuple[str, str | None]],
    **extra: Any,
) -> Any:
    """An established association proposing ``(abstract syntax, transfer syntax or None for
    pynetdicom's defaults)`` contexts; DicomUnavailable otherwise. ``extra`` goes to
    pynetdicom's ``associate`` (C-GET passes its SCP role selection and C-STORE handler)."""
    from pynetdicom import AE, evt

    ae = AE(ae_title=modality.local_aet or local_aet)
    for abstract_syntax, transfer_syntax in contexts:
        ae.add_requested_context(abstract_syntax, transfer_syntax)
    for name in ("acse_timeout", "dimse_timeout", "network_timeout", "connection_timeout"):
        setattr(ae, name, timeout)
    association = ae.associate(
        modality.host,
        modality.port,
        ae_title=modality.aet,
        tls_args=tls_args(modality),
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
    raise DicomUnavailable(f'DicomAssociation - connecting to AET "{modality.aet}": {reason}')


def set_tcp_nodelay(event: Any) -> None:
    """TCP_NODELAY on an association's socket (pynetdicom's EVT_CONN_OPEN), on both sides:
    without it each small DIMSE message waits for the peer's delayed ACK (tens of
    milliseconds per C-STORE)."""
    import socket

    raw = getattr(event.assoc.dul.socket, "socket", None)
    if raw is not None:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def tls_args(modality: Modality) -> tuple[Any, str] | None:
    """pynetdicom's TLS arguments for a ``UseDicomTls`` modality (the deployment's DICOM TLS
    settings, read through the composition root), else None."""
    if not modality.use_dicom_tls:
        return None
    from chalicelib import bootstrap
    from chalicelib.dicom_client.tls import TlsConfigurationError

    try:
        return bootstrap.dicom_tls().client_context(), modality.host
    except TlsConfigurationError as exc:
        raise DicomUnavailable(f'DICOM TLS to AET "{modality.aet}": {exc}') from exc


def status_text(status: Any) -> str:
    return f"status 0x{status.Status:04X}" if status else "no answer"


# C-STORE statuses that mean stored: success, and the warnings (coercion, elements discarded,
# dataset does not match the SOP class).
_STORED = {0x0000, 0xB000, 0xB006, 0xB007}


# What an uncompressed file may be converted to when the modality does not take it as it is
# (pynetdicom re-encodes explicit VR as implicit VR and back; never compressed pixel data).
EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1"
IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
_CONVERTIBLE = (EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN)


def proposed_syntaxes(modality: Modality, syntax: str) -> list[str]:
    """The transfer syntaxes to propose to ``modality`` for a file stored in ``syntax``, as
    separate presentation contexts, its own first: when the modality allows transcoding, an
    uncompressed little endian file may also go in the other of the two (pynetdicom converts
    explicit and implicit VR), so the modality's choice never displaces a syntax it accepts."""
    if modality.allow_transcoding and syntax in _CONVERTIBLE:
        return [syntax, *(other for other in _CONVERTIBLE if other != syntax)]
    return [syntax]


class StoreSession:
    """C-STOREs to one modality over one association, opened at the first file and opened
    again only when a file needs a presentation context the association lacks.

    A file goes out in its own transfer syntax when the modality accepts it, else in one of
    ``proposed_syntaxes`` (old modalities often take implicit VR only). Compressed files are
    sent as they are stored or not at all (decoding them is not done yet:
    docs/compatibility.md)."""

    def __init__(
        self,
        modality: Modality,
        local_aet: str,
        timeout: float | None,
        move_originator: tuple[str, int] | None = None,
    ) -> None:
        self._modality = modality
        self._local_aet = local_aet
        self.timeout = timeout
        self._move_originator = move_originator
        self._wanted: set[tuple[str, str]] = set()
        self._association: Any = None

    def send(self, data: bytes) -> tuple[str, str]:
        """C-STORE one DICOM file as it is stored; its (SOPClassUID, SOPInstanceUID)."""
        from io import BytesIO

        import pydicom

        ds = pydicom.dcmread(BytesIO(data), force=True)
        syntax = str(ds.file_meta.TransferSyntaxUID)
        sop_class, sop_instance = str(ds.SOPClassUID), str(ds.SOPInstanceUID)
        self._ensure_context(sop_class, syntax)
        extra: dict[str, Any] = {}
        if self._move_originator:
            extra = {"originator_aet": self._move_originator[0]}
            extra["originator_id"] = self._move_originator[1]
        # pynetdicom writes the elements as they were read (compressed pixel data untouched),
        # converting explicit and implicit VR when the accepted context says so.
        status = self._association.send_c_store(ds, **extra)
        if not status or status.Status not in _STORED:
            aet = self._modality.aet
            raise DicomUnavailable(
                f'C-STORE of {sop_instance} to AET "{aet}" failed: {status_text(status)}'
            )
        return sop_class, sop_instance

    def close(self) -> None:
        if self._association is not None and self._association.is_established:
            self._association.release()
        self._association = None

    def _ensure_context(self, sop_class: str, syntax: str) -> None:
        if self._accepts(sop_class, syntax):
            return
        self.close()
        self._wanted.add((sop_class, syntax))
        self._association = associate(
            self._modality, self._local_aet, self.timeout, self._contexts()
        )
        if not self._accepts(sop_class, syntax):
            raise DicomUnavailable(
                f'AET "{self._modality.aet}" accepts no presentation context for '
                f"{sop_class} in transfer syntax {syntax}"
                + ("" if syntax in _CONVERTIBLE else " (Cirrus does not decompress yet)")
            )

    def _accepts(self, sop_class: str, syntax: str) -> bool:
        association = self._association
        if association is None or not association.is_established:
            return False
        usable = proposed_syntaxes(self._modality, syntax)
        return any(
            c.abstract_syntax == sop_class and c.transfer_syntax[0] in usable
            for c in association.accepted_contexts
        )

    def _contexts(self) -> list[tuple[str, str | None]]:
        # One context per SOP class and transfer syntax met so far (a study has few), plus
        # the conversions of the uncompressed ones.
        return sorted(
            {
                (sop_class, proposed)
                for sop_class, syntax in self._wanted
                for proposed in proposed_syntaxes(self._modality, syntax)
            }
        )
