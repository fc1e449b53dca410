"""POST /tools/find on Cirrus and on Orthanc 1.10.1 holding the same generated archive.

Both targets get the same data set (``--instances``, 10,000 by default: patients of 2 studies
of 2 series of 10 instances). Orthanc is filled over REST with small DICOM files; Cirrus's
index is written directly to the emulator with BatchWriteItem, records built exactly as the
ingest builds them (uploading 100,000 files through the local stack would take an hour, and
the upload path has its own benchmark, ``ingest.py``). No DICOM files go to S3, so queries on
tags that are not main DICOM tags are not measured here.

Each query runs ``--repeat`` times against each target: the table gives the median and worst
latency, the number of answers, and for Cirrus the AWS requests and the items DynamoDB
returned per query. Answers are compared between the targets (as sets; by count when a
``Limit`` cuts them, since the two list in different orders).

    .venv/bin/python bench/find.py                     # 10,000 instances
    .venv/bin/python bench/find.py --instances 100000  # about 10 minutes more for Orthanc
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import requests
from cirrus_target import CirrusServer
from pydicom.dataset import Dataset
from pydicom.uid import CTImageStorage, MRImageStorage
from servers import MotoProcess, OrthancServer

# (cirrus_target put the repository root on the path: the product code comes from there.)
from chalicelib.dicom import main_tags  # noqa: E402
from chalicelib.dicom.identifiers import Level, compute_ids  # noqa: E402
from chalicelib.model import ChildLink, Counts, Resource  # noqa: E402
from chalicelib.storage.index import (  # noqa: E402
    STATS_PREFIX,
    dump_item,
    link_item,
    resource_item,
)
from tests.support.dicom_factory import to_file  # noqa: E402

STUDIES_PER_PATIENT = 2
SERIES_PER_STUDY = 2
INSTANCES_PER_SERIES = 10
PER_PATIENT = STUDIES_PER_PATIENT * SERIES_PER_STUDY * INSTANCES_PER_SERIES
ROOT = "1.2.826.0.1.3680043.10.543"
FIRST_DAY = date(2015, 1, 1)
DESCRIPTIONS = ("HEAD CT", "CHEST CT", "KNEE MRI", "ABDOMEN", "SPINE")
UPLOAD_THREADS = 8
BATCH_WRITE = 25


def dataset(patient: int, study: int, series: int, instance: int) -> Dataset:
    """One generated instance; its tags depend only on its position, so runs are equal."""
    number = patient * STUDIES_PER_PATIENT + study
    ds = Dataset()
    ds.PatientID = f"P{patient:06d}"
    ds.PatientName = f"DOE^JOHN{patient}"
    ds.PatientSex = "MF"[patient % 2]
    ds.PatientBirthDate = "19700101"
    ds.StudyInstanceUID = f"{ROOT}.{patient}.{study}"
    ds.StudyDate = (FIRST_DAY + timedelta(days=number % 3650)).strftime("%Y%m%d")
    ds.StudyTime = "101500"
    ds.AccessionNumber = f"A{number:07d}"
    ds.StudyDescription = DESCRIPTIONS[number % len(DESCRIPTIONS)]
    ds.ReferringPhysicianName = ""
    ds.StudyID = str(study)
    ds.SeriesInstanceUID = f"{ROOT}.{patient}.{study}.{series}"
    ds.Modality = ("CT", "MR")[series % 2]
    ds.SeriesNumber = series
    ds.SOPInstanceUID = f"{ROOT}.{patient}.{study}.{series}.{instance}"
    ds.SOPClassUID = CTImageStorage if ds.Modality == "CT" else MRImageStorage
    ds.InstanceNumber = instance + 1
    return ds


def positions(instances: int) -> list[tuple[int, int, int, int]]:
    patients = max(1, instances // PER_PATIENT)
    return [
        (p, st, se, i)
        for p in range(patients)
        for st in range(STUDIES_PER_PATIENT)
        for se in range(SERIES_PER_STUDY)
        for i in range(INSTANCES_PER_SERIES)
    ]


# -- filling -----------------------------------------------------------------------------------


def fill_orthanc(url: str, instances: int) -> float:
    started = time.monotonic()
    local = requests.Session()

    def upload(position: tuple[int, int, int, int]) -> None:
        response = local.post(f"{url}/instances", data=to_file(dataset(*position)), timeout=60)
        response.raise_for_status()

    with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
        list(pool.map(upload, positions(instances)))
    return time.monotonic() - started


def index_items(instances: int) -> list[dict[str, Any]]:
    """The index items the ingest would write for the data set (records, links, counters)."""
    items: list[dict[str, Any]] = []
    created: set[str] = set()
    total = Counts()
    now = "20261128T000000"
    for position in positions(instances):
        ds = dataset(*position)
        tags = main_tags.extract_main_tags(ds)
        ids = compute_ids(
            ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID
        )
        uids = (ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
        new = 0
        for level, uid in zip(Level, uids, strict=True):
            resource_id = ids.of(level)
            if resource_id in created:
                continue
            created.add(resource_id)
            parent = ids.of(level.parent) if level.parent else None
            record = Resource(
                id=resource_id,
                level=level,
                parent=parent,
                main_tags=tags[level.value],
                last_update=now,
                dicom_uid=uid,
            )
            if level is Level.STUDY:
                record.patient_main_tags = tags["Patient"]
            if level is Level.SERIES:
                record.expected_instances = main_tags.expected_number_of_instances(ds)
            if level is Level.INSTANCE:
                record.ancestors = (ids.series, ids.study, ids.patient)
                record.new_ancestors = new
                record.file_size = 1000
                record.file_uuid = f"bench-{resource_id}"
                record.blob_key = f"dicom/{resource_id}/bench.dcm"
                record.index_in_series = main_tags.index_in_series(ds)
            else:
                new += 1
            items.append(resource_item(record))
            if parent:
                link = ChildLink(
                    parent,
                    resource_id,
                    record.level,
                    record.file_size,
                    record.blob_key,
                    record.index_in_series,
                )
                items.append(link_item(link))
            total = total + Counts.one(record.level, record.file_size)
    shard = {  # one of the counter shards holds the totals: /statistics agrees
        "pk": f"{STATS_PREFIX}00",
        "sk": "R",
        "Patients": total.patients,
        "Studies": total.studies,
        "Series": total.series,
        "Instances": total.instances,
        "DiskSize": total.disk_size,
    }
    return [*items, shard]


def fill_cirrus(instances: int) -> float:
    from chalicelib.storage import aws
    from chalicelib.storage.schema import table_name

    started = time.monotonic()
    client = aws.client("dynamodb")
    table = table_name("index")
    items = index_items(instances)

    def write(chunk: list[dict[str, Any]]) -> None:
        request = {table: [{"PutRequest": {"Item": dump_item(i)}} for i in chunk]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    chunks = [items[i : i + BATCH_WRITE] for i in range(0, len(items), BATCH_WRITE)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, chunks))
    return time.monotonic() - started


# -- querying ----------------------------------------------------------------------------------


def queries(instances: int) -> list[tuple[str, dict[str, Any]]]:
    patients = max(1, instances // PER_PATIENT)
    p = patients // 2
    first = dataset(p, 1, 1, 3)
    month_start = FIRST_DAY + timedelta(days=(p * 2) % 3650)
    month = f"{month_start:%Y%m%d}-{month_start + timedelta(days=30):%Y%m%d}"
    return [
        ("Study by PatientID", {"Level": "Study", "Query": {"PatientID": first.PatientID}}),
        (
            "Study by StudyInstanceUID",
            {"Level": "Study", "Query": {"StudyInstanceUID": first.StudyInstanceUID}},
        ),
        (
            "Series by SeriesInstanceUID",
            {"Level": "Series", "Query": {"SeriesInstanceUID": first.SeriesInstanceUID}},
        ),
        (
            "Instance by SOPInstanceUID",
            {"Level": "Instance", "Query": {"SOPInstanceUID": first.SOPInstanceUID}},
        ),
        (
            "Study by AccessionNumber",
            {"Level": "Study", "Query": {"AccessionNumber": first.AccessionNumber}},
        ),
        ("Study by StudyDate, 1 month", {"Level": "Study", "Query": {"StudyDate": month}}),
        (
            "Study by StudyDate, Limit 10",
            {"Level": "Study", "Query": {"StudyDate": month}, "Limit": 10},
        ),
        ("Series by PatientID", {"Level": "Series", "Query": {"PatientID": first.PatientID}}),
        (
            "Instance by PatientID+Modality",
            {"Level": "Instance", "Query": {"PatientID": first.PatientID, "Modality": "MR"}},
        ),
        (
            "Study by PatientName wildcard (scan)",
            {"Level": "Study", "Query": {"PatientName": f"DOE^JOHN{p}*"}},
        ),
        (
            "Study by ModalitiesInStudy, Limit 20",
            {"Level": "Study", "Query": {"ModalitiesInStudy": "CT"}, "Limit": 20},
        ),
        ("Study, no constraint, Limit 100", {"Level": "Study", "Query": {}, "Limit": 100}),
        (
            "Study by PatientID, Expand",
            {"Level": "Study", "Query": {"PatientID": first.PatientID}, "Expand": True},
        ),
    ]


@dataclass
class Measure:
    latencies: list[float]
    answer: Any
    requests: Counter[str]
    items: int


def measure(url: str, body: dict[str, Any], repeat: int, cirrus: CirrusServer | None) -> Measure:
    session = requests.Session()
    latencies: list[float] = []
    answer: Any = None
    requests_seen: Counter[str] = Counter()
    items = 0
    for _ in range(repeat):
        if cirrus is not None:
            cirrus.counter.reset()
            ITEMS.clear()
        started = time.perf_counter()
        response = session.post(f"{url}/tools/find", json=body, timeout=600)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        answer = response.json()
        if cirrus is not None:
            requests_seen = Counter(cirrus.counter.snapshot()[0])
            items = sum(ITEMS.values())
    return Measure(latencies, answer, requests_seen, items)


ITEMS: Counter[str] = Counter()


def count_items(model: Any, parsed: dict[str, Any], **_: Any) -> None:
    """How many items DynamoDB returned: what a query costs in read capacity."""
    if "Count" in parsed:
        ITEMS[model.name] += parsed["Count"]
    elif "Responses" in parsed:
        ITEMS[model.name] += sum(len(v) for v in parsed["Responses"].values())
    elif "Item" in parsed:
        ITEMS[model.name] += 1


def comparable(body: dict[str, Any], answer: Any) -> Any:
    if "Limit" in body:
        return len(answer)
    return sorted(a["ID"] if isinstance(a, dict) else a for a in answer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with ExitStack() as stack:
        orthanc = stack.enter_context(OrthancServer())
        moto = stack.enter_context(MotoProcess())
        cirrus = stack.enter_context(CirrusServer(moto.url))
        from chalicelib.storage import aws

        aws.client("dynamodb").meta.events.register("after-call.dynamodb.*", count_items)
        print(f"Filling both with {len(positions(args.instances))} instances...", flush=True)
        cirrus_fill = fill_cirrus(args.instances)
        print(f"  cirrus (BatchWriteItem into the emulator): {cirrus_fill:.1f} s", flush=True)
        orthanc_fill = fill_orthanc(orthanc.url, args.instances)
        print(
            f"  orthanc (REST uploads, {UPLOAD_THREADS} threads): {orthanc_fill:.1f} s", flush=True
        )
        rows = []
        mismatches = []
        for name, body in queries(args.instances):
            ours = measure(cirrus.url, body, args.repeat, cirrus)
            theirs = measure(orthanc.url, body, args.repeat, None)
            if comparable(body, ours.answer) != comparable(body, theirs.answer):
                mismatches.append(name)
            requests_text = ", ".join(
                f"{op.split(':')[-1]} {n}" for op, n in sorted(ours.requests.items())
            )
            rows.append((name, ours, theirs, requests_text))
        print()
        print(f"/tools/find, {len(positions(args.instances))} instances, {args.repeat} runs each")
        header = (
            f"{'query':38} {'cirrus p50/max ms':>18} {'n':>4} {'items':>6}"
            f"  {'orthanc p50/max ms':>19} {'n':>4}  cirrus AWS requests"
        )
        print(header)
        for name, ours, theirs, requests_text in rows:
            print(
                f"{name:38} {_ms(ours.latencies):>18} {len(ours.answer):>4} {ours.items:>6}"
                f"  {_ms(theirs.latencies):>19} {len(theirs.answer):>4}  {requests_text}"
            )
        if mismatches:
            print(f"\nANSWERS DIFFER from Orthanc for: {', '.join(mismatches)}")
            return 1
        print("\nSame answers as Orthanc for every query.")
    return 0


def _ms(latencies: list[float]) -> str:
    return f"{statistics.median(latencies) * 1000:.1f}/{max(latencies) * 1000:.1f}"


if __name__ == "__main__":
    sys.exit(main())
