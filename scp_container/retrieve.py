"""The C-MOVE and C-GET handlers (Patient and Study Root Query/Retrieve - MOVE and GET).

The identifier is resolved by ``services/dicom_served/retrieve.py``; each instance is then read from
S3 and handed to pynetdicom, which runs the C-STORE sub-operation (on a new association to
the move destination, or on the requester's own association for a C-GET) and reports the
pending, final and failed counts itself. pynetdicom only takes datasets, not encoded bytes:
each file is parsed without decoding its values, and pynetdicom writes those raw values back
unchanged, so the peer receives the data set as it was stored (compressed pixels included).

Refusals, as Orthanc 1.10.1 does them where pynetdicom allows: a caller that may not
retrieve has its association aborted; an unknown destination gets 0xA801 (Orthanc: 0xC000);
an identifier that cannot be resolved gets 0xC000. Sub-operations are synchronous, within
the request: a failed one is counted and the others go on (0xB000 with the failed UIDs at the
end; Orthanc stops at the first failure with 0xC000). A C-CANCEL stops before the next file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from pydicom.dataset import Dataset

from chalicelib import bootstrap
from chalicelib.errors import OrthancError
from chalicelib.remotes.destinations import DestinationRefused
from chalicelib.remotes.modality import Modality
from chalicelib.services.dicom_served.retrieve import RetrieveService, StoredInstance
from scp_container.dimse import (
    CANCEL,
    PENDING,
    UNABLE_TO_PROCESS,
    ae_title,
    calling_aet,
    peer_ip,
)

LOG = logging.getLogger("cirrus.scp")
# Retrieve's own "out of resources": unable to calculate the number of matches.
OUT_OF_RESOURCES = 0xA701
# An association proposes at most 128 presentation contexts (PS3.8 9.3.2.2: odd IDs 1-255).
MAX_CONTEXTS = 128


def handle_move(event: Any) -> Iterator[Any]:
    """C-MOVE: yields the destination (address, port, association options), the number of
    sub-operations, then each dataset to send."""
    if not _allowed(event, "move"):
        yield None, None  # ignored: pynetdicom sees the association aborted
        return
    destination = bootstrap.dicom_access().destination(ae_title(event.move_destination))
    if destination is None:
        LOG.warning("C-MOVE from %s to unknown %r", calling_aet(event), event.move_destination)
        yield None, None  # pynetdicom answers 0xA801, move destination unknown
        return
    try:  # the destinations Cirrus may connect to (docs/security.md), after name resolution
        address = bootstrap.remote_destinations().check(destination.host, destination.port)
    except DestinationRefused as refused:
        LOG.warning("C-MOVE from %s to %r refused: %s", calling_aet(event), destination, refused)
        yield None, None  # 0xA801, as for an unknown destination
        return
    plan = _plan(event, "C-MOVE")
    yield address, destination.port, _sub_association(destination, plan)
    yield from _sub_operations(event, plan)


def handle_get(event: Any) -> Iterator[Any]:
    """C-GET: yields the number of sub-operations, then each dataset to send back on the
    requester's association (it must have proposed the storage contexts, SCP role)."""
    allowed = _allowed(event, "get")  # when not, the association is aborted: pynetdicom
    # sends nothing more, whatever is yielded
    yield from _sub_operations(event, _plan(event, "C-GET") if allowed else UNABLE_TO_PROCESS)


def _allowed(event: Any, service: str) -> bool:
    """Whether the caller may retrieve; if not, the association is aborted (what Orthanc
    1.10.1 does to a C-MOVE or C-GET it refuses)."""
    caller = calling_aet(event)
    if bootstrap.dicom_access().allows(caller, peer_ip(event), service):
        return True
    LOG.warning("C-%s from %s (%s) refused: not allowed", service.upper(), caller, peer_ip(event))
    event.assoc.abort()
    return False


def _plan(event: Any, request: str) -> list[StoredInstance] | int:
    """The instances to send, or the failure status that answers the request."""
    from chalicelib.services.dicom_served.retrieve import parse_identifier

    try:
        return bootstrap.dicom_retrieve().instances(parse_identifier(event.identifier))
    except OrthancError as error:
        LOG.warning("%s from %s refused: %s", request, calling_aet(event), error)
        return UNABLE_TO_PROCESS
    except Exception:
        LOG.exception("%s from %s failed", request, calling_aet(event))
        return OUT_OF_RESOURCES


def _sub_operations(event: Any, plan: list[StoredInstance] | int) -> Iterator[Any]:
    if isinstance(plan, int):
        # pynetdicom sends a failure only as the answer to a sub-operation.
        yield 1
        yield plan, None
        return
    yield len(plan)
    service = bootstrap.dicom_retrieve()
    for instance in plan:
        if event.is_cancelled:
            yield CANCEL, None
            return
        yield PENDING, _dataset(service, instance)


def _dataset(service: RetrieveService, instance: StoredInstance) -> Dataset:
    """The stored file, parsed lazily (values stay raw bytes, written back as they are).

    A file that cannot be read (deleted since the plan) gives a dataset without SOP class:
    pynetdicom cannot send it, so it counts as a failed sub-operation listing its UID."""
    from io import BytesIO

    import pydicom

    try:
        return pydicom.dcmread(BytesIO(service.read(instance)), force=True)
    except Exception:
        LOG.exception("Instance %s could not be read for a retrieve", instance.instance_id)
        placeholder = Dataset()
        placeholder.SOPInstanceUID = instance.sop_instance_uid
        return placeholder


def _sub_association(destination: Modality, plan: list[StoredInstance] | int) -> dict[str, Any]:
    """pynetdicom's options for the association to the move destination: one context per
    SOP class and transfer syntax to send (uncompressed files also in the other little endian
    syntax when the modality allows transcoding, which pynetdicom converts), its TLS, and
    TCP_NODELAY."""
    from pynetdicom import build_context, evt
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    from chalicelib.dicom_client.association import set_tcp_nodelay
    from chalicelib.dicom_client.store import proposed_syntaxes

    pairs: dict[tuple[str, str], None] = {}
    for instance in plan if isinstance(plan, list) else []:
        syntaxes = proposed_syntaxes(destination, instance.transfer_syntax)
        pairs.update(((instance.sop_class_uid, s), None) for s in syntaxes)
    contexts = [build_context(sop_class, syntax) for sop_class, syntax in pairs]
    return {
        # Files whose context does not fit fail as sub-operations.
        "contexts": contexts[:MAX_CONTEXTS] or [build_context(Verification)],
        "tls_args": bootstrap.dicom_client().tls_args(destination),
        "evt_handlers": [(evt.EVT_CONN_OPEN, set_tcp_nodelay)],
    }
