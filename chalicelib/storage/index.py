"""The resource index in DynamoDB (one table, keys described in docs/architecture.md).

Items of the ``index`` table:

* ``pk=<resource id>, sk="R"``: the resource record. It carries ``lvl`` (level and first hex
  digit of the ID: the sharded key of the ``ByLevel`` index used to list a level without a scan
  and without one hot partition) and ``uid`` (level and upper-cased DICOM identifier: the
  ``ByUid`` index). Studies add ``acc`` (upper-cased AccessionNumber, ``ByAccession``) and
  ``sdate`` ("D" + StudyDate, the sort key of ``ByStudyDate``, sharded like ``ByLevel``).
  Patients, studies and series that are not stable yet carry ``ustb`` (the ``ByUnstable``
  index the stability check reads), and ``Born``: the FileUuid of the instance whose arrival
  created them, which tells one life of a resource from a later one under the same ID.
* ``pk=<parent id>, sk="C#<child id>"``: a link from a parent to a child, so that one Query on
  a parent's partition returns the record and all its children in a single round trip.
* ``pk="#stats#NN", sk="R"``: one of ``STAT_SHARDS`` counter shards. Every ingest adds to a
  random shard inside its transaction, so the totals are exact without one hot item.

The adapter speaks the low-level client API (faster than boto3's resource layer) and turns
DynamoDB's errors into the domain errors of this module.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.model import ChildLink, Counts, Resource

RECORD = "R"
LINK_PREFIX = "C#"
STATS_PREFIX = "#stats#"
STAT_SHARDS = 16
HEX_DIGITS = "0123456789abcdef"
# DynamoDB's limits: 100 actions per transaction, 100 keys per BatchGetItem.
MAX_TRANSACTION_ITEMS = 100
MAX_BATCH_GET = 100
# Transient transaction conflicts are retried this many times before giving up.
MAX_CONFLICT_RETRIES = 20

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


class TransactionConflict(Exception):
    """A conditional write lost a race. ``failed`` names the resource IDs whose condition
    failed; an empty set means DynamoDB reported a transient transaction conflict."""

    def __init__(self, failed: set[str]) -> None:
        super().__init__(f"conditions failed for {sorted(failed)}")
        self.failed = failed


def dump_item(value: dict[str, Any]) -> dict[str, Any]:
    return {k: _SERIALIZER.serialize(v) for k, v in value.items() if v is not None}


def load_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _DESERIALIZER.deserialize(v) for k, v in item.items()}


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def identifier_key(value: str) -> str:
    """How identifiers are keyed: Orthanc matches them case-insensitively by default, so the
    indexes hold upper-cased values and a case-sensitive query filters the candidates."""
    return value.upper()


def level_shard(level: Level, resource_id: str) -> str:
    return f"{level.value}#{resource_id[0]}"


def unstable_shard(resource_id: str) -> str:
    return f"U#{resource_id[0]}"


def study_date_key(study_date: str) -> str:
    """``sdate``: prefixed so that an empty StudyDate is still a valid key and sorts first."""
    return "D" + study_date


def resource_item(resource: Resource) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": resource.id,
        "sk": RECORD,
        "lvl": level_shard(resource.level, resource.id),
        "uid": f"{resource.level.value}#{identifier_key(resource.dicom_uid)}",
        "Level": resource.level.value,
        "Parent": resource.parent,
        "Main": resource.main_tags,
        "LastUpdate": resource.last_update,
        "Meta": resource.metadata,
    }
    if resource.unstable:
        item["ustb"] = unstable_shard(resource.id)
    if resource.level is Level.STUDY:
        item["PatientMain"] = resource.patient_main_tags
        if resource.main_tags.get("AccessionNumber"):
            item["acc"] = identifier_key(resource.main_tags["AccessionNumber"])
        if "StudyDate" in resource.main_tags:
            item["sdate"] = study_date_key(resource.main_tags["StudyDate"])
    if resource.level in (Level.SERIES, Level.INSTANCE):
        # An instance keeps its own count: Orthanc decides CompletedSeries with the count of
        # the instance that just arrived, not the series' (services/changes/feed.py).
        item["Expected"] = resource.expected_instances
    if resource.level is Level.INSTANCE:
        item.update(
            FileSize=resource.file_size,
            FileUuid=resource.file_uuid,
            BlobKey=resource.blob_key,
            Index=resource.index_in_series,
            Anc=list(resource.ancestors),
            NewAnc=resource.new_ancestors,
        )
    return item


def resource_from_item(item: dict[str, Any]) -> Resource:
    return Resource(
        id=item["pk"],
        level=Level(item["Level"]),
        parent=item.get("Parent"),
        main_tags=dict(item.get("Main", {})),
        last_update=item.get("LastUpdate", ""),
        unstable="ustb" in item,
        patient_main_tags=dict(item.get("PatientMain", {})),
        metadata=dict(item.get("Meta", {})),
        expected_instances=_int(item.get("Expected")),
        file_size=int(item.get("FileSize", 0)),
        file_uuid=item.get("FileUuid", ""),
        blob_key=item.get("BlobKey", ""),
        index_in_series=_int(item.get("Index")),
        ancestors=tuple(item.get("Anc", ())),
        new_ancestors=int(item.get("NewAnc", 0)),
    )


def link_item(link: ChildLink) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": link.parent,
        "sk": LINK_PREFIX + link.child,
        "Level": link.level.value,
    }
    if link.level is Level.INSTANCE:
        item.update(FileSize=link.file_size, BlobKey=link.blob_key, Index=link.index_in_series)
    return item


def link_from_item(item: dict[str, Any]) -> ChildLink:
    return ChildLink(
        parent=item["pk"],
        child=item["sk"][len(LINK_PREFIX) :],
        level=Level(item["Level"]),
        file_size=int(item.get("FileSize", 0)),
        blob_key=item.get("BlobKey", ""),
        index_in_series=_int(item.get("Index")),
    )


class ResourceIndex:
    """Reads and conditional writes of the resource index."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    # -- reads -------------------------------------------------------------------------------

    def get(self, resource_id: str) -> Resource | None:
        answer = self._client.get_item(
            TableName=self._table,
            Key=dump_item({"pk": resource_id, "sk": RECORD}),
            ConsistentRead=True,
        )
        item = answer.get("Item")
        return resource_from_item(load_item(item)) if item else None

    def get_many(self, resource_ids: Iterable[str]) -> dict[str, Resource]:
        """Records of the given IDs that exist (one BatchGetItem per 100 IDs)."""
        ids = list(dict.fromkeys(resource_ids))
        found: dict[str, Resource] = {}
        for start in range(0, len(ids), MAX_BATCH_GET):
            keys = [dump_item({"pk": i, "sk": RECORD}) for i in ids[start : start + MAX_BATCH_GET]]
            for item in self._batch_get(keys):
                resource = resource_from_item(item)
                found[resource.id] = resource
        return found

    def _batch_get(self, keys: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        request = {self._table: {"Keys": keys, "ConsistentRead": True}}
        while request:
            answer = self._client.batch_get_item(RequestItems=request)
            yield from (load_item(i) for i in answer["Responses"].get(self._table, []))
            request = answer.get("UnprocessedKeys") or {}

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        kwargs["TableName"] = self._table
        while True:
            answer = self._client.query(**kwargs)
            yield from (load_item(i) for i in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def get_with_children(self, resource_id: str) -> tuple[Resource | None, list[ChildLink]]:
        """The record and the child links of a resource, from one Query of its partition."""
        resource = None
        links = []
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=dump_item({":pk": resource_id}),
            ConsistentRead=True,
        ):
            if item["sk"] == RECORD:
                resource = resource_from_item(item)
            elif item["sk"].startswith(LINK_PREFIX):
                links.append(link_from_item(item))
        return resource, links

    def children(self, resource_id: str, limit: int | None = None) -> list[ChildLink]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :c)",
            "ExpressionAttributeValues": dump_item({":pk": resource_id, ":c": LINK_PREFIX}),
            "ConsistentRead": True,
        }
        if limit is not None:
            kwargs["Limit"] = limit
            answer = self._client.query(TableName=self._table, **kwargs)
            return [link_from_item(load_item(i)) for i in answer.get("Items", [])]
        return [link_from_item(i) for i in self._query(**kwargs)]

    def list_ids(self, level: Level, since: int = 0, limit: int | None = None) -> list[str]:
        """IDs of a level in ID order, skipping ``since`` of them (Orthanc's paging).

        The ``ByLevel`` index is sharded by the first hex digit of the ID, so reading the 16
        shards in order yields all IDs sorted. Skipped shards are only counted.
        """
        ids: list[str] = []
        to_skip = since
        for digit in HEX_DIGITS:
            if limit is not None and len(ids) >= limit:
                break
            shard = {
                "IndexName": "ByLevel",
                "KeyConditionExpression": "lvl = :l",
                "ExpressionAttributeValues": dump_item({":l": f"{level.value}#{digit}"}),
            }
            if to_skip:
                in_shard = self._count(shard)
                if in_shard <= to_skip:
                    to_skip -= in_shard
                    continue
            for item in self._query(**shard, ProjectionExpression="pk"):
                if to_skip:
                    to_skip -= 1
                    continue
                ids.append(item["pk"])
                if limit is not None and len(ids) >= limit:
                    break
        return ids

    def iter_ids(self, level: Level) -> Iterator[str]:
        """Every ID of a level in ID order, read lazily page by page (a search with no
        indexed constraint walks this and can stop as soon as it has enough matches)."""
        for digit in HEX_DIGITS:
            for item in self._query(
                IndexName="ByLevel",
                KeyConditionExpression="lvl = :l",
                ExpressionAttributeValues=dump_item({":l": f"{level.value}#{digit}"}),
            ):
                yield item["pk"]

    def ids_by_identifier(self, level: Level, value: str) -> list[str]:
        """Resources of ``level`` whose DICOM identifier equals ``value`` ignoring case."""
        return self._index_ids(
            "ByUid", "uid = :v", {":v": f"{level.value}#{identifier_key(value)}"}
        )

    def study_ids_by_accession(self, accession_number: str) -> list[str]:
        return self._index_ids("ByAccession", "acc = :v", {":v": identifier_key(accession_number)})

    def study_ids_by_date(self, lower: str, upper: str) -> list[str]:
        """Studies whose StudyDate lies in [lower, upper] as strings (an empty bound is open):
        one Query per shard, reading only the matching keys."""
        values: dict[str, str] = {}
        if lower and upper:
            condition = "sdate BETWEEN :a AND :b"
            values = {":a": study_date_key(lower), ":b": study_date_key(upper)}
        elif lower:
            condition, values = "sdate >= :a", {":a": study_date_key(lower)}
        else:
            condition, values = "sdate <= :b", {":b": study_date_key(upper)}
        ids: list[str] = []
        for digit in HEX_DIGITS:
            ids += self._index_ids(
                "ByStudyDate",
                f"lvl = :l AND {condition}",
                {**values, ":l": f"{Level.STUDY.value}#{digit}"},
            )
        return ids

    def unstable_ids(self) -> list[str]:
        """Patients, studies and series not yet declared stable (one Query per shard)."""
        ids: list[str] = []
        for digit in HEX_DIGITS:
            ids += self._index_ids("ByUnstable", "ustb = :u", {":u": f"U#{digit}"})
        return ids

    def _index_ids(self, index: str, condition: str, values: dict[str, str]) -> list[str]:
        items = self._query(
            IndexName=index,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=dump_item(values),
        )
        return [item["pk"] for item in items]

    def _count(self, query: dict[str, Any]) -> int:
        kwargs = dict(query, TableName=self._table, Select="COUNT")
        total = 0
        while True:
            answer = self._client.query(**kwargs)
            total += answer["Count"]
            if "LastEvaluatedKey" not in answer:
                return total
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def read_counts(self) -> Counts:
        keys = [
            dump_item({"pk": f"{STATS_PREFIX}{n:02d}", "sk": RECORD}) for n in range(STAT_SHARDS)
        ]
        total = Counts()
        for item in self._batch_get(keys):
            total = total + Counts(
                patients=int(item.get("Patients", 0)),
                studies=int(item.get("Studies", 0)),
                series=int(item.get("Series", 0)),
                instances=int(item.get("Instances", 0)),
                disk_size=int(item.get("DiskSize", 0)),
            )
        return total

    # -- writes ------------------------------------------------------------------------------

    def _counter_update(self, delta: Counts) -> dict[str, Any]:
        shard = f"{STATS_PREFIX}{random.randrange(STAT_SHARDS):02d}"
        return {
            "Update": {
                "TableName": self._table,
                "Key": dump_item({"pk": shard, "sk": RECORD}),
                "UpdateExpression": "ADD Patients :p, Studies :st, Series :se, "
                "Instances :i, DiskSize :d",
                "ExpressionAttributeValues": dump_item(
                    {
                        ":p": delta.patients,
                        ":st": delta.studies,
                        ":se": delta.series,
                        ":i": delta.instances,
                        ":d": delta.disk_size,
                    }
                ),
            }
        }

    def insert(
        self,
        new_resources: list[Resource],
        links: list[ChildLink],
        delta: Counts,
        replaced_file_uuid: str | None = None,
    ) -> None:
        """Create resources and links atomically, with the counters in the same transaction.

        Each new record is conditioned on not existing, except an instance that replaces a
        stored one (``OverwriteInstances``): it is conditioned on still holding the file being
        replaced, so two concurrent overwrites cannot both win.
        """
        actions: list[dict[str, Any]] = []
        born = next((r.file_uuid for r in new_resources if r.level is Level.INSTANCE), "")
        for resource in new_resources:
            item = resource_item(resource)
            if resource.level is not Level.INSTANCE and born:
                item["Born"] = born
            put: dict[str, Any] = {"TableName": self._table, "Item": dump_item(item)}
            if resource.level is Level.INSTANCE and replaced_file_uuid is not None:
                put["ConditionExpression"] = "FileUuid = :old"
                put["ExpressionAttributeValues"] = dump_item({":old": replaced_file_uuid})
            else:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            actions.append({"Put": put})
        actions += [
            {"Put": {"TableName": self._table, "Item": dump_item(link_item(link))}}
            for link in links
        ]
        actions.append(self._counter_update(delta))
        self._transact(actions, [r.id for r in new_resources])

    def _transact(self, actions: list[dict[str, Any]], action_ids: list[str]) -> None:
        """Run a transaction; ``action_ids[i]`` names the resource of the i-th action."""
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons", [])
            failed = {
                action_ids[i]
                for i, reason in enumerate(reasons)
                if i < len(action_ids) and reason.get("Code") == "ConditionalCheckFailed"
            }
            raise TransactionConflict(failed) from exc

    def touch(self, resource_id: str, last_update: str) -> None:
        """Record that a resource received something at ``last_update`` (and so is unstable
        again). Ignored if the resource was deleted meanwhile or already saw a later update,
        which makes replays of the same stream records harmless."""
        self._conditional_update(
            resource_id,
            "SET LastUpdate = :t, ustb = :u",
            "attribute_exists(pk) AND LastUpdate < :t",
            {":t": last_update, ":u": unstable_shard(resource_id)},
        )

    def mark_stable(self, resource_id: str, last_update: str) -> bool:
        """Clear the unstable flag, unless the resource was updated after ``last_update``."""
        return self._conditional_update(
            resource_id, "REMOVE ustb", "LastUpdate = :t", {":t": last_update}
        )

    # -- guards: conditions on records, checked in the transaction of a log append ----------

    def holds_file_guard(self, instance_id: str, file_uuid: str) -> dict[str, Any]:
        """The instance still holds this file (neither deleted nor overwritten since)."""
        return self._condition_check(instance_id, "FileUuid = :u", {":u": file_uuid})

    def born_of_guard(self, resource_id: str, file_uuid: str) -> dict[str, Any]:
        """The resource exists and is the one this file's arrival created, not a later one
        with the same ID (records written before ``Born`` existed pass on existence)."""
        return self._condition_check(
            resource_id,
            "attribute_exists(pk) AND (Born = :u OR attribute_not_exists(Born))",
            {":u": file_uuid},
        )

    def stable_guard(self, resource_id: str, last_update: str) -> dict[str, Any]:
        """Clears the unstable flag in the transaction that logs the Stable change, if the
        resource still exists and received nothing since ``last_update``."""
        return {
            "Update": {
                "TableName": self._table,
                "Key": dump_item({"pk": resource_id, "sk": RECORD}),
                "UpdateExpression": "REMOVE ustb",
                "ConditionExpression": "attribute_exists(pk) AND LastUpdate = :t",
                "ExpressionAttributeValues": dump_item({":t": last_update}),
            }
        }

    def _condition_check(
        self, resource_id: str, condition: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": dump_item({"pk": resource_id, "sk": RECORD}),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": dump_item(values),
            }
        }

    def _conditional_update(
        self, resource_id: str, update: str, condition: str, values: dict[str, Any]
    ) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dump_item({"pk": resource_id, "sk": RECORD}),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=dump_item(values),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def delete(self, records: list[Resource]) -> None:
        """Delete records with their links from their parents, in the order given.

        Callers pass children before parents, so a crash leaves a consistent tree that a retry
        of the same DELETE finishes. Each transaction carries its own share of the counter
        update, and each record is conditioned on still existing, so a retried or concurrent
        delete never decrements twice.
        """
        pending = list(records)
        per_record = 2
        chunk_size = (MAX_TRANSACTION_ITEMS - 1) // per_record
        conflicts = 0
        while pending:
            chunk, pending = pending[:chunk_size], pending[chunk_size:]
            try:
                self._delete_chunk(chunk)
            except TransactionConflict as conflict:
                # Records deleted meanwhile are dropped; a transient conflict retries as is.
                conflicts += 1
                if conflicts > MAX_CONFLICT_RETRIES:
                    raise
                if not conflict.failed:
                    time.sleep(random.uniform(0, 0.01 * conflicts))
                pending = [r for r in chunk if r.id not in conflict.failed] + pending

    def _delete_chunk(self, chunk: list[Resource]) -> None:
        delta = Counts()
        actions: list[dict[str, Any]] = []
        for record in chunk:
            delta = delta + Counts.one(record.level, record.file_size)
            actions.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": dump_item({"pk": record.id, "sk": RECORD}),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                }
            )
        ids = [r.id for r in chunk]
        for record in chunk:
            if record.parent:
                key = {"pk": record.parent, "sk": LINK_PREFIX + record.id}
                actions.append({"Delete": {"TableName": self._table, "Key": dump_item(key)}})
        actions.append(self._counter_update(-delta))
        self._transact(actions, ids)
