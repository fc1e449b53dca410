"""How long after an upload's answer its NewInstance is listed in /changes: Cirrus on the local
stack, and Orthanc 1.10.1 for reference.

    .venv/bin/python bench/changes_delay.py                  # 300 uploads to each
    .venv/bin/python bench/changes_delay.py --n 500 --poll 0.005
    .venv/bin/python bench/changes_delay.py --targets cirrus

Orthanc writes its change in the transaction that stores the file, before it answers; Cirrus
writes it from the index table's stream (``app.index_stream``), after the upload has answered.
This measures the gap a client sees. Both servers are started here on free ports: Debian's
Orthanc (``tests/support/orthanc_server.py``) and the local stack as ``make run`` starts it
(``python -m local_stack``, through ``tests/e2e/stack.py``) in a temporary data folder, whose
stream consumer polls moto's stream every 0.2 s (``local_stack/feed.py``). On AWS the figure
is the Lambda event source mapping's polling of the stream instead.

One client, one upload at a time: POST /instances, then GET /changes?since=<Last before the
upload> every ``--poll`` seconds until the uploaded instance's NewInstance is listed. The delay
runs from the upload's answer to the answer that first lists it, so its resolution is the poll
interval plus one GET; the GETs also compete with the stream consumer for the REST process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import dicomgen
import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.e2e.stack import LocalStack  # noqa: E402
from tests.support.orthanc_server import OrthancServer  # noqa: E402

ALL_TARGETS = ("orthanc", "cirrus")
# A change not listed after this long is a failure, not a slow sample.
GIVE_UP_SECONDS = 30.0


@dataclass
class Delays:
    """The delays of one target, in seconds, and the GETs each sample took."""

    target: str
    seconds: list[float]
    polls: list[int]

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(url: str, instances: Sequence[dicomgen.Instance], poll: float) -> Delays:
    """Upload each instance, then poll /changes from the previous Last until it is listed."""
    session = requests.Session()
    last = session.get(f"{url}/changes?last", timeout=30).json()["Last"]
    seconds: list[float] = []
    polls: list[int] = []
    for instance in instances:
        response = session.post(f"{url}/instances", data=instance.data, timeout=60)
        answered = time.perf_counter()
        response.raise_for_status()
        instance_id = response.json()["ID"]
        count = 0
        while True:
            page = session.get(
                f"{url}/changes", params={"since": last, "limit": 1000}, timeout=30
            ).json()
            count += 1
            if any(
                c["ID"] == instance_id and c["ChangeType"] == "NewInstance" for c in page["Changes"]
            ):
                seen = time.perf_counter()
                break
            if time.perf_counter() - answered > GIVE_UP_SECONDS:
                raise RuntimeError(
                    f"{url}: {instance_id} not in /changes after {GIVE_UP_SECONDS} s"
                )
            time.sleep(poll)
        last = page["Last"]
        seconds.append(seen - answered)
        polls.append(count)
    return Delays(url, seconds, polls)


def format_table(rows: Sequence[Delays]) -> list[str]:
    lines = [
        f"{'target':<8} {'n':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        f" {'mean ms':>8} {'GETs p50':>9}"
    ]
    for row in rows:
        lines.append(
            f"{row.target:<8} {len(row.seconds):>5}"
            f" {row.percentile(0.5) * 1000:>8.1f} {row.percentile(0.9) * 1000:>8.1f}"
            f" {row.percentile(0.99) * 1000:>8.1f} {max(row.seconds) * 1000:>8.1f}"
            f" {statistics.fmean(row.seconds) * 1000:>8.1f}"
            f" {statistics.median(row.polls):>9.0f}"
        )
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="uploads per target (300)")
    parser.add_argument("--size", type=int, default=64, help="image side in pixels (64)")
    parser.add_argument(
        "--poll", type=float, default=0.01, help="seconds between GET /changes (0.01)"
    )
    parser.add_argument(
        "--targets", default=",".join(ALL_TARGETS), help="orthanc,cirrus (both by default)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(ALL_TARGETS)
    if unknown:
        raise SystemExit(f"unknown targets: {sorted(unknown)}")
    rows: list[Delays] = []
    for target in targets:
        # Fresh files per target: the same UIDs twice would be AlreadyStored, not logged.
        instances = dicomgen.generate(args.n, args.size)
        with ExitStack() as stack:
            if target == "orthanc":
                url = stack.enter_context(OrthancServer()).url
            else:
                data = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "data"
                url = stack.enter_context(LocalStack(data)).url
            print(f"{target}: {args.n} uploads to {url}", file=sys.stderr, flush=True)
            row = measure(url, instances, args.poll)
        row.target = target
        rows.append(row)
    print(f"Delay from an upload's answer to its NewInstance in /changes (poll {args.poll} s)")
    print("\n".join(format_table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
