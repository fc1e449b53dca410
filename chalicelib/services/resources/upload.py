"""Unpacking an upload body into DICOM files (plain, gzip-encoded, a ZIP archive, or the parts
of a ``multipart/form-data`` form) and storing them with the answer of ``POST /instances``,
for the REST route and for uploads that went through S3
(chalicelib/services/resources/large_uploads.py).

Every size is bounded while decompressing (never trusting a declared size), so a small
compressed body cannot expand into gigabytes of memory.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from chalicelib.errors import ErrorCode, OrthancError, TooLarge
from chalicelib.services.resources.multipart import Form, form_parts

if TYPE_CHECKING:  # pydicom behind them: imported by the caller only when storing
    from chalicelib.services.resources.ingest import IngestService, Origin, StoreResult

ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"The uploaded content exceeds the limit of {limit} bytes (MaximumUploadSize)")


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress a gzip (or zlib) body, refusing to expand beyond ``limit`` bytes."""
    decompressor = zlib.decompressobj(wbits=47)  # 32 + 15: accept gzip and zlib headers
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise OrthancError(ErrorCode.BAD_REQUEST, "Body is not valid gzip data") from exc
    if len(out) > limit or decompressor.unconsumed_tail:
        raise too_large(limit)
    return out


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def zip_members(data: bytes, limit: int) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each file of a ZIP archive; the total expanded size is bounded.

    Names are only reported, never used as paths, so a ``../`` entry is harmless.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, "Corrupted ZIP archive") from exc
    budget = limit
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            chunks = []
            try:
                with archive.open(info) as member:
                    while chunk := member.read(min(_CHUNK, budget + 1)):
                        budget -= len(chunk)
                        if budget < 0:
                            raise too_large(limit)
                        chunks.append(chunk)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
                raise OrthancError(
                    ErrorCode.BAD_FILE_FORMAT, f"Cannot read {info.filename!r} in the ZIP archive"
                ) from exc
            yield info.filename, b"".join(chunks)


def store_answer(result: StoreResult) -> dict[str, str]:
    """Orthanc's answer for one stored file."""
    ids = result.ids
    return {
        "ID": ids.instance,
        "ParentPatient": ids.patient,
        "ParentSeries": ids.series,
        "ParentStudy": ids.study,
        "Path": f"/instances/{ids.instance}",
        "Status": result.status.value,
    }


def store_body(
    ingest: IngestService, data: bytes, gzipped: bool, limit: int, origin: Origin
) -> dict[str, str] | list[dict[str, str]]:
    """Store one DICOM file, a gzip-encoded one, or a ZIP of them (answering a list)."""
    if len(data) > limit:
        raise too_large(limit)
    if gzipped:
        data = gunzip(data, limit)
    if not is_zip(data):
        return store_answer(ingest.store(data, origin))
    answers: list[Any] = []
    for _name, member in zip_members(data, limit):
        try:
            answers.append(store_answer(ingest.store(member, origin)))
        except OrthancError as error:
            # Members that are not storable DICOM files are skipped, as Orthanc does.
            if error.code not in (ErrorCode.BAD_FILE_FORMAT, ErrorCode.INEXISTENT_TAG):
                raise
    return answers


def store_form(
    ingest: IngestService, data: bytes, gzipped: bool, form: Form, limit: int, origin: Origin
) -> None:
    """Store the files of a ``multipart/form-data`` body as Orthanc 1.10.1 does: each part as
    the body of a ``POST /instances`` of its own (a ZIP part expands), in order, the first
    failing part answering for the request (those before it stay stored), and no answer
    body. In jQuery File Upload's chunked mode (``form.file_size``) consecutive parts are
    chunks of one file, stored when they add up to its size and dropped beyond it."""
    if len(data) > limit:
        raise too_large(limit)
    if gzipped:
        data = gunzip(data, limit)
    chunks = bytearray()
    for part in form_parts(data, form.boundary):
        if form.file_size is None:
            store_body(ingest, part, False, limit, origin)
            continue
        chunks += part
        if len(chunks) == form.file_size:
            store_body(ingest, bytes(chunks), False, limit, origin)
        if len(chunks) >= form.file_size:
            chunks.clear()
    if chunks:
        # Orthanc keeps the chunks for the next request; a function keeps nothing between them.
        raise OrthancError(
            ErrorCode.NOT_IMPLEMENTED,
            "A file split across several requests (X-File-Size) is not supported: "
            "send it in one request",
        )
