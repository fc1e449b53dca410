"""DICOMweb latency, Cirrus vs Orthanc 1.10.1 with its DICOMweb plugin, on one 200-instance CT
study; and Cirrus's AWS requests per call.

    .venv/bin/python bench/dicomweb.py                   # both targets (~3 min)
    .venv/bin/python bench/dicomweb.py --n 50 --instances 200 --other-studies 50

Both targets run on this machine, on free ports: Debian's Orthanc 1.10.1 with Debian's
orthanc-dicomweb plugin (1.7, ``tests/support/orthanc_server.py``'s ``dicomweb_config()``),
and Cirrus served in this process over the local stack's emulator (moto), as in the other
benchmarks, so that a botocore hook counts the AWS requests of each call. Both hold the same
files, uploaded before any timing: one study of ``--instances`` 512x512 16-bit CT slices
(series of 20) for patient BENCH-DW, and ``--other-studies`` one-slice studies of other
patients on other dates, so that a search has something to leave out.

Each call (``CALLS``) runs ``--warmup`` untimed then ``--n`` timed times from one keep-alive
client in a forked process (http.client, TCP_NODELAY, redirects followed), and the answer is
checked (status 200, the number of matches or instances, the frame's size): a call that does
not answer right is reported, not timed as if it had. See bench/README.md.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import socket
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import dicomgen
from cirrus_target import CirrusServer  # first: puts the repository root on sys.path
from httpload import LoadResult
from images import REDIRECTS, forked
from ingest import aligned, finished, log
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from servers import MotoProcess, OrthancServer, post_instances

from tests.support.orthanc_server import dicomweb_config

ROOT = "/dicom-web"
PATIENT_ID = "BENCH-DW"
STUDY_DATE = "20240315"
OTHER_DATES = ("20230101", "20230601", "20240101", "20241201")  # around the study's month
SERIES_SIZE = 20
UPLOAD_THREADS = 4
OCTET_STREAM = 'multipart/related; type="application/octet-stream"'
DICOM_JSON = "application/dicom+json"


# -- the data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    """The generated files, and the UIDs the calls name."""

    files: list[bytes]
    study: str
    series: str
    instance: str
    instances: int
    frame_bytes: int


def _slice(base: Dataset, study: str, series: str, number: int, pixels: bytes) -> Dataset:
    # A deep copy: Dataset.update would share the base's elements, and setting a value
    # that the base holds (StudyDate) would change it in every slice.
    dataset = copy.deepcopy(base)
    dataset.SOPInstanceUID = generate_uid()
    dataset.StudyInstanceUID = study
    dataset.SeriesInstanceUID = series
    dataset.SeriesNumber = number // SERIES_SIZE + 1
    dataset.InstanceNumber = number % SERIES_SIZE + 1
    dataset.ImagePositionPatient = ["0", "0", f"{number:.1f}"]
    dataset.PixelData = pixels
    dataset["PixelData"].VR = "OW"
    return dataset


def generate(instances: int, others: int, size: int) -> Study:
    """One study of ``instances`` CT slices of ``size`` x ``size`` (8 phantom images reused
    in turn), then ``others`` one-slice studies of other patients and dates."""
    base = dicomgen.base_dataset(size)
    base.StudyDescription = "DICOMweb benchmark"
    pixels = [dicomgen.phantom_ct_pixels(size, seed) for seed in range(8)]
    study = generate_uid()
    datasets: list[Dataset] = []
    series = ""
    for number in range(instances):
        if number % SERIES_SIZE == 0:
            series = generate_uid()
        dataset = _slice(base, study, series, number, pixels[number % len(pixels)])
        dataset.PatientID, dataset.PatientName = PATIENT_ID, "Bench^DICOMweb"
        dataset.StudyDate = STUDY_DATE
        datasets.append(dataset)
    for other in range(others):
        dataset = _slice(base, generate_uid(), generate_uid(), 0, pixels[other % len(pixels)])
        dataset.PatientID, dataset.PatientName = f"BENCH-DW-{other}", f"Bench^Other{other}"
        dataset.StudyDate = OTHER_DATES[other % len(OTHER_DATES)]
        datasets.append(dataset)
    first = datasets[0]
    return Study(
        [dicomgen.part10(d, ExplicitVRLittleEndian) for d in datasets],
        study,
        first.SeriesInstanceUID,
        first.SOPInstanceUID,
        instances,
        size * size * 2,
    )


# -- the calls -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    seconds: float
    status: int
    body: bytes


def get_many(url: str, accept: str, warmup: int, n: int) -> list[Answer]:
    """``warmup`` untimed then ``n`` timed GETs of ``url`` on one keep-alive connection
    (TCP_NODELAY), redirects (Cirrus's large answers through S3) followed and timed; the last
    body is kept whole, the others' sizes only."""
    connections: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def once(target: str) -> tuple[int, bytes, str | None]:
        parts = urlsplit(target)
        key = (parts.hostname or "127.0.0.1", parts.port or 80)
        if key not in connections:
            conn = http.client.HTTPConnection(*key, timeout=600)
            conn.connect()
            assert conn.sock is not None
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connections[key] = conn
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connections[key].request("GET", path, headers={"Accept": accept})
        response = connections[key].getresponse()
        return response.status, response.read(), response.getheader("Location")

    def timed() -> Answer:
        began = time.perf_counter()
        status, body, location = once(url)
        if status in REDIRECTS and location is not None:
            status, body, _ = once(urljoin(url, location))
        return Answer(time.perf_counter() - began, status, body)

    try:
        for _ in range(warmup):
            timed()
        answers = [timed() for _ in range(n)]
    finally:
        for conn in connections.values():
            conn.close()
    # Only the last body travels back through the pipe (a metadata answer is megabytes).
    return [Answer(a.seconds, a.status, b"") for a in answers[:-1]] + answers[-1:]


def _matches(count: int) -> Callable[[bytes, Study], str]:
    def check(body: bytes, study: Study) -> str:
        found = json.loads(body)
        uids = {item["0020000D"]["Value"][0] for item in found}
        return "" if uids == {study.study} and len(found) == count else f"{len(found)} matches"

    return check


def _metadata(body: bytes, study: Study) -> str:
    found = json.loads(body)
    return "" if len(found) == study.instances else f"{len(found)} instances, not {study.instances}"


def _frame(body: bytes, study: Study) -> str:
    # One multipart part: the frame plus a few hundred bytes of boundaries and headers.
    extra = len(body) - study.frame_bytes
    return "" if 0 < extra < 1000 else f"{len(body)} bytes for a {study.frame_bytes}-byte frame"


def _jpeg(body: bytes, study: Study) -> str:
    return "" if body.startswith(b"\xff\xd8") else f"not a JPEG: {body[:16]!r}"


@dataclass(frozen=True)
class Call:
    """One DICOMweb request: ``path`` has ``{study}``, ``{series}``, ``{instance}``
    placeholders; ``check`` says what is wrong with the answer's body ('' if nothing)."""

    name: str
    path: str
    accept: str
    check: Callable[[bytes, Study], str]
    # Timed once the series are stable: on Cirrus, after the change feed and the stability
    # check have run (StableSeries writes the series' metadata documents).
    after_stability: bool = False


INSTANCE = "/studies/{study}/series/{series}/instances/{instance}"
CALLS = (
    Call(
        "QIDO studies by PatientID",
        f"/studies?PatientID={PATIENT_ID}",
        DICOM_JSON,
        _matches(1),
    ),
    Call(
        "QIDO studies by date range",
        "/studies?StudyDate=20240301-20240331",
        DICOM_JSON,
        _matches(1),
    ),
    Call("study metadata, just stored", "/studies/{study}/metadata", DICOM_JSON, _metadata),
    Call(
        "study metadata, series stable",
        "/studies/{study}/metadata",
        DICOM_JSON,
        _metadata,
        after_stability=True,
    ),
    Call(
        "frame 1, uncompressed",
        INSTANCE + "/frames/1",
        f"{OCTET_STREAM}; transfer-syntax={ExplicitVRLittleEndian}",
        _frame,
    ),
    Call(
        "frame 1, transfer-syntax=*",
        INSTANCE + "/frames/1",
        f"{OCTET_STREAM}; transfer-syntax=*",
        _frame,
    ),
    Call("rendered (JPEG)", INSTANCE + "/rendered", "image/jpeg", _jpeg),
)


# -- the run -------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    url: str
    cirrus: CirrusServer | None = None


@dataclass
class Timing:
    """A call on one target: latencies, the problem with its answer ('' if none), and for
    Cirrus the AWS requests per call by operation (warm-up included: every call costs the
    same)."""

    latencies: LoadResult
    problem: str
    aws: dict[str, float] | None = None

    def cell(self) -> str:
        if self.problem:
            return self.problem[:40]
        median, p95 = self.latencies.percentile(0.5), self.latencies.percentile(0.95)
        return f"{median * 1000:.1f}/{p95 * 1000:.1f}"


def time_call(target: Target, call: Call, study: Study, warmup: int, n: int) -> Timing:
    url = (
        target.url
        + ROOT
        + call.path.format(study=study.study, series=study.series, instance=study.instance)
    )
    if target.cirrus is not None:
        target.cirrus.counter.reset()
    answers = forked(get_many, url, call.accept, warmup, n)
    statuses = sorted({a.status for a in answers if a.status != 200})
    if statuses:
        last = answers[-1]
        problem = f"HTTP {statuses} {last.body[:200]!r}"
    else:
        problem = call.check(answers[-1].body, study)
    timing = Timing(LoadResult(0.0, [a.seconds for a in answers]), problem)
    if target.cirrus is not None:
        counts, _ = target.cirrus.counter.snapshot()
        timing.aws = {op: count / (warmup + n) for op, count in sorted(counts.items())}
    return timing


def table(rows: Sequence[tuple[Call, dict[str, Timing]]], names: Sequence[str]) -> list[str]:
    header = ["call", *(f"{name} p50/p95 ms" for name in names)]
    if len(names) == 2:
        header.append(f"{names[1]}/{names[0]} p50")
    if "cirrus" in names:
        header.append("AWS req")
    lines = [header]
    for call, timings in rows:
        line = [call.name, *(timings[name].cell() for name in names)]
        if len(names) == 2:
            first, second = (timings[name] for name in names)
            ok = not first.problem and not second.problem
            ratio = second.latencies.percentile(0.5) / first.latencies.percentile(0.5)
            line.append(f"{ratio:.1f}x" if ok else "-")
        if "cirrus" in names:
            line.append(f"{sum((timings['cirrus'].aws or {}).values()):.1f}")
        lines.append(line)
    return aligned(lines)


def settle(targets: Sequence[Target]) -> None:
    """What a deployment does a minute after the upload, on the Cirrus targets (Orthanc has no
    such step): the index stream's records through the change feed, then the stability check
    with a StableAge of 0, which writes each series' DICOMweb metadata document."""
    from chalicelib import bootstrap
    from chalicelib.services.changes.stability import StabilityService
    from local_stack.feed import index_stream_pump

    for target in targets:
        if target.cirrus is None:
            continue
        pump = index_stream_pump(start="TRIM_HORIZON")
        while pump.pump():
            pass
        time.sleep(1)  # LastUpdate counts seconds: the last upload's second is over
        StabilityService(
            bootstrap.index(),
            bootstrap.changes_log(),
            0,
            on_stable_series=bootstrap.wado_metadata().series_stable,
        ).run()
        log(f"{target.name}: change feed and stability check run")


def start_targets(names: Sequence[str], binary: str | None, stack: ExitStack) -> list[Target]:
    targets = []
    if "orthanc" in names:
        orthanc = stack.enter_context(OrthancServer(dicomweb_config(), binary=binary))
        targets.append(Target("orthanc", orthanc.url))
        log(f"orthanc + DICOMweb plugin on {orthanc.url}")
    if "cirrus" in names:
        moto = stack.enter_context(MotoProcess())
        cirrus = stack.enter_context(CirrusServer(moto.url))
        targets.append(Target("cirrus", cirrus.url, cirrus))
        log(f"cirrus on {cirrus.url} (this process) over the emulator on {moto.url}")
    return targets


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="orthanc,cirrus", help="comma list (both)")
    parser.add_argument("--n", type=int, default=30, help="timed calls per row (30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first (3)")
    parser.add_argument("--instances", type=int, default=200, help="slices in the study (200)")
    parser.add_argument("--other-studies", type=int, default=20, help="one-slice studies (20)")
    parser.add_argument("--size", type=int, default=512, help="image side (512)")
    parser.add_argument("--orthanc-binary", help="Orthanc executable (/usr/sbin/Orthanc)")
    args = parser.parse_args(argv)
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if set(args.targets) - {"orthanc", "cirrus"} or not args.targets:
        parser.error("--targets: a comma list among orthanc, cirrus")
    if min(args.n, args.instances, args.size) <= 0 or min(args.warmup, args.other_studies) < 0:
        parser.error("counts must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    study = generate(args.instances, args.other_studies, args.size)
    print(
        f"Data: one study of {args.instances} CT slices {args.size}x{args.size} 16-bit "
        f"(explicit VR little endian, {len(study.files[0]) / 1e3:.0f} KB a file, series of "
        f"{SERIES_SIZE}) and {args.other_studies} one-slice studies of other patients",
        flush=True,
    )
    problems: list[str] = []
    rows: list[tuple[Call, dict[str, Timing]]] = []
    with ExitStack() as stack:
        targets = start_targets(args.targets, args.orthanc_binary, stack)
        for target in targets:
            started = time.monotonic()
            post_instances(target.url, study.files, UPLOAD_THREADS)
            log(f"{target.name}: {len(study.files)} files in {time.monotonic() - started:.1f} s")
        for call in CALLS:
            if call.after_stability:
                settle(targets)
            timings = {}
            for target in targets:
                log(f"  {target.name}: {call.name} x{args.warmup}+{args.n}")
                timings[target.name] = time_call(target, call, study, args.warmup, args.n)
                if timings[target.name].problem:
                    problems.append(f"{target.name} {call.name}: {timings[target.name].problem}")
            rows.append((call, timings))
    names = [t.name for t in targets]
    lines = [
        "",
        f"== DICOMweb: 1 client, keep-alive, {args.warmup} untimed + {args.n} timed calls ==",
        *table(rows, names),
    ]
    if "cirrus" in names:
        lines.append("Cirrus's AWS requests per call:")
        for call, timings in rows:
            by_operation = (timings["cirrus"].aws or {}).items()
            parts = ", ".join(f"{op.split(':')[-1]} {count:g}" for op, count in by_operation)
            lines.append(f"  {call.name:<28} {parts}")
    print("\n".join(lines))
    return finished(began, problems)


if __name__ == "__main__":
    sys.exit(main())
