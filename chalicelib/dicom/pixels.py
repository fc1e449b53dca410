"""Decoding one frame of a DICOM file into a numpy array, and the pixel transforms behind
Orthanc's ``preview`` and ``image-uint8/uint16/int16`` answers.

Plain Python without AWS. numpy and pydicom's pixel machinery are imported inside the
functions, so that importing the API never pays for them (tests/unit/test_cold_start.py).
Frames are decoded through ``codecs.decode``: imagecodecs for JPEG and JPEG-LS (the levels
Orthanc's DCMTK gives), pydicom's other plugins (pylibjpeg) for JPEG 2000 and RLE.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from chalicelib.errors import ErrorCode, OrthancError, UnsupportedImage

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

# A declared geometry beyond this many samples in one frame is refused before anything is
# allocated (a decompression bomb declares a huge Rows x Columns over a few bytes of data).
# 2**26 samples is 128 MB at 16 bits, well above a 8k x 8k RGB slide tile.
MAX_FRAME_SAMPLES = 2**26
MAX_FRAMES = 100_000


def undecodable(details: str) -> UnsupportedImage:
    """Pixel data that cannot be decoded (Orthanc answers it as an unsupported media type)."""
    return UnsupportedImage(details)


def frame_count(dataset: Dataset) -> int:
    """Number of frames (``/frames`` lists 0..n-1); 0 without pixel data."""
    if "PixelData" not in dataset:
        return 0
    try:
        return max(int(dataset.get("NumberOfFrames") or 1), 1)
    except (TypeError, ValueError):
        return 1


NUMBER_OF_FRAMES = 0x00280008
_INT32_MAX = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")


def listed_frames(dataset: Dataset) -> int:
    """How many frames ``GET /instances/{id}/frames`` lists, read from NumberOfFrames alone
    (not from the pixel data), as Orthanc 1.10.1 does: 1 when it is absent or empty, even
    without pixel data (an RT plan or a report lists frame 0), and 0 for ``0``.

    As probed, the stored text up to its first NUL, trailing spaces removed, must be a
    non-negative 32-bit integer (``+2`` and ``007`` are, `` 2`` and ``2.0`` are not), else
    the answer is ``BadFileFormat``. Above ``MAX_FRAMES`` Cirrus refuses too, where Orthanc
    lists up to 2**31 - 1 frames (and runs out of memory).
    """
    if NUMBER_OF_FRAMES not in dataset:
        return 1
    stored = dataset.get_item(NUMBER_OF_FRAMES).value
    if isinstance(stored, bytes):
        data = stored
    else:  # converted by pydicom (e.g. empty): its text is all there is
        data = b"" if stored is None else str(stored).encode("latin-1", "replace")
    if not data:
        return 1
    text = data.rstrip(b" ").partition(b"\x00")[0].decode("latin-1")
    count = int(text) if _INTEGER.fullmatch(text) else -1
    if not 0 <= count <= _INT32_MAX:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, f"Bad NumberOfFrames: {text!r}")
    if count > MAX_FRAMES:
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT, f"Too many frames: {count}")
    return count


def decode_frame(dataset: Dataset, index: int) -> tuple[np.ndarray, bool]:
    """Frame ``index`` as an array (rows, columns) or (rows, columns, 3) in RGB, and whether
    it is MONOCHROME1 (low values are white). A missing frame is an inexistent item, as in
    Orthanc; an absurd geometry or a stream the decoders reject is an ``UnsupportedImage``."""
    count = frame_count(dataset)
    if not 0 <= index < count:
        raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"No frame {index} in this instance")
    _check_geometry(dataset, count)
    from pydicom.pixels import apply_color_lut

    from chalicelib.dicom import codecs

    photometric = str(dataset.get("PhotometricInterpretation", "")).strip().upper()
    try:
        array = codecs.decode(dataset, index)
        if photometric == "PALETTE COLOR":
            array = apply_color_lut(array, dataset)
            if array.dtype.itemsize == 2:
                # 16-bit palette entries, shown as 8-bit RGB (their high byte) as Orthanc does.
                array = (array >> 8).astype("uint8")
    except Exception as exc:  # any decoder failure is an undecodable image, never a fault
        raise undecodable(f"Cannot decode frame {index}: {exc}") from exc
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3):
        raise undecodable(f"Unsupported pixel layout {array.shape}")
    if not array.dtype.isnative:
        # pydicom keeps a big endian file's byte order; answers use the native one.
        array = array.astype(array.dtype.newbyteorder("="))
    if int(dataset.get("BitsAllocated") or 8) == 1:
        # Orthanc's decoder turns a bit-packed (1-bit) image into 0/255 grey levels, for
        # every answer (preview, image-*, rendered, numpy).
        array = array.astype("uint8") * 255
    return array, photometric == "MONOCHROME1"


def native_frame(dataset: Dataset, index: int) -> bytes:
    """Frame ``index`` decoded to the bytes an uncompressed little endian data set holds
    (DICOMweb's ``application/octet-stream`` frames): colour interleaved, YBR converted to
    RGB as Orthanc's decompression does, samples of BitsAllocated in little endian. For
    compressed or big endian data sets; native little endian frames are ``raw_frame``."""
    count = frame_count(dataset)
    if not 0 <= index < count:
        raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, f"No frame {index} in this instance")
    _check_geometry(dataset, count)
    from chalicelib.dicom import codecs

    try:
        array = codecs.decode(dataset, index)
    except Exception as exc:  # any decoder failure is an undecodable image, never a fault
        raise undecodable(f"Cannot decode frame {index}: {exc}") from exc
    return array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()


def colour_as_8_bits(array: np.ndarray, dataset: Dataset) -> np.ndarray:
    """An RGB frame of more than 8 bits (e.g. 16-bit RLE) as 8-bit RGB, keeping the high
    bits of BitsStored, so that ``preview`` and ``rendered`` show it instead of saturating.
    Orthanc 1.10.1 cannot decode these images (unsupported); 8-bit frames are returned unchanged."""
    if array.dtype.itemsize == 1:
        return array
    bits = int(dataset.get("BitsStored") or array.dtype.itemsize * 8)
    return (array >> max(bits - 8, 0)).clip(0, 255).astype("uint8")


def _check_geometry(dataset: Dataset, count: int) -> None:
    try:
        rows = int(dataset.Rows)
        columns = int(dataset.Columns)
        samples = int(dataset.get("SamplesPerPixel") or 1)
    except (AttributeError, TypeError, ValueError) as exc:
        raise undecodable("Missing or bad image geometry") from exc
    if rows <= 0 or columns <= 0 or samples not in (1, 3):
        raise undecodable(f"Bad image geometry {rows}x{columns}x{samples}")
    if rows * columns * samples > MAX_FRAME_SAMPLES or count > MAX_FRAMES:
        raise undecodable(
            f"Image too large: {count} frame(s) of {rows}x{columns}x{samples} samples"
        )


def preview(array: np.ndarray, inverted: bool) -> np.ndarray:
    """8-bit image for ``preview``: grey levels stretched from the frame's [min, max] to
    [0, 255] (MONOCHROME1 inverted); colour images only cropped to 8 bits."""
    import numpy as np

    if array.ndim == 3:
        return cropped(array, np.uint8)
    low, high = int(array.min()), int(array.max())
    if high == low:
        levels = np.zeros(array.shape, dtype=np.uint8)
    else:
        # Orthanc's arithmetic: a * value + b in float32, rounded half away from zero.
        a = np.float32(255.0) / np.float32(high - low)
        b = np.float32(-low) * a
        values = np.floor(array.astype(np.float32) * a + b + np.float32(0.5))
        levels = np.clip(values, 0, 255).astype(np.uint8)
    return 255 - levels if inverted else levels


def cropped(array: np.ndarray, dtype: str) -> np.ndarray:
    """Stored values clipped to the range of ``dtype`` (``image-uint8/uint16/int16``)."""
    import numpy as np

    limits = np.iinfo(dtype)
    return np.clip(array, limits.min, limits.max).astype(dtype)


def png(array: np.ndarray) -> bytes:
    """PNG of an 8/16-bit grey or 8-bit RGB array (int16 is written as its 16-bit pattern)."""
    import numpy as np
    from PIL import Image

    if array.dtype == np.int16:
        array = array.view(np.uint16)
    image = Image.fromarray(array.astype("<u2") if array.dtype == np.uint16 else array)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(array: np.ndarray, quality: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(array).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def gif(array: np.ndarray) -> bytes:
    """GIF of an 8-bit grey or RGB array (DICOMweb's rendered ``image/gif``; colour is
    reduced to a 256-entry palette, which GIF cannot avoid)."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(array).save(out, format="GIF")
    return out.getvalue()


def pam(array: np.ndarray) -> bytes:
    """Netpbm PAM (``image/x-portable-arbitrarymap``) as Orthanc writes it: 8-bit or
    big-endian 16-bit samples (int16 as its 16-bit pattern), GRAYSCALE or RGB."""
    import numpy as np

    depth = 3 if array.ndim == 3 else 1
    wide = array.dtype.itemsize == 2
    header = (
        f"P7\nWIDTH {array.shape[1]}\nHEIGHT {array.shape[0]}\nDEPTH {depth}\n"
        f"MAXVAL {65535 if wide else 255}\nTUPLTYPE {'RGB' if depth == 3 else 'GRAYSCALE'}\n"
        "ENDHDR\n"
    )
    if wide:
        data = (array.view(np.uint16) if array.dtype == np.int16 else array).astype(">u2")
    else:
        data = array.astype(np.uint8, copy=False)
    return header.encode("ascii") + np.ascontiguousarray(data).tobytes()


# The type of a raw frame by transfer syntax, as Orthanc 1.10.1 labels it: JPEG baseline and
# JPEG 2000 only; anything else (other JPEG processes, MPEG videos...) is
# application/octet-stream.
RAW_TYPES = {
    "1.2.840.10008.1.2.4.50": "image/jpeg",
    "1.2.840.10008.1.2.4.90": "image/jp2",
    "1.2.840.10008.1.2.4.91": "image/jp2",
}


def raw_frame(dataset: Dataset, index: int) -> tuple[bytes, str]:
    """The stored bytes of one frame, undecoded (the fragments of an encapsulated frame, an
    embedded video, or the frame's slice of native pixel data), and their content type."""
    count = frame_count(dataset)
    if not 0 <= index < count:
        raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, f"No frame {index} in this instance")
    data = dataset.PixelData
    syntax = str(getattr(dataset.file_meta, "TransferSyntaxUID", ""))
    if getattr(dataset["PixelData"], "is_undefined_length", False):
        from pydicom.encaps import generate_frames

        try:
            for position, frame in enumerate(generate_frames(data, number_of_frames=count)):
                if position == index:
                    return frame, RAW_TYPES.get(syntax, "application/octet-stream")
        except (ValueError, StopIteration) as exc:
            raise undecodable(f"Cannot read frame {index}: {exc}") from exc
        raise undecodable(f"Cannot read frame {index}: missing fragments")
    _check_geometry(dataset, count)
    bits = int(dataset.get("BitsAllocated") or 8)
    size = int(dataset.Rows) * int(dataset.Columns) * int(dataset.get("SamplesPerPixel") or 1)
    if bits % 8 and (bits != 1 or size % 8):
        # As Orthanc: a bit-packed frame is served only when it fills whole bytes.
        raise undecodable("Raw frames of this bit-packed pixel data are not supported")
    size = size * bits // 8
    return bytes(data[index * size : (index + 1) * size]), "application/octet-stream"
