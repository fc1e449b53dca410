"""The image size a compressed frame declares, read from its codestream header, and the check
that it is the size the DICOM header declares, before any decoder allocates memory.

Why: the Rows x Columns guard reads the DICOM header, but the decoders (libjpeg-turbo, CharLS,
OpenJPEG) allocate what the codestream says: a JPEG 2000 frame declaring 30000 x 30000 inside
a 64 x 64 image made OpenJPEG allocate about 1 GB. Each format's own header is read here:
JPEG's and JPEG-LS's start of frame (precision, height, width, components), JPEG 2000's SIZ
marker (in a raw codestream, or in the ``jp2c`` box of a JP2 file, whose ``ihdr`` is checked
too) and the RLE header's segment count. A frame whose declaration differs from the data set's
Rows, Columns and Samples per Pixel, or whose precision is wider than the container allows, is
an ``UnsupportedImage`` (what any undecodable frame is). Plain Python, no imports beyond the
standard library: it only reads a few bytes of each frame.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from chalicelib.errors import UnsupportedImage

JPEG_FAMILY = "1.2.840.10008.1.2.4."
JPEG_LS = frozenset({"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"})
JPEG_2000 = frozenset(
    JPEG_FAMILY + suffix for suffix in ("90", "91", "92", "93", "201", "202", "203")
)
RLE = "1.2.840.10008.1.2.5"

# Start-of-frame markers of every JPEG process (0xC4 DHT, 0xC8 JPG and 0xCC DAC are not
# frames), and JPEG-LS's SOF55.
JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
JPEG_LS_SOF = frozenset({0xF7})
# JPEG-LS preset parameters of type 4 redefine the frame's width and height beyond 16 bits.
_LSE = 0xF8
_LSE_OVERSIZE = 4
# Widest sample a DICOM decoder gives (pydicom widens 12-bit JPEG into 16-bit containers).
MAX_PRECISION = 16

_J2K_SOC_SIZ = b"\xff\x4f\xff\x51"
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"


@dataclass(frozen=True)
class Declared:
    """An image size as a codestream declares it."""

    rows: int
    columns: int
    samples: int
    precision: int


@dataclass(frozen=True)
class Geometry:
    """What the DICOM header declares for each frame."""

    rows: int
    columns: int
    samples: int
    bits_allocated: int


def jpeg_frame(data: bytes, markers: frozenset[int]) -> tuple[int, Declared] | None:
    """The first start-of-frame among ``markers`` and what it declares, walking the markers
    as libjpeg does (bytes before a 0xFF skipped, fill bytes skipped, segments skipped by their
    length); None when the scan or the end comes first, where a decoder fails without
    allocating. When JPEG-LS's SOF55 is looked for, an oversize declaration (LSE type 4)
    before it is refused: no DICOM frame needs more than the 16-bit size of the frame."""
    if not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 1 < len(data):
        if data[position] != 0xFF:
            position += 1
            continue
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
        elif marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD8:
            position += 2
        elif marker in (0xD9, 0xDA):
            return None
        elif marker in markers:
            header = data[position + 4 : position + 10]
            if len(header) < 6:
                return None
            height, width = struct.unpack(">HH", header[1:5])
            return marker, Declared(height, width, header[5], header[0])
        else:
            oversize = data[position + 4 : position + 5] == bytes([_LSE_OVERSIZE])
            if marker == _LSE and oversize and markers >= JPEG_LS_SOF:
                raise UnsupportedImage("A JPEG-LS oversize image dimension is not supported")
            length = int.from_bytes(data[position + 2 : position + 4], "big")
            position += 2 + length
    return None


def _siz(codestream: bytes) -> Declared | None:
    """A JPEG 2000 codestream's SIZ marker (it must follow SOC): the reference grid less its
    offset, the component count and the first component's precision."""
    if not codestream.startswith(_J2K_SOC_SIZ) or len(codestream) < 4 + 40:
        return None
    xsiz, ysiz, xosiz, yosiz = struct.unpack(">IIII", codestream[8:24])
    components = int.from_bytes(codestream[40:42], "big")
    precisions = codestream[42 : 42 + 3 * components : 3]
    precision = max(((ssiz & 0x7F) + 1 for ssiz in precisions), default=0)
    return Declared(max(ysiz - yosiz, 0), max(xsiz - xosiz, 0), components, precision)


def _jp2_boxes(data: bytes, start: int, end: int) -> dict[bytes, bytes]:
    """The first box of each type between ``start`` and ``end`` (ISO 15444-1 I.4)."""
    boxes: dict[bytes, bytes] = {}
    position = start
    while position + 8 <= end:
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        header = 8
        if length == 1:
            if position + 16 > end:
                break
            length, header = int.from_bytes(data[position + 8 : position + 16], "big"), 16
        elif length == 0:
            length = end - position
        if length < header:
            break
        boxes.setdefault(kind, data[position + header : min(position + length, end)])
        position += length
    return boxes


def jpeg_2000_declared(data: bytes) -> list[Declared]:
    """What a JPEG 2000 frame declares: its codestream's SIZ, and for a JP2 file its
    ``ihdr`` too (height, width, components, bits per component). Empty when neither can be
    found, where OpenJPEG fails without allocating."""
    if data.startswith(_J2K_SOC_SIZ):
        siz = _siz(data)
        return [siz] if siz else []
    if not data.startswith(_JP2_SIGNATURE):
        return []
    boxes = _jp2_boxes(data, 0, len(data))
    declared = []
    header = _jp2_boxes(boxes.get(b"jp2h", b""), 0, len(boxes.get(b"jp2h", b"")))
    ihdr = header.get(b"ihdr", b"")
    if len(ihdr) >= 11:
        height, width, components = struct.unpack(">IIH", ihdr[:10])
        bits = ihdr[10]
        declared.append(
            Declared(height, width, components, 0 if bits == 255 else (bits & 0x7F) + 1)
        )
    siz = _siz(boxes.get(b"jp2c", b""))
    if siz:
        declared.append(siz)
    return declared


def rle_segments(data: bytes) -> int | None:
    """The segment count of an RLE frame's 64-byte header (DICOM PS3.5 G.3.1)."""
    if len(data) < 64:
        return None
    return int.from_bytes(data[:4], "little")


def check_frame(frame: bytes, syntax: str, geometry: Geometry) -> None:
    """Refuse ``frame`` when its codestream declares another size than ``geometry`` (an
    ``UnsupportedImage``); a syntax without a codestream header, or a header that cannot be
    found, is left to the decoder, which then fails before allocating anything."""
    if syntax == RLE:
        segments = rle_segments(frame)
        expected = geometry.samples * max(geometry.bits_allocated // 8, 1)
        if segments is not None and segments != expected:
            raise UnsupportedImage(
                f"The RLE frame has {segments} segments where the header needs {expected}"
            )
        return
    if syntax in JPEG_2000:
        declared = jpeg_2000_declared(frame)
    elif syntax in JPEG_LS:
        found = jpeg_frame(frame, JPEG_LS_SOF)
        declared = [found[1]] if found else []
    elif syntax.startswith(JPEG_FAMILY):
        found = jpeg_frame(frame, JPEG_SOF)
        declared = [found[1]] if found else []
    else:
        return
    for size in declared:
        _check_declared(size, geometry)


def _check_declared(declared: Declared, geometry: Geometry) -> None:
    precision = max(geometry.bits_allocated, MAX_PRECISION)
    if (declared.rows, declared.columns, declared.samples) != (
        geometry.rows,
        geometry.columns,
        geometry.samples,
    ) or declared.precision > precision:
        raise UnsupportedImage(
            f"The codestream declares {declared.columns}x{declared.rows} pixels of "
            f"{declared.samples} samples ({declared.precision} bits) where the DICOM header "
            f"declares {geometry.columns}x{geometry.rows} of {geometry.samples} "
            f"({geometry.bits_allocated} bits allocated)"
        )
