"""The pynetdicom application entity: presentation contexts, policies and event handlers.

Handlers are the edge between DICOM and Cirrus's services: they never raise into the
association. A file that is not DICOM Cirrus can store is answered 0xC210 (cannot
understand), a storage failure 0xA700 (out of resources); success (0x0000) is answered only
once the file is in S3 and indexed, since that is what the ingest service returns after.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from pydicom.uid import UID_dictionary
from pynetdicom import AE, AllStoragePresentationContexts, evt, register_uid
from pynetdicom.presentation import PresentationContext, build_context
from pynetdicom.service_class import ServiceClass, StorageServiceClass
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    PatientRootQueryRetrieveInformationModelFind,
    PatientRootQueryRetrieveInformationModelGet,
    PatientRootQueryRetrieveInformationModelMove,
    StorageCommitmentPushModel,
    StudyRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelGet,
    StudyRootQueryRetrieveInformationModelMove,
    Verification,
    uid_to_service_class,
)

from chalicelib import bootstrap
from chalicelib.dicom_client.association import set_tcp_nodelay
from chalicelib.settings import Config
from scp_container import polling
from scp_container.commitment import handle_n_action, handle_n_event_report
from scp_container.dimse import (
    NOT_AUTHORIZED,
    SUCCESS,
    ae_title,
    calling_aet,
    peer_ip,
)
from scp_container.find import handle_find
from scp_container.receive import discard_partial, limit_received, receive_to_files
from scp_container.retrieve import handle_get, handle_move

LOG = logging.getLogger("cirrus.scp")
# Explicit VR LE, implicit VR LE, deflated explicit VR LE, explicit VR big endian.
UNCOMPRESSED = [
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.2",
]


class CirrusAE(AE):
    """An AE whose accepted calling AE titles follow ``DicomModalities`` as they change
    (chalicelib/services/dicom_served/access.py): pynetdicom reads this list at each association
    and rejects other callers with "calling AE title not recognized"."""

    @property
    def require_calling_aet(self) -> list[str]:
        return bootstrap.dicom_access().required_callers()

    @require_calling_aet.setter
    def require_calling_aet(self, ae_titles: list[str]) -> None:
        raise AttributeError("The calling AE titles come from DicomModalities")


def build_ae(config: Config) -> AE:
    """The application entity of ``config``, without its storage contexts: those follow
    settings changed at run time and are chosen per association (``offer_contexts``)."""
    ae = CirrusAE(ae_title=config.DicomAet)
    ae.add_supported_context(Verification)
    for model in (
        PatientRootQueryRetrieveInformationModelFind,
        StudyRootQueryRetrieveInformationModelFind,
        PatientRootQueryRetrieveInformationModelMove,
        StudyRootQueryRetrieveInformationModelMove,
        PatientRootQueryRetrieveInformationModelGet,
        StudyRootQueryRetrieveInformationModelGet,
    ):
        ae.add_supported_context(model)
    # Both roles: a modality sends its requests as SCU, and its reports as SCP (Orthanc
    # negotiates that role for the association of its N-EVENT-REPORT).
    ae.add_supported_context(StorageCommitmentPushModel, scu_role=True, scp_role=True)
    ae.require_called_aet = config.DicomCheckCalledAet
    for timeout in ("acse_timeout", "dimse_timeout", "network_timeout"):
        setattr(ae, timeout, config.DicomScpTimeout or None)
    ae.maximum_pdu_size = config.MaximumPduLength
    # Beyond this many at once, an association is rejected ("local limit exceeded", transient)
    # and the modality tries again; on AWS more Fargate tasks take more associations.
    ae.maximum_associations = config.DicomMaximumAssociations
    return ae


def offer_contexts(event: Any) -> None:
    """EVT_REQUESTED, before the association is negotiated: add the storage contexts of the
    current ``/tools/accepted-transfer-syntaxes`` and ``unknown-sop-class-accepted`` (read
    through the settings' cache, so a change made through the API applies to associations
    within its staleness bound), and bring the log levels up to date."""
    bootstrap.log_levels().apply()
    settings = bootstrap.system_settings()
    syntaxes = _preferred_order(settings.accepted_transfer_syntaxes())
    if not syntaxes:  # C-STORE refused, as Orthanc does when it accepts no syntax
        return
    acceptor = event.assoc.acceptor
    contexts = [*acceptor.supported_contexts, *_storage_contexts(syntaxes)]
    if settings.unknown_sop_class_accepted():
        proposed = event.assoc.requestor.primitive.presentation_context_definition_list
        offered = {cx.abstract_syntax for cx in contexts}
        unknown = {cx.abstract_syntax for cx in proposed} - offered - UID_dictionary.keys()
        for uid in sorted(unknown):
            if _serve_as_storage(uid):
                contexts.append(_storage_context(uid, syntaxes))
    acceptor.supported_contexts = contexts


def _serve_as_storage(sop_class: str) -> bool:
    """Have pynetdicom pass a C-STORE of this unknown SOP class to ``handle_store``, as of a
    storage class it knows (it serves no other): registered once per process. False for a
    malformed UID, never accepted."""
    if not _UID.fullmatch(sop_class):
        return False
    if uid_to_service_class(sop_class) is ServiceClass:
        register_uid(sop_class, "Unknown_" + sop_class.replace(".", "_"), StorageServiceClass)
    return True


_UID = re.compile(r"[0-9]+(\.[0-9]+)*")


def _preferred_order(accepted: list[str]) -> tuple[str, ...]:
    """pynetdicom accepts the first of the acceptor's syntaxes that the requester proposes.
    A requester only proposes a compressed syntax it can take, so those come first, then
    explicit VR little endian: a C-GET requester proposing the syntax of a file (getscu
    proposes its preferred one and explicit VR little endian) then gets it unconverted."""
    compressed = [s for s in accepted if s not in UNCOMPRESSED]
    return (*compressed, *(s for s in UNCOMPRESSED if s in accepted))


@lru_cache(maxsize=8)
def _storage_contexts(syntaxes: tuple[str, ...]) -> list[PresentationContext]:
    """Every storage SOP class pynetdicom knows in ``syntaxes`` (built once per set of
    syntaxes; negotiation only reads them)."""
    return [_storage_context(cx.abstract_syntax, syntaxes) for cx in AllStoragePresentationContexts]


def _storage_context(sop_class: str, syntaxes: tuple[str, ...]) -> PresentationContext:
    """Both roles, so that a C-GET requester may act as the storage SCP for its
    sub-operations (SCP/SCU role selection)."""
    context = build_context(sop_class, list(syntaxes))
    context.scu_role = context.scp_role = True
    return context


def handle_echo(event: Any) -> int:
    if not bootstrap.dicom_access().allows(calling_aet(event), peer_ip(event), "echo"):
        return NOT_AUTHORIZED
    return SUCCESS


def handle_store(event: Any, maximum: int) -> int:
    """C-STORE: the data set pynetdicom received to a temporary file (``receive``), stored
    unless it exceeds ``maximum`` bytes (``DicomMaximumObjectSize``)."""
    from chalicelib.services.dicom_served.store import store_received_file
    from chalicelib.services.resources.ingest import Origin

    if not bootstrap.dicom_access().allows(calling_aet(event), peer_ip(event), "store"):
        return NOT_AUTHORIZED
    origin = Origin(
        protocol="DicomProtocol",
        remote_ip=peer_ip(event),
        remote_aet=calling_aet(event),
        called_aet=ae_title(event.assoc.acceptor.ae_title),
    )
    return store_received_file(bootstrap.ingest(), event.dataset_path, origin, maximum)


def handlers(config: Config) -> list[tuple[Any, ...]]:
    """The event handlers, the C-STORE limit of ``config`` bound to those that enforce it."""
    maximum = config.DicomMaximumObjectSize
    return [
        (evt.EVT_CONN_OPEN, set_tcp_nodelay),
        (evt.EVT_REQUESTED, offer_contexts),
        (evt.EVT_C_ECHO, handle_echo),
        (evt.EVT_PDU_RECV, limit_received, [maximum]),
        (evt.EVT_ABORTED, discard_partial),
        (evt.EVT_CONN_CLOSE, discard_partial),
        (evt.EVT_C_STORE, handle_store, [maximum]),
        (evt.EVT_C_FIND, handle_find),
        (evt.EVT_C_MOVE, handle_move),
        (evt.EVT_C_GET, handle_get),
        (evt.EVT_N_ACTION, handle_n_action),
        (evt.EVT_N_EVENT_REPORT, handle_n_event_report),
        *polling.handlers(),
    ]


def start(host: str, port: int, block: bool) -> Any:
    """Serve DICOM on ``host:port`` with the configuration of the deployment (TLS only when
    ``DicomTlsEnabled``, as Orthanc). Received data sets go to temporary files; idle
    associations poll less (``polling``)."""
    config = bootstrap.config()
    receive_to_files()
    polling.install()
    ae = build_ae(config)
    tls = bootstrap.dicom_tls().server_context() if config.DicomTlsEnabled else None
    LOG.info("DICOM SCP %s listening on %s:%d%s", ae.ae_title, host, port, " (TLS)" if tls else "")
    return ae.start_server(
        (host, port), block=block, evt_handlers=handlers(config), ssl_context=tls
    )
