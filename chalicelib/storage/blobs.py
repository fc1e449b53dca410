"""DICOM files in S3.

Each stored file gets its own key, ``dicom/<instance id>/<file uuid>.dcm``: derived from the
instance ID (so a file is easy to find by hand) but unique per upload, so that writing a file
never overwrites the one the index points at. A file becomes visible only when the index
records its key; an upload that fails before that leaves an unreferenced object and nothing
else (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# DeleteObjects accepts at most 1000 keys per call.
_DELETE_BATCH = 1000


def blob_key(instance_id: str, file_uuid: str) -> str:
    return f"dicom/{instance_id}/{file_uuid}.dcm"


class BlobStore:
    """Put, get and delete DICOM files in one bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        self._client.put_object(
            Bucket=self._bucket, Key=key, Body=data, ContentType="application/dicom"
        )

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
