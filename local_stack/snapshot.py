"""Checkpoints of the emulator's state: a restart loads the last one and replays only the tail.

moto keeps everything in memory, and its recorder logs each write request before executing it
(``local_stack.recording``). Replaying the whole log at start-up took about 25 s per 1,000
stored instances. Instead, the emulator writes a snapshot of moto's backends from time to time
and when it stops, and a restart loads the snapshot and replays only the requests recorded
after it.

In the data directory:

- ``moto-recording.<n>.jsonl``: the recording, in numbered segments. Taking a snapshot starts a
  new segment, so that the snapshot covers whole segments: those up to ``n`` are deleted once a
  snapshot covering them is on disk, never before. (``moto-recording.jsonl``, the single file of
  earlier versions, counts as segment 0.)
- ``moto-state.pickle``: the last complete snapshot, with the number of the last segment it
  covers. Written to a temporary file, fsynced, then renamed: a kill in the middle leaves the
  previous snapshot and every segment it does not cover, and the temporary file is ignored.
- ``moto-bodies/<sha256>``: the S3 objects' bodies, one file per distinct content, written once
  and shared by the snapshots (an archive's gigabytes are not rewritten by each snapshot).

A snapshot is taken between two requests (under the emulator's lock, so it is consistent with
the recording's segments) by a forked child process, which serializes the copy-on-write image
of the memory while the emulator goes on serving: the emulator stops only for the fork itself.
The DynamoDB stream is part of the snapshot, sequence numbers included, and the tail's replay
appends the same records as the original requests did: the stream consumer's checkpoint
(``local_stack.feed.Checkpoint``) stays valid across restarts.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import importlib
import json
import logging
import os
import pickle
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.core.base_backend import BackendDict
from moto.dynamodb.models.dynamo_type import LimitedSizeDict
from moto.moto_api import recorder
from moto.s3.models import FakeKey
from werkzeug.test import Client

from local_stack.recording import read_writes
from local_stack.settings import RECORDING_NAME, RESTORE_PATH

LOG = logging.getLogger(__name__)
STATE_NAME = "moto-state.pickle"
BODIES_NAME = "moto-bodies"
# What rebuilt an S3 object in the snapshots of earlier versions, which still load.
_EARLIER_KEY_NAME = "_key_from_state"
# Segment n is <stem>.<n>.jsonl; the recording of earlier versions, <stem>.jsonl, is segment 0.
_STEM = RECORDING_NAME.removesuffix(".jsonl")
_SEGMENT = re.compile(rf"^{re.escape(_STEM)}(?:\.(\d+))?\.jsonl$")
# A snapshot is taken as soon as the recording's uncovered tail holds this many requests. A
# restart replays each through moto again, at about the cost of the original request whatever
# its size (a 9 KB PutObject and a 300-byte UpdateItem alike: moto's work, not the bytes, is the
# cost), so the bound is in requests. Measured at 10,000 instances: 1,116 requests replayed in
# 5.4 s at load 6 (about 5 ms each, moto's own work: werkzeug and Flask are a sixth of it), after
# a snapshot load of 2.5 s. A lower bound means more snapshots, each seconds of CPU at that size.
TAIL_REQUESTS = 1000
# Large S3 bodies cost by their bytes too (decoding, copying): a tail also ends at this size.
TAIL_BYTES = 32 * 1024 * 1024
# How often the tail's size in bytes is looked at (the request count wakes the snapshot thread).
CHECK_SECONDS = 2.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Restored:
    """What a start-up found: ``fresh`` when there was no state at all (an empty archive)."""

    fresh: bool
    snapshot_seconds: float
    replayed: int
    dropped: int
    broken: int


class Persistence:
    """The emulator's side of the persistence: restore, record, snapshot.

    ``lock`` is the one the emulator holds around each AWS request; ``app`` is moto's
    application without it, into which the tail is replayed in-process.
    """

    def __init__(self, data_dir: Path, lock: threading.Lock, app: WsgiApp) -> None:
        self._dir = data_dir
        self._lock = lock
        self._app = app
        # The last segment the snapshot on disk covers (none yet: an earlier version's
        # recording, segment 0, must be replayed).
        self._covered = -1
        self._current = 1  # the segment being recorded
        self._snapshotting = threading.Lock()
        # Until the state is restored, a snapshot would be of an empty emulator.
        self._restored = False
        # Requests in the segments the snapshot on disk does not cover (changed under ``lock``).
        self._tail_requests = 0
        self._tail_full = threading.Event()

    def restore(self) -> Restored:
        """Load the snapshot, replay the segments after it, then record into a new segment."""
        self._dir.mkdir(parents=True, exist_ok=True)
        _temporary(self._state_path).unlink(missing_ok=True)
        started = time.monotonic()
        fresh = not self._state_path.exists() and not self._segments()
        if self._state_path.exists():
            self._covered = load_state(self._state_path, self._bodies)
        snapshot_seconds = time.monotonic() - started
        replayed = dropped = broken = 0
        client = Client(self._app)
        for number, path in self._segments():
            if number <= self._covered:
                path.unlink()  # left by a kill between a snapshot's rename and this deletion
                continue
            result = read_writes(path)
            for entry in result.entries:
                _replay(client, entry)
            replayed += len(result.entries)
            dropped += result.dropped
            broken += result.broken
            self._current = number + 1
        self._current = max(self._current, self._covered + 1)
        self._tail_requests = replayed
        recorder._location = str(self._segment_path(self._current))
        recorder.start_recording()
        self._restored = True
        self._snapshot_periodically()
        return Restored(fresh, snapshot_seconds, replayed, dropped, broken)

    def recorded(self) -> None:
        """Count a request just appended to the recording (the recorder calls this while the
        emulator's lock is held), and wake the snapshot thread once the tail is long enough:
        at once rather than at its next check, which would let a fast upload overshoot."""
        self._tail_requests += 1
        if self._tail_requests >= TAIL_REQUESTS:
            self._tail_full.set()

    def tail_bytes(self) -> int:
        """The size of the recording the snapshot on disk does not cover."""
        return sum(path.stat().st_size for n, path in self._segments() if n > self._covered)

    def snapshot(self) -> bool:
        """Write a snapshot covering everything recorded so far; False if there was nothing
        new. The emulator is held only while the child process is forked."""
        with self._snapshotting:
            started = time.monotonic()
            with self._lock:
                if not self._restored or not self.tail_bytes():
                    return False
                covered = self._current
                covered_requests = self._tail_requests
                self._current += 1
                recorder._location = str(self._segment_path(self._current))
                parent = os.getpid()
                pid = os.fork()
                if pid == 0:  # the child: the state as it was between two requests
                    os._exit(self._write_in_child(covered, parent))
            held = time.monotonic() - started
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                LOG.error("The emulator's snapshot failed: the recording is kept")
                return False
            self._covered = covered
            with self._lock:
                self._tail_requests -= covered_requests
            print(
                f"Emulator snapshot of a tail of {covered_requests} requests: "
                f"requests held {held * 1000:.0f} ms, "
                f"written in {time.monotonic() - started:.1f} s",
                flush=True,
            )
            return True

    def _snapshot_periodically(self) -> threading.Thread:
        """Take a snapshot whenever the tail has grown past ``TAIL_REQUESTS`` or
        ``TAIL_BYTES``, in a daemon thread."""

        def loop() -> None:
            while True:
                self._tail_full.wait(CHECK_SECONDS)
                self._tail_full.clear()
                try:
                    if self._tail_requests >= TAIL_REQUESTS or self.tail_bytes() >= TAIL_BYTES:
                        started = time.monotonic()
                        if self.snapshot():
                            # Snapshots of a large archive take seconds of CPU each: during a
                            # long upload they would follow one another and hold a core. After
                            # one, the next waits as long as it took (half a core at most); the
                            # tail then reaches about TAIL_REQUESTS plus two snapshots' worth.
                            threading.Event().wait(time.monotonic() - started)
                except Exception:
                    LOG.exception("snapshot: will try again")

        thread = threading.Thread(target=loop, name="emulator-snapshot", daemon=True)
        thread.start()
        return thread

    def _write_in_child(self, covered: int, parent: int) -> int:
        """Write the snapshot, then delete what it makes useless; the child's exit code.

        Once the emulator is gone (SIGKILLed by a supervisor that waited long enough), the
        snapshot is dropped before it replaces anything: a restarted emulator may be taking a
        snapshot of its own, whose new bodies this one's clean-up would delete.
        """
        try:
            referenced = dump_state(
                self._state_path, self._bodies, covered, lambda: os.getppid() == parent
            )
            for number, path in self._segments():
                if number <= covered:
                    path.unlink()
            for body in self._bodies.iterdir():
                if body.name not in referenced:
                    body.unlink()
            return 0
        except BaseException:
            # Nothing else may run in a forked child: report and leave.
            import traceback

            traceback.print_exc(file=sys.stderr)
            return 1

    def _segments(self) -> list[tuple[int, Path]]:
        found = []
        for path in self._dir.iterdir():
            match = _SEGMENT.match(path.name)
            if match:
                found.append((int(match.group(1) or 0), path))
        return sorted(found)

    def _segment_path(self, number: int) -> Path:
        return self._dir / f"{_STEM}.{number:06d}.jsonl"

    @property
    def _state_path(self) -> Path:
        return self._dir / STATE_NAME

    @property
    def _bodies(self) -> Path:
        return self._dir / BODIES_NAME


def _replay(client: Client, entry: dict[str, Any]) -> None:
    """Send one recorded request to moto again, in-process (no socket, no HTTP parsing)."""
    body = entry.get("body") or b""
    if entry.get("body_encoded"):
        body = base64.b64decode(body)
    headers = {
        name: value
        for name, value in entry.get("headers", {}).items()
        # The builder sets the length of the body it is given; chunks were decoded when recorded.
        if name.lower() not in ("content-length", "transfer-encoding")
    }
    url = entry["url"]
    response = client.open(url, method=entry["method"], headers=headers, data=body)
    response.close()


def _backend_dicts() -> Iterator[tuple[str, str, BackendDict[Any]]]:
    """Every moto backend container loaded in this process, once, by module and name."""
    seen: set[int] = set()
    for module_name in sorted(sys.modules):
        if not module_name.startswith("moto."):
            continue
        for name, value in list(vars(sys.modules[module_name]).items()):
            if isinstance(value, BackendDict) and len(value) and id(value) not in seen:
                seen.add(id(value))
                yield module_name, name, value


class _Pickler(pickle.Pickler):
    """Pickles S3 objects with their body in the body store rather than in the snapshot."""

    def __init__(self, file: Any, bodies: Path) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._bodies = bodies
        self.referenced: set[str] = set()
        self.written = 0

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is LimitedSizeDict:
            return _attributes_from_pairs, (dict(obj),)
        if kind is not FakeKey:
            return NotImplemented
        state = {k: v for k, v in vars(obj).items() if k not in ("_value_buffer", "lock")}
        return _stored_key, (state, self._store(_body(obj)))

    def _store(self, body: bytes) -> str:
        digest = hashlib.sha256(body).hexdigest()
        self.referenced.add(digest)
        path = self._bodies / digest
        if not path.exists():
            temporary = _temporary(path)
            temporary.write_bytes(body)
            os.replace(temporary, path)
            self.written += 1
        return digest


class _Unpickler(pickle.Unpickler):
    """Reads the bodies a snapshot refers to back from the body store."""

    def __init__(self, file: Any, bodies: Path) -> None:
        super().__init__(file)
        self._bodies = bodies

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name in (_stored_key.__name__, _EARLIER_KEY_NAME):
            return self._key_from_state
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> bytes:
        """A body, in the snapshots of earlier versions."""
        return (self._bodies / str(pid)).read_bytes()

    def _key_from_state(self, state: dict[str, Any], body: str | bytes) -> FakeKey:
        """An S3 object of the snapshot, as moto's own ``__setstate__`` rebuilds one; ``body``
        is its digest in the store (or, from an earlier version's snapshot, the body)."""
        if isinstance(body, str):
            body = (self._bodies / body).read_bytes()
        key = FakeKey.__new__(FakeKey)
        key.__setstate__({**state, "value": body})
        return key


def _stored_key(state: dict[str, Any], digest: str) -> FakeKey:
    """Names, in a snapshot, the rebuilding of an S3 object whose body is in the body store:
    ``_Unpickler`` resolves the name to its own method, which knows where the store is.

    (The body store was first reached through pickle's persistent IDs, but the pickler then
    calls back into Python for every object it writes, strings included: a second per
    snapshot at 10,000 instances.)
    """
    raise RuntimeError(f"S3 object {state.get('name')!r} ({digest}) outside a snapshot's load")


def _attributes_from_pairs(pairs: dict[str, Any]) -> LimitedSizeDict:
    """A DynamoDB item's attributes, without moto's size check on each one.

    ``LimitedSizeDict.__setitem__`` sums the size of every attribute already there, so
    unpickling an item attribute by attribute was quadratic: most of a snapshot's load time.
    The item passed the check when it was written (moto's own ``Item.__deepcopy__`` skips it
    for the same reason).
    """
    attributes = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(attributes, pairs)
    return attributes


def _body(key: FakeKey) -> bytes:
    """The body of ``key`` in a forked child, without its lock (a parent's thread may have held
    it at the fork) and without moving the offset of a spooled file (the parent shares it)."""
    buffer = key._value_buffer
    if buffer.closed:
        return b""  # a deleted object's; moto keeps it only as a delete marker's history
    if buffer._rolled:  # type: ignore[attr-defined]
        return os.pread(buffer.fileno(), key.contentsize or 0, 0)
    return buffer._file.getvalue()  # type: ignore[attr-defined, no-any-return]


def dump_state(
    path: Path, bodies: Path, covered: int, wanted: Callable[[], bool] = lambda: True
) -> set[str]:
    """Write the snapshot of this process's moto atomically, if still ``wanted()`` once
    written; returns the digests of the bodies it refers to."""
    bodies.mkdir(exist_ok=True)
    temporary = _temporary(path)
    with temporary.open("wb") as out:
        pickler = _Pickler(out, bodies)
        pickler.dump(
            {
                "covers": covered,
                "backends": {
                    (module, name): (vars(backends), dict(backends))
                    for module, name, backends in _backend_dicts()
                },
            }
        )
        out.flush()
        os.fsync(out.fileno())
    if pickler.written:
        # The new bodies must be on disk before the snapshot naming them: one sync of them all
        # (an fsync per file costs about 0.5 ms here, 5 s for a first snapshot of 10,000).
        os.sync()
    if not wanted():
        raise RuntimeError("the emulator is gone: its snapshot is dropped")
    os.replace(temporary, path)
    _fsync_directory(path.parent)
    return pickler.referenced


def load_state(path: Path, bodies: Path) -> int:
    """Put the snapshot's backends in place of moto's; returns the last segment it covers."""
    with path.open("rb") as source, _long_lived():
        state = _Unpickler(source, bodies).load()
    for (module, name), (attributes, accounts) in state["backends"].items():
        backends = getattr(importlib.import_module(module), name)
        vars(backends).update(attributes)
        dict.clear(backends)
        dict.update(backends, accounts)
    return int(state["covers"])


@contextmanager
def _long_lived() -> Iterator[None]:
    """No garbage collection while the snapshot's objects are created, and none of them
    scanned by the collections after.

    Unpickling creates hundreds of thousands of containers, each of which counts towards the
    next collection: the collector walked the growing heap again and again, more than half of
    the load's time at 10,000 instances. The loaded state lives as long as the emulator, so it
    is frozen out of the collector's generations (each full collection would otherwise walk it
    all, seconds at that size, in the middle of a request).
    """
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _temporary(path: Path) -> Path:
    """Where ``path`` is written before being renamed into place (a kill leaves it behind)."""
    return path.with_name(path.name + ".tmp")


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class RestoreEndpoint:
    """A WSGI wrapper answering ``POST /cirrus-emulator/restore`` with ``persistence`` (the
    ``Restored`` as JSON) and passing everything else to ``app``."""

    def __init__(self, app: WsgiApp, persistence: Persistence) -> None:
        self._app = app
        self._persistence = persistence

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != RESTORE_PATH or environ["REQUEST_METHOD"] != "POST":
            return self._app(environ, start_response)
        body = json.dumps(vars(self._persistence.restore())).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
