"""The emulator's write-ahead log: moto's request recording, without the reads.

moto keeps everything in memory. With its recorder on, each request is appended to a JSON-lines
file (one line per request, binary bodies base64-encoded, the file opened and closed per
request) before it is executed, so a request that was answered is on disk even if the whole
stack is then killed. Replaying the requests recorded since the last snapshot of the emulator's
state (``local_stack.snapshot``) rebuilds the state.

Reads change nothing, so they are not recorded: otherwise the log, and every start-up, would
grow with each page a viewer loads (a recording made by an earlier version still holds some:
they are skipped when read). Everything else is kept, failed writes included: they fail the
same way again during the replay. A last line cut short by a crash is skipped too; its request
was never executed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.moto_api._internal.recorder.models import Recorder

LOG = logging.getLogger(__name__)

# DynamoDB and DynamoDB Streams operations (the X-Amz-Target suffix) that only read; every
# Describe* and List* operation (DescribeTable, DescribeStream, ListStreams...) does too.
_READ_ONLY_TARGETS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "GetRecords",
        "GetShardIterator",
    }
)
_READ_ONLY_TARGET_PREFIXES = ("Describe", "List")
_DYNAMODB_TARGET_PREFIXES = ("DynamoDB_", "DynamoDBStreams_")
# Secrets Manager operations (peers' passwords, chalicelib/storage/secrets.py) that only read.
_SECRETS_MANAGER_READS = frozenset(
    {"GetSecretValue", "DescribeSecret", "ListSecrets", "ListSecretVersionIds"}
)
# Step Functions operations that only read: the local job runner lists the executions of its
# state machine on every poll, which otherwise grew the recording of an idle stack (a fifth of
# a 10,000-instance fill's tail) and with it the snapshots taken and the requests replayed.
_STEP_FUNCTIONS_READ_PREFIXES = ("Describe", "List")
_STEP_FUNCTIONS_READS = frozenset({"GetExecutionHistory"})
# Requests without X-Amz-Target here are REST-style (S3): these methods only read.
_READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class Tally:
    """What reading a recording found: requests to replay, reads skipped, torn lines."""

    entries: list[dict[str, Any]] = field(default_factory=list, repr=False)
    dropped: int = 0
    broken: int = 0

    @property
    def kept(self) -> int:
        return len(self.entries)


def is_read_only(entry: dict[str, Any]) -> bool:
    """Whether replaying this recorded request could not change the emulator's state."""
    headers = {name.lower(): value for name, value in entry.get("headers", {}).items()}
    target = headers.get("x-amz-target")
    if target is None:
        return entry.get("method", "").upper() in _READ_ONLY_METHODS
    service, _, operation = target.partition(".")
    if service == "secretsmanager":
        return operation in _SECRETS_MANAGER_READS
    if service == "AWSStepFunctions":
        return operation in _STEP_FUNCTIONS_READS or operation.startswith(
            _STEP_FUNCTIONS_READ_PREFIXES
        )
    if not service.startswith(_DYNAMODB_TARGET_PREFIXES):
        return False
    return operation in _READ_ONLY_TARGETS or operation.startswith(_READ_ONLY_TARGET_PREFIXES)


def read_writes(path: Path) -> Tally:
    """The requests recorded in ``path`` that replaying must send again, in order."""
    tally = Tally()
    with path.open("r", encoding="utf-8") as source:
        for line in source:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                tally.broken += 1
                continue
            if is_read_only(entry):
                tally.dropped += 1
                continue
            tally.entries.append(entry)
    if tally.broken:
        LOG.warning("Skipped %d unreadable line(s) of %s (a crash mid-write)", tally.broken, path)
    return tally


def record_writes_only(on_write: Callable[[], None] | None = None) -> None:
    """Make moto's recorder (in this process) leave out the requests that only read, and call
    ``on_write`` after appending each write while recording: the snapshots are paced by the
    number of requests a restart would replay (``local_stack.snapshot``)."""
    record = Recorder._record_request

    def record_writes(self: Recorder, request: Any, body: bytes | None = None) -> None:
        if not is_read_only({"headers": dict(request.headers), "method": request.method}):
            record(self, request, body)
            if on_write is not None and self._user_enabled:
                on_write()

    Recorder._record_request = record_writes  # type: ignore[method-assign]
