"""C-STORE as a service class user: sending stored files to a modality, as they are stored,
or decompressed when the modality takes only uncompressed ones (as Orthanc does).

pynetdicom and pydicom are imported inside the calls (see ``association.py``).
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.jpeg_transcoding import ORTHANC_DECODES
from chalicelib.dicom_client.association import Associate, status_text
from chalicelib.errors import RemoteError
from chalicelib.remotes.modality import Modality

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


def store_syntaxes(modality: Modality, syntax: str) -> list[str]:
    """``proposed_syntaxes``, and for a compressed file Orthanc 1.10.1 decompresses (JPEG,
    JPEG-LS, RLE: what DCMTK decodes) the two uncompressed ones, when the modality allows
    transcoding: Orthanc sends such a file decompressed to a modality that takes only those.
    Others (JPEG 2000...) go as stored or not at all, as in Orthanc."""
    proposed = proposed_syntaxes(modality, syntax)
    if modality.allow_transcoding and syntax not in _CONVERTIBLE and syntax in ORTHANC_DECODES:
        proposed += [s for s in _CONVERTIBLE if s != syntax]
    return proposed


class StoreSession:
    """C-STOREs to one modality over one association, opened at the first file and opened
    again only when a file needs a presentation context the association lacks.

    A file goes out in its own transfer syntax when the modality accepts it, else in one of
    ``store_syntaxes`` (old modalities often take implicit VR only): a compressed file is then
    decompressed (``transcoding``, the SOP Instance UID kept), if Orthanc would."""

    def __init__(
        self,
        associate: Associate,
        modality: Modality,
        timeout: float | None,
        move_originator: tuple[str, int] | None = None,
    ) -> None:
        self._associate = associate
        self._modality = modality
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
        if syntax not in _CONVERTIBLE and not self._accepts(sop_class, syntax, as_stored=True):
            ds = pydicom.dcmread(BytesIO(self._decompressed(data, syntax, sop_class)))
        extra: dict[str, Any] = {}
        if self._move_originator:
            extra = {"originator_aet": self._move_originator[0]}
            extra["originator_id"] = self._move_originator[1]
        # pynetdicom writes the elements as they were read (compressed pixel data untouched),
        # converting explicit and implicit VR when the accepted context says so.
        status = self._association.send_c_store(ds, **extra)
        if not status or status.Status not in _STORED:
            aet = self._modality.aet
            raise RemoteError(
                f'C-STORE of {sop_instance} to AET "{aet}" failed: {status_text(status)}'
            )
        return sop_class, sop_instance

    def _decompressed(self, data: bytes, syntax: str, sop_class: str) -> bytes:
        from chalicelib.dicom.transcoding import transcode

        written = transcode(data, EXPLICIT_VR_LITTLE_ENDIAN)
        if written is None:
            accepted = " ".join(
                c.transfer_syntax[0]
                for c in self._association.accepted_contexts
                if c.abstract_syntax == sop_class
            )
            raise RemoteError(f"Cannot transcode from {syntax} to one of [ {accepted} ]")
        return written

    def close(self) -> None:
        if self._association is not None and self._association.is_established:
            self._association.release()
        self._association = None

    def _ensure_context(self, sop_class: str, syntax: str) -> None:
        if self._accepts(sop_class, syntax):
            return
        self.close()
        self._wanted.add((sop_class, syntax))
        self._association = self._associate(self._contexts())
        if not self._accepts(sop_class, syntax):
            raise RemoteError(
                f'AET "{self._modality.aet}" accepts no presentation context for '
                f"{sop_class} in transfer syntax {syntax}"
                + ("" if len(store_syntaxes(self._modality, syntax)) > 1 else " as stored")
            )

    def _accepts(self, sop_class: str, syntax: str, as_stored: bool = False) -> bool:
        association = self._association
        if association is None or not association.is_established:
            return False
        usable = [syntax] if as_stored else store_syntaxes(self._modality, syntax)
        return any(
            c.abstract_syntax == sop_class and c.transfer_syntax[0] in usable
            for c in association.accepted_contexts
        )

    def _contexts(self) -> list[tuple[str, str | None]]:
        # One context per SOP class and transfer syntax met so far (a study has few), plus
        # the syntaxes they may be converted to.
        return sorted(
            {
                (sop_class, proposed)
                for sop_class, syntax in self._wanted
                for proposed in store_syntaxes(self._modality, syntax)
            }
        )
