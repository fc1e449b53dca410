"""Where the local stack's CPU goes per stored instance, by process, thread and layer.

Starts the local stack as ``make run`` does (``python -m local_stack``: supervisor, emulator,
REST API with its change feed and job runner, DICOM service; a temporary data directory, so
with the emulator's recording and snapshots), stores ``--count`` generated 9 KB instances over
REST (``POST /instances``, one keep-alive connection) or over C-STORE (one association of
DCMTK's ``storescu``), and samples every process of the stack meanwhile with py-spy
(``--subprocesses --gil``: only the thread holding each process's GIL is sampled, so a sample
is Python running, not waiting).
After the last instance it waits for the change feed to catch up, so that the feed's work for
these instances is counted too. Before the workload, ``--idle`` seconds of the stack doing
nothing are sampled the same way: what its polling costs (the change feed, the job runner, the
DICOM service), shown as a share of one core.

Each sample goes to the thread it was taken in (the emulator; the REST API's request threads,
change feed and job runner; the DICOM service) and to the layer of its innermost frame outside
the standard library (moto's backends, moto's request and response handling, the HTTP servers,
botocore, pydicom, pynetdicom, Chalice, Cirrus), and is shown as milliseconds of CPU per
instance. The figures are written up in docs/architecture.md, "Where the time goes locally".

    .venv/bin/python bench/stack_profile.py --workload rest --count 300
    .venv/bin/python bench/stack_profile.py --workload cstore --count 300
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for path in (REPO_ROOT, REPO_ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import requests  # noqa: E402
from dicomgen import Instance, generate  # noqa: E402

from local_stack.feed import IDLE_POLL_SECONDS  # noqa: E402
from tests.e2e.stack import LocalStack  # noqa: E402

PY_SPY = REPO_ROOT / ".venv" / "bin" / "py-spy"
RATE = 200  # samples per second and process
FEED_TIMEOUT = 120.0
WARMUP = 20

# Innermost non-stdlib frame's file (py-spy names them from their package: "botocore/hooks.py",
# "threading.py") -> layer; the first pattern that matches wins.
LAYERS = [
    (r"moto/(dynamodb|s3|stepfunctions|secretsmanager)/models/", "moto backends"),
    (r"moto/dynamodb/(parsing|comparisons)", "moto backends"),
    (r"local_stack/moto_", "moto backends"),
    (r"local_stack/(snapshot|recording)\.py", "emulator persistence"),
    (r"moto/", "moto request/response"),
    (r"(flask|werkzeug|waitress)/", "HTTP server (waitress, Flask, werkzeug)"),
    (r"(botocore|boto3|urllib3|s3transfer|jmespath|dateutil)/", "botocore, urllib3"),
    (r"pydicom/", "pydicom"),
    (r"pynetdicom/", "pynetdicom"),
    (r"chalice/", "Chalice (local gateway)"),
    (r"(chalicelib|local_stack|scp_container)/|app\.py$", "Cirrus"),
    (r"[a-z_0-9]+/", "other libraries"),
]
STDLIB = "Python (stdlib: sockets, json, threads)"
FRAME = re.compile(r"\((?P<file>[^():]+):\d+\)$")


def thread_group(process: str, thread: str) -> str:
    """Which part of the stack a sampled thread is."""
    if "local_stack.emulator" in process:
        return "emulator"
    if "local_stack.scp" in process:
        return "DICOM service"
    if "local_stack.rest" in process:
        if "change-feed" in thread:
            return "REST process: change feed"
        if "job-runner" in thread:
            return "REST process: job runner"
        return "REST process: requests"
    return "supervisor"


def layer(frames: Sequence[str]) -> str:
    """The layer of a sample's innermost frame outside the standard library."""
    for frame in reversed(frames):
        match = FRAME.search(frame)
        if match is None:
            continue
        filename = match["file"]
        if filename.split("/", 1)[0].removesuffix(".py") in sys.stdlib_module_names:
            continue  # json/decoder.py, threading.py: the caller's layer
        for pattern, name in LAYERS:
            if re.match(pattern, filename):
                return name
    return STDLIB


def tally(lines: Iterable[str]) -> Counter[tuple[str, str]]:
    """Samples per (thread group, layer) of py-spy's raw output (``--subprocesses --threads``:
    each stack starts with its process chain, then its thread)."""
    samples: Counter[tuple[str, str]] = Counter()
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        processes = [f for f in frames if f.startswith("process ")]
        threads = [f for f in frames if f.startswith("thread ")]
        code = [f for f in frames if not f.startswith(("process ", "thread "))]
        group = thread_group(processes[-1] if processes else "", threads[-1] if threads else "")
        samples[group, layer(code)] += int(count)
    return samples


def feed_position(stack: LocalStack) -> int:
    return int(requests.get(f"{stack.url}/changes?last", timeout=30).json()["Last"])


def wait_for_feed(stack: LocalStack, expected_changes: int, since: int) -> None:
    """Until the change feed has logged ``expected_changes`` changes after ``since``."""
    deadline = time.monotonic() + FEED_TIMEOUT
    while feed_position(stack) - since < expected_changes:
        if time.monotonic() > deadline:
            raise RuntimeError("the change feed did not catch up")
        time.sleep(0.2)


def store_rest(stack: LocalStack, instances: Sequence[Instance]) -> None:
    with requests.Session() as session:
        for instance in instances:
            answer = session.post(f"{stack.url}/instances", data=instance.data, timeout=60)
            answer.raise_for_status()


def store_cstore(stack: LocalStack, instances: Sequence[Instance]) -> None:
    """One association of DCMTK's ``storescu`` (``TCP_NODELAY=1``), as ``bench/scp_idle.py``
    sends: a pynetdicom sender in this process paused its reactor around every request and
    managed about a fifth of the rate, so each instance carried the DICOM service's polling
    for the gaps between them."""
    with tempfile.TemporaryDirectory(prefix="cirrus-stack-profile-files-") as directory:
        paths = []
        for number, instance in enumerate(instances):
            path = Path(directory) / f"{number:05d}.dcm"
            path.write_bytes(instance.data)
            paths.append(str(path))
        subprocess.run(
            ["storescu", "-aec", "CIRRUS", "127.0.0.1", str(stack.config["DicomPort"]), *paths],
            env={**os.environ, "TCP_NODELAY": "1"},
            check=True,
            capture_output=True,
            timeout=600,
        )


def record(pid: int, output: Path, seconds: float | None = None) -> subprocess.Popen[bytes]:
    """py-spy sampling the process tree of ``pid`` into ``output`` (until SIGINT, or for
    ``seconds``)."""
    options = ["--subprocesses", "--threads", "--gil", "--nonblocking", "-r", str(RATE)]
    if seconds is not None:
        options += ["--duration", str(int(seconds))]
    return subprocess.Popen(
        [str(PY_SPY), "record", *options, "-f", "raw", "-o", str(output), "--pid", str(pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class Profile:
    """Samples per (thread group, layer): while idle, and while storing the instances."""

    idle: Counter[tuple[str, str]]
    idle_seconds: float
    busy: Counter[tuple[str, str]]
    busy_seconds: float


def profile(workload: str, count: int, idle_seconds: float, keep: Path | None = None) -> Profile:
    """The stack's samples while idle for ``idle_seconds``, then while storing ``count``
    instances (until the feed caught up); py-spy's samples of the second part are copied to
    ``keep`` (flame-graph tools read them) when given."""
    instances = generate(count + WARMUP, 64)
    store = store_rest if workload == "rest" else store_cstore
    with (
        tempfile.TemporaryDirectory(prefix="cirrus-stack-profile-") as directory,
        LocalStack(Path(directory) / "data") as stack,
    ):
        before = feed_position(stack)
        store(stack, instances[:WARMUP])
        wait_for_feed(stack, 1, before)
        assert stack.process is not None
        time.sleep(2 * IDLE_POLL_SECONDS)  # the change feed slows down to its idle pace
        idle_output = Path(directory) / "py-spy-idle.txt"
        record(stack.process.pid, idle_output, idle_seconds).wait(idle_seconds + 60)
        output = Path(directory) / "py-spy.txt"
        spy = record(stack.process.pid, output)
        time.sleep(1.0)  # py-spy attaches to every process
        began = time.monotonic()
        since = feed_position(stack)
        store(stack, instances[WARMUP:])
        # New instances, series, studies and patients: at least one change per instance.
        wait_for_feed(stack, count, since)
        seconds = time.monotonic() - began
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
        if keep is not None:
            keep.write_bytes(output.read_bytes())
        return Profile(
            tally(idle_output.read_text().splitlines()),
            idle_seconds,
            tally(output.read_text().splitlines()),
            seconds,
        )


def breakdown(samples: Counter[tuple[str, str]], scale: float, unit: str) -> list[str]:
    """Lines per thread group, then per layer, of ``samples`` times ``scale``."""
    groups = Counter[str]()
    for (group, _), n in samples.items():
        groups[group] += n
    lines = []
    for group, group_samples in groups.most_common():
        lines.append(f"  {group:34s} {group_samples * scale:7.2f} {unit}")
        for (g, name), n in sorted(samples.items(), key=lambda item: -item[1]):
            if g == group and n * scale >= 0.05:
                lines.append(f"      {name:40s} {n * scale:7.2f} {unit}")
    lines.append(f"  {'all processes':34s} {sum(groups.values()) * scale:7.2f} {unit}")
    return lines


def report(result: Profile, count: int, workload: str) -> str:
    idle_percent = 100.0 / RATE / result.idle_seconds
    busy = result.busy_seconds
    return "\n".join(
        [f"idle, {result.idle_seconds:.0f} s: CPU (GIL held), % of one core"]
        + breakdown(result.idle, idle_percent, "%")
        + [
            f"{workload}: {count} instances of 9 KB, {busy:.1f} s until the change feed caught "
            f"up ({count / busy:.1f} inst/s); CPU (GIL held) per instance:"
        ]
        + breakdown(result.busy, 1000.0 / RATE / count, "ms")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=("rest", "cstore"), default="rest")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle sampled")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw samples in this file")
    args = parser.parse_args(argv)
    result = profile(args.workload, args.count, args.idle, args.raw)
    print(report(result, args.count, args.workload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
