"""POST /tools/find on Cirrus and on Orthanc 1.10.1 holding the same generated archive.

    .venv/bin/python bench/find.py                      # 10,000 instances, both targets
    .venv/bin/python bench/find.py --instances 2000     # a quick look
    .venv/bin/python bench/find.py --instances 100000   # long: see bench/README.md

Both targets get the same deterministic data set (``--instances``): patients of 1 to 3
studies, each study of 2 series (one CT, one MR) of 10 instances, StudyDates scattered over
2015-2024. The files are generated once with pydicom (no pixel data).

Filling is the slow part, and not what is measured, so each target is filled the fastest way
that still gives it exactly what an upload would:

- Orthanc gets the files over REST (``POST /instances``, several threads).
- Cirrus's index items are written straight into the emulator with BatchWriteItem: each file
  goes through the ingest's own parsing and record building (``parse_file`` and
  ``_records``), so the records, child links and counter shards are the ones an upload writes
  (uploading 100,000 files through the local stack would take an hour; ``ingest.py`` measures
  that path). Only the DICOM files are not written to S3: queries on tags that are not main
  DICOM tags (which read a file per candidate) are therefore not benchmarked.

Each query then runs ``--warmup`` untimed and ``--repeat`` timed times against each target.
The table gives the median and worst latency, the number of answers, and for Cirrus the mean
AWS requests per query by operation, the items DynamoDB returned and the time spent waiting
for the emulator. Answers are compared between the targets (the same IDs as sets; only the
count when a ``Limit`` cuts the answer, since the two list in different orders).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import requests
from cirrus_target import CirrusServer  # first: puts the repository root on sys.path
from ingest import log
from pydicom.dataset import Dataset
from pydicom.uid import CTImageStorage, MRImageStorage
from servers import MotoProcess, OrthancServer, post_instances

from chalicelib.dicom.identifiers import Level, compute_ids
from chalicelib.model import ChildLink, Counts, Resource
from chalicelib.services.resources.ingest import IngestService, Origin, parse_file
from chalicelib.storage.blobs import blob_key
from chalicelib.storage.index import (
    STAT_SHARDS,
    STATS_PREFIX,
    dump_item,
    label_count_key,
    link_item,
    resource_item,
)
from chalicelib.storage.labels import label_items
from tests.support.dicom_factory import to_file

SERIES_PER_STUDY = 2
INSTANCES_PER_SERIES = 10
ROOT = "1.2.826.0.1.3680043.10.543"  # UID root of the generated identifiers
FIRST_DAY = date(2015, 1, 1)
DAYS = 3653  # 2015-01-01 .. 2024-12-31
DAY_STEP = 1237  # prime to DAYS: consecutive studies land on scattered, distinct days
DESCRIPTIONS = ("HEAD CT", "CHEST CT", "KNEE MRI", "ABDOMEN", "SPINE")
MODALITIES = ("CT", "MR")
ORTHANC_THREADS = 8
DYNAMODB_WRITERS = 4
BATCH_WRITE = 25  # DynamoDB's limit per BatchWriteItem
FILE_NAMESPACE = uuid.UUID("5b4f2f0e-0c53-4a1b-9b0e-6a3d1f2c7e10")
# One study in LABEL_EVERY carries LABEL (Cirrus only: Orthanc 1.10.1 has no labels).
LABEL = "bench"
LABEL_EVERY = 50


# -- the data set --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    """One generated study: ``number`` counts studies over the whole archive."""

    patient: int
    index: int  # among the patient's studies
    number: int

    @property
    def date(self) -> date:
        return FIRST_DAY + timedelta(days=(self.number * DAY_STEP) % DAYS)


def studies_of(patient: int) -> int:
    """1, 3, 2, 1, 3, 2... studies: 2 on average, and some patients with several dates."""
    return 1 + (2 * patient) % 3


def plan(instances: int) -> list[Study]:
    """The studies holding ``instances`` instances (the last one possibly incomplete)."""
    per_study = SERIES_PER_STUDY * INSTANCES_PER_SERIES
    studies: list[Study] = []
    patient = 0
    while len(studies) * per_study < instances:
        for index in range(studies_of(patient)):
            studies.append(Study(patient, index, len(studies)))
        patient += 1
    return studies[: -(-instances // per_study)]


def dataset(study: Study, series: int, instance: int) -> Dataset:
    """One instance; its tags depend only on its position, so every run has the same archive."""
    ds = Dataset()
    ds.PatientID = f"P{study.patient:06d}"
    ds.PatientName = f"DOE^JOHN{study.patient}"
    ds.PatientSex = "MF"[study.patient % 2]
    ds.PatientBirthDate = f"{1940 + study.patient % 60}0101"
    ds.StudyInstanceUID = f"{ROOT}.{study.patient}.{study.index}"
    ds.StudyDate = f"{study.date:%Y%m%d}"
    ds.StudyTime = "101500"
    ds.AccessionNumber = f"A{study.number:06d}"
    ds.StudyDescription = DESCRIPTIONS[study.number % len(DESCRIPTIONS)]
    ds.ReferringPhysicianName = ""
    ds.StudyID = str(study.index + 1)
    ds.SeriesInstanceUID = f"{ds.StudyInstanceUID}.{series}"
    ds.Modality = MODALITIES[series % len(MODALITIES)]
    ds.SeriesNumber = series + 1
    ds.SeriesDescription = f"{ds.Modality} series"
    ds.SOPInstanceUID = f"{ds.SeriesInstanceUID}.{instance}"
    ds.SOPClassUID = CTImageStorage if ds.Modality == "CT" else MRImageStorage
    ds.InstanceNumber = instance + 1
    return ds


def labelled_studies(instances: int) -> list[Study]:
    """The studies carrying ``LABEL``."""
    return [study for study in plan(instances) if study.number % LABEL_EVERY == 0]


def study_id(study: Study) -> str:
    ds = dataset(study, 0, 0)
    return compute_ids(
        ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID
    ).study


def study_files(study: Study) -> list[bytes]:
    """The Part 10 files of one study, a series after the other."""
    return [
        to_file(dataset(study, series, instance))
        for series in range(SERIES_PER_STUDY)
        for instance in range(INSTANCES_PER_SERIES)
    ]


def generate(instances: int) -> list[bytes]:
    """The files of the archive, in upload order (a study's instances together).

    pydicom takes about 2 ms per file, which is minutes at 100,000: one worker per core
    shares the work (forked before any server starts, so they copy nothing big).
    """
    files: list[bytes] = []
    with multiprocessing.get_context("fork").Pool() as pool:
        for chunk in pool.imap(study_files, plan(instances), chunksize=20):
            files += chunk
    return files[:instances]


# -- filling -------------------------------------------------------------------------------------


def fill_orthanc(url: str, files: Sequence[bytes]) -> None:
    """Upload every file; any answer but a new instance stops the run, the comparison would
    be void."""
    for answer in post_instances(url, files, ORTHANC_THREADS):
        if answer.get("Status") != "Success":
            raise RuntimeError(f"Orthanc did not store a new instance: {answer}")


def index_items(files: Iterable[bytes], labelled: frozenset[str]) -> Iterator[dict[str, Any]]:
    """The items an upload of each file writes to the ``index`` table, then the counters;
    the studies whose StudyInstanceUID is in ``labelled`` carry ``LABEL``, with the items
    ``PUT /studies/{id}/labels/{label}`` writes.

    The records come from the ingest's own code, so they carry what a real upload stores
    (main tags, ancestors, ``new_ancestors``, metadata...). They are written stable (no
    ``ustb``): the state an archive is in once the stability check has run, which nothing
    runs here. Counter totals are spread over the shards as concurrent uploads would.
    """
    existing: dict[str, Resource] = {}
    shards = [Counts() for _ in range(STAT_SHARDS)]
    carrying = 0
    for number, data in enumerate(files):
        parsed = parse_file(data)
        file_uuid = str(uuid.uuid5(FILE_NAMESPACE, parsed.ids.instance))
        key = blob_key(parsed.ids.instance, file_uuid)
        md5 = hashlib.md5(data).hexdigest()
        records = IngestService._records(parsed, existing, Origin(), len(data), md5, file_uuid, key)
        for record in records:
            record.unstable = False
            if record.level is Level.STUDY and record.dicom_uid in labelled:
                record.labels = (LABEL,)
                carrying += 1
                yield from label_items(record.level, record.id, record.labels)
            if record.level is not Level.INSTANCE:  # later instances must find it
                existing[record.id] = record
            shards[number % STAT_SHARDS] += Counts.one(record.level, record.file_size)
            yield resource_item(record)
            if record.parent:
                yield link_item(
                    ChildLink(
                        record.parent,
                        record.id,
                        record.level,
                        record.file_size,
                        record.blob_key,
                        record.index_in_series,
                    )
                )
    for shard, counts in enumerate(shards):
        yield {
            "pk": f"{STATS_PREFIX}{shard:02d}",
            "sk": "R",
            "Patients": counts.patients,
            "Studies": counts.studies,
            "Series": counts.series,
            "Instances": counts.instances,
            "DiskSize": counts.disk_size,
        }
    if carrying:
        yield {**label_count_key(LABEL), "Count": carrying}


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fill_cirrus(files: Sequence[bytes], labelled: frozenset[str]) -> int:
    """Write the index items with BatchWriteItem; returns how many were written.

    The emulator runs one request at a time, but building the items (pydicom parsing) and
    botocore's request encoding happen here, so a few writer threads overlap them with the
    emulator's work. At most a few batches wait at once: 100,000 instances stay in bounds.
    """
    from chalicelib.storage import aws
    from chalicelib.storage.schema import table_name

    client = aws.client("dynamodb")
    table = table_name("index")

    def write(batch: list[dict[str, Any]]) -> None:
        request = {table: [{"PutRequest": {"Item": dump_item(item)}} for item in batch]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    written = 0
    pending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(DYNAMODB_WRITERS) as pool:
        for batch in _batches(index_items(files, labelled), BATCH_WRITE):
            pending.append(pool.submit(write, batch))
            written += len(batch)
            while len(pending) > 4 * DYNAMODB_WRITERS:
                pending.popleft().result()
        for future in pending:
            future.result()
    return written


def statistics_counts(url: str) -> dict[str, int]:
    """GET /statistics reduced to the resource counts (disk sizes legitimately differ)."""
    answer = requests.get(f"{url}/statistics", timeout=60).json()
    keys = ("CountPatients", "CountStudies", "CountSeries", "CountInstances")
    return {key: answer.get(key) for key in keys}


# -- the queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A /tools/find body; ``limited`` answers can only be compared by count. Orthanc
    1.10.1 cannot answer a search by labels: Cirrus's answer is then compared with
    ``expected`` (its comparable form, known from the generated archive)."""

    name: str
    body: dict[str, Any]
    expected: Any = None

    @property
    def limited(self) -> bool:
        return "Limit" in self.body


def queries(instances: int) -> list[Query]:
    """The benchmarked searches, aimed at a patient in the middle of the archive that has
    three studies, so that identifier searches have something to expand."""
    studies = plan(instances)
    middle = studies[len(studies) // 2].patient
    target = next(
        (s for s in studies if s.patient >= middle and studies_of(s.patient) == 3), studies[-1]
    )
    ds = dataset(target, 1, 3)
    month = f"{target.date:%Y%m%d}-{target.date + timedelta(days=30):%Y%m%d}"
    year = f"{target.date:%Y%m%d}-{target.date + timedelta(days=365):%Y%m%d}"

    def find(level: str, query: dict[str, str], **options: Any) -> dict[str, Any]:
        return {"Level": level, "Query": query, **options}

    return [
        Query("1 Study by PatientID", find("Study", {"PatientID": ds.PatientID})),
        Query(
            "2 Study by StudyInstanceUID",
            find("Study", {"StudyInstanceUID": ds.StudyInstanceUID}),
        ),
        Query(
            "3 Series by SeriesInstanceUID",
            find("Series", {"SeriesInstanceUID": ds.SeriesInstanceUID}),
        ),
        Query(
            "4 Instance by SOPInstanceUID",
            find("Instance", {"SOPInstanceUID": ds.SOPInstanceUID}),
        ),
        Query("5 Study by AccessionNumber", find("Study", {"AccessionNumber": ds.AccessionNumber})),
        Query("6 Study by StudyDate, 1 month", find("Study", {"StudyDate": month})),
        Query(
            "7 Study by StudyDate 1 year, Limit 10", find("Study", {"StudyDate": year}, Limit=10)
        ),
        Query("8 Series by PatientID", find("Series", {"PatientID": ds.PatientID})),
        Query(
            "9 Study by PatientName DOE^JOHN12* (scan)",
            find("Study", {"PatientName": "DOE^JOHN12*"}),
        ),
        Query(
            "10 Study by ModalitiesInStudy CT, Limit 20",
            find("Study", {"ModalitiesInStudy": "CT"}, Limit=20),
        ),
        Query("11 Study, no constraint, Limit 100", find("Study", {}, Limit=100)),
        Query(
            "12 Study by PatientID, Expand",
            find("Study", {"PatientID": ds.PatientID}, Expand=True),
        ),
        Query(
            "13 Instance by PatientID+Modality",
            find("Instance", {"PatientID": ds.PatientID, "Modality": "MR"}),
        ),
        Query(
            "14 Study by label (Cirrus only)",
            find("Study", {}, Labels=[LABEL]),
            expected=frozenset(study_id(s) for s in labelled_studies(instances)),
        ),
        Query(
            "15 Study without label, Limit 100 (Cirrus only)",
            find("Study", {}, Labels=[LABEL], LabelsConstraint="None", Limit=100),
            expected=min(100, len(studies) - len(labelled_studies(instances))),
        ),
    ]


class ItemCounter:
    """Items DynamoDB returned (what a query costs in read capacity), from botocore's parsed
    answers; the Cirrus server answers from its own thread, hence the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items = 0

    def attach(self, client: Any) -> None:
        client.meta.events.register("after-call.dynamodb", self._after_call)

    def _after_call(self, parsed: dict[str, Any], **_: Any) -> None:
        if "Responses" in parsed:  # BatchGetItem
            count = sum(len(items) for items in parsed["Responses"].values())
        elif "Count" in parsed:  # Query, Scan
            count = parsed["Count"]
        else:
            count = int("Item" in parsed)
        with self._lock:
            self.items += count

    def take(self) -> int:
        with self._lock:
            count, self.items = self.items, 0
        return count


@dataclass
class Measure:
    """One query on one target: timed runs, and what the answers were."""

    latencies: list[float] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)  # comparable form, one per run
    results: int = 0
    requests: Counter[str] = field(default_factory=Counter)  # summed over the timed runs
    items: int = 0
    aws_seconds: float = 0.0
    error: str | None = None

    def per_run(self, value: float) -> float:
        return value / len(self.latencies) if self.latencies else 0.0


def comparable(query: Query, answer: list[Any]) -> Any:
    """What must agree between targets: the set of IDs, or the count when Limit cut it."""
    if query.limited:
        return len(answer)
    return frozenset(a["ID"] if isinstance(a, dict) else a for a in answer)


def measure(
    url: str,
    query: Query,
    warmup: int,
    repeat: int,
    cirrus: CirrusServer | None = None,
    items: ItemCounter | None = None,
) -> Measure:
    """Run ``query`` untimed ``warmup`` times (the emulator rebuilds its sorted item order
    after the fill, once), then ``repeat`` timed times; a failure is kept, not raised, so
    that one product bug does not hide the other queries' figures."""
    result = Measure()
    with requests.Session() as session:
        for run in range(warmup + repeat):
            timed = run >= warmup
            if cirrus is not None and items is not None:
                cirrus.counter.reset()
                items.take()
            started = time.perf_counter()
            response = session.post(f"{url}/tools/find", json=query.body, timeout=600)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                result.error = f"HTTP {response.status_code}: {response.text[:300]}"
                return result
            answer = response.json()
            if not timed:
                continue
            result.latencies.append(elapsed)
            result.answers.append(comparable(query, answer))
            result.results = len(answer)
            if cirrus is not None and items is not None:
                result.requests += cirrus.counter.snapshot()[0]
                result.aws_seconds += cirrus.counter.total_seconds
                result.items += items.take()
    return result


# -- reporting -----------------------------------------------------------------------------------


def _latency(m: Measure) -> str:
    if m.error:
        return "FAILED"
    return f"{statistics.median(m.latencies) * 1000:.1f}/{max(m.latencies) * 1000:.1f}"


def _number(value: float) -> str:
    return f"{value:.0f}" if value == round(value) else f"{value:.2f}"


def _requests(m: Measure) -> str:
    """Mean requests per query, total then by operation, e.g. "3: Query 2, BatchGetItem 1"."""
    if m.error:
        return "-"
    by_operation = sorted(m.requests.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = [f"{op.split(':')[-1]} {_number(m.per_run(n))}" for op, n in by_operation]
    total = _number(m.per_run(sum(m.requests.values())))
    return f"{total}: {', '.join(parts)}" if parts else total


def verdict(query: Query, ours: Measure, theirs: Measure | None) -> str | None:
    """None when both targets agree on every run (or Cirrus gives the expected answer to a
    query Orthanc cannot answer); else what differs."""
    if theirs is None:
        theirs = Measure(answers=[query.expected])
    if ours.error or theirs.error:
        return f"cirrus {ours.error or 'ok'}; orthanc {theirs.error or 'ok'}"
    if len(set(ours.answers)) > 1 or len(set(theirs.answers)) > 1:
        return "answers differ between runs of the same target"
    if ours.answers[0] != theirs.answers[0]:
        if query.limited:
            return f"{ours.answers[0]} answers vs Orthanc's {theirs.answers[0]}"
        missing, extra = theirs.answers[0] - ours.answers[0], ours.answers[0] - theirs.answers[0]
        return f"{len(missing)} of Orthanc's answers missing, {len(extra)} extra"
    return None


def table(rows: Sequence[tuple[Query, Measure, Measure | None]]) -> list[str]:
    """Side by side: latency and answers of both, then Cirrus's AWS costs."""
    header = (
        "query",
        "cirrus p50/max ms",
        "n",
        "orthanc p50/max ms",
        "n",
        "same",
        "AWS ms",
        "items",
        "cirrus AWS requests per query",
    )
    lines = [header]
    for query, ours, theirs in rows:
        lines.append(
            (
                query.name,
                _latency(ours),
                "-" if ours.error else str(ours.results),
                "-" if theirs is None else _latency(theirs),
                "-" if theirs is None or theirs.error else str(theirs.results),
                "yes" if verdict(query, ours, theirs) is None else "NO",
                "-" if ours.error else f"{ours.per_run(ours.aws_seconds) * 1000:.0f}",
                "-" if ours.error else _number(ours.per_run(ours.items)),
                _requests(ours),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return [
        "  ".join(
            cell.ljust(width) if i in (0, len(header) - 1) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    ]


# -- the run -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10000, help="archive size (10000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query (3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs per query first (1)")
    parser.add_argument("--orthanc-binary", help="Orthanc executable (/usr/sbin/Orthanc)")
    args = parser.parse_args(argv)
    if args.instances <= 0 or args.repeat <= 0 or args.warmup < 0:
        parser.error("--instances and --repeat must be positive, --warmup not negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    files = generate(args.instances)
    generated = time.monotonic() - began
    log(f"generated {len(files)} files in {generated:.1f} s")
    problems: list[str] = []
    rows: list[tuple[Query, Measure, Measure | None]] = []
    with ExitStack() as stack:
        orthanc = stack.enter_context(OrthancServer(binary=args.orthanc_binary))
        moto = stack.enter_context(MotoProcess())
        cirrus = stack.enter_context(CirrusServer(moto.url))
        log(f"orthanc on {orthanc.url}; cirrus on {cirrus.url} over the emulator on {moto.url}")
        from chalicelib.storage import aws

        items = ItemCounter()
        items.attach(aws.client("dynamodb"))

        started = time.monotonic()
        labelled = frozenset(
            dataset(s, 0, 0).StudyInstanceUID for s in labelled_studies(args.instances)
        )
        written = fill_cirrus(files, labelled)
        cirrus_fill = time.monotonic() - started
        log(f"cirrus filled: {written} items in {cirrus_fill:.1f} s")
        started = time.monotonic()
        fill_orthanc(orthanc.url, files)
        orthanc_fill = time.monotonic() - started
        log(f"orthanc filled in {orthanc_fill:.1f} s")
        del files
        counts = statistics_counts(cirrus.url), statistics_counts(orthanc.url)
        if counts[0] != counts[1]:
            problems.append(f"/statistics differ: cirrus {counts[0]}, orthanc {counts[1]}")

        for query in queries(args.instances):
            log(f"{query.name}...")
            ours = measure(cirrus.url, query, args.warmup, args.repeat, cirrus, items)
            theirs = (
                measure(orthanc.url, query, args.warmup, args.repeat)
                if query.expected is None
                else None
            )
            rows.append((query, ours, theirs))
            difference = verdict(query, ours, theirs)
            if difference is not None:
                problems.append(f"{query.name}: {difference}")
    total = time.monotonic() - began

    print(
        f"/tools/find, {args.instances} instances ({counts[1]['CountStudies']} studies, "
        f"{counts[1]['CountPatients']} patients), {args.warmup} untimed + {args.repeat} timed "
        "runs per query"
    )
    print(
        f"Fill: files generated in {generated:.1f} s; cirrus {cirrus_fill:.1f} s "
        f"({written} items, BatchWriteItem x{DYNAMODB_WRITERS} threads into the emulator); "
        f"orthanc {orthanc_fill:.1f} s (POST /instances x{ORTHANC_THREADS} threads)"
    )
    print("\n".join(table(rows)))
    print(f"Total run time {total:.0f} s.")
    if problems:
        print()
        print("!" * 72)
        print("!!! CIRRUS AND ORTHANC DISAGREE (or a query failed):")
        for problem in problems:
            print(f"!!! {problem}")
        print("!" * 72)
        return 1
    print("Same answers as Orthanc for every query; same /statistics counts.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
