"""Ingest benchmark: upload N generated DICOM instances over REST and report throughput.

    .venv/bin/python bench/ingest.py --n 500                 # Orthanc 1.10.1 and Cirrus
    .venv/bin/python bench/ingest.py --size 64,512 --clients 1,4 --profile
    .venv/bin/python bench/ingest.py --url http://127.0.0.1:8042 --n 200

By default one run benchmarks both targets on this machine, each started by the benchmark on
free ports: Debian's Orthanc 1.10.1 (the throughput to match) and Cirrus served by
``chalice local`` in this process over moto's server (so that botocore hooks can count the AWS
requests each instance costs; the target is at most 3). See bench/README.md for how to read
the output.
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.connection
import sys
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import dicomgen
import httpload
from dicomgen import Instance
from httpload import LoadResult

ALL_TARGETS = ("orthanc", "cirrus")


@dataclass
class Row:
    """One line of the results table."""

    target: str
    size: int
    clients: int
    result: LoadResult
    file_bytes: int
    aws_counts: Counter[str] | None = None
    aws_round_trips: dict[str, list[float]] | None = None
    aws_failures: Counter[str] | None = None
    # CPU seconds of the timed uploads: the server's own (Orthanc's process; for Cirrus, this
    # process, whose threads serve chalice local and run the product code and botocore) and
    # the emulator's (Cirrus only).
    server_cpu: float | None = None
    emulator_cpu: float | None = None

    def cpu_per_instance(self, seconds: float | None) -> str:
        if seconds is None or not self.result.count:
            return "-"
        return f"{1000 * seconds / self.result.count:.2f}"

    @property
    def aws_per_instance(self) -> float | None:
        if self.aws_counts is None or not self.result.count:
            return None
        return sum(self.aws_counts.values()) / self.result.count

    @property
    def failed(self) -> int:
        return len(self.result.errors)


@dataclass
class Target:
    """A server to benchmark; for Cirrus, the in-process server whose AWS calls are counted."""

    name: str
    url: str
    # cirrus_target.CirrusServer, typed loosely: it is imported only when Cirrus is a target,
    # so that an unfinished product tree cannot stop the Orthanc measurement.
    cirrus: Any = None
    moto_url: str | None = None
    # The server's process when it is not this one (Orthanc), and the emulator's (Cirrus).
    server_pid: int | None = None
    emulator_pid: int | None = None


# -- the load generator, in its own process ------------------------------------------------


def _load_child(
    conn: multiprocessing.connection.Connection,
    url: str,
    instances: Sequence[Instance],
    clients: int,
    auth: tuple[str, str] | None,
) -> None:
    try:
        conn.send(httpload.run(url, instances, clients, auth))
    except BaseException:
        conn.send(traceback.format_exc())
    finally:
        conn.close()


def run_load(
    url: str, instances: Sequence[Instance], clients: int, auth: tuple[str, str] | None
) -> LoadResult:
    """Run the uploads from a forked process.

    Cirrus is served from a thread of this process; client threads here would compete with
    it for the GIL and slow it down by an amount unrelated to Cirrus. A forked child shares
    the generated instances without copying them and sends back only the measurements.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_load_child, args=(sender, url, instances, clients, auth), daemon=True
    )
    child.start()
    sender.close()
    try:
        answer = receiver.recv()
    except EOFError:
        answer = f"load process died with exit code {child.exitcode}"
    finally:
        child.join()
        receiver.close()
    if isinstance(answer, str):
        raise RuntimeError(f"load generator failed:\n{answer}")
    return answer


# -- reporting -----------------------------------------------------------------------------


def _fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def format_table(rows: Sequence[Row]) -> list[str]:
    header = (
        f"{'target':<10} {'size':>8} {'N':>5} {'clients':>7} {'inst/s':>8} {'MB/s':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'AWS req/inst':>12} "
        f"{'CPU ms/inst':>11} {'emulator':>8}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        result = row.result
        aws = row.aws_per_instance
        size = f"{row.size}x{row.size}"
        mb_per_s = result.throughput * row.file_bytes / 1e6
        lines.append(
            f"{row.target:<10} {size:>8} {result.count:>5} {row.clients:>7} "
            f"{result.throughput:>8.1f} {mb_per_s:>6.1f} {_fmt_ms(result.percentile(0.5)):>7} "
            f"{_fmt_ms(result.percentile(0.99)):>7} {row.failed:>6} "
            f"{'-' if aws is None else f'{aws:.2f}':>12} "
            f"{row.cpu_per_instance(row.server_cpu):>11} "
            f"{row.cpu_per_instance(row.emulator_cpu):>8}"
        )
    return lines


def _mean_ms(values: Sequence[float]) -> float:
    return 1000 * sum(values) / len(values) if values else 0.0


def _round_trip_summary(times: Sequence[float]) -> str:
    """Average round trip, and first-tenth vs last-tenth of the run to show any growth."""
    if not times:
        return "round trip not measured"
    tenth = max(1, len(times) // 10)
    return (
        f"round trip {_mean_ms(times):6.2f} ms avg "
        f"(first 10% {_mean_ms(times[:tenth]):6.2f}, last 10% {_mean_ms(times[-tenth:]):6.2f})"
    )


def format_details(rows: Sequence[Row]) -> list[str]:
    """Status counts for every row, AWS requests per operation for Cirrus rows."""
    lines = []
    for row in rows:
        label = f"{row.target} {row.size}x{row.size} x{row.clients}"
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row.result.statuses.items()))
        lines.append(f"{label}: HTTP {statuses}")
        for error in row.result.errors[:3]:
            lines.append(f"    error: {error}")
        if row.aws_counts is not None and row.result.count:
            n = row.result.count
            round_trips = row.aws_round_trips or {}
            for operation, count in sorted(row.aws_counts.items()):
                lines.append(
                    f"    {operation:<28} {count / n:5.2f} per instance; "
                    f"{_round_trip_summary(round_trips.get(operation, []))}"
                )
            if row.aws_failures:
                answers = ", ".join(f"{k}: {v}" for k, v in sorted(row.aws_failures.items()))
                lines.append(f"    non-200 AWS answers (then retried): {answers}")
    return lines


def log(message: str) -> None:
    """Progress goes to stderr, so that stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)


def finished(began: float, problems: Sequence[str]) -> int:
    """The end of a benchmark that checks answers: its run time (``began`` from
    ``time.monotonic``), each problem, and the exit status (1 when there were any)."""
    print(f"\nTotal run time {time.monotonic() - began:.0f} s.")
    for problem in problems:
        print(f"!! {problem}")
    return 1 if problems else 0


def aligned(lines: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells (the header first) as text columns: the first left-aligned (names),
    the others right-aligned (numbers), so that the benchmarks' tables read alike."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    ]


# -- the run -------------------------------------------------------------------------------


def _csv_ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas: {text}") from exc
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers: {text}")
    return values


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Upload N generated DICOM instances over REST; print inst/s, p50/p99.",
    )
    parser.add_argument("--n", type=int, default=500, help="timed uploads per run (500)")
    parser.add_argument(
        "--size",
        type=_csv_ints,
        default=[64],
        help="image side in pixels, comma list: 64 (~9 KB files), 512 (~525 KB)",
    )
    parser.add_argument(
        "--clients", type=_csv_ints, default=[1], help="concurrent connections, comma list (1)"
    )
    parser.add_argument(
        "--targets",
        default=None,
        help="comma list among orthanc,cirrus (default: both, or none when --url is given)",
    )
    parser.add_argument("--url", help="also benchmark this already-running server (no AWS count)")
    parser.add_argument("--user", help="HTTP Basic user for --url")
    parser.add_argument("--password", default="", help="HTTP Basic password for --url")
    parser.add_argument("--warmup", type=int, default=10, help="untimed uploads first (10)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile Cirrus's server side and time the product code without HTTP",
    )
    parser.add_argument(
        "--profile-n",
        type=int,
        default=100,
        help="uploads in each --profile pass (100: the profiler slows Cirrus down a lot)",
    )
    parser.add_argument("--top", type=int, default=15, help="functions listed by --profile")
    parser.add_argument("--orthanc-binary", help="Orthanc executable (/usr/sbin/Orthanc)")
    args = parser.parse_args(argv)
    if args.targets is None:
        args.targets = [] if args.url else list(ALL_TARGETS)
    else:
        args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
        unknown = set(args.targets) - set(ALL_TARGETS)
        if unknown:
            parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    if not args.targets and not args.url:
        parser.error("nothing to benchmark: give --targets or --url")
    if args.n <= 0 or args.warmup < 0:
        parser.error("--n must be positive and --warmup not negative")
    return args


def start_targets(args: argparse.Namespace, stack: ExitStack) -> tuple[list[Target], list[str]]:
    """Start the requested servers; a target that cannot start is reported, not fatal."""
    targets: list[Target] = []
    problems: list[str] = []
    if "orthanc" in args.targets:
        try:
            from servers import OrthancServer

            orthanc = stack.enter_context(OrthancServer(binary=args.orthanc_binary))
            targets.append(Target("orthanc", orthanc.url, server_pid=orthanc.pid))
            log(f"orthanc: {orthanc.binary} on {orthanc.url}")
        except Exception as exc:  # noqa: BLE001 - report and go on with the other target
            problems.append(f"orthanc could not start: {exc}")
    if "cirrus" in args.targets:
        try:
            from cirrus_target import CirrusServer
            from servers import MotoProcess

            moto = stack.enter_context(MotoProcess())
            cirrus = stack.enter_context(CirrusServer(moto.url))
            targets.append(Target("cirrus", cirrus.url, cirrus, moto.url, emulator_pid=moto.pid))
            log(f"cirrus: chalice local on {cirrus.url}, moto server on {moto.url}")
        except Exception as exc:  # noqa: BLE001 - report and go on with the other target
            problems.append(f"cirrus could not start: {exc!r}")
            traceback.print_exc(file=sys.stderr)
    if args.url:
        targets.append(Target("url", args.url.rstrip("/")))
    return targets, problems


def _cpu_seconds(target: Target) -> tuple[float | None, float | None]:
    """CPU seconds so far of the server (Orthanc's process tree, or this process for Cirrus,
    whose uploads come from a forked child) and of Cirrus's emulator; None when unknown (a
    server given by ``--url``)."""
    from peers import TICKS, tree_ticks

    if target.server_pid is not None:
        server: float | None = tree_ticks({target.server_pid}) / TICKS
    else:
        server = time.process_time() if target.cirrus is not None else None
    emulator = None if target.emulator_pid is None else tree_ticks({target.emulator_pid}) / TICKS
    return server, emulator


def benchmark(
    target: Target,
    instances: Sequence[Instance],
    warmup: int,
    clients: int,
    size: int,
    auth: tuple[str, str] | None,
) -> Row:
    """Warm up, then upload the timed instances and collect the AWS requests they caused.

    Cirrus starts every run on empty tables, as a fresh Orthanc would; see
    ``CirrusServer.fresh_tables`` for why that matters with moto.
    """
    if target.cirrus is not None:
        target.cirrus.fresh_tables()
    if warmup:
        run_load(target.url, instances[:warmup], 1, auth)
    if target.cirrus is not None:
        target.cirrus.counter.reset()
    server, emulator = _cpu_seconds(target)
    result = run_load(target.url, instances[warmup:], clients, auth)
    server_after, emulator_after = _cpu_seconds(target)
    row = Row(target.name, size, clients, result, len(instances[-1].data))
    if server_after is not None and server is not None:
        row.server_cpu = server_after - server
    if emulator_after is not None and emulator is not None:
        row.emulator_cpu = emulator_after - emulator
    if target.cirrus is not None:
        row.aws_counts, row.aws_round_trips = target.cirrus.counter.snapshot()
        row.aws_failures = Counter(target.cirrus.counter.failures)
    return row


def profile_cirrus(target: Target, args: argparse.Namespace) -> list[str]:
    """A profiled pass over fresh instances (one client), then the product-code-only figures."""
    import pstats

    import profiling

    size = args.size[0]
    lines = [
        f"== Profile: cirrus, {args.profile_n} uploads of {size}x{size}, 1 client, cProfile =="
    ]
    server = target.cirrus
    instances = dicomgen.generate(args.profile_n + args.warmup, size)
    server.fresh_tables()
    if args.warmup:
        run_load(target.url, instances[: args.warmup], 1, None)
    collector = server.start_profiling()
    server.counter.reset()
    began = time.perf_counter()
    result = run_load(target.url, instances[args.warmup :], 1, None)
    wall = time.perf_counter() - began
    server.stop_profiling()
    if not collector.profilers:
        return [*lines, "no request was profiled"]
    stats = pstats.Stats(collector.profilers[0])
    for extra in collector.profilers[1:]:
        stats.add(extra)
    aws_wait = server.counter.total_seconds
    parts = profiling.breakdown(stats, collector.requests, aws_wait)
    lines.append(
        f"{result.count} uploads, {result.throughput:.1f} inst/s under the profiler "
        f"({wall:.1f} s); server-side time per upload {parts.total * 1000:.2f} ms:"
    )
    for label, seconds in parts.rows():
        share = 100 * seconds / parts.total if parts.total else 0.0
        lines.append(f"  {label:<56} {seconds * 1000:7.2f} ms  {share:5.1f} %")
    lines.append("Top functions by cumulative time (per upload):")
    lines += profiling.format_top(stats, collector.requests, "cumulative", args.top)
    lines.append("Top functions by own time (per upload):")
    lines += profiling.format_top(stats, collector.requests, "self", args.top)
    return lines


def product_only(target: Target, args: argparse.Namespace) -> list[str]:
    """IngestService.store called directly: against moto's server, then in-process moto."""
    import profiling

    size = args.size[0]
    lines = [
        f"== Product code only: IngestService.store, {args.profile_n} x {size}x{size}, no HTTP =="
    ]
    moto_url = target.moto_url
    assert moto_url is not None
    results = [
        profiling.direct_against_server(
            moto_url, dicomgen.generate(args.profile_n + args.warmup, size), args.warmup
        ),
        profiling.direct_in_process(
            dicomgen.generate(args.profile_n + args.warmup, size), args.warmup
        ),
    ]
    parse = profiling.parse_only(dicomgen.generate(args.profile_n, size))
    for result in results:
        own = result.per_instance - result.aws_per_instance
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result.statuses.items()))
        lines.append(
            f"  {result.label:<36} {result.per_instance * 1000:7.2f} ms/inst "
            f"({1 / result.per_instance if result.per_instance else 0:6.1f} inst/s), "
            f"{result.requests_per_instance:.2f} AWS req/inst; "
            f"in AWS calls {result.aws_per_instance * 1000:6.2f} ms, "
            f"outside {own * 1000:6.2f} ms  [{statuses}]"
        )
    lines.append(f"  parsing alone (parse_file: pydicom + main tags)  {parse * 1000:7.2f} ms/inst")
    least = profiling.least_ingest(
        dicomgen.generate(args.profile_n + args.warmup, size), args.warmup
    )
    lines.append(
        f"  the least any pydicom + boto3 ingest does (4 identifiers, 1 PutObject, "
        f"1 conditional PutItem), outside the AWS calls {least * 1000:7.2f} ms/inst"
    )
    lines.append(
        "  'in AWS calls' is measured between botocore's before-send and before-parse hooks: "
        "emulator + network"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    auth = (args.user, args.password) if args.user else None
    rows: list[Row] = []
    extra: list[str] = []
    with ExitStack() as stack:
        targets, problems = start_targets(args, stack)
        for problem in problems:
            log(problem)
        for size in args.size:
            for clients in args.clients:
                began = time.perf_counter()
                instances = dicomgen.generate(args.n + args.warmup, size)
                log(
                    f"generated {len(instances)} instances of {size}x{size} "
                    f"({len(instances[-1].data)} bytes) in {time.perf_counter() - began:.1f} s"
                )
                for target in targets:
                    log(f"{target.name}: {args.n} uploads, {clients} client(s)...")
                    target_auth = auth if target.name == "url" else None
                    row = benchmark(target, instances, args.warmup, clients, size, target_auth)
                    rows.append(row)
                    log(f"  {format_table([row])[-1]}")
                del instances
        cirrus = next((t for t in targets if t.name == "cirrus"), None)
        if args.profile and cirrus is not None:
            extra += profile_cirrus(cirrus, args)
            # The product-code-only runs rebuild the product's clients for other tables and
            # another environment: the HTTP server must not serve anything afterwards.
            extra += product_only(cirrus, args)
    print()
    print("\n".join(format_table(rows)))
    print()
    print("\n".join(format_details(rows)))
    if extra:
        print()
        print("\n".join(extra))
    for problem in problems:
        print(f"NOT RUN: {problem}")
    failed = sum(row.failed for row in rows)
    if failed:
        print(f"FAILED: {failed} upload(s) did not answer 200")
    return 1 if failed or problems or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
