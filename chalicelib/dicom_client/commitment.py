"""Storage Commitment Push Model on the wire: the request (N-ACTION) Cirrus sends to a
modality, the report (N-EVENT-REPORT) it sends back when it is the one asked, and reading
the instance lists both carry.

Both messages go on an association of their own, as Orthanc 1.10.1 does: the request on one
Cirrus opens to the modality, the report on a new one opened once the instances are checked
(the requester's association may be long gone by then). pydicom and pynetdicom are imported
inside the calls (see ``association.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chalicelib.dicom_client.association import Associate, status_text
from chalicelib.errors import RemoteError
from chalicelib.model import Reference
from chalicelib.remotes.modality import Modality

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

PUSH_MODEL = "1.2.840.10008.1.20.1"
# The well-known SOP Instance both messages are about (PS3.4 J.3).
PUSH_MODEL_INSTANCE = "1.2.840.10008.1.20.1.1"
REQUEST_ACTION = 1
ALL_COMMITTED = 1
SOME_FAILED = 2
NO_SUCH_OBJECT_INSTANCE = 0x0112
CLASS_INSTANCE_CONFLICT = 0x0119
# The failure reasons of PS3.4 J.3.3, with the standard's explanation of each.
FAILURE_REASONS = {
    0x0110: "A general failure in processing the operation was encountered",
    NO_SUCH_OBJECT_INSTANCE: (
        "One or more of the elements in the Referenced SOP Instance Sequence was not available"
    ),
    CLASS_INSTANCE_CONFLICT: (
        "The SOP Class of an element in the Referenced SOP Instance Sequence did not "
        "correspond to the SOP class registered for this SOP Instance at the SCP"
    ),
    0x0122: (
        "The SCP does not support the SOP Class of an element in the Referenced SOP "
        "Instance Sequence"
    ),
    0x0131: "The Transaction UID of the Storage Commitment Request is already in use",
    0x0213: (
        "The SCP does not currently have enough resources to store the requested SOP Instance(s)"
    ),
}


def request_commitment(
    associate: Associate,
    modality: Modality,
    transaction_uid: str,
    references: Iterable[Reference],
) -> None:
    """N-ACTION "request storage commitment" of ``references``; RemoteError if the modality
    cannot be reached or does not answer success."""
    request = _dataset(transaction_uid, {"ReferencedSOPSequence": list(references)})
    association = associate([(PUSH_MODEL, None)])
    try:
        status, _ = association.send_n_action(
            request, REQUEST_ACTION, PUSH_MODEL, PUSH_MODEL_INSTANCE
        )
    finally:
        association.release()
    if not status or status.Status != 0x0000:
        raise RemoteError(
            f"Storage commitment - The request cannot be handled by remote AET "
            f'"{modality.aet}": {status_text(status)}'
        )


def send_report(
    associate: Associate,
    modality: Modality,
    transaction_uid: str,
    references: list[Reference],
) -> None:
    """N-EVENT-REPORT of a checked transaction: event type 1 when every instance is
    committed, else 2 with the failed ones and their reasons."""
    committed = [r for r in references if not r.reason]
    failed = [r for r in references if r.reason]
    # Type 2 lists the committed instances only when there are some (PS3.4 J.3.3).
    sequences = {"ReferencedSOPSequence": committed} if committed or not failed else {}
    if failed:
        sequences["FailedSOPSequence"] = failed
    report = _dataset(transaction_uid, sequences)
    association = associate([(PUSH_MODEL, None)])
    try:
        status = association.send_n_event_report(
            report, SOME_FAILED if failed else ALL_COMMITTED, PUSH_MODEL, PUSH_MODEL_INSTANCE
        )
    finally:
        association.release()
    answer = status[0] if status else None
    if not answer or answer.Status != 0x0000:
        raise RemoteError(
            f'Storage commitment report to AET "{modality.aet}" failed: {status_text(answer)}'
        )


def read_references(dataset: Dataset | None) -> tuple[str, list[Reference]]:
    """The Transaction UID and instances of a request or report (failed ones with their
    reason); ValueError if there is no Transaction UID."""
    uid = str(getattr(dataset, "TransactionUID", "") or "").strip()
    if dataset is None or not uid:
        raise ValueError("A storage commitment message without Transaction UID")
    references = [
        Reference(
            str(item.get("ReferencedSOPClassUID", "")),
            str(item.get("ReferencedSOPInstanceUID", "")),
            int(item.get("FailureReason", 0) or 0) if keyword == "FailedSOPSequence" else 0,
        )
        for keyword in ("ReferencedSOPSequence", "FailedSOPSequence")
        for item in dataset.get(keyword) or []
    ]
    return uid, references


def _dataset(transaction_uid: str, sequences: dict[str, list[Reference]]) -> Any:
    """A request or report: the transaction and its sequences of instances, by keyword."""
    from pydicom.dataset import Dataset

    dataset = Dataset()
    dataset.TransactionUID = transaction_uid
    for keyword, references in sequences.items():
        items = []
        for reference in references:
            item = Dataset()
            item.ReferencedSOPClassUID = reference.sop_class_uid
            item.ReferencedSOPInstanceUID = reference.sop_instance_uid
            if reference.reason:
                item.FailureReason = reference.reason
            items.append(item)
        setattr(dataset, keyword, items)
    return dataset
