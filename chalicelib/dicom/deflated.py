"""The inflated size of a Deflated Explicit VR Little Endian file (1.2.840.10008.1.2.1.99),
counted without keeping it.

pydicom inflates such a data set whole, in one ``zlib.decompress`` call, as soon as it reads
the file: deflate reaches about 1000:1 on repeated bytes, so a file of a few hundred kilobytes
can become hundreds of megabytes in memory before anything is checked. Parsing therefore asks
here first how large the data set becomes, inflating it a chunk at a time and discarding the
chunks, and stops counting past the limit it was given.

Plain Python without AWS; pydicom reads the file meta group (always explicit VR little
endian, never deflated) exactly as its own reader does before it inflates the rest.
"""

from __future__ import annotations

import io
import zlib

_CHUNK = 1 << 20


def _data_set_start(data: bytes) -> int | None:
    """Where the deflated data set starts (after the preamble, the file meta group and a
    command group, as pydicom skips them), or None when the file is not deflated or its
    meta group cannot be read (pydicom then refuses the file on its own)."""
    from pydicom.filereader import read_dataset, read_preamble
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    if DeflatedExplicitVRLittleEndian.encode("ascii") not in data:
        # A deflated file names its syntax in its meta group, in these very bytes: without
        # them it is not one, and the meta group need not be read twice (a byte search of
        # a 9 KB file costs a microsecond, the read about fifty).
        return None
    stream = io.BytesIO(data)
    try:
        read_preamble(stream, True)
        meta = read_dataset(stream, False, True, stop_when=lambda tag, *_: tag.group != 2)
        if meta.get("TransferSyntaxUID") != DeflatedExplicitVRLittleEndian:
            return None
        read_dataset(stream, True, True, stop_when=lambda tag, *_: tag.group != 0)
    except Exception:  # pydicom's many ways to fail on bytes that are not DICOM
        return None
    return stream.tell()


def inflated_size(data: bytes, limit: int) -> int | None:
    """The size of the inflated data set of ``data``, counted up to just past ``limit``
    (None: not a deflated file). About two chunks are held at a time; a broken stream is
    counted up to where it breaks (pydicom's own read then refuses it)."""
    start = _data_set_start(data)
    if start is None:
        return None
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    view = memoryview(data)
    total = 0
    try:
        for offset in range(start, len(data), _CHUNK):
            pending: bytes | memoryview = view[offset : offset + _CHUNK]
            while pending and not inflater.eof:
                total += len(inflater.decompress(pending, _CHUNK))
                if total > limit:
                    return total
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        pass
    return total
