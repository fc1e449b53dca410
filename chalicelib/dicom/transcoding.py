"""Changing the transfer syntax of a DICOM file (the ``Transcode`` option of archives and
media), with pydicom and its plugins (imagecodecs for JPEG and JPEG-LS, see ``codecs``).

Orthanc 1.10.1 refuses a UID that is not a transfer syntax (400, "Unknown transfer syntax"),
and keeps a file as it was when it cannot transcode it (observed: RLE, JPEG baseline of 16-bit
images, JPEG 2000 lossy...). Cirrus does the same: ``transcode`` answers None and the caller
keeps the original. What Cirrus can write: implicit and explicit VR little endian, deflated,
RLE lossless and JPEG 2000 lossless, from any syntax pydicom can decode; JPEG baseline,
extended and lossless and JPEG-LS lossless and near-lossless for exactly the files Orthanc
transcodes to them (``jpeg_transcoding``). Big endian and lossy JPEG 2000 have no encoder
here, so files stay as stored (Orthanc writes big endian). A lossless change keeps the SOP
Instance UID, as in Orthanc; a lossy one makes a derived instance with a new one. Plain
Python without AWS; pydicom is imported inside the functions (cold start).
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from chalicelib.errors import ErrorCode, OrthancError

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

LOG = logging.getLogger(__name__)

# A compressed file is decoded before it is re-encoded; its declared geometry is checked
# first so that a decompression bomb is kept as stored rather than allocated.
MAX_DECODED_BYTES = 1 << 30


def check_syntax(uid: str) -> str:
    """``uid`` if it names a transfer syntax; Orthanc's 400 otherwise."""
    from pydicom.uid import UID

    if not UID(uid).is_transfer_syntax:
        raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, f"Unknown transfer syntax: {uid}")
    return uid


def transcode(data: bytes, target: str) -> bytes | None:
    """``data`` written in the ``target`` transfer syntax, the same bytes if it already is,
    None if it cannot be done (no encoder, undecodable pixels, not DICOM)."""
    import pydicom

    try:
        dataset = pydicom.dcmread(io.BytesIO(data))
        if dataset.file_meta.get("TransferSyntaxUID") == target:
            return data
        return _rewrite(dataset, target)
    except Exception as exc:  # an encoder or decoder failure keeps the file as stored
        LOG.info("Cannot transcode a file to %s: %s", target, exc)
        return None


def _rewrite(dataset: Dataset, target: str) -> bytes | None:
    from pydicom.uid import UID, ExplicitVRBigEndian

    from chalicelib.dicom import codecs, jpeg_transcoding

    syntax = UID(target)
    if syntax == ExplicitVRBigEndian:
        return None  # pydicom does not swap the byte order of values it read
    has_pixels = "PixelData" in dataset
    decodes = (
        dataset.file_meta.TransferSyntaxUID.is_compressed or syntax in jpeg_transcoding.TARGETS
    )
    if has_pixels and decodes and _decoded_size(dataset) > MAX_DECODED_BYTES:
        return None
    if has_pixels and syntax in jpeg_transcoding.TARGETS:
        if not jpeg_transcoding.orthanc_transcodes(dataset, syntax):
            return None
        jpeg_transcoding.rewrite(dataset, syntax)
        return _written(dataset)
    if has_pixels and dataset.file_meta.TransferSyntaxUID.is_compressed:
        codecs.decompress(dataset)
    if has_pixels and syntax.is_compressed:
        dataset.compress(syntax, generate_instance_uid=False)
    else:
        # Without pixel data an encapsulated syntax only means explicit VR little endian.
        dataset.file_meta.TransferSyntaxUID = syntax
    return _written(dataset)


def _written(dataset: Dataset) -> bytes:
    """The file in its (little endian) transfer syntax; a data set read as big endian gets the
    bytes of its OW/OF/OL/OD/OV values swapped first, which pydicom leaves to the caller."""
    import pydicom

    out = io.BytesIO()
    if dataset.original_encoding[1] is False:
        _swap_words(dataset)
        pydicom.dcmwrite(out, dataset, enforce_file_format=True)
    else:
        dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


# Byte width of the values of the VRs whose bytes pydicom does not convert.
_WORDS = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}


def _swap_words(dataset: Dataset) -> None:
    import numpy as np

    for element in dataset.iterall():
        width = _WORDS.get(str(element.VR))
        if width and isinstance(element.value, bytes) and len(element.value) % width == 0:
            words = np.frombuffer(element.value, dtype=f">u{width}")
            element.value = words.astype(f"<u{width}").tobytes()


def _decoded_size(dataset: Dataset) -> int:
    frames = max(int(dataset.get("NumberOfFrames") or 1), 1)
    samples = int(dataset.get("SamplesPerPixel") or 1)
    bits = int(dataset.get("BitsAllocated") or 8)
    return int(dataset.Rows) * int(dataset.Columns) * samples * frames * max(bits // 8, 1)
