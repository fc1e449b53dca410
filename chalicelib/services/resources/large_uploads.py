"""Uploads larger than API Gateway carries: the client sends the body straight to S3 through
presigned URLs, and an S3 event hands the object to the same storing code as
``POST /instances``; the answer it would have given is recorded for the client to fetch.

    POST /cirrus/uploads                  -> {"ID", "Path", "Method": "PUT", "Url", ...}
    PUT  <Url>  (the body: DICOM, gzip-encoded DICOM when "ContentEncoding" is "gzip", or ZIP)
    GET  /cirrus/uploads/{id}             -> {"State": "Pending"} then {"State": "Done",
                                             "HttpStatus": 200, "Answer": <POST /instances's>}

With ``"Multipart": true`` (needed above 5 GB, useful above ~100 MB) the answer lists one URL
per part and the client then calls ``POST /cirrus/uploads/{id}/complete``.

Each upload has a record, ``upload-answers/<id>.json``: written Pending when the URL is given
(with who asked, for the instance's metadata), replaced by the answer once ingested. The S3
event may be delivered twice: a record already Done makes the second delivery a no-op.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.errors import OrthancError, bad_request, unknown_resource
from chalicelib.services.resources.upload import store_body, too_large
from chalicelib.storage.transfers import (
    MAX_PARTS,
    MIN_PART_SIZE,
    UPLOAD_ANSWERS,
    UPLOADS,
    Transfers,
)

if TYPE_CHECKING:
    from chalicelib.services.resources.ingest import IngestService

PENDING, DONE = "Pending", "Done"


@dataclass(frozen=True)
class UploadRequest:
    """``POST /cirrus/uploads``: the body's size when known (needed for multipart), whether
    to upload it in parts, its ``Content-Encoding`` ("" or "gzip"), and who asks (recorded in
    the instances' metadata as ``POST /instances`` records it)."""

    size: int | None
    multipart: bool
    content_encoding: str
    user: str
    remote_ip: str


# An error's HTTP status and Orthanc's JSON body for it, given the method and URI.
ErrorAnswer = Callable[[OrthancError, str, str], tuple[int, Any]]
PART_SIZE = 64 * 1024 * 1024


def _record_key(upload_id: str) -> str:
    return f"{UPLOAD_ANSWERS}{upload_id}.json"


class LargeUploadService:
    def __init__(
        self,
        transfers: Transfers,
        ingest: Callable[[], IngestService],
        limit: int,
        expires: int,
        error_answer: ErrorAnswer,
    ) -> None:
        """``ingest`` builds the ingest service when an upload arrives: it brings pydicom,
        which the API routes of this service must not import (cold start). ``error_answer``
        is the API's error map: the status and body ``POST /instances`` answers an error
        with, recorded for the client."""
        self._transfers = transfers
        self._ingest = ingest
        self._error_answer = error_answer
        self._limit = limit
        self._expires = expires

    def create(self, request: UploadRequest) -> dict[str, Any]:
        """A new upload: where to PUT the body (one URL, or one per part)."""
        size, multipart = request.size, request.multipart
        if multipart and size is None:
            raise bad_request('A multipart upload needs its "Size" to plan its parts')
        if size is not None and size > self._limit:
            raise too_large(self._limit)
        upload_id = str(uuid.uuid4())
        key = f"{UPLOADS}{upload_id}"
        record: dict[str, Any] = {
            "State": PENDING,
            "User": request.user,
            "RemoteIp": request.remote_ip,
            "ContentEncoding": request.content_encoding,
        }
        answer: dict[str, Any] = {
            "ID": upload_id,
            "Path": f"/cirrus/uploads/{upload_id}",
            "Method": "PUT",
            "ExpiresIn": self._expires,
        }
        if multipart:
            part_size = max(PART_SIZE, MIN_PART_SIZE, math.ceil(size / MAX_PARTS))
            s3_upload = self._transfers.start_multipart(key)
            record["MultipartUpload"] = s3_upload
            answer["PartSize"] = part_size
            answer["Parts"] = [
                {"PartNumber": n, "Url": self._transfers.part_url(key, s3_upload, n, self._expires)}
                for n in range(1, max(math.ceil(size / part_size), 1) + 1)
            ]
            answer["Complete"] = f"/cirrus/uploads/{upload_id}/complete"
        else:
            answer["Url"] = self._transfers.upload_url(key, self._expires)
        self._transfers.write_json(_record_key(upload_id), record)
        return answer

    def complete(self, upload_id: str) -> dict[str, Any]:
        """Assemble a multipart upload from the parts S3 received (the client need not
        collect their ETags); S3 then announces the object."""
        record = self._record(upload_id)
        s3_upload = record.get("MultipartUpload")
        if s3_upload is None or record["State"] != PENDING:
            raise bad_request("This upload is not a pending multipart upload")
        key = f"{UPLOADS}{upload_id}"
        parts = self._transfers.uploaded_parts(key, s3_upload)
        if not parts:
            raise bad_request("No part of this upload was received")
        self._transfers.complete_multipart(key, s3_upload, parts)
        return self.status(upload_id)

    def status(self, upload_id: str) -> dict[str, Any]:
        record = self._record(upload_id)
        answer = {"ID": upload_id, "State": record["State"]}
        if record["State"] == DONE:
            answer.update(HttpStatus=record["HttpStatus"], Answer=record["Answer"])
        return answer

    def ingest(self, key: str) -> None:
        """The S3 event handler's work: store the object, record the answer, drop the
        object (its files now live under ``dicom/``)."""
        upload_id = key.removeprefix(UPLOADS)
        record = self._transfers.read_json(_record_key(upload_id))
        if record is None or record["State"] == DONE:
            # Not created by create(), or a second delivery of the event.
            self._transfers.delete(key)
            return
        size = self._transfers.size(key)
        if size is None:
            return
        try:
            if size > self._limit:
                raise too_large(self._limit)
            from chalicelib.services.resources.ingest import Origin

            origin = Origin("RestApi", remote_ip=record["RemoteIp"], http_username=record["User"])
            data, gzipped = self._transfers.read(key), record["ContentEncoding"] == "gzip"
            status, answer = 200, store_body(self._ingest(), data, gzipped, self._limit, origin)
        except OrthancError as error:
            status, answer = self._error_answer(error, "PUT", f"/cirrus/uploads/{upload_id}")
        record.update(State=DONE, HttpStatus=status, Answer=answer)
        self._transfers.write_json(_record_key(upload_id), record)
        self._transfers.delete(key)

    def _record(self, upload_id: str) -> dict[str, Any]:
        try:
            uuid.UUID(upload_id)
        except ValueError as exc:
            raise unknown_resource("Unknown upload") from exc
        record = self._transfers.read_json(_record_key(upload_id))
        if record is None:
            raise unknown_resource("Unknown upload")
        return record
