"""Modify and anonymize benchmark: instances per second of ``POST /studies/{id}/anonymize`` and
``/modify``, Cirrus vs Orthanc 1.10.1.

    .venv/bin/python bench/modify.py                       # one study of 500 instances, 10 KB each
    .venv/bin/python bench/modify.py --instances 20        # a quick check (about 20 s)
    .venv/bin/python bench/modify.py --mode async --repeat 2
    .venv/bin/python bench/modify.py --profile             # also: where Cirrus's job time goes

One run on this machine, everything started by the benchmark on free ports in temporary
directories (nothing listens on 8042/4242/4566, and everything is stopped at the end, also on
Ctrl-C or SIGTERM): Debian's Orthanc 1.10.1 (fresh SQLite index, no plugins) and Cirrus's
local stack as ``make run`` runs it (``python -m local_stack``: moto emulator, Chalice REST
server, and the job runner that executes the Step Functions executions of the
``ResourceModification`` job).

One study of ``--instances`` CT-like instances (5 series, 64x64 16-bit, about 10 KB each, with
a few private tags, a ReferencedImageSequence pointing at the first slice of the series and a
RequestAttributesSequence) is generated with pydicom and uploaded to both servers, untimed.
Then, for each operation, each server in turn gets

- ``anonymize``: ``POST /studies/{id}/anonymize {"DicomVersion": "2021b"}``;
- ``modify``: ``POST /studies/{id}/modify {"Replace": {"StudyDescription": "bench"}}``;

and the figure is the wall time from the POST to its answer (synchronous), or to the first
``GET /jobs/{id}`` that sees ``Success`` (``"Asynchronous": true``). With ``--mode auto`` (the
default) the calls are synchronous until Cirrus's synchronous call times out
(``SynchronousJobTimeout``, 25 s by default): the benchmark then waits for that job, discards
its result, and measures everything from there on asynchronously on both servers.

After every run the new study must hold exactly ``--instances`` instances, the server's
``CountInstances`` must have grown by as many, and one new instance is checked (private tags
gone or kept; the sequence's reference mapped as the instance it points at by an
anonymization, left alone by a modification; the replaced StudyDescription). That
instance's tags (sequences walked) and metadata are then compared between the two servers,
leaving out what must differ (new UIDs and IDs, the generated PatientName,
DeidentificationMethod, times). Then the new study is deleted, so that every run
starts from the same state. A run starts once the servers are idle (after uploads and jobs,
the local stack's stream feed keeps the emulator busy for a while).

``--profile`` then runs the anonymization twice more on a second local stack whose job runner
is the benchmark's own (``CIRRUS_JOB_RUNNER=external``): once with timers around the phases
of an item (read the file from S3, modify it with pydicom, store it through the ingest path)
and a count of the AWS requests, once under cProfile (the hot functions). See bench/README.md.

Progress goes to stderr, results to stdout; the exit status is 1 if a job failed or a check
did not hold.
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from dicomgen import base_dataset, part10
from peers import (
    TICKS,
    machine_busy_ticks,
    own_ticks,
    start_cirrus,
    start_orthanc,
    wait_until_quiet,
)
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import (
    CTImageStorage,
    ExplicitVRLittleEndian,
    generate_uid,
)
from servers import REPO_ROOT, upload_study

SERIES_IN_STUDY = 5
FINISHED = ("Success", "Failure")
OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "anonymize": ("anonymize", {"DicomVersion": "2021b"}),
    "modify": ("modify", {"Replace": {"StudyDescription": "bench"}}),
}
PRIVATE_CREATOR = "CIRRUS BENCH"
# Jobs are polled every --poll seconds, or every 2% of the time waited if longer (0.5 s at most).
POLL_SHARE = 0.02
POLL_MAX = 0.5
# Cirrus's answer when a synchronous job outlives SynchronousJobTimeout names the job.
_TIMED_OUT_JOB = re.compile(r"as job ([0-9a-f-]{36})")


class BenchmarkError(RuntimeError):
    """A job failed, an upload was refused, or a result did not hold what it should."""


class SyncTimeout(Exception):
    """Cirrus's synchronous call gave up waiting; its job goes on as ``job_id``."""

    def __init__(self, job_id: str, seconds: float) -> None:
        super().__init__(job_id)
        self.job_id = job_id
        self.seconds = seconds


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the study -------------------------------------------------------------------------------


def _pixels(size: int, seed: int) -> bytes:
    """A cheap 16-bit gradient within 12 bits, different per seed (nobody decodes it here)."""
    row = b"".join(((x * 7 + seed * 13) & 0x0FFF).to_bytes(2, "little") for x in range(size))
    return row * size


def generate_study(count: int, size: int = 64) -> list[bytes]:
    """One study of ``count`` CT instances in 5 series, as Part 10 files (explicit VR LE).

    Besides the usual CT attributes, each instance has what an anonymization has to work on:
    patient and institution details, two private blocks (group 0009: text, a number and a
    per-instance value; group 0029: 256 bytes of OB), a ReferencedImageSequence whose item
    points at the first slice of the series (its UID must be remapped as that instance's is),
    and a RequestAttributesSequence with identifiers the profile removes or empties.
    """
    per_series = max(1, -(-count // SERIES_IN_STUDY))
    pixels = [_pixels(size, seed) for seed in range(8)]
    blob = bytes(range(256))
    study_uid = generate_uid()
    patient_id = f"BENCH-{generate_uid()[-10:]}"
    files: list[bytes] = []
    series_uid = frame_uid = first_in_series = ""
    for i in range(count):
        number, position = divmod(i, per_series)
        sop_uid = generate_uid()
        if position == 0:
            series_uid, frame_uid, first_in_series = generate_uid(), generate_uid(), sop_uid
        ds = base_dataset(size)  # the CT attributes every bench file has
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.SOPInstanceUID = sop_uid
        ds.StudyDate = ds.SeriesDate = ds.ContentDate = "20240101"
        ds.StudyTime = ds.SeriesTime = ds.ContentTime = "120000"
        ds.AccessionNumber = "ACC12345"
        ds.InstitutionName = "Cirrus General Hospital"
        ds.InstitutionAddress = "1 Cloud Street, Nimbus"
        ds.ReferringPhysicianName = "Referrer^Rita"
        ds.StationName = "CT01"
        ds.StudyDescription = "Modify benchmark"
        ds.SeriesDescription = f"Series {number + 1}"
        ds.OperatorsName = "Operator^Otto"
        ds.ManufacturerModelName = "Bench 1000"
        ds.ReferencedImageSequence = DicomSequence([_reference(first_in_series)])
        ds.PatientName = "Bench^Patient"
        ds.PatientID = patient_id
        ds.PatientBirthDate = "19700101"
        ds.PatientSex = "O"
        ds.PatientAge = "054Y"
        ds.PatientWeight = "70"
        ds.DeviceSerialNumber = "SN-0042"
        ds.SoftwareVersions = "1.0"
        ds.ProtocolName = "Chest routine"
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.StudyID = "1"
        ds.SeriesNumber = number + 1
        ds.InstanceNumber = position + 1
        ds.ImagePositionPatient = ["0", "0", f"{position:.1f}"]
        ds.FrameOfReferenceUID = frame_uid
        ds.SliceLocation = f"{position:.1f}"
        ds.RequestAttributesSequence = DicomSequence([_request_attributes()])
        block = ds.private_block(0x0009, PRIVATE_CREATOR, create=True)
        block.add_new(0x01, "LO", "private text")
        block.add_new(0x02, "DS", "1.5")
        block.add_new(0x03, "SH", f"slice-{i}")
        ds.private_block(0x0029, f"{PRIVATE_CREATOR} 2", create=True).add_new(0x10, "OB", blob)
        ds.PixelData = pixels[i % len(pixels)]
        ds["PixelData"].VR = "OW"
        files.append(part10(ds, ExplicitVRLittleEndian))
    return files


def _reference(sop_uid: str) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = CTImageStorage
    item.ReferencedSOPInstanceUID = sop_uid
    return item


def _request_attributes() -> Dataset:
    item = Dataset()
    item.RequestedProcedureID = "RP-7"
    item.ScheduledProcedureStepID = "SPS-7"
    item.ScheduledProcedureStepDescription = "CT chest"
    return item


# -- one server ------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    url: str
    session: requests.Session = field(default_factory=requests.Session)

    def get_json(self, path: str, **params: Any) -> Any:
        response = self.session.get(f"{self.url}{path}", params=params or None, timeout=120)
        if response.status_code != 200:
            raise BenchmarkError(
                f"{self.name}: GET {path} answered HTTP {response.status_code}: {response.text}"
            )
        return response.json()

    def count_instances(self) -> int:
        return int(self.get_json("/statistics")["CountInstances"])

    def delete_study(self, study: str) -> None:
        response = self.session.delete(f"{self.url}/studies/{study}", timeout=300)
        if response.status_code != 200:
            raise BenchmarkError(
                f"{self.name}: DELETE /studies/{study} answered HTTP {response.status_code}"
            )


def upload(server: Server, files: Sequence[bytes], workers: int) -> str:
    """POST every file to ``/instances``; the Orthanc ID of the (single) study."""
    try:
        return upload_study(server.name, server.url, files, workers)
    except RuntimeError as exc:
        raise BenchmarkError(str(exc)) from exc


def post_operation(
    server: Server, study: str, operation: str, asynchronous: bool, poll: float, timeout: float
) -> tuple[float, dict[str, Any], float | None]:
    """Run one operation: (wall seconds, the job's Content, EffectiveRuntime if polled).

    Raises ``SyncTimeout`` when a synchronous call answers that its job outlived the
    server's wait (Cirrus's SynchronousJobTimeout)."""
    route, body = OPERATIONS[operation]
    body = {**body, "Asynchronous": True} if asynchronous else dict(body)
    path = f"/studies/{study}/{route}"
    began = time.perf_counter()
    response = server.session.post(f"{server.url}{path}", json=body, timeout=timeout)
    seconds = time.perf_counter() - began
    if response.status_code != 200:
        match = _TIMED_OUT_JOB.search(response.text)
        if not asynchronous and match:
            raise SyncTimeout(match.group(1), seconds)
        raise BenchmarkError(
            f"{server.name}: POST {path} answered HTTP {response.status_code}: {response.text}"
        )
    answer = response.json()
    if not asynchronous:
        return seconds, answer, None
    job = wait_job(server, answer["ID"], poll, began + timeout)
    return time.perf_counter() - began, job["Content"], float(job.get("EffectiveRuntime", 0))


def wait_job(server: Server, job_id: str, poll: float, deadline: float) -> dict[str, Any]:
    """Poll ``GET /jobs/{id}`` until it is finished; the job, which must have succeeded.

    Every ``poll`` seconds at first, then every 2% of the time waited so far (at most 0.5 s):
    each GET costs Cirrus a DynamoDB read on the emulator, which runs one request at a time
    for the job as well, while a job of a few seconds still gets a fine resolution."""
    began = time.perf_counter()
    while True:
        job = server.get_json(f"/jobs/{job_id}")
        if job["State"] in FINISHED:
            break
        now = time.perf_counter()
        if now > deadline:
            raise BenchmarkError(f"{server.name}: job {job_id} not finished in time: {job}")
        time.sleep(min(max(poll, POLL_SHARE * (now - began)), POLL_MAX))
    if job["State"] != "Success":
        raise BenchmarkError(
            f"{server.name}: job {job_id} ended in {job['State']}: "
            f"{job.get('ErrorDescription')} {job.get('ErrorDetails')}"
        )
    return job


# -- checking a result -----------------------------------------------------------------------


def check_result(
    server: Server, operation: str, source: str, content: dict[str, Any], count: int, before: int
) -> tuple[str, list[str], dict[str, Any]]:
    """The new study's ID, the problems found with it (none: an empty list), and the tags of
    its second slice of series 1 (to compare the servers' results)."""
    problems: list[str] = []
    new = content.get("ID")
    if not new or content.get("Type") != "Study" or new == source:
        raise BenchmarkError(f"{server.name}: {operation} answered no new study: {content}")
    instances = server.get_json(f"/studies/{new}/instances")
    if len(instances) != count:
        problems.append(f"the new study holds {len(instances)} instances, not {count}")
    created = _instances_created(server, before, count)
    if created != count:
        problems.append(f"CountInstances grew by {created}, not {count}")
    # A modification leaves references alone; an anonymization maps them as the instances.
    if operation == "anonymize":
        targets, where = instances, "the new study"
    else:
        targets, where = server.get_json(f"/studies/{source}/instances"), "the source study"
    sops = {i["MainDicomTags"].get("SOPInstanceUID") for i in targets}
    tags, instance = _sample_tags(server, instances)
    problems += _check_tags(tags, operation, sops, where)
    metadata = server.get_json(f"/instances/{instance}/metadata", expand="")
    return new, problems, {"tags": tags, "metadata": metadata}


def _sample_tags(server: Server, instances: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The tags and ID of the second slice of series 1 (its sequence references the first
    slice); of any second slice, or any instance, if there is none."""
    seconds = [i for i in instances if i["MainDicomTags"].get("InstanceNumber") == "2"]
    tags: dict[str, Any] = {}
    instance_id = ""
    for instance in seconds or instances[:1]:
        instance_id = instance["ID"]
        tags = server.get_json(f"/instances/{instance_id}/tags")
        if tags.get("0020,0011", {}).get("Value") == "1":
            break
    return tags, instance_id


def _instances_created(server: Server, before: int, expected: int, wait: float = 10.0) -> int:
    """How much CountInstances grew (Cirrus may update its statistics just after the job)."""
    deadline = time.monotonic() + wait
    while True:
        created = server.count_instances() - before
        if created == expected or time.monotonic() > deadline:
            return created
        time.sleep(0.2)


def _check_tags(
    tags: dict[str, Any], operation: str, sops: set[str | None], where: str
) -> list[str]:
    problems = []
    private = sorted(k for k in tags if int(k.split(",")[0], 16) & 1)
    if operation == "anonymize":
        if private:
            problems.append(f"private tags left by the anonymization: {private}")
        name = str(tags.get("0010,0010", {}).get("Value", ""))
        if not name.startswith("Anonymized"):
            problems.append(f"PatientName is {name!r}, not Anonymized<N>")
    elif operation == "modify":
        if len(private) != 6:  # 2 private creators + 4 elements, kept by a modification
            problems.append(f"private tags after the modification: {private}")
        description = tags.get("0008,1030", {}).get("Value")
        if description != "bench":
            problems.append(f"StudyDescription is {description!r}, not 'bench'")
    items = tags.get("0008,1140", {}).get("Value") or []
    reference = items[0].get("0008,1155", {}).get("Value") if items else None
    if reference not in sops:
        problems.append(
            f"ReferencedImageSequence's ReferencedSOPInstanceUID {reference!r} is not an "
            f"instance of {where}"
        )
    return problems


# Values that differ between two correct results: new UIDs and IDs, the generated name,
# the name of the software in DeidentificationMethod, and the pixel data (not shown).
_VOLATILE = {"0010,0010", "0010,0020", "0012,0063", "7fe0,0010"}


def tag_differences(orthanc: dict[str, Any], cirrus: dict[str, Any]) -> list[str]:
    """What differs between the two servers' results for the same slice, sequences' items
    included: tags only one has, and values (leaving out UIDs and the other values that
    must differ)."""
    a, b = _flatten(orthanc), _flatten(cirrus)
    lines = []
    for key in sorted(set(a) | set(b)):
        if key not in b:
            lines.append(f"{key} {a[key][0]}: only Orthanc has it")
        elif key not in a:
            lines.append(f"{key} {b[key][0]}: only Cirrus has it")
        elif key.rsplit(".", 1)[-1] not in _VOLATILE:
            (name, x), (_, y) = a[key], b[key]
            if x != y and not _both_uids(x, y):
                lines.append(f"{key} {name}: Orthanc {x!r}, Cirrus {y!r}")
    return lines


# Metadata that differ between two correct results (the time, and where the pixels start,
# which moves with the length of the new UIDs).
_VOLATILE_METADATA = {"ReceptionDate", "LastUpdate", "PixelDataOffset"}


def metadata_differences(orthanc: dict[str, Any], cirrus: dict[str, Any]) -> list[str]:
    """The new instance's metadata compared (``ModifiedFrom``/``AnonymizedFrom`` name the
    same source on both: Orthanc's IDs are hashes of the DICOM identifiers)."""
    lines = []
    for key in sorted(set(orthanc) | set(cirrus)):
        if key in _VOLATILE_METADATA:
            continue
        if orthanc.get(key) != cirrus.get(key):
            lines.append(
                f"metadata {key}: Orthanc {orthanc.get(key)!r}, Cirrus {cirrus.get(key)!r}"
            )
    return lines


def _flatten(tags: dict[str, Any], prefix: str = "") -> dict[str, tuple[str, Any]]:
    """``{"0008,1140[0].0008,1155": (name, value)}`` for every element, sequences walked."""
    flat: dict[str, tuple[str, Any]] = {}
    for key, element in tags.items():
        path = f"{prefix}{key}"
        value = element.get("Value")
        if element.get("Type") == "Sequence":
            flat[path] = (element.get("Name", ""), f"{len(value or [])} item(s)")
            for index, item in enumerate(value or []):
                flat.update(_flatten(item, f"{path}[{index}]."))
        else:
            flat[path] = (element.get("Name", ""), value)
    return flat


def _both_uids(a: Any, b: Any) -> bool:
    return all(isinstance(v, str) and re.fullmatch(r"[0-9.]+", v) for v in (a, b))


# -- the runs --------------------------------------------------------------------------------


@dataclass
class Run:
    operation: str
    server: str
    mode: str
    instances: int
    seconds: float
    effective_runtime: float | None
    problems: list[str]
    other_cpu: float = 0.0
    sample: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def throughput(self) -> float:
        return self.instances / self.seconds if self.seconds else 0.0


def measure(
    server: Server,
    study: str,
    operation: str,
    count: int,
    asynchronous: bool,
    args: argparse.Namespace,
) -> Run:
    """One timed operation once the servers are idle; then its checks, then its cleanup."""
    waited = wait_until_quiet()
    if waited > 2.5:
        log(f"  (waited {waited:.1f} s for the servers to be idle)")
    before = server.count_instances()
    ticks, busy = own_ticks(), machine_busy_ticks()
    seconds, content, runtime = post_operation(
        server, study, operation, asynchronous, args.poll, args.timeout
    )
    others = (machine_busy_ticks() - busy - (own_ticks() - ticks)) / TICKS / seconds
    new, problems, sample = check_result(server, operation, study, content, count, before)
    server.delete_study(new)
    mode = "async" if asynchronous else "sync"
    return Run(
        operation, server.name, mode, count, seconds, runtime, problems, max(0.0, others), sample
    )


def discard_timed_out(
    server: Server, study: str, timeout: SyncTimeout, args: argparse.Namespace
) -> None:
    """Let the job of a timed-out synchronous call finish, and delete what it made."""
    log(
        f"  {server.name}: the synchronous call answered a timeout after {timeout.seconds:.1f} s; "
        f"waiting for its job {timeout.job_id}, then measuring asynchronously"
    )
    job = wait_job(server, timeout.job_id, args.poll, time.perf_counter() + args.timeout)
    new = job["Content"].get("ID")
    if new and new != study:
        server.delete_study(new)


def all_runs(
    args: argparse.Namespace, servers: Sequence[Server], study: str, asynchronous: bool
) -> tuple[list[Run], bool]:
    """Every timed run; (the runs, whether a synchronous call timed out and stopped them)."""
    runs: list[Run] = []
    for number in range(1, args.repeat + 1):
        for operation in args.operations:
            for server in servers:
                mode = "async" if asynchronous else "sync"
                log(f"run {number}/{args.repeat}: {operation} on {server.name} ({mode})...")
                try:
                    run = measure(server, study, operation, args.instances, asynchronous, args)
                except SyncTimeout as timeout:
                    if args.mode != "auto":
                        raise BenchmarkError(
                            f"{server.name}: the synchronous {operation} timed out "
                            f"(job {timeout.job_id}); use --mode async"
                        ) from None
                    discard_timed_out(server, study, timeout, args)
                    return runs, True
                runs.append(run)
                runtime = (
                    ""
                    if run.effective_runtime is None
                    else f", EffectiveRuntime {run.effective_runtime:.2f} s"
                )
                checks = "; ".join(run.problems) if run.problems else "ok"
                log(
                    f"  {run.seconds:.2f} s, {run.throughput:.1f} inst/s{runtime}, "
                    f"other CPU {run.other_cpu:.2f}; checks: {checks}"
                )
    return runs, False


def start_servers(args: argparse.Namespace, stack: ExitStack) -> list[Server]:
    """Orthanc and the local stack; Cirrus first (in auto mode its synchronous call decides
    the mode of the rest)."""
    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirrus-bench-modify-")))
    orthanc = start_orthanc(stack, args.orthanc_binary, {"Name": "BenchModify"})
    log(f"orthanc: {orthanc.binary} on {orthanc.url}")
    began = time.perf_counter()
    cirrus = start_cirrus(stack, root, {})
    stack.push(lambda exc_type, *_: _show_log(cirrus) if exc_type is BenchmarkError else None)
    log(
        f"cirrus: local stack on {cirrus.url} (emulator {cirrus.emulator_url}), "
        f"started in {time.perf_counter() - began:.1f} s"
    )
    return [Server("cirrus", cirrus.url), Server("orthanc", orthanc.url, orthanc.session)]


def upload_everywhere(servers: Sequence[Server], files: Sequence[bytes], workers: int) -> str:
    """Upload the study to every server (untimed); its Orthanc ID, the same on all."""
    studies: dict[str, str] = {}
    for server in servers:
        began = time.perf_counter()
        studies[server.name] = upload(server, files, workers)
        log(
            f"uploaded to {server.name} in {time.perf_counter() - began:.1f} s (untimed), "
            f"study {studies[server.name]}"
        )
    if len(set(studies.values())) != 1:
        raise BenchmarkError(f"the servers disagree on the study's ID: {studies}")
    return next(iter(studies.values()))


def benchmark(args: argparse.Namespace, stack: ExitStack, files: Sequence[bytes]) -> list[Run]:
    servers = start_servers(args, stack)
    study = upload_everywhere(servers, files, args.upload_workers)
    runs, timed_out = all_runs(args, servers, study, args.mode == "async")
    if timed_out:
        runs, _ = all_runs(args, servers, study, True)
    return runs


def _show_log(cirrus: Any) -> None:
    """The end of the local stack's log, when a Cirrus job or upload went wrong."""
    log(f"--- last lines of the local stack's log ({cirrus.log_path}) ---")
    log("\n".join(cirrus.log.splitlines()[-40:]))


# -- where Cirrus's job time goes ------------------------------------------------------------


class PhaseTimer:
    """Wall and CPU time (``time.thread_time``) per phase, summed over the job's threads, and
    the AWS requests made in each (the innermost phase of the calling thread), with their
    round trips (botocore's ``before-send`` to ``before-parse``: emulator plus transport)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.wall: Counter[str] = Counter()
        self.cpu: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.requests: Counter[tuple[str, str]] = Counter()
        self.waits: Counter[tuple[str, str]] = Counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        outer = getattr(self._local, "phase", None)
        self._local.phase = name
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            self._local.phase = outer
            with self._lock:
                self.wall[name] += wall
                self.cpu[name] += cpu
                self.calls[name] += 1

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return function(*args, **kwargs)

        return timed

    def attach(self, boto3_session: Any) -> None:
        boto3_session.events.register_first("before-send", self._before_send)
        boto3_session.events.register_last("before-parse", self._before_parse)

    def _before_send(self, event_name: str, **_: Any) -> None:
        self._local.sent = time.perf_counter()

    def _before_parse(self, event_name: str, **_: Any) -> None:
        sent = getattr(self._local, "sent", None)
        self._local.sent = None
        _, service, operation = event_name.split(".", 2)
        key = (getattr(self._local, "phase", None) or "(outside the phases)", operation)
        with self._lock:
            self.requests[key] += 1
            if sent is not None:
                self.waits[key] += time.perf_counter() - sent


class ProfiledTask:
    """The job runner's task (``app.job_step``), each call under its thread's cProfile."""

    def __init__(self, task: Callable[[dict], Any]) -> None:
        self._task = task
        self._local = threading.local()
        self._lock = threading.Lock()
        self.profilers: list[Any] = []

    def __call__(self, event: dict) -> Any:
        import cProfile

        profiler = getattr(self._local, "profiler", None)
        if profiler is None:
            profiler = self._local.profiler = cProfile.Profile()
            with self._lock:
                self.profilers.append(profiler)
        profiler.enable()
        try:
            return self._task(event)
        finally:
            profiler.disable()


@contextmanager
def _patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    saved = owner.__dict__[name]
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def start_profile_stack(
    args: argparse.Namespace, stack: ExitStack, files: Sequence[bytes]
) -> tuple[Server, str, Any]:
    """A local stack without its own job runner, the study uploaded, and this process set up
    to run product code against its emulator; (server, study, the JobRunner class)."""
    from cirrus_target import EnvironmentPatch

    from tests.e2e.stack import LocalStack

    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirrus-bench-prof-")))
    cirrus = LocalStack(root / "data", env={"CIRRUS_JOB_RUNNER": "external"})
    stack.callback(lambda: cirrus.__exit__(None, None, None) if cirrus.process else None)
    cirrus.start()
    log(f"profile: local stack on {cirrus.url} without its job runner")
    server = Server("cirrus", cirrus.url)
    study = upload_everywhere([server], files, args.upload_workers)
    stack.enter_context(EnvironmentPatch(dict(cirrus.aws_environment())))
    from local_stack.job_runner import JobRunner

    return server, study, JobRunner


def _one_job(
    server: Server, study: str, runner_class: Any, task: Callable[[dict], Any], args: Any
) -> tuple[float, float]:
    """Anonymize the study with the jobs run by ``task`` in this process; (wall seconds from
    the POST to Success, the job's EffectiveRuntime). The result is deleted afterwards."""
    from chalicelib.jobs.state_machine import LOCAL_STEP_ARN
    from chalicelib.storage import aws

    waited = wait_until_quiet()
    if waited > 2.5:
        log(f"  (waited {waited:.1f} s for the servers to be idle)")
    runner = runner_class(aws.client("stepfunctions"), {LOCAL_STEP_ARN: task})
    runner.start()
    try:
        seconds, content, runtime = post_operation(
            server, study, "anonymize", True, args.poll, args.timeout
        )
        if not runner.wait_idle(60):
            raise BenchmarkError("the profiled job's execution did not end")
    finally:
        runner.stop()
    server.delete_study(content["ID"])
    return seconds, runtime or 0.0


def profile_cirrus(args: argparse.Namespace, stack: ExitStack, files: Sequence[bytes]) -> list[str]:
    """Two more anonymizations on a second stack, jobs run here: phases, then cProfile."""
    import pstats

    server, study, runner_class = start_profile_stack(args, stack, files)
    from chalicelib import bootstrap
    from chalicelib.services.modification import jobs as modification_jobs
    from chalicelib.services.resources.ingest import IngestService
    from chalicelib.storage import aws
    from chalicelib.storage.jobs import JobStore
    from local_stack.job_runner import LocalContext

    bootstrap.reset()
    timer = PhaseTimer()
    timer.attach(aws.session())
    import app

    def job_step(event: dict) -> Any:
        with timer.phase(f"step {event['Step']}"):
            return app.job_step(event, LocalContext())

    n = len(files)
    lines = [
        f"== Where Cirrus's time goes: anonymize {n} instances, job steps run by the benchmark "
        "process (a second local stack without its job runner) =="
    ]
    with ExitStack() as patches:
        for owner, name, label in (
            (modification_jobs, "read_file", "read the file (S3)"),
            (modification_jobs, "modify_file", "modify_file (pydicom read, apply, write)"),
            (IngestService, "store", "ingest store (other)"),
            (JobStore, "mark", "record handled items (JobStore.mark)"),
        ):
            patches.enter_context(_patched(owner, name, timer.wrap(label, getattr(owner, name))))
        parse = timer.wrap("ingest parse (pydicom, main tags)", IngestService._parse)
        patches.enter_context(_patched(IngestService, "_parse", staticmethod(parse)))
        log(f"profile: anonymize with phase timers ({n} instances)...")
        seconds, runtime = _one_job(server, study, runner_class, job_step, args)
    lines.append(
        f"phase timers (no profiler): {seconds:.2f} s from the POST to Success, "
        f"{n / seconds:.1f} inst/s, EffectiveRuntime {runtime:.2f} s"
    )
    lines += format_phases(timer, n)

    profiled = ProfiledTask(lambda event: app.job_step(event, LocalContext()))
    log(f"profile: anonymize under cProfile ({n} instances)...")
    seconds, runtime = _one_job(server, study, runner_class, profiled, args)
    lines.append("")
    lines.append(
        f"cProfile: {seconds:.2f} s from the POST to Success under the profiler "
        f"({n / seconds:.1f} inst/s); per instance, summed over the job's threads:"
    )
    stats = pstats.Stats(profiled.profilers[0])
    for extra in profiled.profilers[1:]:
        stats.add(extra)
    lines += format_top(stats, n, "cumulative", args.top)
    lines += format_top(stats, n, "self", args.top)
    return lines


def format_phases(timer: PhaseTimer, n: int) -> list[str]:
    """Per phase, per instance: wall, CPU, AWS requests and their wait (thread-seconds)."""
    header = (
        f"  {'phase (ms per instance, summed over threads)':<46} {'wall':>7} {'CPU':>7} "
        f"{'AWS req':>7} {'AWS wait':>8}  requests per instance (round trip each)"
    )
    lines = [header]
    phases = sorted(timer.wall, key=lambda name: (not name.startswith("step"), name))
    for name in phases:
        ops = {op: c for (p, op), c in timer.requests.items() if p == name}
        wait = sum(w for (p, _), w in timer.waits.items() if p == name)
        detail = ", ".join(
            f"{op} {c / n:.2f} ({timer.waits[(name, op)] * 1000 / c:.1f} ms)"
            for op, c in sorted(ops.items())
        )
        lines.append(
            f"  {name:<46} {timer.wall[name] * 1000 / n:7.2f} {timer.cpu[name] * 1000 / n:7.2f} "
            f"{sum(ops.values()) / n:7.2f} {wait * 1000 / n:8.2f}  {detail}"
        )
    outside = {op: c for (p, op), c in timer.requests.items() if p.startswith("(")}
    if outside:
        lines.append(f"  requests outside the phases: {dict(outside)}")
    lines.append(
        "  (phases nest: 'step batch' holds the others; AWS requests count in the innermost "
        "phase; wall - CPU - AWS wait is time spent waiting for the GIL or sleeping)"
    )
    return lines


def format_top(stats: Any, n: int, key: str, top: int) -> list[str]:
    """The ``top`` functions by cumulative or own time, in ms per instance."""
    raw = stats.stats
    index = 3 if key == "cumulative" else 2
    ordered = sorted(raw.items(), key=lambda item: item[1][index], reverse=True)
    lines = [f"Top functions by {key} time (ms per instance):"]
    for (filename, line, name), values in ordered[:top]:
        short = _short_path(filename)
        lines.append(
            f"  {values[index] * 1000 / n:8.3f}  {values[1] / n:8.1f} calls  {short}:{line}({name})"
        )
    return lines


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", str(REPO_ROOT) + "/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# -- reporting -------------------------------------------------------------------------------


def format_runs(runs: Sequence[Run]) -> list[str]:
    header = (
        f"{'operation':<10} {'server':<8} {'mode':<6} {'instances':>9} {'seconds':>8} "
        f"{'inst/s':>8} {'EffectiveRuntime':>16} {'other CPU':>9}  checks"
    )
    lines = [header, "-" * len(header)]
    for run in runs:
        runtime = "-" if run.effective_runtime is None else f"{run.effective_runtime:.2f}"
        checks = "; ".join(run.problems) if run.problems else "ok"
        lines.append(
            f"{run.operation:<10} {run.server:<8} {run.mode:<6} {run.instances:>9} "
            f"{run.seconds:>8.2f} {run.throughput:>8.1f} {runtime:>16} {run.other_cpu:>9.2f}  "
            f"{checks}"
        )
    return lines


def format_summary(runs: Sequence[Run], operations: Sequence[str]) -> list[str]:
    header = (
        f"{'operation':<10} {'mode':<6} {'Orthanc 1.10.1 inst/s':>21} "
        f"{'Cirrus local inst/s':>19} {'Orthanc/Cirrus':>14}  new instances (Orthanc, Cirrus)"
    )
    lines = [header, "-" * len(header)]
    for operation in operations:
        of = {
            name: [r for r in runs if r.operation == operation and r.server == name]
            for name in ("orthanc", "cirrus")
        }
        if not of["orthanc"] or not of["cirrus"]:
            continue
        rate = {name: statistics.median(r.throughput for r in of[name]) for name in of}
        ratio = rate["orthanc"] / rate["cirrus"] if rate["cirrus"] else float("nan")
        counts = {
            name: "ok" if all(not r.problems for r in of[name]) else "CHECK FAILED" for name in of
        }
        mode = "/".join(sorted({r.mode for name in of for r in of[name]}))
        lines.append(
            f"{operation:<10} {mode:<6} {rate['orthanc']:>21.1f} {rate['cirrus']:>19.1f} "
            f"{ratio:>13.1f}x  {of['orthanc'][0].instances} {counts['orthanc']}, "
            f"{of['cirrus'][0].instances} {counts['cirrus']}"
        )
    return lines


def format_differences(runs: Sequence[Run], operations: Sequence[str]) -> list[str]:
    """The two servers' results compared on one slice, per operation (first runs)."""
    lines = []
    for operation in operations:
        of = {
            r.server: r
            for r in reversed(runs)
            if r.operation == operation and r.sample and r.server in ("orthanc", "cirrus")
        }
        if len(of) < 2:
            continue
        a, b = of["orthanc"].sample, of["cirrus"].sample
        differences = tag_differences(a["tags"], b["tags"])
        differences += metadata_differences(a["metadata"], b["metadata"])
        lines.append(
            f"{operation}: the second slice of series 1, Orthanc's result vs Cirrus's "
            "(tags and metadata; new UIDs and IDs, PatientName, DeidentificationMethod, "
            "pixels, times left out): "
            + (f"{len(differences)} difference(s)" if differences else "the same")
        )
        lines += [f"  {line}" for line in differences]
    return lines


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Instances/s of POST /studies/{id}/anonymize and /modify: Cirrus vs "
        "Orthanc 1.10.1."
    )
    parser.add_argument("--instances", type=int, default=500, help="instances in the study (500)")
    parser.add_argument(
        "--size", type=int, default=64, help="image side: 64 (~10 KB files) or 512 (~525 KB)"
    )
    parser.add_argument(
        "--operations",
        default="anonymize,modify",
        help="comma list among anonymize,modify (both)",
    )
    parser.add_argument(
        "--mode",
        choices=("auto", "sync", "async"),
        default="auto",
        help="synchronous calls, asynchronous jobs polled, or synchronous until Cirrus's "
        "call times out and then asynchronous for both (auto)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per operation (1)")
    parser.add_argument(
        "--poll",
        type=float,
        default=0.05,
        help="seconds between GET /jobs/{id}, at first (0.05; then 2%% of the time waited)",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds an operation may take (1800)"
    )
    parser.add_argument(
        "--upload-workers", type=int, default=2, help="connections for the untimed uploads (2)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then profile Cirrus's anonymization job on a second local stack",
    )
    parser.add_argument("--top", type=int, default=20, help="functions listed by --profile (20)")
    parser.add_argument("--orthanc-binary", help="Orthanc executable (/usr/sbin/Orthanc)")
    args = parser.parse_args(argv)
    args.operations = [o.strip() for o in args.operations.split(",") if o.strip()]
    unknown = set(args.operations) - set(OPERATIONS)
    if unknown or not args.operations:
        parser.error(f"unknown operations: {', '.join(sorted(unknown)) or '(none)'}")
    if args.instances <= 0 or args.repeat <= 0 or args.size <= 0:
        parser.error("--instances, --repeat and --size must be positive")
    if args.poll <= 0 or args.upload_workers <= 0:
        parser.error("--poll and --upload-workers must be positive")
    return args


def _terminate(signum: int, _frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C, so that every server started gets stopped."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    began = time.perf_counter()
    extra: list[str] = []
    try:
        files = generate_study(args.instances, args.size)
        log(
            f"generated {len(files)} instances of {args.size}x{args.size} "
            f"({len(files[0])} bytes each) in {time.perf_counter() - began:.1f} s"
        )
        with ExitStack() as stack:
            runs = benchmark(args, stack, files)
            log("stopping the servers...")
        if args.profile:
            with ExitStack() as stack:
                extra = profile_cirrus(args, stack, files)
                log("stopping the profiled stack...")
    except BenchmarkError as exc:
        print(f"FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; every server started was stopped")
        return 130
    size = f"{args.size}x{args.size}"
    print()
    print(
        f"Modify/anonymize one study of {args.instances} instances ({size}, "
        f"{len(files[0]) / 1000:.1f} KB each); seconds = the POST to its answer (sync) or to "
        f"the first GET /jobs/{{id}} that sees Success (async, polled every {args.poll} s, "
        "then every 2% of the wait)"
    )
    print("\n".join(format_runs(runs)))
    print()
    print("\n".join(format_summary(runs, args.operations)))
    differences = format_differences(runs, args.operations)
    if differences:
        print()
        print("\n".join(differences))
    if extra:
        print()
        print("\n".join(extra))
    print(f"Total run time {time.perf_counter() - began:.0f} s.")
    return 1 if any(run.problems for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
