"""The pynetdicom application entity: presentation contexts, policies and event handlers.

Handlers are the edge between DICOM and Cirrus's services: they never raise into the
association. A file that is not DICOM Cirrus can store is answered 0xC210 (cannot
understand), a storage failure 0xA700 (out of resources); success (0x0000) is answered only
once the file is in S3 and indexed, since that is what the ingest service returns after.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, AllStoragePresentationContexts, evt
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from chalicelib import bootstrap
from chalicelib.errors import OrthancError
from chalicelib.settings import Config

LOG = logging.getLogger("cirrus.scp")

SUCCESS = 0x0000
NOT_AUTHORIZED = 0x0124
OUT_OF_RESOURCES = 0xA700
CANNOT_UNDERSTAND = 0xC210


class CirrusAE(AE):
    """An AE whose accepted calling AE titles follow ``DicomModalities`` as they change
    (chalicelib/services/dicom_access.py): pynetdicom reads this list at each association
    and rejects other callers with "calling AE title not recognized"."""

    @property
    def require_calling_aet(self) -> list[str]:
        return bootstrap.dicom_access().required_callers()

    @require_calling_aet.setter
    def require_calling_aet(self, ae_titles: list[str]) -> None:
        raise AttributeError("The calling AE titles come from DicomModalities")


def build_ae(config: Config) -> AE:
    """The application entity of ``config``: every storage SOP class in every transfer
    syntax pynetdicom knows (compressed ones included: files are stored as received)."""
    ae = CirrusAE(ae_title=config.DicomAet)
    ae.add_supported_context(Verification)
    for context in AllStoragePresentationContexts:
        ae.add_supported_context(context.abstract_syntax, ALL_TRANSFER_SYNTAXES)
    ae.require_called_aet = config.DicomCheckCalledAet
    for timeout in ("acse_timeout", "dimse_timeout", "network_timeout"):
        setattr(ae, timeout, config.DicomScpTimeout or None)
    return ae


def handle_open(event: Any) -> None:
    """TCP_NODELAY on every association: without it each C-STORE answer waits for the
    sender's delayed ACK (tens of milliseconds per instance)."""
    sock = event.assoc.dul.socket
    raw = getattr(sock, "socket", None)
    if raw is not None:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def handle_echo(event: Any) -> int:
    if not bootstrap.dicom_access().allows(_aet(event.assoc.requestor.ae_title), "echo"):
        return NOT_AUTHORIZED
    return SUCCESS


def handle_store(event: Any) -> int:
    from chalicelib.services.ingest import Origin

    requestor = event.assoc.requestor
    if not bootstrap.dicom_access().allows(_aet(requestor.ae_title), "store"):
        return NOT_AUTHORIZED
    origin = Origin(
        protocol="DicomProtocol",
        remote_ip=str(requestor.address),
        remote_aet=_aet(requestor.ae_title),
        called_aet=_aet(event.assoc.acceptor.ae_title),
    )
    try:
        bootstrap.ingest().store(event.encoded_dataset(include_meta=True), origin)
    except OrthancError as error:
        LOG.warning("C-STORE from %s refused: %s", origin.remote_aet, error)
        return CANNOT_UNDERSTAND
    except Exception:
        LOG.exception("C-STORE from %s could not be stored", origin.remote_aet)
        return OUT_OF_RESOURCES
    return SUCCESS


HANDLERS = [
    (evt.EVT_CONN_OPEN, handle_open),
    (evt.EVT_C_ECHO, handle_echo),
    (evt.EVT_C_STORE, handle_store),
]


def start(host: str, port: int, block: bool) -> Any:
    """Serve DICOM on ``host:port`` with the configuration of the deployment."""
    ae = build_ae(bootstrap.config())
    LOG.info("DICOM SCP %s listening on %s:%d", ae.ae_title, host, port)
    return ae.start_server((host, port), block=block, evt_handlers=HANDLERS)


def _aet(title: Any) -> str:
    text = title.decode("ascii", "replace") if isinstance(title, bytes) else str(title)
    return text.strip()
