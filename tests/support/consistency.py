"""Does the index table agree with the bucket and with its own counters?

The product keeps several copies of one truth, written by separate requests or transactions:
a resource record and its parent's link, an instance record and its file in S3, the
counter shards and the records they count, a record's ``Labels`` and the label member and
registry items. Fault injection (tests/integration/test_fault_injection.py), the SIGKILL test
and ``bench/consistency.py`` ask one question after their run: do they all still agree?

:func:`check` reads everything (a Scan of the index table and a listing of the bucket: a test
and operator tool, never a product path) and reports each disagreement as one line of
``Report.problems``. Objects under ``dicom/`` or ``attachments/`` that no record references
are reported apart, in ``Report.orphans``: a crash between the S3 write and the index write
leaves them by design (docs/architecture.md), invisible to clients, for the orphan sweeper to
remove; a test decides whether it runs the sweeper first or asserts there are none.

The keys come from the storage adapters themselves (``chalicelib.storage.index`` and
``blobs``), so the checker and the product cannot drift apart on a key's spelling; what it
checks is recomputed here from the items, independently of the product's own reads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.storage.blobs import INDEXED_PREFIXES, attachment_key
from chalicelib.storage.index import (
    LABEL_PREFIX,
    LABELS_IN_USE,
    LINK_PREFIX,
    RECORD,
    STATS_PREFIX,
    level_shard,
    load_item,
)

# The counter attributes and the /statistics names they answer.
COUNTERS = {
    "Patients": "CountPatients",
    "Studies": "CountStudies",
    "Series": "CountSeries",
    "Instances": "CountInstances",
    "DiskSize": "TotalDiskSize",
}
_COUNTER_OF_LEVEL = {
    Level.PATIENT: "Patients",
    Level.STUDY: "Studies",
    Level.SERIES: "Series",
    Level.INSTANCE: "Instances",
}


@dataclass
class Report:
    """What :func:`check` found. ``problems``: one sentence per disagreement (empty when the
    store is consistent); ``orphans``: referenced-prefix S3 keys that nothing references;
    ``counts``: the totals the records add up to, by counter name."""

    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Consistent and without orphans."""
        return not self.problems and not self.orphans

    def __str__(self) -> str:
        lines = [f"problem: {p}" for p in self.problems]
        lines += [f"orphan: {key}" for key in self.orphans]
        return "\n".join(lines) or "consistent"


@dataclass
class _Items:
    """The index table's items, sorted by kind."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    shards: list[dict[str, Any]] = field(default_factory=list)
    members: set[tuple[str, str]] = field(default_factory=set)  # (label, "<Level>#<id>")
    registry: dict[str, int] = field(default_factory=dict)  # label -> Count
    unknown: list[tuple[str, str]] = field(default_factory=list)


def check(dynamodb: Any, s3: Any, table: str, bucket: str) -> Report:
    """Compare the index table ``table`` with the bucket ``bucket`` and with its counters.

    ``dynamodb`` and ``s3`` are boto3 clients (the app's, moto's in-process ones, or clients
    of a running local stack's emulator)."""
    items = _read_index(dynamodb, table)
    objects = _list_objects(s3, bucket)
    report = Report()
    referenced = _check_records(items, objects, report)
    _check_links(items, report)
    _check_counters(items, report)
    _check_labels(items, report)
    for pk, sk in items.unknown:
        report.problems.append(f"unknown item pk={pk!r} sk={sk!r}")
    report.orphans = sorted(
        key for key in objects if key.startswith(INDEXED_PREFIXES) and key not in referenced
    )
    return report


def _read_index(dynamodb: Any, table: str) -> _Items:
    items = _Items()
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = dynamodb.scan(**kwargs)
        for raw in page["Items"]:
            _sort(load_item(raw), items)
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _sort(item: dict[str, Any], items: _Items) -> None:
    pk, sk = item["pk"], item["sk"]
    if pk.startswith(STATS_PREFIX) and sk == RECORD:
        items.shards.append(item)
    elif pk == LABELS_IN_USE and sk.startswith(LABEL_PREFIX):
        items.registry[sk[len(LABEL_PREFIX) :]] = int(item.get("Count", 0))
    elif pk.startswith(LABEL_PREFIX):
        items.members.add((pk[len(LABEL_PREFIX) :], sk))
    elif pk.startswith("#"):
        items.unknown.append((pk, sk))
    elif sk == RECORD:
        items.records[pk] = item
    elif sk.startswith(LINK_PREFIX):
        items.links[(pk, sk[len(LINK_PREFIX) :])] = item
    else:
        items.unknown.append((pk, sk))


def _list_objects(s3: Any, bucket: str) -> dict[str, int]:
    """Every key of the bucket with its size."""
    objects: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects.update((o["Key"], int(o["Size"])) for o in page.get("Contents", []))
    return objects


def _attachments(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(item.get("Att") or {})


def _check_records(items: _Items, objects: dict[str, int], report: Report) -> set[str]:
    """Each record against its parent, its link, its files; returns the S3 keys referenced."""
    referenced: set[str] = set()
    totals: Counter[str] = Counter({name: 0 for name in COUNTERS})
    has_children = {parent for parent, _ in items.links}
    for rid, record in sorted(items.records.items()):
        level = Level(record["Level"])
        totals[_COUNTER_OF_LEVEL[level]] += 1
        name = f"{level.value} {rid}"
        if record.get("lvl") != level_shard(level, rid):
            report.problems.append(f"{name}: lvl is {record.get('lvl')!r}")
        _check_parent(items, rid, record, level, report)
        if level is not Level.INSTANCE and rid not in has_children:
            report.problems.append(f"{name} has no children")
        for number, attachment in sorted(_attachments(record).items()):
            key = attachment_key(rid, attachment["Uuid"])
            referenced.add(key)
            totals["DiskSize"] += int(attachment["Size"])
            _check_object(
                objects, key, int(attachment["Size"]), f"{name} attachment {number}", report
            )
        if level is Level.INSTANCE:
            key, size = record.get("BlobKey", ""), int(record.get("FileSize", 0))
            referenced.add(key)
            totals["DiskSize"] += size
            _check_object(objects, key, size, f"{name} file", report)
            _check_ancestors(items, rid, record, report)
    report.counts = dict(totals)
    return referenced


def _check_parent(
    items: _Items, rid: str, record: dict[str, Any], level: Level, report: Report
) -> None:
    name = f"{level.value} {rid}"
    parent = record.get("Parent")
    if level.parent is None:
        if parent:
            report.problems.append(f"{name} has a parent {parent}")
        return
    parent_record = items.records.get(parent or "")
    if parent_record is None:
        report.problems.append(f"{name}: its parent {parent} has no record")
    elif parent_record["Level"] != level.parent.value:
        report.problems.append(f"{name}: its parent {parent} is a {parent_record['Level']}")
    link = items.links.get((parent or "", rid))
    if link is None:
        report.problems.append(f"{name}: no link from its parent {parent}")
        return
    expected: dict[str, Any] = {"Level": level.value, "Att": _attachments(record)}
    if level is Level.INSTANCE:
        expected.update(
            FileSize=record.get("FileSize"),
            BlobKey=record.get("BlobKey"),
            Index=record.get("Index"),
        )
    for attribute, value in expected.items():
        found = _attachments(link) if attribute == "Att" else link.get(attribute)
        if found != value:
            report.problems.append(
                f"{name}: its link's {attribute} is {found!r}, the record's {value!r}"
            )


def _check_ancestors(items: _Items, rid: str, record: dict[str, Any], report: Report) -> None:
    """``Anc`` (series, study, patient) must be the chain of ``Parent`` links."""
    chain: list[str] = []
    current = record.get("Parent")
    while current and current in items.records and len(chain) < 3:
        chain.append(current)
        current = items.records[current].get("Parent")
    if list(record.get("Anc", ())) != chain:
        report.problems.append(f"Instance {rid}: Anc is {record.get('Anc')}, the parents {chain}")


def _check_object(objects: dict[str, int], key: str, size: int, name: str, report: Report) -> None:
    if key not in objects:
        report.problems.append(f"{name}: s3 object {key!r} is missing")
    elif objects[key] != size:
        report.problems.append(f"{name}: s3 object {key!r} holds {objects[key]} bytes, not {size}")


def _check_links(items: _Items, report: Report) -> None:
    """A link whose child has no record, or a record naming another parent."""
    for parent, child in sorted(items.links):
        record = items.records.get(child)
        if record is None:
            report.problems.append(f"link {parent} -> {child}: the child has no record")
        elif record.get("Parent") != parent:
            report.problems.append(
                f"link {parent} -> {child}: the child's parent is {record.get('Parent')}"
            )


def _check_counters(items: _Items, report: Report) -> None:
    stored = Counter({name: 0 for name in COUNTERS})
    for shard in items.shards:
        for name in COUNTERS:
            stored[name] += int(shard.get(name, 0))
    for name, statistics_name in COUNTERS.items():
        if stored[name] != report.counts[name]:
            report.problems.append(
                f"counter {name} ({statistics_name}) is {stored[name]}, "
                f"the records add up to {report.counts[name]}"
            )


def _check_labels(items: _Items, report: Report) -> None:
    """Members against the records' ``Labels``, and the registry's counts against members."""
    expected = {
        (label, f"{record['Level']}#{rid}")
        for rid, record in items.records.items()
        for label in record.get("Labels", ())
    }
    for label, member in sorted(items.members - expected):
        report.problems.append(f"label {label!r}: member {member} without a labelled record")
    for label, member in sorted(expected - items.members):
        report.problems.append(f"label {label!r}: {member} carries it without a member item")
    carried = Counter(label for label, _ in items.members)
    for label in sorted(set(carried) | set(items.registry)):
        if carried[label] != items.registry.get(label, 0):
            report.problems.append(
                f"label {label!r}: the registry counts {items.registry.get(label, 0)}, "
                f"{carried[label]} resources carry it"
            )
