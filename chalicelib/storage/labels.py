"""Labels (Orthanc 1.12) in the ``index`` table.

Three kinds of items agree, written together in one transaction:

* the resource record's ``Labels`` (a string set, absent when empty): what the resource's
  JSON shows, and what a search checks on the records it reads;
* ``pk="#label#<label>", sk="<Level>#<resource id>"``: one item per labelled resource, so the
  resources of a level carrying a label are one Query, never a scan;
* ``pk="#labels", sk="#label#<label>"``: the registry of labels in use, with the ``Count`` of
  resources carrying each (``GET /tools/labels`` is one Query of it; a label whose count fell
  to 0 stays as an item and is skipped).

Adding a label is conditioned on the record existing at the right level and not carrying it
yet, removing one on the record carrying it: a repeated request changes nothing, so the
counts stay exact. ``ResourceIndex.delete`` removes a deleted resource's label items and
lowers the counts in the transaction that deletes its record. The change feed ignores all
this: the new items are not resource records (``sk`` is never ``R``), and a record whose
``Labels`` change is modified without a new file (Orthanc logs no change for labels either).
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection, Iterator
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.storage.index import (
    LABEL_PREFIX,
    LABELS_IN_USE,
    MAX_CONFLICT_RETRIES,
    RECORD,
    dump_item,
    label_count_key,
    label_member_key,
    load_item,
)


class LabelChange(Enum):
    """What a conditional add or remove did."""

    DONE = "done"
    # Nothing to do: the label was already there (add) or not there (remove).
    UNCHANGED = "unchanged"
    # No record of this ID at this level.
    NO_RESOURCE = "no resource"
    # Adding: the resource already carries the most labels allowed.
    FULL = "full"


def label_items(level: Level, resource_id: str, labels: tuple[str, ...]) -> list[dict[str, Any]]:
    """The member items of a labelled resource (what ``add`` writes, for bulk loads such as
    ``bench/find.py``; the registry counts are the loader's to sum)."""
    return [label_member_key(label, level, resource_id) for label in labels]


class LabelStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    # -- writes ------------------------------------------------------------------------------

    def add(self, level: Level, resource_id: str, label: str, most: int) -> LabelChange:
        """One TransactWriteItems, refused when the resource has ``most`` labels already; a
        refused condition costs a GetItem to tell why."""
        return self._change(level, resource_id, label, most)

    def remove(self, level: Level, resource_id: str, label: str) -> LabelChange:
        return self._change(level, resource_id, label, None)

    def _change(self, level: Level, resource_id: str, label: str, most: int | None) -> LabelChange:
        """Add (``most`` given) or remove: the record, the member item and the registry count
        in one transaction, retried when it loses a race with another one on the same label
        (the registry item is shared by every resource carrying the label)."""
        adding = most is not None
        values: dict[str, Any] = {":labels": {label}, ":label": label, ":level": level.value}
        if adding:
            values[":most"] = most
            condition = "NOT contains(Labels, :label) AND "
            condition += "(attribute_not_exists(Labels) OR size(Labels) < :most)"
        else:
            condition = "contains(Labels, :label)"
        record_key = dump_item({"pk": resource_id, "sk": RECORD})
        record = {
            "TableName": self._table,
            "Key": record_key,
            "UpdateExpression": ("ADD" if adding else "DELETE") + " Labels :labels",
            "ConditionExpression": f"attribute_exists(pk) AND #level = :level AND {condition}",
            "ExpressionAttributeNames": {"#level": "Level"},
            "ExpressionAttributeValues": dump_item(values),
        }
        member = dump_item(label_member_key(label, level, resource_id))
        member_action = (
            {"Put": {"TableName": self._table, "Item": member}}
            if adding
            else {"Delete": {"TableName": self._table, "Key": member}}
        )
        count = self._count_update(label, 1 if adding else -1)
        actions = [{"Update": record}, member_action, {"Update": count}]
        if self._transact(actions):
            return LabelChange.DONE
        return self._why_refused(level, record_key, label, adding)

    def add_all(
        self, level: Level, resource_id: str, labels: Collection[str], most: int
    ) -> LabelChange:
        """Add several labels at once (``KeepLabels`` copying a source's labels to its
        modified copy): one transaction adding those the record lacks, so a replayed job step
        changes nothing. Refused (``FULL``, nothing added) when the resource would carry more
        than ``most`` labels. A refused condition costs a GetItem, then the transaction again
        with the labels still missing (another writer may have added some meanwhile)."""
        record_key = dump_item({"pk": resource_id, "sk": RECORD})
        missing = sorted(set(labels))
        carried: set[str] = set()
        for _ in range(MAX_CONFLICT_RETRIES):
            if not missing:
                return LabelChange.UNCHANGED
            if len(carried) + len(missing) > most:
                return LabelChange.FULL
            if self._transact(self._adding_all(level, record_key, resource_id, missing, most)):
                return LabelChange.DONE
            item = self._record_labels(record_key)
            if item.get("Level") != level.value:
                return LabelChange.NO_RESOURCE
            carried = item.get("Labels", set())
            missing = [label for label in missing if label not in carried]
        raise RuntimeError(f"The labels of {resource_id} keep changing")

    def _adding_all(
        self,
        level: Level,
        record_key: dict[str, Any],
        resource_id: str,
        labels: list[str],
        most: int,
    ) -> list[dict[str, Any]]:
        """The actions adding ``labels`` (none carried yet, room left for all): the record,
        a member item and a registry count per label (at most 1 + 2 x 32 writes)."""
        values: dict[str, Any] = {
            ":labels": set(labels),
            ":level": level.value,
            ":room": most - len(labels),
        }
        condition = "attribute_exists(pk) AND #level = :level"
        condition += " AND (attribute_not_exists(Labels) OR size(Labels) <= :room)"
        for number, label in enumerate(labels):
            values[f":label{number}"] = label
            condition += f" AND NOT contains(Labels, :label{number})"
        record = {
            "TableName": self._table,
            "Key": record_key,
            "UpdateExpression": "ADD Labels :labels",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#level": "Level"},
            "ExpressionAttributeValues": dump_item(values),
        }
        actions: list[dict[str, Any]] = [{"Update": record}]
        for label in labels:
            member = dump_item(label_member_key(label, level, resource_id))
            actions.append({"Put": {"TableName": self._table, "Item": member}})
            actions.append({"Update": self._count_update(label, 1)})
        return actions

    def _transact(self, actions: list[dict[str, Any]]) -> bool:
        """Run a transaction whose first action is the record's conditional update: False
        when that condition failed; retried when it lost a race with another transaction on
        a shared registry item."""
        attempt = 0
        while True:
            attempt += 1
            try:
                self._client.transact_write_items(TransactItems=actions)
                return True
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                codes = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                if codes and codes[0] == "ConditionalCheckFailed":
                    return False
                if "TransactionConflict" not in codes or attempt == MAX_CONFLICT_RETRIES:
                    raise
                time.sleep(random.uniform(0, 0.01 * attempt))

    def _count_update(self, label: str, step: int) -> dict[str, Any]:
        """The registry count of a label moved by ``step``."""
        return {
            "TableName": self._table,
            "Key": dump_item(label_count_key(label)),
            "UpdateExpression": "ADD #count :one",
            "ExpressionAttributeNames": {"#count": "Count"},
            "ExpressionAttributeValues": dump_item({":one": step}),
        }

    def _record_labels(self, record_key: dict[str, Any]) -> dict[str, Any]:
        """The level and labels of a record (one GetItem; empty when there is none)."""
        answer = self._client.get_item(
            TableName=self._table,
            Key=record_key,
            ConsistentRead=True,
            ProjectionExpression="#level, Labels",
            ExpressionAttributeNames={"#level": "Level"},
        )
        return load_item(answer.get("Item", {}))

    def _why_refused(
        self, level: Level, record_key: dict[str, Any], label: str, adding: bool
    ) -> LabelChange:
        item = self._record_labels(record_key)
        if item.get("Level") != level.value:
            return LabelChange.NO_RESOURCE
        if adding and label not in item.get("Labels", set()):
            return LabelChange.FULL
        return LabelChange.UNCHANGED

    # -- reads -------------------------------------------------------------------------------

    def in_use(self) -> list[str]:
        """Every label some resource carries, sorted (one Query of the registry)."""
        return sorted(
            item["sk"][len(LABEL_PREFIX) :]
            for item in self._query(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues=dump_item({":pk": LABELS_IN_USE}),
                ConsistentRead=True,
            )
            if item.get("Count", 0) > 0
        )

    def ids_with_label(self, label: str, level: Level) -> list[str]:
        """The resources of ``level`` carrying ``label`` (one Query per 1 MB of keys)."""
        prefix = f"{level.value}#"
        return [
            item["sk"][len(prefix) :]
            for item in self._query(
                KeyConditionExpression="pk = :pk AND begins_with(sk, :level)",
                ExpressionAttributeValues=dump_item(
                    {":pk": LABEL_PREFIX + label, ":level": prefix}
                ),
                ConsistentRead=True,
            )
        ]

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for page in self._client.get_paginator("query").paginate(TableName=self._table, **kwargs):
            yield from (load_item(i) for i in page.get("Items", []))
