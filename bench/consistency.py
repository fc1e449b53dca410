"""Check that a running local stack's index, bucket and counters agree.

    .venv/bin/python bench/consistency.py                         # make run's emulator
    .venv/bin/python bench/consistency.py --endpoint http://127.0.0.1:4566 --prefix cirrus
    .venv/bin/python bench/consistency.py --allow-orphans         # orphans only reported

Run it after a benchmark, a crash or a restart of the stack (``make run``): it reads the
``index`` table and lists the ``dicom`` bucket through the emulator's endpoint, and prints each
disagreement tests/support/consistency.py finds (an instance without its file, a record
without its parent or link, counters that differ from what the records add up to, label
items without their resource...) and the unreferenced objects apart. The emulator answers one
request at a time, so run it when the stack is idle: a check during uploads sees writes half
done. Exit status: 0 when consistent, 1 on a problem (or an orphan, unless
``--allow-orphans``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


from local_stack.settings import DEFAULT_EMULATOR_PORT, LOOPBACK  # noqa: E402
from local_stack.stack import emulator_client  # noqa: E402
from tests.support.consistency import COUNTERS, check  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--endpoint",
        default=f"http://{LOOPBACK}:{DEFAULT_EMULATOR_PORT}",
        help="the emulator's URL (default: make run's)",
    )
    parser.add_argument(
        "--prefix",
        default=os.environ.get("CIRRUS_RESOURCE_PREFIX", "cirrus"),
        help="CIRRUS_RESOURCE_PREFIX of the stack (tables and bucket are <prefix>-<name>)",
    )
    parser.add_argument(
        "--allow-orphans", action="store_true", help="exit 0 when orphans are the only finding"
    )
    args = parser.parse_args(argv)
    os.environ["CIRRUS_RESOURCE_PREFIX"] = args.prefix
    from chalicelib.storage.schema import bucket_name, table_name

    report = check(
        emulator_client("dynamodb", args.endpoint),
        emulator_client("s3", args.endpoint),
        table_name("index"),
        bucket_name("dicom"),
    )
    print(str(report))
    totals = ", ".join(f"{name} {report.counts[key]}" for key, name in COUNTERS.items())
    print(f"records add up to: {totals}", file=sys.stderr)
    if report.problems or (report.orphans and not args.allow_orphans):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
