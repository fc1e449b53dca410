"""Answers larger than API Gateway can carry go through S3: the client gets a redirect to a
short-lived presigned URL (curl -L, requests and Orthanc's clients follow it).

Below ``threshold`` bytes an answer is sent as the body, as Orthanc does. A generated answer
(an archive) is produced as chunks: they are kept in memory only until the threshold is
crossed, then streamed into an S3 object a part at a time, so memory stays bounded by one
multipart part whatever the size of the study.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from chalicelib.storage.transfers import DOWNLOADS, Transfers


@dataclass(frozen=True)
class Download:
    """Either the body itself or the URL where the client fetches it."""

    content_type: str
    filename: str
    body: bytes | None = None
    url: str | None = None


class DownloadService:
    def __init__(self, transfers: Transfers, threshold: int, expires: int) -> None:
        self._transfers = transfers
        self._threshold = threshold
        self._expires = expires

    def stored(self, key: str, size: int, content_type: str, filename: str) -> Download:
        """An object already in S3 (a DICOM file, a job's archive) of ``size`` bytes: its
        bytes when small, else a URL (the object is not read)."""
        if size > self._threshold:
            url = self._transfers.download_url(key, content_type, filename, self._expires)
            return Download(content_type, filename, url=url)
        return Download(content_type, filename, body=self._transfers.read(key))

    def generated(self, chunks: Iterable[bytes], content_type: str, filename: str) -> Download:
        """An answer produced as ``chunks``: in the body if it stays under the threshold,
        else written to ``downloads/`` and redirected to."""
        head = bytearray()
        rest = iter(chunks)
        for chunk in rest:
            head += chunk
            if len(head) > self._threshold:
                key = f"{DOWNLOADS}{uuid.uuid4()}/{filename}"
                self._transfers.write(key, _handed_over(head, rest), content_type)
                url = self._transfers.download_url(key, content_type, filename, self._expires)
                return Download(content_type, filename, url=url)
        return Download(content_type, filename, body=bytes(head))


def _handed_over(head: bytearray, rest: Iterator[bytes]) -> Iterator[bytes]:
    """``head`` then ``rest``, forgetting ``head`` once the writer took it, so that the
    threshold's worth of bytes is not held twice during the upload."""
    yield head  # the writer copies it into its own buffer
    head.clear()
    yield from rest
