"""Images of ``/tools/create-dicom``'s ``Content`` decoded as Orthanc 1.10.1 decodes them
(libpng, 8-bit libjpeg, its PAM reader): PNG grey 8/16 bits, RGB and RGBA; JPEG grey or RGB;
PAM. The size an image decodes to is checked from its header before anything is decoded
(``max_pixel_bytes``), so a small file cannot make the Lambda allocate gigabytes. Plain Python
without AWS; Pillow and imagecodecs are imported inside the functions (cold start).
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass

from chalicelib.dicom import codestreams
from chalicelib.errors import ErrorCode, OrthancError, ServerFault


@dataclass(frozen=True)
class Image:
    """Decoded pixels: ``kind`` is gray8, gray16 (little endian), rgb24 or rgb48."""

    width: int
    height: int
    kind: str
    pixels: bytes


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The bit depths a PNG colour type allows, and the (colour type, depth) Orthanc embeds.
PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
PNG_KINDS = {
    (0, 8): ("gray8", 1),
    (0, 16): ("gray16", 2),
    (2, 8): ("rgb24", 3),
    (6, 8): ("rgb24", 3),
}
PNG_MAX_DIMENSION = 1_000_000  # libpng's default user limit


def _too_large(width: int, height: int, size: int, limit: int) -> OrthancError:
    return OrthancError(
        ErrorCode.BAD_REQUEST,
        f"The image is too large: {width}x{height} pixels take {size} bytes decoded, "
        f"more than {limit}",
    )


def decode_png(data: bytes, max_pixel_bytes: int) -> Image:
    """A PNG as Orthanc reads it: grey 8 or 16 bits, RGB or RGBA (alpha dropped) of 8 bits;
    other valid PNGs are Orthanc's 500 "Not implemented". The header is read before
    anything is decoded, so a small file claiming a huge image is refused first."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    if zlib.crc32(data[12:29]) != int.from_bytes(data[29:33], "big"):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    depth, color = data[24], data[25]
    if not (0 < width <= PNG_MAX_DIMENSION and 0 < height <= PNG_MAX_DIMENSION):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    if depth not in PNG_DEPTHS.get(color, ()):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    if (color, depth) not in PNG_KINDS:
        raise ServerFault(ErrorCode.NOT_IMPLEMENTED)
    kind, channels = PNG_KINDS[(color, depth)]
    size = width * height * channels * depth // 8
    if size > max_pixel_bytes:
        raise _too_large(width, height, size, max_pixel_bytes)
    from PIL import Image as Pillow

    try:
        with Pillow.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            mode = {"gray8": "L", "gray16": "I;16", "rgb24": "RGB"}[kind]  # RGBA: alpha dropped
            pixels = (image if image.mode == mode else image.convert(mode)).tobytes()
    except Pillow.DecompressionBombError as exc:
        raise _too_large(width, height, size, max_pixel_bytes) from exc
    except MemoryError:
        raise
    except Exception as exc:  # any decoder failure: a corrupt or truncated file
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT) from exc
    return Image(width, height, kind, pixels)


# SOF markers libjpeg reads, and those it refuses (lossless, hierarchical, arithmetic lossless).
JPEG_FRAMES = frozenset({0xC0, 0xC1, 0xC2, 0xC9, 0xCA})
JPEG_UNSUPPORTED = frozenset({0xC3, 0xC5, 0xC6, 0xC7, 0xCB, 0xCD, 0xCE, 0xCF})
JPEG_ERROR = "Error during JPEG decoding: "


def decode_jpeg(data: bytes, max_pixel_bytes: int) -> Image:
    """A JPEG as Orthanc's libjpeg (8 bits) reads it: grey or RGB (YCbCr converted, fancy
    upsampling), decoded by imagecodecs' libjpeg-turbo; its errors are Orthanc's 500 with
    libjpeg's message. The frame header is read first: the size is bounded before decoding,
    and what an 8-bit libjpeg refuses (12 bits, lossless) is refused with its message."""
    found = codestreams.jpeg_frame(data, JPEG_FRAMES | JPEG_UNSUPPORTED)
    if found is not None:
        marker, frame = found
        _check_jpeg_frame(
            marker, frame.precision, frame.rows, frame.columns, frame.samples, max_pixel_bytes
        )
    import imagecodecs

    try:
        pixels = imagecodecs.jpeg8_decode(data)
    except imagecodecs.Jpeg8Error as exc:
        raise OrthancError(ErrorCode.INTERNAL_ERROR, f"{JPEG_ERROR}{exc}") from exc
    height, width = pixels.shape[:2]
    kind = "rgb24" if pixels.ndim == 3 else "gray8"
    return Image(width, height, kind, pixels.tobytes())


def _check_jpeg_frame(
    marker: int, precision: int, height: int, width: int, channels: int, max_pixel_bytes: int
) -> None:
    """What libjpeg 8-bit refuses, in its order, and what Orthanc does not embed (neither
    grey nor RGB: CMYK, YCCK...). An empty frame or too many channels are left to libjpeg."""
    if marker in JPEG_UNSUPPORTED:
        raise OrthancError(
            ErrorCode.INTERNAL_ERROR,
            f"{JPEG_ERROR}Unsupported JPEG process: SOF type 0x{marker:02x}",
        )
    size = width * height * max(channels, 1)
    if size > max_pixel_bytes:
        raise _too_large(width, height, size, max_pixel_bytes)
    if not (width and height and channels):
        return
    if precision != 8:
        raise OrthancError(
            ErrorCode.INTERNAL_ERROR, f"{JPEG_ERROR}Unsupported JPEG data precision {precision}"
        )
    if channels not in (1, 3) and channels <= 10:
        raise ServerFault(ErrorCode.NOT_IMPLEMENTED)


def decode_pam(data: bytes) -> Image:
    """A PAM (``P7``) as Orthanc reads it: GRAYSCALE of 8 or 16 bits, RGB of 8 (16-bit RGB
    is read, then refused as Orthanc refuses to embed it). Its pixels are in the body, so
    its size is bounded by the body's."""
    end = data.find(b"ENDHDR\n")
    if end < 0:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    lines = data[:end].split(b"\n")
    if len(lines) < 2 or lines[0] != b"P7" or lines[-1]:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    fields: dict[bytes, bytes] = {}
    for line in lines[1:-1]:
        tokens = line.split(b" ")
        if len(tokens) != 2:
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
        fields[tokens[0]] = tokens[1]

    def number(key: bytes) -> int:
        value = fields.get(key, b"")
        if not re.fullmatch(rb"[+-]?[0-9]+", value) or int(value) < 0 or int(value) >= 2**31:
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
        return int(value)

    width, height = number(b"WIDTH"), number(b"HEIGHT")
    depth, maximum = number(b"DEPTH"), number(b"MAXVAL")
    if b"TUPLTYPE" not in fields:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    kinds = {
        (b"GRAYSCALE", 1, 255): "gray8",
        (b"GRAYSCALE", 1, 65535): "gray16",
        (b"RGB", 3, 255): "rgb24",
        (b"RGB", 3, 65535): "rgb48",
    }
    kind = kinds.get((fields[b"TUPLTYPE"], depth, maximum))
    if kind is None:
        raise ServerFault(ErrorCode.NOT_IMPLEMENTED)
    size = width * height * depth * (2 if maximum == 65535 else 1)
    if len(data) != end + len(b"ENDHDR\n") + size:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    pixels = data[len(data) - size :]
    if maximum == 65535:  # PAM is big endian
        swapped = bytearray(pixels)
        swapped[0::2], swapped[1::2] = pixels[1::2], pixels[0::2]
        pixels = bytes(swapped)
    return Image(width, height, kind, pixels)
