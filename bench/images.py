"""Image, array and archive downloads, Cirrus vs Orthanc 1.10.1; and Cirrus's import time.

    .venv/bin/python bench/images.py                       # everything, both targets (~2 min)
    .venv/bin/python bench/images.py --sections coldstart  # only the import-time figure
    .venv/bin/python bench/images.py --n 100 --sections images

Three sections (``--sections``, default all):

- **coldstart**: ``python -X importtime -c "import app"`` in fresh interpreters
  (bench/coldstart.py, which also times the first requests): the cumulative import time of
  ``app`` (median), its heaviest direct imports, and whether boto3, numpy, PIL or pydicom
  got imported (they must not be: tests/unit/test_cold_start.py).
- **images**: latency of single GETs (one client, keep-alive, after a warm-up) of
  ``preview``, ``image-uint16`` and ``numpy`` for a 512x512 16-bit CT slice, ``preview`` of
  frames 0 and 15 and ``numpy`` of a 30-frame colour ultrasound (YBR_FULL_422, JPEG
  baseline), and ``/series/{id}/numpy`` of a 20-slice CT series.
- **archive**: ``GET /studies/{id}/archive`` of a 100-instance study of 512x512 CT slices
  (about 52 MB of DICOM): seconds and MB/s, the server's peak RSS growth during the request
  (sampled from /proc every 5 ms) and, for Cirrus, the peak of its Python allocations during
  one more archive (tracemalloc): whether memory stays bounded.

Both targets run on this machine, started on free ports as in the other benchmarks: Debian's
Orthanc 1.10.1 and Cirrus served in this process over the local stack's emulator (moto), so
that the AWS requests each download costs are counted. Answers above Cirrus's
LargeObjectThreshold (4 MiB) are 307 redirects to a presigned S3 URL (the emulator here): the
client follows them and the time counts the whole download. The client runs in a forked
process (http.client, TCP_NODELAY), as in ingest.py, so that it does not compete with the
in-process Cirrus server for the GIL. See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import socket
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import dicomgen
from cirrus_target import CirrusServer  # first: puts the repository root on sys.path
from coldstart import cold_start
from dicomgen import Instance
from httpload import LoadResult
from ingest import aligned, finished, log
from servers import MotoProcess, OrthancServer, post_instances

SECTIONS = ("coldstart", "images", "archive")
REDIRECTS = (301, 302, 303, 307, 308)
READ_CHUNK = 1 << 20
RSS_INTERVAL = 0.005  # seconds between two RSS samples during an archive
UPLOAD_THREADS = 4
T = TypeVar("T")


# -- the client, in a forked process -------------------------------------------------------


@dataclass
class Answer:
    """One timed GET: total seconds (redirect followed), final status, body bytes, and the
    seconds until the first answer's headers (for a redirect: the time the server took to
    build the body and put it in S3)."""

    seconds: float
    status: int
    size: int
    redirected: bool
    headers: float


class Client:
    """Keep-alive GETs with TCP_NODELAY, one connection per host, following redirects."""

    def __init__(self, timeout: float = 600.0) -> None:
        self._timeout = timeout
        self._connections: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def _connection(self, host: str, port: int) -> http.client.HTTPConnection:
        conn = self._connections.get((host, port))
        if conn is None:
            conn = http.client.HTTPConnection(host, port, timeout=self._timeout)
            conn.connect()
            assert conn.sock is not None
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._connections[(host, port)] = conn
        return conn

    def _once(self, url: str) -> tuple[int, int, str | None, float]:
        """GET ``url``; (status, body bytes, Location, perf_counter when the headers were in).
        The body is read and dropped."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        key = (parts.hostname or "127.0.0.1", parts.port or 80)
        for attempt in (1, 2):
            conn = self._connection(*key)
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                headers = time.perf_counter()
                size = 0
                while chunk := response.read(READ_CHUNK):
                    size += len(chunk)
                if response.getheader("Connection", "").lower() == "close":
                    self._drop(key)
                return response.status, size, response.getheader("Location"), headers
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._drop(key)  # an idle keep-alive connection closed by the server
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _drop(self, key: tuple[str, int]) -> None:
        conn = self._connections.pop(key, None)
        if conn is not None:
            conn.close()

    def get(self, url: str) -> Answer:
        began = time.perf_counter()
        status, size, location, headers = self._once(url)
        redirected = status in REDIRECTS and location is not None
        if redirected:
            status, size, _, _ = self._once(urljoin(url, location))
        ended = time.perf_counter()
        return Answer(ended - began, status, size, redirected, headers - began)

    def close(self) -> None:
        for key in list(self._connections):
            self._drop(key)


def _child(conn: Any, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", func(*args)))
    except BaseException:  # noqa: BLE001 - the parent reports it
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def forked(func: Callable[..., T], *args: Any) -> T:
    """``func(*args)`` in a forked process (it shares the generated files without copying
    them and never holds this process's GIL); its result comes back through a pipe."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, func, args), daemon=True)
    child.start()
    sender.close()
    try:
        kind, value = receiver.recv()
    except EOFError:
        kind, value = "error", f"client process died with exit code {child.exitcode}"
    finally:
        child.join()
        receiver.close()
    if kind == "error":
        raise RuntimeError(f"client failed:\n{value}")
    return value


def fetch_many(url: str, warmup: int, n: int) -> list[Answer]:
    """``warmup`` untimed then ``n`` timed GETs of ``url`` over one keep-alive client."""
    client = Client()
    try:
        for _ in range(warmup):
            client.get(url)
        return [client.get(url) for _ in range(n)]
    finally:
        client.close()


# -- servers and data ----------------------------------------------------------------------


@dataclass
class Target:
    """A running server and the IDs of the benchmark's resources on it."""

    name: str
    url: str
    pid: int
    cirrus: CirrusServer | None = None
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Data:
    """The generated files: a 100-instance CT study (5 series of 20) and one ultrasound."""

    ct: list[Instance]
    us: Instance

    @property
    def files(self) -> list[bytes]:
        return [i.data for i in self.ct] + [self.us.data]

    @property
    def ct_bytes(self) -> int:
        return sum(len(i.data) for i in self.ct)


def generate(args: argparse.Namespace) -> Data:
    """Everything is generated before any server starts (and any timing)."""
    ct = dicomgen.generate(args.archive_instances, 512, dicomgen.phantom_ct_pixels)
    return Data(ct, dicomgen.ultrasound(args.frames))


def fill(target: Target, data: Data) -> None:
    """Upload the files (untimed) and keep the IDs the server gave them."""
    answers = post_instances(target.url, data.files, UPLOAD_THREADS)
    first_ct, us = answers[0], answers[-1]
    target.ids = {
        "ct": first_ct["ID"],
        "ct_series": first_ct["ParentSeries"],
        "ct_study": first_ct["ParentStudy"],
        "us": us["ID"],
    }


def start_targets(args: argparse.Namespace, stack: ExitStack) -> list[Target]:
    targets: list[Target] = []
    if "orthanc" in args.targets:
        orthanc = stack.enter_context(OrthancServer(binary=args.orthanc_binary))
        # The test helper keeps its Popen private; only its pid is read (for RSS).
        process = orthanc._process
        assert process is not None
        targets.append(Target("orthanc", orthanc.url, process.pid))
        log(f"orthanc on {orthanc.url}")
    if "cirrus" in args.targets:
        moto = stack.enter_context(MotoProcess())
        cirrus = stack.enter_context(CirrusServer(moto.url))
        targets.append(Target("cirrus", cirrus.url, os.getpid(), cirrus))
        log(f"cirrus on {cirrus.url} (this process) over the emulator on {moto.url}")
    return targets


# -- image latencies -----------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One benchmarked GET: ``path`` has ``{ct}``, ``{us}``... placeholders; ``heavy`` ones
    (answers of tens of MB, redirected through S3 by Cirrus) get fewer repetitions."""

    name: str
    path: str
    heavy: bool = False


PROBES = (
    Probe("CT 512x512 preview (PNG)", "/instances/{ct}/preview"),
    Probe("CT 512x512 image-uint16", "/instances/{ct}/image-uint16"),
    Probe("CT 512x512 numpy", "/instances/{ct}/numpy"),
    Probe("US preview (frame 0)", "/instances/{us}/preview"),
    Probe("US frames/15/preview", "/instances/{us}/frames/15/preview"),
    Probe("US numpy (all frames)", "/instances/{us}/numpy", heavy=True),
    Probe("CT series 20 slices numpy", "/series/{ct_series}/numpy", heavy=True),
)
# Orthanc answers 415 to image-uint16 of a colour image; so does Cirrus: checked, not timed.
NOT_TIMED = Probe("US image-uint16 (colour)", "/instances/{us}/image-uint16")


@dataclass
class Timing:
    """A probe on one target: the timed answers, and Cirrus's AWS requests per answer by
    operation (warm-up included: every answer costs the same requests)."""

    answers: list[Answer]
    aws: dict[str, float] | None = None
    aws_seconds: float = 0.0  # per answer, waiting for the emulator

    @property
    def aws_total(self) -> float:
        return sum((self.aws or {}).values())

    def _latencies(self) -> LoadResult:
        return LoadResult(0.0, [a.seconds for a in self.answers])

    @property
    def failed(self) -> list[int]:
        return sorted({a.status for a in self.answers if a.status != 200})

    def cell(self) -> str:
        """``p50/p99`` in ms, or the failing statuses."""
        if self.failed:
            return "HTTP " + ",".join(map(str, self.failed))
        latencies = self._latencies()
        return f"{latencies.percentile(0.5) * 1000:.1f}/{latencies.percentile(0.99) * 1000:.1f}"

    @property
    def p50(self) -> float:
        return self._latencies().percentile(0.5)

    @property
    def size(self) -> int:
        return self.answers[-1].size if self.answers else 0

    @property
    def redirected(self) -> bool:
        return any(a.redirected for a in self.answers)


def time_probe(target: Target, probe: Probe, warmup: int, n: int) -> Timing:
    url = target.url + probe.path.format(**target.ids)
    if target.cirrus is not None:
        target.cirrus.counter.reset()
    answers = forked(fetch_many, url, warmup, n)
    timing = Timing(answers)
    if target.cirrus is not None:
        counts, _ = target.cirrus.counter.snapshot()
        timing.aws = {op: count / (warmup + n) for op, count in sorted(counts.items())}
        timing.aws_seconds = target.cirrus.counter.total_seconds / (warmup + n)
    return timing


def _size(timing: Timing) -> str:
    text = f"{timing.size / 1e6:.2f} MB" if timing.size >= 1e6 else f"{timing.size / 1e3:.0f} KB"
    return text + (" (S3)" if timing.redirected else "")


def image_table(
    rows: Sequence[tuple[Probe, int, dict[str, Timing]]], names: Sequence[str]
) -> list[str]:
    header = ["request", "N"]
    for name in names:
        header += [f"{name} p50/p99 ms", f"{name} answer"]
    if len(names) == 2:
        header.append(f"{names[1]}/{names[0]} p50")
    if "cirrus" in names:
        header += ["AWS req", "AWS ms"]
    lines = [header]
    for probe, n, timings in rows:
        line = [probe.name, str(n)]
        for name in names:
            line += [timings[name].cell(), _size(timings[name])]
        if len(names) == 2:
            first, second = (timings[name] for name in names)
            ok = not first.failed and not second.failed and first.p50 > 0
            line.append(f"{second.p50 / first.p50:.1f}x" if ok else "-")
        if "cirrus" in names:
            cirrus = timings["cirrus"]
            line += [f"{cirrus.aws_total:.1f}", f"{cirrus.aws_seconds * 1000:.1f}"]
        lines.append(line)
    return aligned(lines)


def images(targets: Sequence[Target], args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """The latency table, and the problems (any answer but 200; the colour image-uint16 must
    be 415 on every target)."""
    rows: list[tuple[Probe, int, dict[str, Timing]]] = []
    problems: list[str] = []
    for probe in PROBES:
        n = args.n_heavy if probe.heavy else args.n
        warmup = min(args.warmup, 1) if probe.heavy else args.warmup
        timings = {}
        for target in targets:
            log(f"  {target.name}: {probe.name} x{warmup}+{n}")
            timings[target.name] = time_probe(target, probe, warmup, n)
            if timings[target.name].failed:
                problems.append(f"{target.name} {probe.path}: HTTP {timings[target.name].failed}")
        rows.append((probe, n, timings))
    names = [t.name for t in targets]
    lines = [
        f"== Images: 1 client, keep-alive, {args.warmup} untimed + N timed GETs "
        f"(heavy rows: {min(args.warmup, 1)} + {args.n_heavy}) ==",
        *image_table(rows, names),
    ]
    statuses = []
    for target in targets:
        status = forked(fetch_many, target.url + NOT_TIMED.path.format(**target.ids), 0, 1)[0]
        statuses.append(f"{target.name} HTTP {status.status}")
        if status.status != 415:
            problems.append(f"{target.name} {NOT_TIMED.path}: HTTP {status.status}, not 415")
    lines.append(f"{NOT_TIMED.name}: not timed; {', '.join(statuses)} (Orthanc's answer: 415)")
    if "cirrus" in names:
        lines.append("Cirrus's AWS requests per answer:")
        for probe, _, timings in rows:
            by_operation = (timings["cirrus"].aws or {}).items()
            parts = ", ".join(f"{op.split(':')[-1]} {count:g}" for op, count in by_operation)
            lines.append(f"  {probe.name:<28} {parts}")
    return lines, problems


# -- archive -------------------------------------------------------------------------------


class RssSampler:
    """The peak resident set size of process ``pid`` while the block runs, sampled from
    /proc every few milliseconds by a thread of this process (cheap next to the request)."""

    def __init__(self, pid: int) -> None:
        self._path = f"/proc/{pid}/statm"
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self.baseline = self.peak = 0

    def _rss(self) -> int:
        with open(self._path) as statm:
            return int(statm.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(RSS_INTERVAL):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> RssSampler:
        self.baseline = self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


@dataclass
class ArchiveRun:
    answer: Answer
    rss_growth: int
    aws: Counter[str] | None  # Cirrus's AWS requests by operation


def archive_url(target: Target) -> str:
    return f"{target.url}/studies/{target.ids['ct_study']}/archive"


def archive_runs(target: Target, runs: int) -> list[ArchiveRun]:
    url = archive_url(target)
    results = []
    for _ in range(runs):
        if target.cirrus is not None:
            target.cirrus.counter.reset()
        with RssSampler(target.pid) as rss:
            answer = forked(fetch_many, url, 0, 1)[0]
        aws = None if target.cirrus is None else target.cirrus.counter.snapshot()[0]
        results.append(ArchiveRun(answer, rss.growth, aws))
    return results


def traced_archive(target: Target) -> int:
    """One more, untimed archive from the in-process Cirrus with tracemalloc on: the peak of
    Python allocations above their level at the start. Unlike RSS growth, it does not depend
    on what earlier requests left in the allocator's free lists."""
    import tracemalloc

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        answer = forked(fetch_many, archive_url(target), 0, 1)[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if answer.status != 200:
        raise RuntimeError(f"traced archive: HTTP {answer.status}")
    return peak - before


def archive(
    targets: Sequence[Target], data: Data, args: argparse.Namespace
) -> tuple[list[str], list[str]]:
    header = (
        f"{'target':<8} {'runs':>4} {'ZIP MB':>7} {'s median':>8} {'s best':>7} "
        f"{'DICOM MB/s':>10} {'ZIP MB/s':>8} {'to headers s':>13} {'AWS req':>7}  "
        "peak RSS growth MB, per run"
    )
    lines = [
        f"== Archive: GET /studies/{{id}}/archive, {len(data.ct)} instances of 512x512 CT "
        f"({data.ct_bytes / 1e6:.1f} MB of DICOM), 1 client ==",
        header,
    ]
    problems: list[str] = []
    traced: list[str] = []
    operations: list[str] = []
    for target in targets:
        log(f"  {target.name}: archive x{args.archive_runs}")
        runs = archive_runs(target, args.archive_runs)
        failed = sorted({r.answer.status for r in runs if r.answer.status != 200})
        if failed:
            problems.append(f"{target.name} archive: HTTP {failed}")
            continue
        seconds = sorted(r.answer.seconds for r in runs)
        median = statistics.median(seconds)
        size = runs[-1].answer.size
        first = statistics.median(r.answer.headers for r in runs)
        aws = runs[-1].aws
        requests = "-" if aws is None else str(sum(aws.values()))
        rss = "/".join(f"{r.rss_growth / 1e6:.1f}" for r in runs)
        lines.append(
            f"{target.name:<8} {len(runs):>4} {size / 1e6:>7.1f} {median:>8.2f} {seconds[0]:>7.2f} "
            f"{data.ct_bytes / 1e6 / median:>10.1f} {size / 1e6 / median:>8.1f} {first:>13.2f} "
            f"{requests:>7}  {rss}"
        )
        if aws is not None:
            by_operation = sorted(aws.items(), key=lambda kv: (-kv[1], kv[0]))
            operations.append(
                f"{target.name}: " + ", ".join(f"{op.split(':')[-1]} {n}" for op, n in by_operation)
            )
        if target.cirrus is not None:
            log(f"  {target.name}: archive under tracemalloc")
            traced.append(f"{target.name} {traced_archive(target) / 1e6:.1f} MB")
    lines += [f"AWS requests per archive, {line}" for line in operations]
    if traced:
        lines.append(
            "peak Python allocations during one more archive (tracemalloc, untimed): "
            + ", ".join(traced)
        )
    return lines, problems


# -- the run -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma list (all)")
    parser.add_argument("--targets", default="orthanc,cirrus", help="comma list (both)")
    parser.add_argument("--n", type=int, default=30, help="timed GETs per image row (30)")
    parser.add_argument("--n-heavy", type=int, default=5, help="timed GETs per heavy row (5)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed GETs first (3)")
    parser.add_argument("--frames", type=int, default=30, help="ultrasound frames (30)")
    parser.add_argument(
        "--archive-instances",
        type=int,
        default=100,
        help="CT instances generated; the study archived holds the first 100 (100)",
    )
    parser.add_argument("--archive-runs", type=int, default=3, help="timed archives (3)")
    parser.add_argument(
        "--importtime-runs", type=int, default=5, help="fresh interpreters for coldstart (5)"
    )
    parser.add_argument("--orthanc-binary", help="Orthanc executable (/usr/sbin/Orthanc)")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if set(args.sections) - set(SECTIONS) or not args.sections:
        parser.error(f"--sections: a comma list among {', '.join(SECTIONS)}")
    if set(args.targets) - {"orthanc", "cirrus"} or not args.targets:
        parser.error("--targets: a comma list among orthanc, cirrus")
    counts = (args.n, args.n_heavy, args.archive_runs, args.importtime_runs)
    if min(counts) <= 0 or args.warmup < 0 or args.frames <= 15 or args.archive_instances < 20:
        parser.error("counts must be positive, --frames > 15, --archive-instances >= 20")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    problems: list[str] = []
    if "coldstart" in args.sections:
        log("cold start: importing app in fresh interpreters")
        print("\n".join(cold_start(args.importtime_runs)) + "\n", flush=True)
    if {"images", "archive"} & set(args.sections):
        data = generate(args)
        print(
            f"Data: CT 512x512 16-bit MONOCHROME2, explicit VR little endian, "
            f"{len(data.ct[0].data) / 1e3:.0f} KB a file, series of {dicomgen.INSTANCES_PER_SERIES}"
            f"; US {args.frames} frames 640x480 YBR_FULL_422 JPEG baseline, "
            f"{len(data.us.data) / 1e6:.1f} MB",
            flush=True,
        )
        with ExitStack() as stack:
            targets = start_targets(args, stack)
            for target in targets:
                started = time.monotonic()
                fill(target, data)
                log(
                    f"{target.name}: {len(data.files)} files uploaded in "
                    f"{time.monotonic() - started:.1f} s"
                )
            sections: list[tuple[list[str], list[str]]] = []
            if "images" in args.sections:
                sections.append(images(targets, args))
            if "archive" in args.sections:
                sections.append(archive(targets, data, args))
        for lines, found in sections:
            print("\n".join(["", *lines]), flush=True)
            problems += found
    return finished(began, problems)


if __name__ == "__main__":
    sys.exit(main())
