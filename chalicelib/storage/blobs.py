"""DICOM files and user attachments in S3.

Each stored file gets its own key, ``dicom/<instance id>/<file uuid>.dcm``: derived from the
instance ID (so a file is easy to find by hand) but unique per upload, so that writing a file
never overwrites the one the index points at. A file becomes visible only when the index
records its key; an upload that fails before that leaves an unreferenced object and nothing
else (see docs/architecture.md). User attachments follow the same rule under
``attachments/<resource id>/<uuid>``: a new key per write, so a reader never sees an object
half replaced, and the index write is the commit point.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.model import Resource

LOG = logging.getLogger(__name__)
# DeleteObjects accepts at most 1000 keys per call (and ListObjectsV2 answers as many).
_DELETE_BATCH = 1000
FILES = "dicom/"
ATTACHMENTS = "attachments/"
# The prefixes whose objects the index names (the others, transfers.py's, expire by lifecycle
# rules), in S3's listing order.
INDEXED_PREFIXES = (ATTACHMENTS, FILES)


def blob_key(instance_id: str, file_uuid: str) -> str:
    return f"{FILES}{instance_id}/{file_uuid}.dcm"


def attachment_key(resource_id: str, attachment_uuid: str) -> str:
    return f"{ATTACHMENTS}{resource_id}/{attachment_uuid}"


def owner_of(key: str) -> str | None:
    """The resource whose index record names ``key`` while the object is in use (the ID
    segment of both layouts above); None for a key of neither layout, which no one may take
    for unused."""
    for prefix in INDEXED_PREFIXES:
        if key.startswith(prefix):
            owner, _, name = key[len(prefix) :].partition("/")
            return owner if owner and name and "/" not in name else None
    return None


@dataclass(frozen=True)
class StoredObject:
    """One object of a listing."""

    key: str
    size: int
    last_modified: datetime


def stored_objects(records: list[Resource]) -> list[str]:
    """The S3 objects of records that go (deleted, or an overwritten instance): instances'
    files and user attachments."""
    keys = [r.blob_key for r in records if r.level is Level.INSTANCE]
    keys += [attachment_key(r.id, a.uuid) for r in records for a in r.attachments.values()]
    return keys


class BlobStore:
    """Put, get and delete DICOM files in one bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, data: bytes, content_type: str = "application/dicom") -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def list_page(
        self, prefix: str, start_after: str = "", limit: int = _DELETE_BATCH
    ) -> tuple[list[StoredObject], bool]:
        """The objects under ``prefix`` after ``start_after``, in key order (one
        ListObjectsV2), and whether more follow."""
        request: dict[str, Any] = {"Bucket": self._bucket, "Prefix": prefix, "MaxKeys": limit}
        if start_after:
            request["StartAfter"] = start_after
        answer = self._client.list_objects_v2(**request)
        objects = [
            StoredObject(o["Key"], o["Size"], o["LastModified"]) for o in answer.get("Contents", [])
        ]
        return objects, bool(answer.get("IsTruncated"))

    def discard(self, keys: Iterable[str]) -> None:
        """Delete objects nothing references any more (the index write that dropped them is
        the commit point), best effort: if S3 fails now (throttled, unreachable), the
        request that committed must still succeed, and the objects stay as orphans, invisible
        to clients, for the orphan sweeper."""
        try:
            self.delete(keys)
        except (BotoCoreError, ClientError):
            LOG.warning("S3 objects left for the orphan sweeper", exc_info=True)

    def delete(self, keys: Iterable[str]) -> None:
        pending = [k for k in keys if k]
        for start in range(0, len(pending), _DELETE_BATCH):
            batch = pending[start : start + _DELETE_BATCH]
            self._client.delete_objects(
                Bucket=self._bucket,
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )
