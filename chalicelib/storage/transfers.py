"""Objects that go around the API instead of through it: downloads too large for an API
Gateway answer, uploads too large for a request, and the answers recorded for those uploads.

API Gateway and a synchronous Lambda carry at most about 6 MB each way (less after base64), so
large bodies travel between the client and S3 directly, through short-lived presigned URLs.
Everything here is plain S3: the same calls against moto locally and against AWS.

Key prefixes (all in the DICOM bucket; the CDK stack expires ``downloads/`` after a day):

- ``downloads/<uuid>/<file name>``: generated answers (archives, arrays) waiting to be fetched;
- ``uploads/<upload id>``: uploads waiting to be ingested (the S3 event trigger's prefix);
- ``upload-answers/<upload id>.json``: the state of an upload, then the answer of its ingest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

DOWNLOADS = "downloads/"
UPLOADS = "uploads/"
UPLOAD_ANSWERS = "upload-answers/"
# S3's multipart rules: parts of 5 MiB at least (but the last), 10000 parts at most.
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10_000


class Transfers:
    """Streaming writes, presigned URLs and small JSON records in one bucket."""

    def __init__(self, client: Any, bucket: str, part_size: int = 8 * 1024 * 1024) -> None:
        self._client = client
        self._bucket = bucket
        self._part_size = max(part_size, MIN_PART_SIZE)

    def write(self, key: str, chunks: Iterable[bytes], content_type: str) -> int:
        """Write ``chunks`` to ``key`` holding about one part in memory (a multipart upload
        once a part is full, even when one chunk holds several parts); returns the size."""
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        size = 0
        try:
            for chunk in chunks:
                buffer += chunk
                while len(buffer) >= self._part_size:
                    if upload_id is None:
                        upload_id = self._client.create_multipart_upload(
                            Bucket=self._bucket, Key=key, ContentType=content_type
                        )["UploadId"]
                    part = bytes(buffer[: self._part_size])
                    del buffer[: self._part_size]
                    parts.append(self._part(key, upload_id, len(parts) + 1, part))
                    size += len(part)
            size += len(buffer)
            if upload_id is None:
                self._client.put_object(
                    Bucket=self._bucket, Key=key, Body=bytes(buffer), ContentType=content_type
                )
                return size
            if buffer or not parts:
                parts.append(self._part(key, upload_id, len(parts) + 1, bytes(buffer)))
            self._client.complete_multipart_upload(
                Bucket=self._bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
            return size
        except BaseException:
            if upload_id is not None:
                self._client.abort_multipart_upload(
                    Bucket=self._bucket, Key=key, UploadId=upload_id
                )
            raise

    def _part(self, key: str, upload_id: str, number: int, data: bytes) -> dict[str, Any]:
        answer = self._client.upload_part(
            Bucket=self._bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
        )
        return {"PartNumber": number, "ETag": answer["ETag"]}

    # -- presigned URLs --------------------------------------------------------------------

    def download_url(self, key: str, content_type: str, filename: str, expires: int) -> str:
        """A GET URL valid ``expires`` seconds, answering with the given type and file name
        (S3 sets the headers from the signed query, so the object keeps its own)."""
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f'filename="{filename}"',
            },
            ExpiresIn=expires,
        )

    def upload_url(self, key: str, expires: int) -> str:
        """A PUT URL for one object of up to 5 GB."""
        return self._client.generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=expires
        )

    def start_multipart(self, key: str) -> str:
        return self._client.create_multipart_upload(Bucket=self._bucket, Key=key)["UploadId"]

    def part_url(self, key: str, upload_id: str, number: int, expires: int) -> str:
        return self._client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "UploadId": upload_id,
                "PartNumber": number,
            },
            ExpiresIn=expires,
        )

    def uploaded_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        """The parts S3 received, as ``complete_multipart`` wants them."""
        pages = self._client.get_paginator("list_parts").paginate(
            Bucket=self._bucket, Key=key, UploadId=upload_id
        )
        return [
            {"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
            for page in pages
            for part in page.get("Parts", [])
        ]

    def complete_multipart(self, key: str, upload_id: str, parts: list[dict[str, Any]]) -> None:
        self._client.complete_multipart_upload(
            Bucket=self._bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )

    # -- objects ---------------------------------------------------------------------------

    def size(self, key: str) -> int | None:
        """The object's size, None if there is none."""
        try:
            return self._client.head_object(Bucket=self._bucket, Key=key)["ContentLength"]
        except self._client.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def read(self, key: str) -> bytes:
        return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=key)

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix``."""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix
        )
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def read_json(self, key: str) -> Any | None:
        try:
            return json.loads(self.read(key))
        except self._client.exceptions.NoSuchKey:
            return None

    def write_json(self, key: str, value: Any) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=json.dumps(value).encode(),
            ContentType="application/json",
        )
