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

from collections.abc import Iterable
from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.model import Resource

# DeleteObjects accepts at most 1000 keys per call.
_DELETE_BATCH = 1000


def blob_key(instance_id: str, file_uuid: str) -> str:
    return f"dicom/{instance_id}/{file_uuid}.dcm"


def attachment_key(resource_id: str, attachment_uuid: str) -> str:
    return f"attachments/{resource_id}/{attachment_uuid}"


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

    def delete(self, keys: Iterable[str]) -> None:
        pending = [k for k in keys if k]
        for start in range(0, len(pending), _DELETE_BATCH):
            batch = pending[start : start + _DELETE_BATCH]
            self._client.delete_objects(
                Bucket=self._bucket,
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )
