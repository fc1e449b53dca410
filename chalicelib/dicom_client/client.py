"""Cirrus's DICOM client (SCU): one object that opens associations to modalities and runs
C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET and storage commitment requests over them.

The composition root (``chalicelib/bootstrap.py``) builds it once per process from the
configuration (``DicomAet``, ``DicomScuTimeout``, ``DicomTls*``) and hands it to the services
that talk to modalities, as it hands them the storage adapters; tests can pass a subclass.
Every failure is a ``RemoteError`` (``RemoteUnprocessable`` when the modality answers that it
cannot process the request), worded as Orthanc words it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom_client import commitment
from chalicelib.dicom_client import find as c_find
from chalicelib.dicom_client.association import Associate, open_association, status_text
from chalicelib.dicom_client.retrieve import RetrieveSession, StoreHandler
from chalicelib.dicom_client.store import StoreSession
from chalicelib.dicom_client.tls import TlsConfigurationError, TlsSettings
from chalicelib.errors import RemoteError
from chalicelib.model import Reference
from chalicelib.remotes.destinations import NOWHERE, Destinations
from chalicelib.remotes.modality import Modality


class DicomClient:
    def __init__(
        self,
        local_aet: str,
        default_timeout: int,
        tls: TlsSettings,
        default_encoding: Callable[[], str] = lambda: DEFAULT,
        *,
        destinations: Destinations = NOWHERE,
    ) -> None:
        """``local_aet`` is the AE title Cirrus calls as unless told otherwise (a modality's
        ``LocalAet``, a request's); ``default_timeout`` is DicomScuTimeout (0: none);
        ``default_encoding`` reads the current default encoding, in which C-FIND answers
        without SpecificCharacterSet are read (Orthanc's default unless told);
        ``destinations`` are the networks associations may reach (RemoteNetworksAllowed;
        none unless given, so that a client built without them cannot reach anything)."""
        self.local_aet = local_aet
        self._destinations = destinations
        self._default_timeout = default_timeout
        self._tls = tls
        self.default_encoding = default_encoding

    def timeout(self, modality: Modality, requested: int | None = None) -> float | None:
        """Seconds for a DICOM exchange: the request's (0: none), else the modality's, else
        DicomScuTimeout."""
        if requested is None:
            requested = modality.timeout or self._default_timeout
        return requested or None

    def associate(
        self,
        modality: Modality,
        calling_aet: str | None = None,
        timeout: int | None = None,
    ) -> Associate:
        """How to open associations to ``modality``: calling as its ``LocalAet``, else
        ``calling_aet``, else ``DicomAet``; over TLS when it has ``UseDicomTls``."""
        return partial(
            open_association,
            modality,
            modality.local_aet or calling_aet or self.local_aet,
            self.timeout(modality, timeout),
            self.tls_args(modality),
            destinations=self._destinations,
        )

    def tls_args(self, modality: Modality) -> tuple[Any, str] | None:
        """pynetdicom's TLS arguments for a ``UseDicomTls`` modality, else None (the DICOM
        service's C-MOVE sub-associations use them too)."""
        if not modality.use_dicom_tls:
            return None
        try:
            return self._tls.client_context(), modality.host
        except TlsConfigurationError as exc:
            raise RemoteError(f'DICOM TLS to AET "{modality.aet}": {exc}') from exc

    def echo(self, modality: Modality, timeout: int | None = None) -> None:
        """C-ECHO ``modality``."""
        from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

        association = self.associate(modality, timeout=timeout)([(Verification, None)])
        try:
            status = association.send_c_echo()
        finally:
            association.release()
        if not status or status.Status != 0x0000:
            raise RemoteError(f'C-ECHO to AET "{modality.aet}" failed: {status_text(status)}')

    def store_session(
        self,
        modality: Modality,
        calling_aet: str,
        timeout: int | None,
        move_originator: tuple[str, int] | None = None,
    ) -> StoreSession:
        """C-STOREs to ``modality`` over one association (see StoreSession)."""
        associate = self.associate(modality, calling_aet, timeout)
        return StoreSession(associate, modality, self.timeout(modality, timeout), move_originator)

    def find(self, modality: Modality, dataset: Any, timeout: int | None) -> list[dict[str, str]]:
        """C-FIND an identifier made by ``find.build_identifier``; the answers, read as Orthanc
        reads them (in the default encoding without SpecificCharacterSet)."""
        associate = self.associate(modality, timeout=timeout)
        return c_find.find(associate, modality, dataset, self.default_encoding())

    def find_worklist(
        self, modality: Modality, dataset: Any, timeout: int | None
    ) -> list[dict[str, Any]]:
        """C-FIND (Modality Worklist) an identifier made by ``find.build_worklist_identifier``;
        the answers re-encoded in the default encoding, as Orthanc shows them."""
        associate = self.associate(modality, timeout=timeout)
        return c_find.find_worklist(associate, modality, dataset, self.default_encoding())

    def retrieve_session(
        self,
        modality: Modality,
        calling_aet: str,
        timeout: int | None,
        on_store: StoreHandler | None = None,
    ) -> RetrieveSession:
        """C-MOVEs or C-GETs to ``modality`` over one association (see RetrieveSession)."""
        associate = self.associate(modality, calling_aet, timeout)
        return RetrieveSession(associate, modality, self.timeout(modality, timeout), on_store)

    def request_commitment(
        self,
        modality: Modality,
        transaction_uid: str,
        references: Iterable[Reference],
        timeout: int | None,
    ) -> None:
        """N-ACTION "request storage commitment" of ``references``."""
        associate = self.associate(modality, timeout=timeout)
        commitment.request_commitment(associate, modality, transaction_uid, references)

    def send_report(
        self,
        modality: Modality,
        calling_aet: str,
        transaction_uid: str,
        references: list[Reference],
    ) -> None:
        """N-EVENT-REPORT of a checked storage commitment transaction, calling as
        ``calling_aet`` (the AE title the request was addressed to)."""
        associate = self.associate(modality, calling_aet)
        commitment.send_report(associate, modality, transaction_uid, references)
