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
  Patients carry ``rpos``, their place in the recycling order, and either ``Prot`` (protected
  against recycling) or ``rcy`` (``P#`` and the first hex digit of the ID): the sparse
  ``ByRecycling`` index lists the unprotected patients oldest first
  (services/resources/recycling.py). A patient stored before recycling existed has neither
  until a reconstruct gives it ``rcy``.
* ``pk=<parent id>, sk="C#<child id>"``: a link from a parent to a child, so that one Query on
  a parent's partition returns the record and all its children in a single round trip.
* ``pk="#stats#NN", sk="R"``: one of ``STAT_SHARDS`` counter shards. Every ingest adds to a
  random shard inside its transaction, so the totals are exact without one hot item.

The adapter speaks the low-level client API (faster than boto3's resource layer) and turns
DynamoDB's errors into the domain errors of this module.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.errors import write_conflicts
from chalicelib.model import Attachment, ChildLink, Counts, Resource

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

RECORD = "R"
LINK_PREFIX = "C#"
STATS_PREFIX = "#stats#"
LABEL_PREFIX = "#label#"
LABELS_IN_USE = "#labels"
STAT_SHARDS = 16
HEX_DIGITS = "0123456789abcdef"
# DynamoDB's limits: 100 actions per transaction, 100 keys per BatchGetItem.
MAX_TRANSACTION_ITEMS = 100
MAX_BATCH_GET = 100
# Transient transaction conflicts are retried this many times before giving up.
MAX_CONFLICT_RETRIES = 20


@cache
def _codec() -> tuple[TypeSerializer, TypeDeserializer]:
    """boto3's DynamoDB value codec, built on first use: importing it imports all of boto3
    (~150 ms), which a cold start then pays with its first DynamoDB request, not at import
    (tests/unit/test_cold_start.py)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


@dataclass(frozen=True)
class TagRewrite:
    """What a stored file gives one record when the index is reconstructed: ``record`` as
    read, with the main tags (and ``dicom_uid``, a study's patient tags) read again from the
    file ``file_uuid`` of instance ``source``; for that instance, the metadata read from
    the file as well (``file_metadata``)."""

    record: Resource
    source: str
    file_uuid: str
    file_metadata: dict[str, str] = field(default_factory=dict)


class TransactionConflict(Exception):
    """A conditional write lost a race. ``failed`` names the resource IDs whose condition
    failed; an empty set means DynamoDB reported a transient transaction conflict."""

    def __init__(self, failed: set[str]) -> None:
        super().__init__(f"conditions failed for {sorted(failed)}")
        self.failed = failed


def dump_item(value: dict[str, Any]) -> dict[str, Any]:
    serialize = _codec()[0].serialize
    return {k: serialize(v) for k, v in value.items() if v is not None}


def load_item(item: dict[str, Any]) -> dict[str, Any]:
    deserialize = _codec()[1].deserialize
    return {k: deserialize(v) for k, v in item.items()}


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


def recycling_shard(patient_id: str) -> str:
    """``rcy``: the ``ByRecycling`` shard of an unprotected patient (absent when protected)."""
    return f"P#{patient_id[0]}"


def study_date_key(study_date: str) -> str:
    """``sdate``: prefixed so that an empty StudyDate is still a valid key and sorts first."""
    return "D" + study_date


def _date_condition(lower: str, upper: str) -> tuple[str, dict[str, str]]:
    """The ``ByStudyDate`` sort-key condition of a StudyDate range (an empty bound is open)."""
    if lower and upper:
        return "sdate BETWEEN :a AND :b", {":a": study_date_key(lower), ":b": study_date_key(upper)}
    if lower:
        return "sdate >= :a", {":a": study_date_key(lower)}
    return "sdate <= :b", {":b": study_date_key(upper)}


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
    if resource.labels:  # a string set: DynamoDB has no empty set, so absent when empty
        item["Labels"] = set(resource.labels)
    if resource.attachments:
        item["Att"] = attachments_value(resource.attachments)
    if resource.metadata_revisions:
        item["MetaRev"] = resource.metadata_revisions
    if resource.recycling_position:
        item["rpos"] = resource.recycling_position
    if resource.level is Level.PATIENT:
        if resource.protected:
            item["Prot"] = True
        else:
            item["rcy"] = recycling_shard(resource.id)
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
            Md5=resource.file_md5 or None,
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
        labels=tuple(sorted(item.get("Labels", ()))),
        file_md5=item.get("Md5", ""),
        attachments=attachments_from_value(item.get("Att")),
        metadata_revisions={k: int(v) for k, v in item.get("MetaRev", {}).items()},
        protected=bool(item.get("Prot")),
        recycling_position=item.get("rpos", ""),
    )


def attachments_value(attachments: dict[int, Attachment]) -> dict[str, Any]:
    """``Att`` of a record or link: the user attachments by content type number."""
    return {
        str(number): {"Uuid": a.uuid, "Size": a.size, "Md5": a.md5, "Revision": a.revision}
        for number, a in attachments.items()
    }


def attachments_from_value(value: dict[str, Any] | None) -> dict[int, Attachment]:
    return {
        int(number): Attachment(a["Uuid"], int(a["Size"]), a["Md5"], int(a["Revision"]))
        for number, a in (value or {}).items()
    }


def label_member_key(label: str, level: Level, resource_id: str) -> dict[str, str]:
    """The item saying that a resource carries a label: one partition per label, sorted by
    level, so the resources of a level with a label are one Query (storage/labels.py)."""
    return {"pk": LABEL_PREFIX + label, "sk": f"{level.value}#{resource_id}"}


def label_count_key(label: str) -> dict[str, str]:
    """The registry entry of a label: how many resources carry it (``Count``)."""
    return {"pk": LABELS_IN_USE, "sk": LABEL_PREFIX + label}


def link_item(link: ChildLink) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": link.parent,
        "sk": LINK_PREFIX + link.child,
        "Level": link.level.value,
    }
    if link.level is Level.INSTANCE:
        item.update(FileSize=link.file_size, BlobKey=link.blob_key, Index=link.index_in_series)
    if link.attachments:
        item["Att"] = attachments_value(link.attachments)
    return item


def link_from_item(item: dict[str, Any]) -> ChildLink:
    return ChildLink(
        parent=item["pk"],
        child=item["sk"][len(LINK_PREFIX) :],
        level=Level(item["Level"]),
        file_size=int(item.get("FileSize", 0)),
        blob_key=item.get("BlobKey", ""),
        index_in_series=_int(item.get("Index")),
        attachments=attachments_from_value(item.get("Att")),
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
        found = (resource_from_item(item) for item in self._record_items(resource_ids))
        return {resource.id: resource for resource in found}

    def existing(self, resource_ids: Iterable[str]) -> set[str]:
        """Which of the given IDs have a record, read as ``get_many`` reads (consistently, one
        BatchGetItem per 100 IDs) but projected to the key: for a caller that needs nothing
        else, such as the ingest asking which ancestors of a new file exist. DynamoDB charges
        the same read units, but the records' attributes are neither sent nor parsed, which
        on the ingest path was a tenth of botocore's work (docs/architecture.md)."""
        return {item["pk"] for item in self._record_items(resource_ids, projection="pk")}

    def _record_items(
        self, resource_ids: Iterable[str], projection: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The record items of the given IDs that exist, each ID asked once, 100 per request."""
        ids = list(dict.fromkeys(resource_ids))
        for start in range(0, len(ids), MAX_BATCH_GET):
            keys = [dump_item({"pk": i, "sk": RECORD}) for i in ids[start : start + MAX_BATCH_GET]]
            yield from self._batch_get(keys, projection)

    def _batch_get(
        self, keys: list[dict[str, Any]], projection: str | None = None
    ) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
        if projection:
            request[self._table]["ProjectionExpression"] = projection
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

    def count_ids(self, level: Level) -> int:
        """How many resources of a level the ``ByLevel`` index holds: its 16 shards counted
        (``Select=COUNT``: no item is sent back)."""
        return sum(
            self._count(
                {
                    "IndexName": "ByLevel",
                    "KeyConditionExpression": "lvl = :l",
                    "ExpressionAttributeValues": dump_item({":l": f"{level.value}#{digit}"}),
                }
            )
            for digit in HEX_DIGITS
        )

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

    def study_ids_by_dates(self, ranges: Sequence[tuple[str, str]]) -> Iterator[str]:
        """Studies whose StudyDate lies in one of ``ranges`` ([lower, upper] as strings, an
        empty bound open), in ID order, read lazily one shard at a time (a Query per range and
        shard, reading only the matching keys).

        A study's shard is the first hex digit of its ID, so the shards read in order, each
        sorted, give the IDs sorted: a search with a ``Limit`` stops before the shards it does
        not need. A DynamoDB ``Limit`` could not do this: within a shard the index sorts by
        date, not by ID.
        """
        conditions = [_date_condition(lower, upper) for lower, upper in ranges]
        for digit in HEX_DIGITS:
            shard = {":l": f"{Level.STUDY.value}#{digit}"}
            found = {
                study_id
                for condition, values in conditions
                for study_id in self._index_ids(
                    "ByStudyDate", f"lvl = :l AND {condition}", {**values, **shard}
                )
            }
            yield from sorted(found)

    def unstable_ids(self) -> list[str]:
        """Patients, studies and series not yet declared stable (one Query per shard)."""
        ids: list[str] = []
        for digit in HEX_DIGITS:
            ids += self._index_ids("ByUnstable", "ustb = :u", {":u": f"U#{digit}"})
        return ids

    def recycling_order(self, page: int) -> Iterator[str]:
        """The unprotected patients, least recently stored first (``ByRecycling``).

        Each of the 16 shards is read ``page`` patients at a time and the shards are merged
        on the position, so the first patient costs 16 Queries and more are read only when
        a shard's page runs out. A global index is eventually consistent: callers check the
        record of a patient before acting on it.
        """
        shards = [self._recycling_shard(digit, page) for digit in HEX_DIGITS]
        for item in heapq.merge(*shards, key=lambda i: i["rpos"]):
            yield item["pk"]

    def _recycling_shard(self, digit: str, page: int) -> Iterator[dict[str, Any]]:
        return self._query(
            IndexName="ByRecycling",
            KeyConditionExpression="rcy = :s",
            ExpressionAttributeValues=dump_item({":s": recycling_shard(digit)}),
            Limit=page,
        )

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
        """The ``ADD`` of ``delta`` to a counter shard picked at random. Only the counts that
        change are named (an instance into an existing series changes two of the five), so
        DynamoDB and the emulator evaluate a shorter expression; a delta of nothing still
        names one (an update needs an expression)."""
        shard = f"{STATS_PREFIX}{random.randrange(STAT_SHARDS):02d}"
        changes = {
            name: count
            for name, count in (
                ("Patients", delta.patients),
                ("Studies", delta.studies),
                ("Series", delta.series),
                ("Instances", delta.instances),
                ("DiskSize", delta.disk_size),
            )
            if count
        } or {"Instances": 0}
        return {
            "Update": {
                "TableName": self._table,
                "Key": dump_item({"pk": shard, "sk": RECORD}),
                "UpdateExpression": "ADD " + ", ".join(f"{n} :{n}" for n in changes),
                "ExpressionAttributeValues": dump_item({f":{n}": c for n, c in changes.items()}),
            }
        }

    def insert(
        self,
        new_resources: list[Resource],
        links: list[ChildLink],
        delta: Counts,
        replaced: Resource | None = None,
    ) -> None:
        """Create resources and links atomically, with the counters in the same transaction.

        Each new record is conditioned on not existing, except an instance that replaces a
        stored one (``OverwriteInstances``): it is conditioned on still being the record
        ``replaced`` as read (its file, labels and attachments), so two concurrent overwrites
        cannot both win, and the replaced instance's label items go in the same transaction
        (as Orthanc deletes the old instance, its labels with it).
        """
        actions: list[dict[str, Any]] = []
        born = next((r.file_uuid for r in new_resources if r.level is Level.INSTANCE), "")
        for resource in new_resources:
            item = resource_item(resource)
            if resource.level is not Level.INSTANCE and born:
                item["Born"] = born
            put: dict[str, Any] = {"TableName": self._table, "Item": dump_item(item)}
            if resource.level is Level.INSTANCE and replaced is not None:
                condition, values = _as_read(replaced)
                values[":old"] = replaced.file_uuid
                put["ConditionExpression"] = condition + " AND FileUuid = :old"
                put["ExpressionAttributeValues"] = dump_item(values)
            else:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            actions.append({"Put": put})
        actions += [
            {"Put": {"TableName": self._table, "Item": dump_item(link_item(link))}}
            for link in links
        ]
        if replaced is not None:
            actions += self._label_deletes([replaced])
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

    def touch(
        self,
        resource_id: str,
        last_update: str,
        by_file: str,
        recycling_position: str | None = None,
    ) -> bool | None:
        """Record that a resource received something at ``last_update`` (and so is unstable
        again), from the stored file ``by_file`` (its FileUuid, kept as ``tby``). Ignored if
        the resource was deleted meanwhile or already saw a later update, which makes replays
        of the same stream records harmless.

        A patient also moves to ``recycling_position``: that is to the microsecond, so a
        later arrival within the second of ``LastUpdate`` still moves it (a replay does not).

        Returns whether the resource was stable until now (read from the record as the same
        UpdateItem found it; for an update ignored, whether it is stable now), or None when
        that is unknown: the record is gone, or this very touch was made before (a replay).
        """
        values = {":t": last_update, ":u": unstable_shard(resource_id), ":f": by_file}
        if recycling_position is None:
            return self._touch_update(
                resource_id,
                "SET LastUpdate = :t, ustb = :u, tby = :f",
                "attribute_exists(pk) AND LastUpdate < :t",
                values,
            )
        return self._touch_update(
            resource_id,
            "SET LastUpdate = :t, ustb = :u, tby = :f, rpos = :p",
            "attribute_exists(pk) AND (LastUpdate < :t OR (LastUpdate = :t AND rpos < :p))",
            {**values, ":p": recycling_position},
        )

    def set_protected(self, patient_id: str, protected: bool, recycling_position: str) -> None:
        """Take a patient out of the recycling order (remove it from ``ByRecycling``) or put
        it back at ``recycling_position`` (the end, as Orthanc does). Conditioned on the
        record existing (and, to unprotect, on being protected, so a patient already
        unprotected keeps its place): a patient deleted meanwhile is left deleted."""
        if protected:
            patient = {":l": f"{Level.PATIENT.value}#", ":t": True}
            self._conditional_update(
                patient_id, "SET Prot = :t REMOVE rcy", "begins_with(lvl, :l)", patient
            )
        else:
            self._conditional_update(
                patient_id,
                "SET rcy = :s, rpos = :p REMOVE Prot",
                "attribute_exists(pk) AND attribute_not_exists(rcy)",
                {":s": recycling_shard(patient_id), ":p": recycling_position},
            )

    def mark_stable(self, resource_id: str, last_update: str) -> bool:
        """Clear the unstable flag, unless the resource was updated after ``last_update``."""
        return self._conditional_update(
            resource_id, "REMOVE ustb", "LastUpdate = :t", {":t": last_update}
        )

    # -- user metadata and attachments: writes conditioned on the record as read ------------

    def replace_metadata(
        self, read: Resource, metadata: dict[str, str], revisions: dict[str, int]
    ) -> bool:
        """Set a record's ``Meta`` and ``MetaRev`` if both are still as in ``read`` (one
        conditional UpdateItem); False if another writer changed them first."""
        condition, values = _unchanged({"Meta": read.metadata, "MetaRev": read.metadata_revisions})
        return self._conditional_update(
            read.id,
            "SET Meta = :newMeta, MetaRev = :newMetaRev",
            condition,
            {**values, ":newMeta": metadata, ":newMetaRev": revisions},
        )

    def replace_attachments(
        self, read: Resource, attachments: dict[int, Attachment], size_delta: int
    ) -> bool:
        """Set a resource's user attachments if they are still as in ``read``: its record,
        the copy on its parent's link and the disk size counter, in one transaction. False if
        another writer changed them first (or a transient conflict: read again and retry)."""
        condition, values = _unchanged({"Att": attachments_value(read.attachments)})
        new_value = attachments_value(attachments)
        update = "SET Att = :newAtt" if new_value else "REMOVE Att"
        new_values = {":newAtt": new_value} if new_value else {}
        record: dict[str, Any] = {
            "TableName": self._table,
            "Key": dump_item({"pk": read.id, "sk": RECORD}),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": dump_item({**values, **new_values}),
        }
        actions: list[dict[str, Any]] = [{"Update": record}]
        if read.parent:
            link: dict[str, Any] = {
                "TableName": self._table,
                "Key": dump_item({"pk": read.parent, "sk": LINK_PREFIX + read.id}),
                "UpdateExpression": update,
            }
            if new_values:
                link["ExpressionAttributeValues"] = dump_item(new_values)
            actions.append({"Update": link})
        actions.append(self._counter_update(Counts(disk_size=size_delta)))
        try:
            self._transact(actions, [read.id])
        except TransactionConflict:
            return False
        return True

    # -- reconstruction: main tags read again from the stored files ------------------------

    def rewrite_tags(self, rewrites: list[TagRewrite]) -> None:
        """Write the main tags and the keys derived from them (``uid``, a study's ``acc``
        and ``sdate``) of the given records, in transactions of up to 100 writes.

        Each write holds only if its source instance still holds the file the values were
        read from: the instance's own update is conditioned on its ``FileUuid``, and the
        updates of ancestors come with a check of their source in the same transaction
        (the writes of one source never split across two). Raises TransactionConflict
        naming the records whose condition failed; the transactions before it are kept,
        each being consistent on its own.
        """
        by_source: dict[str, list[TagRewrite]] = {}
        for rewrite in rewrites:
            by_source.setdefault(rewrite.source, []).append(rewrite)
        actions: list[dict[str, Any]] = []
        ids: list[str] = []
        for source, group in by_source.items():
            group_actions = [self._rewrite_action(r) for r in group]
            group_ids = [r.record.id for r in group]
            if all(r.record.id != source for r in group):
                group_actions.append(self.holds_file_guard(source, group[0].file_uuid))
                group_ids.append(source)
            if len(actions) + len(group_actions) > MAX_TRANSACTION_ITEMS:
                self._transact(actions, ids)
                actions, ids = [], []
            actions += group_actions
            ids += group_ids
        if actions:
            self._transact(actions, ids)

    def _rewrite_action(self, rewrite: TagRewrite) -> dict[str, Any]:
        record = rewrite.record
        item = resource_item(record)  # the keys as the ingest writes them
        names = ["Main", "uid"]
        removed: list[str] = []
        if record.level is Level.STUDY:
            names.append("PatientMain")
            for key in ("acc", "sdate"):
                (names if key in item else removed).append(key)
        values = {f":{name}": item[name] for name in names}
        attribute_names = {f"#{name}": name for name in names + removed}
        assignments = [f"#{name} = :{name}" for name in names]
        for number, (key, value) in enumerate(sorted(rewrite.file_metadata.items())):
            attribute_names[f"#m{number}"] = key
            values[f":m{number}"] = value
            assignments.append(f"Meta.#m{number} = :m{number}")
        if record.level is Level.PATIENT and not record.protected:
            # A patient stored before recycling existed enters the order here (once: rpos
            # is kept when set); a protect landing meanwhile fails the write, read again.
            values[":rcy"], values[":rpos"] = item["rcy"], record.recycling_position
            assignments += ["rcy = :rcy", "rpos = if_not_exists(rpos, :rpos)"]
        update = "SET " + ", ".join(assignments)
        if removed:
            update += " REMOVE " + ", ".join(f"#{name}" for name in removed)
        if record.level is Level.INSTANCE:
            condition = "FileUuid = :fileUuid"
            values[":fileUuid"] = rewrite.file_uuid
        elif record.level is Level.PATIENT and not record.protected:
            condition = "attribute_exists(pk) AND attribute_not_exists(Prot)"
        else:
            condition = "attribute_exists(pk)"
        return {
            "Update": {
                "TableName": self._table,
                "Key": dump_item({"pk": record.id, "sk": RECORD}),
                "UpdateExpression": update,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": attribute_names,
                "ExpressionAttributeValues": dump_item(values),
            }
        }

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
        return self._update_record(resource_id, update, condition, values)[0]

    def _touch_update(
        self, resource_id: str, update: str, condition: str, values: dict[str, Any]
    ) -> bool | None:
        """``touch``'s conditional UpdateItem; whether the record was stable before it, from
        the record as it was, which the same request returns (``ALL_OLD``: ``UPDATED_OLD``
        may leave out an attribute set to the value it had). When the condition failed, from
        the record as it stands, unless this very update made it (the same ``LastUpdate`` from
        the same file: an earlier attempt of the same stream batch): None then, and if the
        record is gone."""
        applied, record = self._update_record(
            resource_id,
            update,
            condition,
            values,
            ReturnValues="ALL_OLD",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        if not record:
            return None
        if not applied:
            current = load_item(record)
            if (current.get("LastUpdate"), current.get("tby")) == (values[":t"], values[":f"]):
                return None
        return "ustb" not in record

    def _update_record(
        self,
        resource_id: str,
        update: str,
        condition: str,
        values: dict[str, Any],
        **returned: str,
    ) -> tuple[bool, dict[str, Any]]:
        """A conditional UpdateItem of a record: whether it was applied, and the attributes
        the ``returned`` options asked for (the record's, when the condition failed)."""
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key=dump_item({"pk": resource_id, "sk": RECORD}),
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeValues=dump_item(values),
                **returned,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False, exc.response.get("Item", {})
        return True, answer.get("Attributes", {})

    def delete(self, records: list[Resource]) -> None:
        """Delete records with their links from their parents and their label items (the
        registry counts lowered in the same transaction), in the order given.

        Callers pass children before parents, so a crash leaves a consistent tree that a retry
        of the same DELETE finishes. Each transaction carries its own share of the counter
        update, and each record is conditioned on still existing, so a retried or concurrent
        delete never decrements twice.
        """
        pending = list(records)
        per_record = 2
        conflicts = 0
        while pending:
            chunk, pending = _take_chunk(pending, per_record)
            try:
                self._delete_chunk(chunk)
            except TransactionConflict as conflict:
                # A transient conflict retries as is; see _still_there for failed conditions.
                conflicts += 1
                if conflicts > MAX_CONFLICT_RETRIES:
                    raise write_conflicts() from conflict
                if not conflict.failed:
                    time.sleep(random.uniform(0, 0.01 * conflicts))
                pending = self._still_there(chunk, conflict.failed) + pending

    def _still_there(self, chunk: list[Resource], failed: set[str]) -> list[Resource]:
        """The chunk without the records deleted meanwhile. A record is also refused when its
        labels or attachments are not the ones given (descendants are rebuilt from links,
        which do not carry labels, and either may change concurrently): those are read again
        (one BatchGetItem) and retried as they are now."""
        current = self.get_many(failed) if failed else {}
        return [
            replace(
                record,
                labels=current[record.id].labels,
                attachments=current[record.id].attachments,
            )
            if record.id in failed
            else record
            for record in chunk
            if record.id not in failed or record.id in current
        ]

    def _delete_chunk(self, chunk: list[Resource]) -> None:
        delta = Counts()
        actions: list[dict[str, Any]] = []
        for record in chunk:
            delta = delta + Counts.one(record.level, record.file_size + record.attachments_size)
            condition, values = _as_read(record)
            delete: dict[str, Any] = {
                "TableName": self._table,
                "Key": dump_item({"pk": record.id, "sk": RECORD}),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": dump_item(values),
            }
            actions.append({"Delete": delete})
        ids = [r.id for r in chunk]
        for record in chunk:
            if record.parent:
                key = {"pk": record.parent, "sk": LINK_PREFIX + record.id}
                actions.append({"Delete": {"TableName": self._table, "Key": dump_item(key)}})
        actions += self._label_deletes(chunk)
        actions.append(self._counter_update(-delta))
        self._transact(actions, ids)

    def _label_deletes(self, chunk: list[Resource]) -> list[dict[str, Any]]:
        """The label items of deleted records, and the registry counts they leave (one update
        per label: a transaction may not touch an item twice)."""
        actions: list[dict[str, Any]] = []
        counts: dict[str, int] = {}
        for record in chunk:
            for label in record.labels:
                key = label_member_key(label, record.level, record.id)
                actions.append({"Delete": {"TableName": self._table, "Key": dump_item(key)}})
                counts[label] = counts.get(label, 0) + 1
        return actions + [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": dump_item(label_count_key(label)),
                    "UpdateExpression": "ADD #n :d",
                    "ExpressionAttributeNames": {"#n": "Count"},
                    "ExpressionAttributeValues": dump_item({":d": -count}),
                }
            }
            for label, count in sorted(counts.items())
        ]


def _unchanged(attributes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A condition that the record exists and holds ``attributes`` as read (an empty value
    read may also be an absent attribute)."""
    condition = "attribute_exists(pk)"
    values: dict[str, Any] = {}
    for name, value in attributes.items():
        values[f":old{name}"] = value
        if value:
            condition += f" AND {name} = :old{name}"
        else:
            condition += f" AND (attribute_not_exists({name}) OR {name} = :old{name})"
    return condition, values


def _as_read(record: Resource) -> tuple[str, dict[str, Any]]:
    """A condition that a record exists and carries exactly the labels and user attachments
    of ``record``: what a delete or an overwrite removes with it (label items, counts, S3
    objects) is then what the record holds, even if a label or an attachment was written
    between the read and the write."""
    condition, values = _unchanged({"Att": attachments_value(record.attachments)})
    if not record.labels:
        return condition + " AND attribute_not_exists(Labels)", values
    values[":nlabels"] = len(record.labels)
    condition += " AND size(Labels) = :nlabels"
    for number, label in enumerate(record.labels):
        values[f":label{number}"] = label
        condition += f" AND contains(Labels, :label{number})"
    return condition, values


def _take_chunk(pending: list[Resource], per_record: int) -> tuple[list[Resource], list[Resource]]:
    """The first records that fit in one transaction, and the rest: ``per_record`` actions
    each, one per label item, one per distinct label counted, and the counter update."""
    budget = MAX_TRANSACTION_ITEMS - 1
    labels: set[str] = set()
    taken = 0
    for record in pending:
        cost = per_record + len(record.labels) + len(set(record.labels) - labels)
        if taken and cost > budget:
            break
        budget -= cost
        labels |= set(record.labels)
        taken += 1
    return pending[:taken], pending[taken:]
