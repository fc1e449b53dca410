"""Small valid compressed frames made with the installed codecs, and the same frames with
their codestream header patched to declare a huge image (a decompression bomb)."""

from __future__ import annotations

import io
import struct

import numpy as np
import pydicom
from pydicom.encaps import encapsulate
from pydicom.uid import UID

from tests.support.dicom_factory import make_instance

SIZE = 64
HUGE = 30000
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_LS = "1.2.840.10008.1.2.4.80"
JPEG_2000 = "1.2.840.10008.1.2.4.90"
RLE = "1.2.840.10008.1.2.5"


def pixels() -> np.ndarray:
    """A 64 x 64 grey gradient of 8 bits."""
    return (np.arange(SIZE * SIZE, dtype=np.uint32) % 251).astype(np.uint8).reshape(SIZE, SIZE)


def jpeg() -> bytes:
    import imagecodecs

    return bytes(imagecodecs.jpeg8_encode(pixels(), level=90))


def jpeg_ls() -> bytes:
    import imagecodecs

    return bytes(imagecodecs.jpegls_encode(pixels()))


def j2k(codec: str = "j2k") -> bytes:
    import imagecodecs

    return bytes(imagecodecs.jpeg2k_encode(pixels(), level=0, codecformat=codec))


def rle() -> bytes:
    """One RLE frame of the 8-bit image, encoded by pydicom."""
    from pydicom.encaps import generate_frames

    dataset = dataset_of(pixels().tobytes(), "1.2.840.10008.1.2.1", encapsulated=False)
    dataset.compress(RLE, generate_instance_uid=False)
    return next(generate_frames(dataset.PixelData, number_of_frames=1))


def with_sof_size(stream: bytes, marker: bytes, rows: int, columns: int) -> bytes:
    """``stream`` with the height and width of its first ``marker`` (SOF0, SOF55...) changed."""
    at = stream.index(marker) + 5
    return stream[:at] + struct.pack(">HH", rows, columns) + stream[at + 4 :]


def with_siz_size(stream: bytes, rows: int, columns: int) -> bytes:
    """A J2K or JP2 stream with its SIZ marker's image and tile sizes changed (one tile, no
    offsets), as OpenJPEG then reads the header and allocates the whole image."""
    at = stream.index(b"\xff\x4f\xff\x51") + 8
    size = struct.pack(">IIIIII", columns, rows, 0, 0, columns, rows)
    return stream[:at] + size + stream[at + 24 :]


def dataset_of(frame: bytes, syntax: str, *, encapsulated: bool = True) -> pydicom.Dataset:
    """A 64 x 64 MONOCHROME2 image of 8 bits whose one frame is ``frame`` in ``syntax``."""
    dataset = pydicom.dcmread(io.BytesIO(make_instance(size=SIZE)))
    dataset.BitsAllocated = dataset.BitsStored = 8
    dataset.HighBit = 7
    dataset.PixelData = encapsulate([frame]) if encapsulated else frame
    dataset["PixelData"].VR = "OB"
    dataset.file_meta.TransferSyntaxUID = UID(syntax)
    return dataset


def file_of(frame: bytes, syntax: str) -> bytes:
    """``dataset_of`` written as a DICOM file."""
    out = io.BytesIO()
    dataset_of(frame, syntax).save_as(out, enforce_file_format=True)
    return out.getvalue()
