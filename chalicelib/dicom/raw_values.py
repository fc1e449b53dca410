"""Element values as bytes, the way Orthanc 1.10.1 hands them out: ``/instances/{id}/content``
(a leaf's value, and the items of the Pixel Data) and the binary values of the DICOM JSON model.

Orthanc reads files with DCMTK, which turns every multi-byte binary value (US, UL, FD, OW...)
into the host's byte order when it loads a big endian file; Orthanc then hands out those
bytes. Hosts are little endian (x86, Graviton), so a big endian file's numbers come out
little endian, OW pixel data swapped as 16-bit words whatever BitsAllocated says. Byte-sized
values (OB, UN) are handed out as stored, text as DCMTK holds it (``padded_text``).

Encapsulated (compressed) pixel data is a sequence of items: the Basic Offset Table (often
empty), then the fragments. Orthanc lists them as ``0``, ``1``... under ``/content/7fe0-0010``,
where native pixel data is the single item ``0``.
"""

from __future__ import annotations

import struct
import sys
from typing import Any

from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from chalicelib.dicom.tag_values import STRING_VRS, element_vr

PIXEL_DATA = 0x7FE00010
UNDEFINED_LENGTH = 0xFFFFFFFF
ITEM = b"\xfe\xff\x00\xe0"  # (FFFE,E000), encapsulated data is always little endian
SEQUENCE_DELIMITER = b"\xfe\xff\xdd\xe0"

# Size of one value of each VR whose bytes DCMTK swaps to the host's order (AT as two US).
WORD_SIZES = {
    "AT": 2,
    "OW": 2,
    "SS": 2,
    "US": 2,
    "FL": 4,
    "OF": 4,
    "OL": 4,
    "SL": 4,
    "UL": 4,
    "FD": 8,
    "OD": 8,
    "OV": 8,
    "SV": 8,
    "UV": 8,
}
# struct codes of the numeric VRs, for values pydicom already converted.
_STRUCT_CODES = {"SS": "h", "US": "H", "SL": "i", "UL": "I", "FL": "f", "FD": "d"}


def host_order(data: bytes, vr: str, little_endian: bool) -> bytes:
    """``data`` as DCMTK holds it in memory: words of a big endian file swapped."""
    size = WORD_SIZES.get(vr, 1)
    if little_endian or size == 1 or sys.byteorder != "little":
        return data
    whole = len(data) - len(data) % size
    swapped = bytearray(data)
    for offset in range(size):
        # Byte ``offset`` of each word goes to position ``size - 1 - offset``.
        swapped[size - 1 - offset : whole : size] = data[offset:whole:size]
    return bytes(swapped)


def leaf_bytes(ds: Dataset, tag: int, creator: str | None = None) -> bytes:
    """The value of leaf element ``tag`` of ``ds`` (reserved by ``creator`` if private) as
    ``/content`` answers it: binary numbers in the host's byte order, text as DCMTK holds it
    (see ``padded_text``), other bytes as stored; empty for an empty element."""
    raw = ds.get_item(tag)
    vr = element_vr(raw, creator)
    if isinstance(raw, RawDataElement):
        data = b"" if raw.value is None else bytes(raw.value)
        if vr in STRING_VRS:
            return padded_text(data, vr)
        return host_order(data, vr, raw.is_little_endian)
    data = _converted_bytes(raw)
    return padded_text(data, vr) if vr in STRING_VRS else data


def padded_text(data: bytes, vr: str) -> bytes:
    """A text value as Orthanc hands it out: trailing spaces and NULs removed, then padded
    back to an even length (a NUL for UI, else a space), as probed: ``A\\B   `` gives
    ``A\\B ``, ``st \\0`` gives ``st`` and a UI ``1.2 `` gives ``1.2\\0``. (Orthanc keeps
    the trailing NULs of a top-level value when the file has no SpecificCharacterSet.)"""
    text = data.rstrip(b" \x00")
    if len(text) % 2:
        text += b"\x00" if vr == "UI" else b" "
    return text


def _converted_bytes(element: DataElement) -> bytes:
    """Best effort for an element pydicom already converted (its stored bytes are gone):
    numbers packed little endian, text re-joined with backslashes."""
    value: Any = element.value
    if value is None or value == "":
        return b""
    if isinstance(value, bytes):
        return value
    values = list(value) if isinstance(value, MultiValue | list | tuple) else [value]
    code = _STRUCT_CODES.get(str(element.VR))
    if code is not None and all(isinstance(v, int | float) for v in values):
        return struct.pack("<" + code * len(values), *values)
    return "\\".join(str(v) for v in values).encode("utf-8")


def is_encapsulated(ds: Dataset) -> bool:
    """Whether the top-level Pixel Data is encapsulated (undefined length: compressed)."""
    raw = ds.get_item(PIXEL_DATA) if PIXEL_DATA in ds else None
    if raw is None:
        return False
    if isinstance(raw, RawDataElement):
        return raw.length == UNDEFINED_LENGTH
    return bool(getattr(raw, "is_undefined_length", False))


def pixel_data_items(ds: Dataset) -> list[bytes]:
    """What ``/content/7fe0-0010/{n}`` serves: the one native value, or the Basic Offset Table
    and the fragments of encapsulated pixel data. Items are read by their lengths (a fragment
    may contain the bytes of a delimiter); a cut item ends the list."""
    if not is_encapsulated(ds):
        return [leaf_bytes(ds, PIXEL_DATA)]
    raw = ds.get_item(PIXEL_DATA)
    data = bytes(raw.value or b"")
    items: list[bytes] = []
    offset = 0
    while offset + 8 <= len(data) and data[offset : offset + 4] == ITEM:
        (length,) = struct.unpack_from("<I", data, offset + 4)
        start = offset + 8
        if length == UNDEFINED_LENGTH or start + length > len(data):
            break
        items.append(data[start : start + length])
        offset = start + length
    return items
