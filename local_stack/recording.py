"""Persistence of the emulator's state: moto's request recording, compacted before each replay.

moto keeps everything in memory. With its recorder on, each request is appended to a JSON-lines
file (one line per request, binary bodies base64-encoded, the file opened and closed per
request) before it is executed, so a request that was answered is on disk even if the whole
stack is then killed. Replaying the file into a fresh emulator rebuilds the state.

Reads change nothing, so they are dropped before replaying: otherwise the file, and every
start-up, would grow with each page a viewer loads. Everything else is kept, failed writes
included: they fail the same way again during the replay. A last line cut short by a crash
is dropped too; its request was never executed.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
# Requests without X-Amz-Target here are REST-style (S3): these methods only read.
_READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Compaction:
    kept: int
    dropped: int
    broken: int


def is_read_only(entry: dict[str, Any]) -> bool:
    """Whether replaying this recorded request could not change the emulator's state."""
    headers = {name.lower(): value for name, value in entry.get("headers", {}).items()}
    target = headers.get("x-amz-target")
    if target is None:
        return entry.get("method", "").upper() in _READ_ONLY_METHODS
    service, _, operation = target.partition(".")
    if service == "secretsmanager":
        return operation in _SECRETS_MANAGER_READS
    if not service.startswith(_DYNAMODB_TARGET_PREFIXES):
        return False
    return operation in _READ_ONLY_TARGETS or operation.startswith(_READ_ONLY_TARGET_PREFIXES)


def compact(path: Path) -> Compaction:
    """Rewrite the recording at ``path`` without its reads, atomically (temp file + rename).

    A crash during compaction leaves either the old file or the new one, never half of one.
    """
    kept = dropped = broken = 0
    temporary = path.with_name(path.name + ".tmp")
    with path.open("r", encoding="utf-8") as source, temporary.open("w", encoding="utf-8") as out:
        for line in source:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                broken += 1
                continue
            if is_read_only(entry):
                dropped += 1
                continue
            out.write(line if line.endswith("\n") else line + "\n")
            kept += 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    if broken:
        LOG.warning("Dropped %d unreadable line(s) from %s (a crash mid-write)", broken, path)
    return Compaction(kept=kept, dropped=dropped, broken=broken)
