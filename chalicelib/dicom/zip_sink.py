"""A write-only stream that lets ``zipfile`` produce an archive piece by piece.

Archives and compressed NumPy answers are streamed (to the client or to S3) as they are made,
so no whole archive is ever held in memory: ``zipfile`` writes into this sink, and the caller
takes what was written after each member or chunk. The sink is unseekable on purpose, so
``zipfile`` writes data descriptors instead of seeking back to patch local headers.
"""

from __future__ import annotations


class ZipSink:
    """What ``zipfile`` wrote since the last :meth:`take`."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing buffered beyond the chunks; zipfile calls it on close."""

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data
