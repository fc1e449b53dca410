"""The DICOM service's CPU: idle, per open idle association, and per stored instance.

    .venv/bin/python bench/scp_idle.py                               # this checkout
    .venv/bin/python bench/scp_idle.py --baseline /tmp/before        # before/after, alternated

pynetdicom runs two threads per association that poll rather than wait (the DUL reactor
checks its socket and queues, the association reactor its message queue, each every
millisecond), so an open association costs CPU even when nothing is sent: a Fargate task
holding a modality's idle associations pays for them all day. This benchmark starts the DICOM
service as the local stack does (``python -m local_stack.scp``, over the emulator started on
free ports, tables created first) and reads its CPU time (user + system, /proc/<pid>/stat)
over ``--seconds`` with 0, 1 and ``--idle`` (10) idle associations open (pynetdicom SCUs in a
separate process, after a C-ECHO each), then sends ``--count`` generated instances (~9 KB,
bench/dicomgen.py) with DCMTK's ``storescu`` (one association, ``TCP_NODELAY=1``) and prints
the wall time and the service's CPU per instance.

With ``--baseline DIR`` another checkout of the project (e.g. a copy from before a change)
is measured too, each phase alternated between the two, so that both see the same load (the
machine is shared: the load average is printed with the figures).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.connection
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CALLING_AET = "BENCHSCU"
VERIFICATION = "1.2.840.10008.1.1"


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` and its threads so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the DICOM service exited during start-up ({process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the DICOM service did not listen on {port} within {seconds} s")


@contextmanager
def dicom_service(root: Path, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """``python -m local_stack.scp`` of the checkout ``root`` on a free port: (pid, port)."""
    from servers import free_port

    port = free_port()
    with tempfile.TemporaryFile(prefix="cirrus-bench-scp-") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local_stack.scp", "--port", str(port)],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            yield process.pid, port
        finally:
            process.terminate()
            process.wait(10)


def _hold_associations(port: int, count: int, pipe: multiprocessing.connection.Connection) -> None:
    """In a forked process: ``count`` associations, each after a C-ECHO, held idle until the
    parent says so, then released."""
    from pynetdicom import AE

    ae = AE(ae_title=CALLING_AET)
    ae.add_requested_context(VERIFICATION)
    associations = [ae.associate("127.0.0.1", port) for _ in range(count)]
    ok = all(a.is_established and a.send_c_echo().Status == 0 for a in associations)
    pipe.send(ok)
    pipe.recv()
    for association in associations:
        association.release()
    pipe.send(True)


def idle_cpu(pid: int, port: int, associations: int, seconds: float) -> float:
    """The service's CPU share (percent of one core) over ``seconds`` with ``associations``
    idle associations open."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    holder = context.Process(target=_hold_associations, args=(port, associations, child))
    holder.start()
    try:
        if not parent.recv():
            raise RuntimeError("an idle association could not be opened")
        time.sleep(1)  # the set-up's own work is not idle time
        before, started = cpu_seconds(pid), time.monotonic()
        time.sleep(seconds)
        used, elapsed = cpu_seconds(pid) - before, time.monotonic() - started
        parent.send(True)
        parent.recv()
    finally:
        holder.join(30)
    return 100 * used / elapsed


def store(pid: int, port: int, files: Sequence[Path]) -> tuple[float, float]:
    """``storescu`` of ``files`` over one association: (seconds, service CPU seconds)."""
    env = {**os.environ, "TCP_NODELAY": "1"}
    command = ["storescu", "-aet", CALLING_AET, "127.0.0.1", str(port), *map(str, files)]
    before, started = cpu_seconds(pid), time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.monotonic() - started, cpu_seconds(pid) - before


@dataclass
class Figures:
    """One checkout's measurements, one entry per repetition."""

    idle: dict[int, list[float]] = field(default_factory=dict)
    store_seconds: list[float] = field(default_factory=list)
    store_cpu: list[float] = field(default_factory=list)


def write_instances(directory: Path, count: int, prefix: str) -> list[Path]:
    import dicomgen

    paths = []
    for i, instance in enumerate(dicomgen.generate(count)):
        path = directory / f"{prefix}{i:05d}.dcm"
        path.write_bytes(instance.data)
        paths.append(path)
    return paths


def measure(
    roots: dict[str, Path], env: dict[str, str], args: argparse.Namespace, data: Path
) -> dict[str, Figures]:
    """Each phase alternated between the checkouts, each service started once."""
    figures = {label: Figures() for label in roots}
    with ExitStack() as stack:
        services = {
            label: stack.enter_context(dicom_service(root, env)) for label, root in roots.items()
        }
        for label, (pid, port) in services.items():  # warm-up: imports, clients, first ingest
            store(pid, port, write_instances(data, 2, f"warm-{label}-"))
        for _ in range(args.repeat):
            for associations in (0, 1, args.idle):
                for label, (pid, port) in services.items():
                    share = idle_cpu(pid, port, associations, args.seconds)
                    figures[label].idle.setdefault(associations, []).append(share)
            for label, (pid, port) in services.items():
                files = write_instances(data, args.count, f"{label}-{time.monotonic_ns()}-")
                seconds, cpu = store(pid, port, files)
                figures[label].store_seconds.append(seconds)
                figures[label].store_cpu.append(cpu)
    return figures


def report(figures: dict[str, Figures], count: int) -> list[str]:
    from ingest import aligned

    header = ["checkout", "idle, 0 assoc", "1 assoc", "N assoc", "per idle assoc"]
    header += ["C-STORE inst/s", "CPU ms/inst"]
    rows = [header]
    for label, f in figures.items():
        idle = {n: statistics.median(shares) for n, shares in f.idle.items()}
        most = max(idle)
        per_association = (idle[most] - idle[0]) / most if most else 0.0
        seconds = statistics.median(f.store_seconds)
        cpu = statistics.median(f.store_cpu)
        rows.append(
            [
                label,
                f"{idle[0]:.1f}%",
                f"{idle.get(1, 0):.1f}%",
                f"{idle[most]:.1f}% ({most})",
                f"{per_association:.2f}%",
                f"{count / seconds:.1f}",
                f"{1000 * cpu / count:.1f}",
            ]
        )
    return aligned(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="idle window (10)")
    parser.add_argument("--idle", type=int, default=10, help="associations held idle (10)")
    parser.add_argument("--count", type=int, default=200, help="instances stored (200)")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions, medians (1)")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alternately")
    args = parser.parse_args(argv)
    if min(args.seconds, args.idle, args.count, args.repeat) <= 0:
        parser.error("--seconds, --idle, --count and --repeat must be positive")
    sys.path.insert(0, str(REPO_ROOT))
    from coldstart import emulator_environment
    from ingest import log
    from servers import MotoProcess

    from chalicelib.storage.schema import ensure_storage
    from local_stack.stack import emulator_client

    roots = {"this": REPO_ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    with ExitStack() as stack:
        moto = stack.enter_context(MotoProcess())
        ensure_storage(emulator_client("dynamodb", moto.url), emulator_client("s3", moto.url))
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirrus-bench-")))
        # Room for the idle associations beside the C-STOREs (the default allows 10).
        config = data / "cirrus.json"
        config.write_text(json.dumps({"DicomMaximumAssociations": args.idle + 2}))
        env = emulator_environment(moto.port, data) | {"CIRRUS_CONFIG": str(config)}
        log(f"emulator on {moto.url}; measuring {', '.join(roots)}")
        loads = [Path("/proc/loadavg").read_text().split()[0]]
        figures = measure(roots, env, args, data)
        loads.append(Path("/proc/loadavg").read_text().split()[0])
    print(
        f"== DICOM service CPU (percent of one core): idle over {args.seconds:g} s, "
        f"{args.count} C-STORE (~9 KB, storescu, one association), {args.repeat} repetition(s) =="
    )
    print(f"load average (1 min) before/after: {' / '.join(loads)}")
    print("\n".join(report(figures, args.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
