"""The Storage Commitment Push Model handlers: N-ACTION (a modality asks Cirrus to commit to
instances) and N-EVENT-REPORT (a modality reports on a request Cirrus sent it).

As Orthanc 1.10.1: a request is only taken from a modality of ``DicomModalities`` whose
``AllowNAction`` is on (``AllowStorageCommitment`` sets it), a report only from one whose
``AllowEventReport`` is on; anything else has its association aborted. A request is answered
success at once; the instances are then checked and the report is sent on a new association
to the modality's declared address, calling as the AE title the request was addressed to. A
report is recorded for ``GET /storage-commitment/{id}``, whatever its transaction.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from chalicelib import bootstrap
from chalicelib.dicom_client.commitment import REQUEST_ACTION, read_references
from chalicelib.model import Reference
from scp_container.dimse import SUCCESS, ae_title, calling_aet, peer_ip

LOG = logging.getLogger("cirrus.scp")
NO_SUCH_ACTION_TYPE = 0x0123
NO_SUCH_EVENT_TYPE = 0x0113
INVALID_ARGUMENT = 0x0115
PROCESSING_FAILURE = 0x0110


def handle_n_action(event: Any) -> tuple[int, None]:
    """Accept a request for storage commitment; the report follows from another thread,
    once pynetdicom has sent this answer."""
    if not _allowed(event, "n_action", "N-ACTION"):
        return PROCESSING_FAILURE, None
    if event.action_type != REQUEST_ACTION:
        return NO_SUCH_ACTION_TYPE, None
    try:
        transaction_uid, references = read_references(event.action_information)
    except (ValueError, AttributeError, TypeError) as exc:
        LOG.warning("Storage commitment request from %s refused: %s", calling_aet(event), exc)
        return INVALID_ARGUMENT, None
    modality = bootstrap.dicom_access().destination(calling_aet(event))
    if modality is None:  # removed since the check
        return PROCESSING_FAILURE, None
    called = ae_title(event.assoc.acceptor.ae_title)
    threading.Thread(
        target=_answer,
        args=(modality, called, transaction_uid, references),
        name=f"commitment-{transaction_uid}",
        daemon=True,
    ).start()
    return SUCCESS, None


def handle_n_event_report(event: Any) -> tuple[int, None]:
    """Record a modality's storage commitment report (event type 1: all committed, 2: some
    failed)."""
    if not _allowed(event, "event_report", "N-EVENT-REPORT"):
        return PROCESSING_FAILURE, None
    if event.event_type not in (1, 2):
        return NO_SUCH_EVENT_TYPE, None
    try:
        transaction_uid, references = read_references(event.event_information)
    except (ValueError, AttributeError, TypeError) as exc:
        LOG.warning("Storage commitment report from %s refused: %s", calling_aet(event), exc)
        return INVALID_ARGUMENT, None
    try:
        bootstrap.storage_commitment().record(transaction_uid, calling_aet(event), references)
    except Exception:
        LOG.exception("Storage commitment report %s could not be recorded", transaction_uid)
        return PROCESSING_FAILURE, None
    return SUCCESS, None


def _allowed(event: Any, service: str, request: str) -> bool:
    caller = calling_aet(event)
    if bootstrap.dicom_access().allows(caller, peer_ip(event), service):
        return True
    LOG.warning("%s from %s (%s) refused: not allowed", request, caller, peer_ip(event))
    event.assoc.abort()
    return False


def _answer(
    modality: Any, called_aet: str, transaction_uid: str, references: list[Reference]
) -> None:
    try:
        bootstrap.commitment_answers().answer(modality, called_aet, transaction_uid, references)
    except Exception:
        LOG.exception(
            "Storage commitment report %s to %s could not be sent", transaction_uid, modality.aet
        )
