"""Changing the transfer syntax of a DICOM file (the ``Transcode`` option of archives and
media), with pydicom and the installed pylibjpeg plugins.

Orthanc 1.10.1 refuses a UID that is not a transfer syntax (400, "Unknown transfer syntax"),
and keeps a file as it was when it cannot transcode it (observed: RLE, JPEG baseline of 16-bit
images, JPEG 2000 lossy...). Cirrus does the same: ``transcode`` answers None and the caller
keeps the original. What Cirrus can write: implicit and explicit VR little endian, deflated,
RLE lossless and JPEG 2000 lossless, from any syntax pydicom can decode. Big endian, JPEG,
JPEG-LS and lossy JPEG 2000 have no encoder here, so files stay as stored (Orthanc writes big
endian, JPEG lossless and JPEG-LS). Plain Python without AWS; pydicom is imported inside the
functions (cold start).
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

    syntax = UID(target)
    if syntax == ExplicitVRBigEndian:
        return None  # pydicom does not swap the byte order of values it read
    has_pixels = "PixelData" in dataset
    if has_pixels and dataset.file_meta.TransferSyntaxUID.is_compressed:
        if _decoded_size(dataset) > MAX_DECODED_BYTES:
            return None
        dataset.decompress()
    if has_pixels and syntax.is_compressed:
        dataset.compress(syntax)
    else:
        # Without pixel data an encapsulated syntax only means explicit VR little endian.
        dataset.file_meta.TransferSyntaxUID = syntax
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _decoded_size(dataset: Dataset) -> int:
    frames = max(int(dataset.get("NumberOfFrames") or 1), 1)
    samples = int(dataset.get("SamplesPerPixel") or 1)
    bits = int(dataset.get("BitsAllocated") or 8)
    return int(dataset.Rows) * int(dataset.Columns) * samples * frames * max(bits // 8, 1)
