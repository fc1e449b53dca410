"""Peer store benchmark: instances per second sent to an Orthanc peer, Cirrus vs Orthanc.

    .venv/bin/python bench/peers.py                      # 500 instances of one study, 9 KB each
    .venv/bin/python bench/peers.py --count 1000 --repeat 3
    .venv/bin/python bench/peers.py --size 512           # ~525 KB files

One run on this machine, everything started by the benchmark on free ports in temporary
directories (nothing listens on 8042/4242/4566, and everything is stopped at the end, also on
Ctrl-C or SIGTERM):

- **R**, the receiving peer: Debian's Orthanc 1.10.1, fresh SQLite index, no plugins;
- **S**, the sending Orthanc 1.10.1, with ``OrthancPeers {"r": [R]}``;
- **Cirrus**, the local stack as ``make run`` runs it (``python -m local_stack``: moto emulator,
  Chalice REST server and the job runner that executes the Step Functions executions), with
  the same ``OrthancPeers``.

One study of ``--count`` instances (5 series) is generated with ``bench/dicomgen.py`` and
uploaded to S and to Cirrus, untimed. Then each sender stores a small warm-up study on R
(untimed), waits until both see the study stable (``StableAge`` is ``--stable-age``, 2 s, on
both: Cirrus builds the DICOMweb metadata of a series when it becomes stable, a minute after
the upload with the default, which then fell inside the timed runs), and for ``--repeat``
rounds each sender in turn runs
``POST /peers/r/store {"Resources": [study], "Asynchronous": true}`` and the benchmark polls
``GET /jobs/{id}`` until the job succeeds: the figure is the wall time from the POST to the
first poll that sees ``Success``. A run starts only once the servers are idle (after uploads
and Cirrus jobs the local stack's stream feed keeps the emulator busy for a while), and the
table shows how much CPU other processes of the machine used meanwhile. After every run R must
hold all the instances of the study (else the benchmark stops with an error), and the study is
deleted from R, so that every run stores every instance anew.

The wall time of Cirrus includes the local job runner's polling of moto for new executions
(every 0.2 s), and all of Cirrus's time is spent over the local emulator (one AWS request at a
time); see bench/README.md on what that does to the figures.

Progress goes to stderr, results to stdout; the exit status is 1 if a job failed or R did not
receive every instance.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dicomgen
import requests
from servers import REPO_ROOT, OrthancServer, instances_of, upload_study

PEER = "r"
TICKS = os.sysconf("SC_CLK_TCK")
SERIES_IN_STUDY = 5
FINISHED = ("Success", "Failure")


class BenchmarkError(RuntimeError):
    """A job failed, an upload was refused, or R did not receive the whole study."""


@dataclass
class Run:
    """One timed (or warm-up) peer store."""

    sender: str
    instances: int
    seconds: float
    effective_runtime: float
    job: dict[str, Any]
    # Cores used on average during the run by processes the benchmark did not start.
    other_cpu: float = 0.0
    # CPU milliseconds per instance of the sender's processes and the receiver's: what the
    # machine's load does not stretch the way it stretches wall time.
    cpu_ms: float = 0.0

    @property
    def throughput(self) -> float:
        return self.instances / self.seconds if self.seconds else 0.0


@dataclass
class Sender:
    name: str
    url: str
    session: requests.Session
    # The sender's processes: these and their descendants.
    pids: frozenset[int] = frozenset()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the study -------------------------------------------------------------------------------


@contextmanager
def _one_study(count: int) -> Iterator[None]:
    """Make ``dicomgen.generate`` put ``count`` instances in one study of 5 series.

    dicomgen spreads instances over studies of ``SERIES_PER_STUDY`` series of
    ``INSTANCES_PER_SERIES``; it reads both module constants at every call.
    """
    saved = dicomgen.INSTANCES_PER_SERIES, dicomgen.SERIES_PER_STUDY
    dicomgen.INSTANCES_PER_SERIES = max(1, math.ceil(count / SERIES_IN_STUDY))
    dicomgen.SERIES_PER_STUDY = SERIES_IN_STUDY + 1  # never starts a second study
    try:
        yield
    finally:
        dicomgen.INSTANCES_PER_SERIES, dicomgen.SERIES_PER_STUDY = saved


def generate_study(count: int, size: int) -> list[bytes]:
    with _one_study(count):
        return [instance.data for instance in dicomgen.generate(count, size)]


def upload(sender: Sender, files: Sequence[bytes], workers: int) -> str:
    """POST every file to ``/instances`` (a few connections); the Orthanc ID of the study."""
    try:
        return upload_study(sender.name, sender.url, files, workers)
    except RuntimeError as exc:
        raise BenchmarkError(str(exc)) from exc


# -- CPU use ---------------------------------------------------------------------------------


def _proc_stats() -> dict[int, tuple[int, int]]:
    """``{pid: (parent pid, utime + stime ticks)}`` of every process (Linux /proc)."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text[text.rindex(")") + 2 :].split()
        stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return stats


def own_ticks() -> int:
    """CPU ticks used so far by this process and every process it started (the servers)."""
    return tree_ticks({os.getpid()})


def tree_ticks(roots: frozenset[int] | set[int]) -> int:
    """CPU ticks used so far by the processes ``roots`` and their descendants."""
    stats = _proc_stats()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0))[1]
        todo += children.get(pid, [])
    return total


def own_children() -> set[int]:
    """The processes this one started that still run (to tell the servers apart)."""
    return {pid for pid, (parent, _) in _proc_stats().items() if parent == os.getpid()}


def machine_busy_ticks() -> int:
    """CPU ticks the whole machine spent not idle (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]  # minus idle and iowait


def wait_until_quiet(limit: float = 120.0, window: float = 1.0) -> float:
    """Wait until the servers are idle: under 0.35 of a core for two windows in a row.

    After uploads, and after a Cirrus job, the local stack keeps working for a while (its
    stream feed and stability timer use a core); a timed run must not share the CPUs with
    that. Idle, the local stack's polling loops (job runner, stream feed) use 0.1-0.25 core.
    """
    began = time.perf_counter()
    quiet = 0
    ticks = own_ticks()
    while quiet < 2 and time.perf_counter() - began < limit:
        time.sleep(window)
        now = own_ticks()
        quiet = quiet + 1 if (now - ticks) / TICKS < 0.35 * window else 0
        ticks = now
    return time.perf_counter() - began


def wait_stable(sender: Sender, study: str, timeout: float) -> None:
    """Wait until ``GET /studies/{study}`` says ``IsStable`` (the server's stable-study work,
    and Cirrus's DICOMweb metadata of the stable series, then follow at once)."""
    deadline = time.perf_counter() + timeout
    while not sender.session.get(f"{sender.url}/studies/{study}", timeout=60).json()["IsStable"]:
        if time.perf_counter() > deadline:
            raise BenchmarkError(f"{sender.name}: study {study} not stable after {timeout} s")
        time.sleep(0.5)


# -- one peer store --------------------------------------------------------------------------


def store(sender: Sender, study: str, poll: float, timeout: float) -> tuple[float, dict[str, Any]]:
    """POST /peers/r/store asynchronously and poll the job: (wall seconds, final job)."""
    body = {"Resources": [study], "Asynchronous": True}
    began = time.perf_counter()
    response = sender.session.post(f"{sender.url}/peers/{PEER}/store", json=body, timeout=60)
    if response.status_code != 200:
        raise BenchmarkError(
            f"{sender.name}: POST /peers/{PEER}/store answered HTTP {response.status_code}: "
            f"{response.text}"
        )
    path = response.json()["Path"]
    deadline = began + timeout
    while True:
        job = sender.session.get(f"{sender.url}{path}", timeout=60).json()
        if job["State"] in FINISHED:
            seconds = time.perf_counter() - began
            break
        if time.perf_counter() > deadline:
            raise BenchmarkError(f"{sender.name}: job {path} not finished after {timeout} s: {job}")
        time.sleep(poll)
    if job["State"] != "Success":
        raise BenchmarkError(
            f"{sender.name}: job {path} ended in {job['State']}: "
            f"{job.get('ErrorDescription')} {job.get('ErrorDetails')}"
        )
    return seconds, job


def measure(
    sender: Sender,
    receiver: tuple[OrthancServer, frozenset[int]],
    study: str,
    count: int,
    poll: float,
    timeout: float,
) -> Run:
    """One peer store of ``study``; then check that R holds all of it, and delete it there.
    ``receiver``: R and its process."""
    receiver, receiver_pids = receiver
    if instances_of(receiver.session, receiver.url, study):
        raise BenchmarkError(f"R already holds study {study} before {sender.name} sends it")
    waited = wait_until_quiet()
    if waited > 2.5:
        log(f"  (waited {waited:.1f} s for the servers to be idle)")
    involved = sender.pids | receiver_pids
    ticks, busy, used = own_ticks(), machine_busy_ticks(), tree_ticks(involved)
    seconds, job = store(sender, study, poll, timeout)
    others = (machine_busy_ticks() - busy - (own_ticks() - ticks)) / TICKS / seconds
    cpu_ms = (tree_ticks(involved) - used) * 1000 / TICKS / count
    sent = job.get("Content", {}).get("InstancesCount")
    held = instances_of(receiver.session, receiver.url, study)
    if sent != count or held != count:
        raise BenchmarkError(
            f"{sender.name} sent study {study} ({count} instances): the job counts {sent}, "
            f"R holds {held}"
        )
    response = receiver.delete(f"/studies/{study}")
    if response.status_code != 200:
        raise BenchmarkError(f"R refused DELETE /studies/{study}: HTTP {response.status_code}")
    runtime = float(job.get("EffectiveRuntime", 0.0))
    return Run(sender.name, count, seconds, runtime, job, max(0.0, others), cpu_ms)


# -- servers ---------------------------------------------------------------------------------


def start_orthanc(stack: ExitStack, binary: str | None, config: dict[str, Any]) -> OrthancServer:
    server = OrthancServer(config, binary=binary)
    stack.callback(server.stop)  # before start(): an interrupted start-up is cleaned up too
    return server.start()


def start_cirrus(stack: ExitStack, root: Path, config: dict[str, Any]) -> Any:
    """``python -m local_stack`` on free ports, its data in ``root``: the e2e tests' launcher."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from tests.e2e.stack import LocalStack

    cirrus = LocalStack(root / "data", config=config)

    def stop() -> None:
        if cirrus.process is not None:
            cirrus.__exit__(None, None, None)

    stack.callback(stop)
    return cirrus.start()


def _show_log(cirrus: Any) -> None:
    """The end of the local stack's log, when a Cirrus job or upload went wrong."""
    log(f"--- last lines of the local stack's log ({cirrus.log_path}) ---")
    log("\n".join(cirrus.log.splitlines()[-40:]))


def _terminate(signum: int, _frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C, so that every server started gets stopped."""
    raise SystemExit(128 + signum)


# -- reporting -------------------------------------------------------------------------------


def format_runs(runs: Sequence[Run]) -> list[str]:
    header = (
        f"{'sender':<8} {'run':>4} {'instances':>9} {'seconds':>8} {'inst/s':>8} "
        f"{'EffectiveRuntime':>16} {'other CPU':>9} {'CPU ms/inst':>11}"
    )
    lines = [header, "-" * len(header)]
    for number, run in _numbered(runs):
        lines.append(
            f"{run.sender:<8} {number:>4} {run.instances:>9} {run.seconds:>8.2f} "
            f"{run.throughput:>8.1f} {run.effective_runtime:>16.2f} {run.other_cpu:>9.2f} "
            f"{run.cpu_ms:>11.2f}"
        )
    return lines


def _numbered(runs: Sequence[Run]) -> Iterator[tuple[int, Run]]:
    seen: dict[str, int] = {}
    for run in runs:
        seen[run.sender] = seen.get(run.sender, 0) + 1
        yield seen[run.sender], run


def format_summary(orthanc: Sequence[Run], cirrus: Sequence[Run]) -> list[str]:
    def row(label: str, pick: Callable[[Sequence[Run]], float], unit: str) -> str:
        o, c = pick(orthanc), pick(cirrus)
        ratio = c / o if o else float("nan")
        return f"{label:<24} {o:>10.2f} {c:>10.2f} {ratio:>14.3f}  {unit}"

    def best_s(runs: Sequence[Run]) -> float:
        return min(r.seconds for r in runs)

    def median_s(runs: Sequence[Run]) -> float:
        return statistics.median(r.seconds for r in runs)

    def best_rate(runs: Sequence[Run]) -> float:
        return max(r.throughput for r in runs)

    def median_rate(runs: Sequence[Run]) -> float:
        return statistics.median(r.throughput for r in runs)

    def best_runtime(runs: Sequence[Run]) -> float:
        return min(r.effective_runtime for r in runs)

    def median_cpu(runs: Sequence[Run]) -> float:
        return statistics.median(r.cpu_ms for r in runs)

    header = f"{'':<24} {'orthanc':>10} {'cirrus':>10} {'cirrus/orthanc':>14}"
    lines = [header, "-" * len(header)]
    lines.append(row("best seconds", best_s, "s"))
    lines.append(row("median seconds", median_s, "s"))
    lines.append(row("best inst/s", best_rate, "instances/s"))
    lines.append(row("median inst/s", median_rate, "instances/s"))
    lines.append(row("best EffectiveRuntime", best_runtime, "s"))
    lines.append(row("median CPU per instance", median_cpu, "ms (sender and receiver)"))
    o, c = median_rate(orthanc), median_rate(cirrus)
    if o and c:
        lines.append(
            f"Orthanc-to-Orthanc sends {o / c:.1f}x as many instances per second as Cirrus "
            f"(medians; best runs {best_rate(orthanc) / best_rate(cirrus):.1f}x)."
        )
    return lines


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Instances/s sent to an Orthanc peer: Cirrus vs Orthanc 1.10.1."
    )
    parser.add_argument("--count", type=int, default=500, help="instances in the study (500)")
    parser.add_argument(
        "--size", type=int, default=64, help="image side: 64 (~9 KB files) or 512 (~525 KB)"
    )
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per sender (2)")
    parser.add_argument(
        "--warmup", type=int, default=20, help="instances of the untimed warm-up study (20)"
    )
    parser.add_argument(
        "--poll", type=float, default=0.05, help="seconds between GET /jobs/{id} (0.05)"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a job may take (1800)")
    parser.add_argument(
        "--stable-age", type=int, default=2, help="StableAge of both senders, seconds (2)"
    )
    parser.add_argument(
        "--upload-workers", type=int, default=2, help="connections for the untimed uploads (2)"
    )
    parser.add_argument("--orthanc-binary", help="Orthanc executable (/usr/sbin/Orthanc)")
    args = parser.parse_args(argv)
    if args.count <= 0 or args.repeat <= 0 or args.warmup < 0 or args.size <= 0:
        parser.error("--count, --repeat and --size must be positive, --warmup not negative")
    if args.stable_age <= 0:
        parser.error("--stable-age must be positive")
    if args.poll <= 0 or args.upload_workers <= 0:
        parser.error("--poll and --upload-workers must be positive")
    return args


def benchmark(args: argparse.Namespace, stack: ExitStack) -> tuple[list[Run], list[Run]]:
    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirrus-bench-peers-")))
    receiver = start_orthanc(stack, args.orthanc_binary, {"Name": "BenchReceiver"})
    receiver_pids = frozenset(own_children())
    peers = {"OrthancPeers": {PEER: [receiver.url]}, "StableAge": args.stable_age}
    log(f"R (receiver): Orthanc {receiver.binary} on {receiver.url}")
    orthanc = start_orthanc(stack, args.orthanc_binary, {"Name": "BenchSender", **peers})
    orthanc_pids = frozenset(own_children() - receiver_pids)
    log(f"S (sender): Orthanc on {orthanc.url}")
    began = time.perf_counter()
    cirrus = start_cirrus(stack, root, peers)
    cirrus_pids = frozenset(own_children() - receiver_pids - orthanc_pids)
    stack.push(lambda exc_type, *_: _show_log(cirrus) if exc_type is BenchmarkError else None)
    log(
        f"Cirrus: local stack on {cirrus.url} (emulator {cirrus.emulator_url}), "
        f"started in {time.perf_counter() - began:.1f} s"
    )
    senders = [
        Sender("orthanc", orthanc.url, orthanc.session, orthanc_pids),
        Sender("cirrus", cirrus.url, requests.Session(), cirrus_pids),
    ]

    began = time.perf_counter()
    warmup = generate_study(args.warmup, args.size) if args.warmup else []
    files = generate_study(args.count, args.size)
    log(
        f"generated {len(files)} + {len(warmup)} warm-up instances of {args.size}x{args.size} "
        f"({len(files[0])} bytes each) in {time.perf_counter() - began:.1f} s"
    )
    studies: dict[str, tuple[str | None, str]] = {}
    for sender in senders:
        began = time.perf_counter()
        warm_study = upload(sender, warmup, args.upload_workers) if warmup else None
        study = upload(sender, files, args.upload_workers)
        studies[sender.name] = (warm_study, study)
        log(
            f"uploaded to {sender.name} in {time.perf_counter() - began:.1f} s "
            f"(untimed), study {study}"
        )
    if len({study for _, study in studies.values()}) != 1:
        raise BenchmarkError(f"S and Cirrus disagree on the study's ID: {studies}")
    for sender in senders:
        for study in studies[sender.name]:
            if study is not None:
                wait_stable(sender, study, args.timeout)

    for sender in senders:
        warm_study = studies[sender.name][0]
        if warm_study is not None:
            run = measure(
                sender, (receiver, receiver_pids), warm_study, len(warmup), args.poll, args.timeout
            )
            log(f"  warm-up {sender.name}: {run.instances} instances in {run.seconds:.2f} s")

    runs: dict[str, list[Run]] = {sender.name: [] for sender in senders}
    for number in range(1, args.repeat + 1):
        for sender in senders:
            log(f"run {number}/{args.repeat}: {sender.name} sends {args.count} instances to R...")
            run = measure(
                sender,
                (receiver, receiver_pids),
                studies[sender.name][1],
                args.count,
                args.poll,
                args.timeout,
            )
            runs[sender.name].append(run)
            log(
                f"  {run.seconds:.2f} s, {run.throughput:.1f} inst/s, "
                f"EffectiveRuntime {run.effective_runtime:.2f} s; R held all {run.instances}; "
                f"other processes used {run.other_cpu:.2f} cores; "
                f"{run.cpu_ms:.2f} ms of CPU per instance (sender and R)"
            )
    return runs["orthanc"], runs["cirrus"]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    began = time.perf_counter()
    try:
        with ExitStack() as stack:
            orthanc, cirrus = benchmark(args, stack)
            log("stopping the servers...")
    except BenchmarkError as exc:
        print(f"FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; every server started was stopped")
        return 130
    size = f"{args.size}x{args.size}"
    print()
    print(
        f"Peer store to Orthanc 1.10.1: one study of {args.count} instances ({size}), "
        f"{args.repeat} timed run(s) per sender after a {args.warmup}-instance warm-up; "
        f"seconds = POST /peers/{PEER}/store to the job's Success (polled every {args.poll} s)"
    )
    print("\n".join(format_runs([r for pair in zip(orthanc, cirrus, strict=True) for r in pair])))
    print(
        "(other CPU: cores used on average during the run by processes this benchmark did not "
        "start; each run starts once the servers are idle)"
    )
    print()
    print("\n".join(format_summary(orthanc, cirrus)))
    print(f"Total run time {time.perf_counter() - began:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
