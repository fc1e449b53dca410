"""Restart of the local stack holding an archive, beside Orthanc 1.10.1 restarting on the same.

    .venv/bin/python bench/restart.py                        # 1,000 then 10,000 instances
    .venv/bin/python bench/restart.py --instances 1000

For each size, both servers get the same generated files (``find.generate``: studies of two
series of 10 instances, no pixel data) over REST with several clients: the honest path, every
write recorded by the emulator as an upload makes it. Each server is then stopped cleanly
(SIGTERM) and started again, then killed (SIGKILL, the whole process group) and started
again, on the same data. Cirrus is then killed once more in the middle of an upload of more
instances by 4 clients, while its emulator writes a snapshot (when the recording's tail is
longest: what the snapshot would cover plus what arrived since), and started again.

The table gives the time from the start command until ``GET /system`` answers, and until a
study list query (``POST /tools/find``, Level Study, no constraint) answers with every study,
and for Cirrus what its log says of the emulator's restore (the snapshot's load, the recorded
requests replayed after it); for the kill during the upload, also the tail the kill left
(recorded requests, bytes) and how many acknowledged instances are missing (must be 0).
Orthanc keeps its index in SQLite, so it has nothing to replay.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import requests
from cirrus_target import REPO_ROOT  # first: puts the repository root on sys.path
from find import generate
from servers import post_instances

from tests.e2e.stack import LocalStack
from tests.support.orthanc_server import OrthancServer, find_orthanc_binary

UPLOAD_CLIENTS = 4
TIMEOUT_SECONDS = 600.0
# The upload during which the stack is killed: this many more instances per 10 (enough to last
# past a snapshot), and how long after a snapshot starts the kill comes.
UPLOAD_SHARE = 0.3
KILL_DELAY_SECONDS = 2.0


class OrthancOnDisk:
    """An Orthanc whose storage and index stay in ``root`` between its runs."""

    def __init__(self, root: Path) -> None:
        self._template = OrthancServer()
        self.url = self._template.url
        self._config = root / "config.json"
        self._root = root
        self._config.write_text(json.dumps(self._template.config(root)))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [find_orthanc_binary(), str(self._config)],
            cwd=self._root,
            env=dict(os.environ, TCP_NODELAY="1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def end(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)
        self.process.wait(TIMEOUT_SECONDS)


class CirrusOnDisk:
    """The local stack (``python -m local_stack``) on a data directory kept between runs."""

    def __init__(self, root: Path) -> None:
        self.stack = LocalStack(root / "data")

    @property
    def url(self) -> str:
        return self.stack.url

    def start(self) -> None:
        self.stack = LocalStack(self.stack.data_dir)  # new ports, as a user's restart may
        self.stack.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.stack.config_path.write_text(json.dumps(self.stack.config))
        with self.stack.log_path.open("ab") as log:
            self.stack.process = subprocess.Popen(
                self.stack.command,
                cwd=REPO_ROOT,
                env=self.stack.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def end(self, sig: signal.Signals) -> None:
        if sig is signal.SIGKILL:
            self.stack.kill()
            return
        # Not LocalStack.stop's 15 s: the emulator's last snapshot may take longer at 10,000
        # instances on a busy machine, and the supervisor waits for it.
        assert self.stack.process is not None
        self.stack.process.send_signal(signal.SIGTERM)
        self.stack.process.wait(TIMEOUT_SECONDS)

    def restored(self) -> str:
        """What the last start said of its restore: snapshot load and replay."""
        found = re.findall(
            r"snapshot in ([\d.]+) s and replayed (\d+) recorded requests .*? in ([\d.]+) s",
            self.stack.log,
        )
        if not found:
            return "-"
        load, replayed, total = found[-1]
        return f"{load} s load, {replayed} replayed, {total} s in all"

    def kill_during_snapshot(self, uploading: threading.Thread) -> str:
        """SIGKILL the stack once the emulator has been writing a snapshot for
        ``KILL_DELAY_SECONDS`` while ``uploading`` runs; the recording's tail left on disk."""
        temporary = self.stack.data_dir / "moto-state.pickle.tmp"
        while not temporary.exists():
            if not uploading.is_alive():
                raise RuntimeError("the upload ended before a snapshot started")
            time.sleep(0.01)
        time.sleep(KILL_DELAY_SECONDS)
        self.stack.kill()
        segments = list(self.stack.data_dir.glob("moto-recording.*.jsonl"))
        lines = sum(len(path.read_bytes().splitlines()) for path in segments)
        size = sum(path.stat().st_size for path in segments)
        return f"tail {lines} requests, {size / 1e6:.1f} MB"


def _wait(check: Callable[[], bool], started: float) -> float:
    """Seconds from ``started`` until ``check()`` holds."""
    while time.monotonic() - started < TIMEOUT_SECONDS:
        try:
            if check():
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no answer within {TIMEOUT_SECONDS} s")


def timed_start(server: OrthancOnDisk | CirrusOnDisk, studies: int) -> tuple[float, float]:
    """Start ``server``; seconds until ``/system`` answers, and until the study list does."""
    started = time.monotonic()
    server.start()
    system = _wait(lambda: requests.get(f"{server.url}/system", timeout=5).ok, started)

    def listed() -> bool:
        query = {"Level": "Study", "Query": {}}
        answer = requests.post(f"{server.url}/tools/find", json=query, timeout=60)
        return answer.ok and len(answer.json()) == studies

    return system, _wait(listed, started)


def measure(
    name: str,
    server: OrthancOnDisk | CirrusOnDisk,
    files: Sequence[bytes],
    extra: Sequence[bytes],
) -> list[str]:
    """Fill ``server`` with ``files``, then restart it after SIGTERM and after SIGKILL, and
    Cirrus after a SIGKILL during the upload of ``extra``; the table's rows."""
    server.start()
    _wait(lambda: requests.get(f"{server.url}/system", timeout=5).ok, time.monotonic())
    filled = time.monotonic()
    answers = post_instances(server.url, files, UPLOAD_CLIENTS)
    fill_seconds = time.monotonic() - filled
    studies = len({answer["ParentStudy"] for answer in answers})
    rows = []
    for sig in (signal.SIGTERM, signal.SIGKILL):
        server.end(sig)
        system, listed = timed_start(server, studies)
        restored = server.restored() if isinstance(server, CirrusOnDisk) else "-"
        rows.append(
            f"| {name} | {len(files)} | {sig.name} | {system:.1f} | {listed:.1f} "
            f"| {restored} | {fill_seconds:.0f} |"
        )
    if isinstance(server, CirrusOnDisk):
        rows.append(_killed_during_upload(name, server, files, extra))
    server.end(signal.SIGTERM)
    return rows


def _killed_during_upload(
    name: str, server: CirrusOnDisk, files: Sequence[bytes], extra: Sequence[bytes]
) -> str:
    """Upload ``extra`` with 4 clients, kill the stack during a snapshot, start it again: the
    row, and whether every acknowledged instance is there."""
    acknowledged: list[str] = []

    def upload() -> None:
        with requests.Session() as session:
            for data in iterator:
                try:
                    answer = session.post(f"{server.url}/instances", data=data, timeout=60)
                except requests.RequestException:
                    return  # the kill
                if answer.status_code == 200:
                    acknowledged.append(answer.json()["ID"])

    iterator = iter(list(extra))
    clients = [threading.Thread(target=upload) for _ in range(UPLOAD_CLIENTS)]
    for client in clients:
        client.start()
    tail = server.kill_during_snapshot(clients[0])
    for client in clients:
        client.join(TIMEOUT_SECONDS)
    started = time.monotonic()
    server.start()
    system = _wait(lambda: requests.get(f"{server.url}/system", timeout=5).ok, started)
    present = set(requests.get(f"{server.url}/instances", timeout=120).json())
    lost = len(set(acknowledged) - present)
    return (
        f"| {name} | {len(files)} + {len(acknowledged)} | SIGKILL mid-upload | {system:.1f} "
        f"| - | {server.restored()}; {tail}; {lost} acknowledged lost | - |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args(argv)
    rows = [
        "| server | instances | ended by | /system (s) | study list (s) | emulator restore "
        "| fill (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for count in args.instances:
        generated = generate(count + int(count * UPLOAD_SHARE))
        files, extra = generated[:count], generated[count:]
        for name, make in (("Orthanc 1.10.1", OrthancOnDisk), ("Cirrus local", CirrusOnDisk)):
            with tempfile.TemporaryDirectory(prefix="cirrus-restart-") as root:
                rows += measure(name, make(Path(root)), files, extra)
        print("\n".join(rows), flush=True)
    print(f"load average: {Path('/proc/loadavg').read_text().strip()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
