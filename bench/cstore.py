"""C-STORE benchmark: instances per second into Cirrus's DICOM service vs Orthanc's DICOM SCP.

    .venv/bin/python bench/cstore.py                         # 500 instances of ~9 KB per run
    .venv/bin/python bench/cstore.py --count 1000 --size 512 # ~525 KB files
    .venv/bin/python bench/cstore.py --send dataset          # pynetdicom encodes each dataset

One run on this machine, everything started by the benchmark on free ports in temporary
directories (nothing listens on 8042/4242/4566; everything is stopped at the end, also on
Ctrl-C or SIGTERM):

- **orthanc**: Debian's Orthanc 1.10.1 (``/usr/sbin/Orthanc``), fresh SQLite index, no
  plugins, ``TCP_NODELAY=1``; its DICOM SCP on ``dicom_port``;
- **cirrus**: the local stack as ``make run`` runs it (``python -m local_stack``: moto
  emulator, REST server, job runner and the pynetdicom DICOM service of ``scp_container``,
  which sets TCP_NODELAY on every association), started like ``bench/peers.py`` does;
- **cirrus-rest** (unless ``--no-rest``): the same local stack fed the same kind of files by
  ``POST /instances`` (one keep-alive HTTP connection, TCP_NODELAY, per "association"), to
  show what the DICOM service adds to the ingest path it shares with REST.

The instances (CT, explicit VR little endian, Part 10, 20 per series, 5 series per study) are
generated with ``bench/dicomgen.py`` before any timing, fresh UIDs for every run, so every run
stores new instances and nothing needs deleting between runs. For each server: a warm-up of
``--warmup`` instances over one association (untimed), then, for each ``--associations`` value
A, ``--count`` instances sent over A parallel associations (``count / A`` each).

**The sender** (pynetdicom SCU) runs each association in its own forked process, so that the
client's Python does not compete with itself for the GIL (nor with anything in this process).
Each requests exactly the presentation contexts of the files (SOP class and the file's own
transfer syntax), sets TCP_NODELAY on its socket, associates, then waits on a barrier: the
timed part is from the barrier to the last C-STORE response of the last association
(association set-up and release are not timed). ``--send`` chooses how a file goes out:

- ``bytes`` (default, the cheapest for the client): the files are split once, untimed, into
  their file meta (SOP class/instance UIDs, transfer syntax) and the encoded data set after it;
  each C-STORE request carries those bytes as they are, through pynetdicom's own DIMSE layer
  (``dimse.send_msg`` / ``get_msg``, as ``Association.send_c_store`` does after encoding, with
  the reactor paused for the whole run: see ``reactor_paused``). No
  pydicom parsing or encoding, no file I/O per instance.
- ``file``: ``send_c_store(path)`` with ``_config.STORE_SEND_CHUNKED_DATASET`` (the public way
  to send a file without decoding it): per instance pydicom reads the file meta from disk and
  the data set is streamed from the file.
- ``dataset``: ``send_c_store(dataset)`` of datasets parsed before the timing; pynetdicom
  re-encodes every dataset with pydicom, the costliest for the client.

The table's "client CPU" column shows what each costs per instance; "of which SCP" is the
CPU of the local stack's DICOM service process alone (pynetdicom, the C-STORE handler and
the ingest's botocore calls; the emulator and the REST process excluded).

Checks (the benchmark fails loudly, exit status 1): every C-STORE status must be 0x0000, and
after every run, warm-ups included, ``/statistics`` ``CountInstances`` of the server must have
grown by exactly the instances sent (checked for both servers; Cirrus answers a C-STORE only
once the instance is stored and indexed).

Each run starts once the servers are idle (after a run the local stack's stream feed keeps the
emulator busy for a while), as in ``bench/peers.py``. All of Cirrus's time is spent over the
local emulator (moto, one AWS request at a time): see bench/README.md on what that does to the
figures.

Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import http.client
import io
import multiprocessing
import os
import queue
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dicomgen
import requests
from peers import (
    TICKS,
    BenchmarkError,
    _proc_stats,
    _show_log,
    _terminate,
    log,
    machine_busy_ticks,
    own_ticks,
    start_cirrus,
    start_orthanc,
    wait_until_quiet,
)
from pydicom import dcmread
from pydicom.filereader import read_dataset, read_preamble
from pynetdicom import AE, _config
from pynetdicom.dimse_primitives import C_STORE

CALLING_AET = "BENCHSCU"
ORTHANC_AET = "BENCHORTHANC"
CIRRUS_AET = "BENCHCIRRUS"
SUCCESS = 0x0000
TIMEOUT = 120.0  # seconds for an association, a DIMSE response, or a whole worker
SEND_MODES = ("bytes", "file", "dataset")
ORTHANC_HINT = (
    "Reference (/work/shared/README.md): Orthanc 1.10.1 ingests ~260-290 instances/s over "
    "C-STORE with 9 KB files over one association (TCP_NODELAY both sides) on this kind of "
    "machine; ~106/s with 512x512 (525 KB) files."
)


# -- the instances ---------------------------------------------------------------------------


@dataclass
class Item:
    """One generated instance, ready to send in every ``--send`` mode."""

    sop_class: str
    sop_uid: str
    transfer_syntax: str
    dataset: bytes  # the encoded data set, without preamble and file meta
    path: str = ""  # the Part 10 file on disk (``--send file``)
    parsed: Any = None  # the pydicom Dataset (``--send dataset``)
    part10: bytes = b""  # the whole file, for the REST sender (``cirrus-rest``)


def prepare(data: bytes, mode: str, directory: Path, rest: bool) -> Item:
    """Split a Part 10 file into file meta and data set (untimed, before any run); ``rest``
    keeps the whole file for ``POST /instances``."""
    stream = io.BytesIO(data)
    read_preamble(stream, False)
    meta = read_dataset(
        stream,
        is_implicit_VR=False,
        is_little_endian=True,
        stop_when=lambda tag, _vr, _length: tag.group != 2,
    )
    item = Item(
        sop_class=str(meta.MediaStorageSOPClassUID),
        sop_uid=str(meta.MediaStorageSOPInstanceUID),
        transfer_syntax=str(meta.TransferSyntaxUID),
        dataset=data[stream.tell() :],
        part10=data if rest else b"",
    )
    if mode == "file":
        path = directory / f"{item.sop_uid}.dcm"
        path.write_bytes(data)
        item.path = str(path)
    elif mode == "dataset":
        item.parsed = dcmread(io.BytesIO(data))
    return item


# -- the sender (runs in forked processes) ---------------------------------------------------


@dataclass
class Target:
    name: str
    host: str
    port: int
    aet: str
    url: str
    session: requests.Session
    rest: bool = False  # POST /instances to ``url`` instead of C-STORE to ``host:port``


@dataclass
class WorkerResult:
    index: int
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    began: float = 0.0  # time.perf_counter() (CLOCK_MONOTONIC: comparable across processes)
    ended: float = 0.0
    cpu: float = 0.0  # CPU seconds of the whole worker process (association included)
    timed_cpu: float = 0.0  # CPU seconds of the timed part, all threads of the worker
    error: str = ""


@contextmanager
def reactor_paused(assoc: Any) -> Iterator[None]:
    """Keep the association's reactor paused for a whole run of ``--send bytes``.

    pynetdicom's ``send_c_store`` pauses the reactor for each request (so that the reactor does
    not take the response off the DIMSE queue) and resumes it after: a per-message handshake
    through 0.1 ms polling that, called back to back, can let the resumed reactor eat the next
    response (seen here: the sender then waits until Orthanc drops the idle association). The
    requestor's reactor only watches for unsolicited messages, which a C-STORE run has none
    of, so it stays paused until the run is over; the DUL thread keeps doing the network I/O.
    """
    assoc._reactor_checkpoint.clear()
    try:
        while not assoc._is_paused:
            time.sleep(0.0001)
        yield
    finally:
        assoc._reactor_checkpoint.set()


def _send_bytes(assoc: Any, context_id: int, item: Item, msg_id: int) -> int:
    """One C-STORE of already encoded bytes: ``Association.send_c_store`` minus the encoding
    (same DIMSE calls, under ``reactor_paused``)."""
    req = C_STORE()
    req.MessageID = msg_id
    req.AffectedSOPClassUID = item.sop_class
    req.AffectedSOPInstanceUID = item.sop_uid
    req.Priority = 2
    req.DataSet = io.BytesIO(item.dataset)
    assoc.dimse.send_msg(req, context_id)
    _, rsp = assoc.dimse.get_msg(block=True)
    if rsp is None:
        raise BenchmarkError(
            f"no C-STORE response for {item.sop_uid}: association aborted or closed, "
            f"or no answer within {TIMEOUT} s"
        )
    if rsp.MessageIDBeingRespondedTo != msg_id:
        raise BenchmarkError(f"response to message {rsp.MessageIDBeingRespondedTo}, not {msg_id}")
    return int(rsp.Status)


def _send_all(
    assoc: Any,
    target: Target,
    items: Sequence[Item],
    mode: str,
    contexts: dict[tuple[str, str], int],
    statuses: Counter[int],
    result: WorkerResult,
) -> None:
    """The timed part: one C-STORE after the other, counting the statuses."""
    for number, item in enumerate(items, start=1):
        msg_id = number % 65536 or 1
        if mode == "bytes":
            key = (item.sop_class, item.transfer_syntax)
            if key not in contexts:
                raise BenchmarkError(f"{target.name} did not accept the context {key}")
            status = _send_bytes(assoc, contexts[key], item, msg_id)
        else:
            payload = item.path if mode == "file" else item.parsed
            answer = assoc.send_c_store(payload, msg_id=msg_id)
            if "Status" not in answer:
                raise BenchmarkError(f"no C-STORE response for {item.sop_uid}")
            status = int(answer.Status)
        statuses[status] += 1
        result.sent += 1


def _post_all(target: Target, items: Sequence[Item], result: WorkerResult) -> Counter[int]:
    """The REST sender's timed part: ``POST /instances`` one after the other over one
    keep-alive connection (TCP_NODELAY), an HTTP 200 counting as status 0x0000."""
    statuses: Counter[int] = Counter()
    host, port = target.url.split("//", 1)[1].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for item in items:
            connection.request("POST", "/instances", body=item.part10)
            answer = connection.getresponse()
            answer.read()
            statuses[SUCCESS if answer.status == 200 else answer.status] += 1
            result.sent += 1
    finally:
        connection.close()
    return statuses


def _worker(
    index: int,
    target: Target,
    items: Sequence[Item],
    mode: str,
    barrier: Any,
    results: Any,
) -> None:
    """One association: associate, wait for the others, send every item, release."""
    result = WorkerResult(index)
    if target.rest:
        _rest_worker(target, items, barrier, results, result)
        return
    try:
        _config.STORE_SEND_CHUNKED_DATASET = mode == "file"
        ae = AE(ae_title=CALLING_AET)
        for sop_class, syntax in sorted({(i.sop_class, i.transfer_syntax) for i in items}):
            ae.add_requested_context(sop_class, syntax)
        ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = TIMEOUT
        assoc = ae.associate(target.host, target.port, ae_title=target.aet)
        if not assoc.is_established:
            raise BenchmarkError(f"{target.name} refused the association (or did not answer)")
        raw = assoc.dul.socket.socket
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        contexts = {
            (str(cx.abstract_syntax), str(cx.transfer_syntax[0])): cx.context_id
            for cx in assoc.accepted_contexts
        }
        statuses: Counter[int] = Counter()
        try:
            barrier.wait(TIMEOUT)
            result.began, cpu = time.perf_counter(), time.process_time()
            with ExitStack() as paused:
                if mode == "bytes":
                    paused.enter_context(reactor_paused(assoc))
                _send_all(assoc, target, items, mode, contexts, statuses, result)
            result.ended, result.timed_cpu = time.perf_counter(), time.process_time() - cpu
        finally:
            if assoc.is_established:
                assoc.release()
        result.statuses = dict(statuses)
    except BaseException as exc:  # reported to the parent, which fails loudly
        result.error = f"{type(exc).__name__}: {exc}"
        if barrier is not None:
            barrier.abort()
    finally:
        times = os.times()
        result.cpu = times.user + times.system
        results.put(result)


def _rest_worker(
    target: Target, items: Sequence[Item], barrier: Any, results: Any, result: WorkerResult
) -> None:
    """One HTTP client instead of one association, timed the same way."""
    try:
        barrier.wait(TIMEOUT)
        result.began, cpu = time.perf_counter(), time.process_time()
        result.statuses = dict(_post_all(target, items, result))
        result.ended, result.timed_cpu = time.perf_counter(), time.process_time() - cpu
    except BaseException as exc:  # reported to the parent, which fails loudly
        result.error = f"{type(exc).__name__}: {exc}"
        barrier.abort()
    finally:
        times = os.times()
        result.cpu = times.user + times.system
        results.put(result)


# -- one run ---------------------------------------------------------------------------------


@dataclass
class Run:
    server: str
    associations: int
    instances: int
    seconds: float
    client_cpu: float  # CPU seconds of all sender processes in the timed part
    server_cpu: float  # CPU seconds of the server's processes (Orthanc, or the whole stack)
    other_cpu: float  # cores used on average by processes this benchmark did not start
    scp_cpu: float = 0.0  # CPU seconds of the local stack's DICOM service process alone

    @property
    def throughput(self) -> float:
        return self.instances / self.seconds if self.seconds else 0.0


def dicom_service_ticks() -> int:
    """CPU ticks so far of the local stack's DICOM service (``python -m local_stack.scp``)
    among the processes this benchmark started; 0 when there is none (Orthanc)."""
    stats = _proc_stats()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        if b"local_stack.scp" in command:
            total += stats[pid][1]
    return total


def count_instances(target: Target) -> int:
    response = target.session.get(f"{target.url}/statistics", timeout=60)
    response.raise_for_status()
    return int(response.json()["CountInstances"])


def expect_count(target: Target, expected: int, wait: float = 10.0) -> None:
    """``CountInstances`` must reach ``expected`` (waiting briefly) and not go past it."""
    deadline = time.monotonic() + wait
    while True:
        held = count_instances(target)
        if held == expected:
            return
        if held > expected or time.monotonic() > deadline:
            raise BenchmarkError(
                f"{target.name}: /statistics CountInstances is {held}, expected {expected}"
            )
        time.sleep(0.2)


def run(target: Target, items: Sequence[Item], associations: int, mode: str) -> Run:
    """Send ``items`` over ``associations`` parallel associations (one process each)."""
    context = multiprocessing.get_context("fork")
    waited = wait_until_quiet()
    if waited > 2.5:
        log(f"  (waited {waited:.1f} s for the servers to be idle)")
    before = count_instances(target)
    shares = [items[i::associations] for i in range(associations)]
    barrier = context.Barrier(associations)
    results = context.Queue()
    workers = [
        context.Process(
            target=_worker, args=(i, target, share, mode, barrier, results), daemon=True
        )
        for i, share in enumerate(shares)
    ]
    ticks, busy, window = own_ticks(), machine_busy_ticks(), time.perf_counter()
    scp_ticks = dicom_service_ticks()
    try:
        for worker in workers:
            worker.start()
        answers: list[WorkerResult] = []
        deadline = time.monotonic() + TIMEOUT + len(items)  # generous: 1 s per instance
        while len(answers) < len(workers):
            try:
                answers.append(results.get(timeout=1.0))
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise BenchmarkError(f"{target.name}: senders did not finish in time") from None
                dead = [w for w in workers if w.exitcode not in (None, 0)]
                if dead and results.empty():
                    raise BenchmarkError(
                        f"{target.name}: a sender died (exit code {dead[0].exitcode})"
                    ) from None
        for worker in workers:
            worker.join(TIMEOUT)
    finally:
        for worker in workers:  # only on errors: the senders have exited otherwise
            if worker.is_alive():
                worker.kill()
                worker.join()
    window = time.perf_counter() - window
    server_ticks = own_ticks() - ticks  # the senders have exited: their ticks are not in it
    scp_ticks = dicom_service_ticks() - scp_ticks
    others = (machine_busy_ticks() - busy - server_ticks) / TICKS - sum(a.cpu for a in answers)

    errors = [f"association {a.index}: {a.error}" for a in answers if a.error]
    if errors:
        raise BenchmarkError(f"{target.name}: " + "; ".join(errors))
    statuses: Counter[int] = Counter()
    for answer in answers:
        statuses.update(answer.statuses)
    sent = sum(a.sent for a in answers)
    if sent != len(items) or set(statuses) != {SUCCESS}:
        shown = ", ".join(f"0x{s:04X} x{n}" for s, n in sorted(statuses.items()))
        raise BenchmarkError(
            f"{target.name}: {sent} of {len(items)} C-STOREs answered, statuses {shown}"
        )
    expect_count(target, before + len(items))
    seconds = max(a.ended for a in answers) - min(a.began for a in answers)
    return Run(
        target.name,
        associations,
        len(items),
        seconds,
        sum(a.timed_cpu for a in answers),
        server_ticks / TICKS,
        max(0.0, others / window),
        scp_ticks / TICKS if target.name == "cirrus" else 0.0,  # the stack idles otherwise
    )


# -- reporting -------------------------------------------------------------------------------


def format_runs(runs: Sequence[Run]) -> list[str]:
    header = (
        f"{'server':<11} {'associations':>12} {'instances':>9} {'seconds':>8} {'inst/s':>8} "
        f"{'client CPU ms/inst':>18} {'server CPU ms/inst':>18} {'of which SCP':>12} "
        f"{'other CPU':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in runs:
        lines.append(
            f"{r.server:<11} {r.associations:>12} {r.instances:>9} {r.seconds:>8.2f} "
            f"{r.throughput:>8.1f} {1000 * r.client_cpu / r.instances:>18.2f} "
            f"{1000 * r.server_cpu / r.instances:>18.2f} "
            f"{f'{1000 * r.scp_cpu / r.instances:.2f}' if r.scp_cpu else '-':>12} "
            f"{r.other_cpu:>9.2f}"
        )
    return lines


def format_ratios(runs: Sequence[Run], associations: Sequence[int]) -> list[str]:
    lines = []
    for count in associations:
        rates = {r.server: r.throughput for r in runs if r.associations == count}
        if "orthanc" in rates and "cirrus" in rates and rates["orthanc"]:
            ratio = rates["cirrus"] / rates["orthanc"]
            lines.append(
                f"{count} association(s): cirrus/orthanc = {ratio:.3f} "
                f"({rates['cirrus']:.1f} vs {rates['orthanc']:.1f} inst/s; "
                f"Orthanc {1 / ratio:.1f}x faster)"
            )
    return lines


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Instances/s over C-STORE: Cirrus's DICOM service vs Orthanc 1.10.1."
    )
    parser.add_argument("--count", type=int, default=500, help="instances per timed run (500)")
    parser.add_argument(
        "--size", type=int, default=64, help="image side: 64 (~9 KB files) or 512 (~525 KB)"
    )
    parser.add_argument(
        "--associations",
        default="1,4",
        help="parallel associations, comma-separated; one timed run per value (1,4)",
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="untimed instances per server first (20)"
    )
    parser.add_argument(
        "--send", choices=SEND_MODES, default="bytes", help="how the SCU sends a file (bytes)"
    )
    parser.add_argument(
        "--servers", default="orthanc,cirrus", help="which servers to start (orthanc,cirrus)"
    )
    parser.add_argument(
        "--no-rest",
        action="store_true",
        help="skip cirrus-rest (the same local stack fed by POST /instances, for comparison)",
    )
    parser.add_argument("--orthanc-binary", help="Orthanc executable (/usr/sbin/Orthanc)")
    args = parser.parse_args(argv)
    try:
        args.associations = [int(a) for a in args.associations.split(",") if a]
    except ValueError:
        parser.error("--associations takes comma-separated integers")
    args.servers = [s for s in args.servers.split(",") if s]
    if args.count <= 0 or args.size <= 0 or args.warmup < 0:
        parser.error("--count and --size must be positive, --warmup not negative")
    if not args.associations or any(a <= 0 or a > args.count for a in args.associations):
        parser.error("--associations must be between 1 and --count")
    if not args.servers or set(args.servers) - {"orthanc", "cirrus"}:
        parser.error("--servers takes orthanc and/or cirrus")
    return args


def benchmark(args: argparse.Namespace, stack: ExitStack) -> list[Run]:
    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirrus-bench-cstore-")))
    targets: list[Target] = []
    if "orthanc" in args.servers:
        orthanc = start_orthanc(stack, args.orthanc_binary, {"DicomAet": ORTHANC_AET})
        log(f"orthanc: {orthanc.binary}, REST {orthanc.url}, DICOM port {orthanc.dicom_port}")
        targets.append(
            Target(
                "orthanc",
                "127.0.0.1",
                orthanc.dicom_port,
                ORTHANC_AET,
                orthanc.url,
                orthanc.session,
            )
        )
    if "cirrus" in args.servers:
        began = time.perf_counter()
        cirrus = start_cirrus(stack, root, {"DicomAet": CIRRUS_AET})
        stack.push(lambda exc_type, *_: _show_log(cirrus) if exc_type is BenchmarkError else None)
        port = int(cirrus.config["DicomPort"])
        log(
            f"cirrus: local stack, REST {cirrus.url}, DICOM port {port} (emulator "
            f"{cirrus.emulator_url}), started in {time.perf_counter() - began:.1f} s"
        )
        session = requests.Session()
        stack.callback(session.close)
        targets.append(Target("cirrus", "127.0.0.1", port, CIRRUS_AET, cirrus.url, session))
        if not args.no_rest:
            rest = Target("cirrus-rest", "", 0, "", cirrus.url, session, rest=True)
            targets.append(rest)

    began = time.perf_counter()
    per_target = args.warmup + args.count * len(args.associations)
    generated = dicomgen.generate(per_target * len(targets), args.size)
    rest_from = per_target * len([t for t in targets if not t.rest])  # REST targets come last
    files = root / "files"
    files.mkdir()
    items = [
        prepare(instance.data, args.send, files, rest=number >= rest_from)
        for number, instance in enumerate(generated)
    ]
    log(
        f"generated {len(items)} instances of {args.size}x{args.size} "
        f"({len(generated[0].data)} bytes each, fresh UIDs for every run) "
        f"in {time.perf_counter() - began:.1f} s; sending mode: {args.send}"
    )
    del generated
    batches = {t.name: items[i * per_target : (i + 1) * per_target] for i, t in enumerate(targets)}

    for target in targets:
        if args.warmup:
            warm = run(target, batches[target.name][: args.warmup], 1, args.send)
            log(f"warm-up {target.name}: {warm.instances} instances in {warm.seconds:.2f} s")

    runs: list[Run] = []
    for number, associations in enumerate(args.associations):
        start = args.warmup + number * args.count
        for target in targets:
            log(f"{target.name}: {args.count} instances over {associations} association(s)...")
            result = run(
                target, batches[target.name][start : start + args.count], associations, args.send
            )
            runs.append(result)
            log(
                f"  {result.seconds:.2f} s, {result.throughput:.1f} inst/s; all statuses 0x0000, "
                f"CountInstances +{result.instances}; other processes used "
                f"{result.other_cpu:.2f} cores"
            )
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    began = time.perf_counter()
    try:
        with ExitStack() as stack:
            runs = benchmark(args, stack)
            log("stopping the servers...")
    except BenchmarkError as exc:
        print(f"FAILED: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; every server started was stopped")
        return 130
    print()
    print(
        f"C-STORE, {args.count} instances of {args.size}x{args.size} per run (fresh UIDs), "
        f"after a {args.warmup}-instance warm-up per server; SCU: pynetdicom, one process per "
        f"association, TCP_NODELAY, --send {args.send}; seconds = first request to last "
        "response (association set-up not timed)"
    )
    print("\n".join(format_runs(runs)))
    print(
        "(client CPU: the sender processes during the timed part; server CPU: Orthanc's "
        "process, or every process of the local stack (SCP, emulator, REST, feed), of which "
        "SCP: the local stack's DICOM service process alone; other CPU: cores used on average "
        "by processes this benchmark did not start)"
    )
    ratios = format_ratios(runs, args.associations)
    if ratios:
        print()
        print("\n".join(ratios))
    print()
    print(ORTHANC_HINT)
    print(f"Total run time {time.perf_counter() - began:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
