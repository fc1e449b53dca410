"""TCP_NODELAY on every DICOM socket Cirrus opens or accepts: an association Cirrus makes to a
modality (here its own DICOM service, declared as one), and the one the service accepts."""

from __future__ import annotations

import socket
from typing import Any

from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from chalicelib import bootstrap
from tests.support.dicom_service import dicom_service
from tests.support.orthanc_server import free_port


def _nodelay(association: Any) -> int:
    raw = association.dul.socket.socket
    return raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_both_ends_of_an_association_have_tcp_nodelay(client: Any, configure: Any) -> None:
    port = free_port()
    configure(DicomAet="CIRRUS", DicomModalities={"self": ["CIRRUS", "127.0.0.1", port]})
    with dicom_service(port):
        modality = bootstrap.modalities().get("self")
        associate = bootstrap.dicom_client().associate(modality, "CALLER", 5)
        association = associate([(Verification, None)])
        try:
            assert _nodelay(association) != 0
            accepted = [a for a in _server_associations() if a.is_established]
            assert accepted and all(_nodelay(a) != 0 for a in accepted)
        finally:
            association.release()


def _server_associations() -> list[Any]:
    """The associations the in-process service is serving (pynetdicom's threads)."""
    import threading

    from pynetdicom.association import Association

    return [t for t in threading.enumerate() if isinstance(t, Association) and t.is_acceptor]
