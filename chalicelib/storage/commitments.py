"""Storage commitment transactions in the ``commitments`` table: what
``/storage-commitment/{id}`` shows.

Orthanc keeps these reports in memory; Cirrus writes them to DynamoDB because the report is
received by the DICOM service (its own process) and read by the REST API (Lambda). They are
only ever read by transaction UID, so each is one item, ``pk`` = the transaction UID: written
``Pending`` by whoever sends the request, overwritten by the DICOM service when the remote
modality's report arrives. The lists of instances are stored as zlib-compressed JSON: UIDs
compress well, so a report of tens of thousands of instances stays below DynamoDB's 400 KB.
Every item has an ``expires`` attribute (epoch seconds) for the table's TTL; readers ignore
expired items, since TTL deletes them only eventually.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from chalicelib.model import Reference
from chalicelib.storage.index import dump_item, load_item

PENDING = "Pending"
SUCCESS = "Success"
FAILURE = "Failure"


@dataclass(frozen=True)
class CommitmentReport:
    transaction_uid: str
    remote_aet: str
    status: str  # PENDING, SUCCESS or FAILURE
    references: list[Reference] = field(default_factory=list)


class CommitmentStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, report: CommitmentReport, expires: int) -> None:
        entries = [[r.sop_class_uid, r.sop_instance_uid, r.reason] for r in report.references]
        packed = zlib.compress(json.dumps(entries, separators=(",", ":")).encode("utf-8"))
        item = dump_item(
            {
                "pk": report.transaction_uid,
                "RemoteAET": report.remote_aet,
                "Status": report.status,
                "expires": expires,
                "References": packed,
            }
        )
        self._client.put_item(TableName=self._table, Item=item)

    def get(self, transaction_uid: str, now: float) -> CommitmentReport | None:
        """The report (one GetItem), None if unknown or expired."""
        raw = self._client.get_item(
            TableName=self._table, Key=dump_item({"pk": transaction_uid}), ConsistentRead=True
        ).get("Item")
        if raw is None:
            return None
        item = load_item(raw)
        if int(item["expires"]) <= now:
            return None
        entries = json.loads(zlib.decompress(bytes(item["References"])))
        return CommitmentReport(
            transaction_uid=transaction_uid,
            remote_aet=item["RemoteAET"],
            status=item["Status"],
            references=[Reference(c, i, int(reason)) for c, i, reason in entries],
        )

    def delete(self, transaction_uid: str) -> None:
        self._client.delete_item(TableName=self._table, Key=dump_item({"pk": transaction_uid}))
