"""Decoded frames as NumPy arrays, for ``/instances/{id}/numpy``, ``/frames/{n}/numpy`` and
``/series/{id}/numpy``, in Orthanc 1.10.1's layout:

- shape ``(frames, rows, columns, channels)`` (a single frame: ``(rows, columns, channels)``);
- grey images as float32 with the instance's RescaleSlope/RescaleIntercept applied, or their
  stored integers with ``rescale=false``; colour images as uint8 RGB, never rescaled;
- ``.npy`` bytes, or with ``compress`` a ZIP holding one deflated member named ``arr_0``
  (``numpy.load(...)["arr_0"]``).

The answer is produced as chunks, one decoded frame at a time, and never as one array: the
function holds a frame, the file it comes from and the download buffers, whatever the number
of frames (``frame_memory`` and ``check_memory`` bound that before anything is read or
decoded), where stacking the frames, serializing and compressing them held three or four
copies of the whole array.

Plain Python without AWS; numpy is imported inside the functions (cold start).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from chalicelib.dicom import pixels
from chalicelib.dicom.zip_sink import ZipSink
from chalicelib.errors import ErrorCode, OrthancError, bad_request

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

RT_DOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2"


def rescale_of(dataset: Dataset, index: int) -> tuple[float, float]:
    """(slope, intercept) of frame ``index``, where Orthanc takes them: none for an RT Dose
    (its scaling is DoseGridScaling), else the top-level pair when both parse, else the
    pair of the frame's PixelValueTransformationSequence (enhanced multi-frame), else
    (1, 0). One of the two alone counts as neither."""

    def pair(item: Dataset) -> tuple[float, float] | None:
        try:  # a multi-valued or non-numeric value does not parse, as in Orthanc
            return float(str(item.RescaleSlope)), float(str(item.RescaleIntercept))
        except (AttributeError, TypeError, ValueError):
            return None

    if str(dataset.get("SOPClassUID", "")) == RT_DOSE_STORAGE:
        return 1.0, 0.0
    found = pair(dataset)
    if found is None:
        try:
            per_frame = dataset.PerFrameFunctionalGroupsSequence[index]
            found = pair(per_frame.PixelValueTransformationSequence[0])
        except (AttributeError, IndexError, TypeError):
            found = None
    return found or (1.0, 0.0)


def frame(dataset: Dataset, index: int, rescale: bool) -> tuple[np.ndarray, str]:
    """One frame as (rows, columns, channels), and its decoded pixel format: frames of
    different formats are not stacked (as in Orthanc), even when both become float32.

    Grey levels are rescaled in single precision, ``slope * value + intercept``, as Orthanc
    computes them. Orthanc 1.10.1 then floors each value (a bug fixed in 1.11.0); Cirrus
    keeps the exact value, as documented. 1-bit images (segmentations) are 0 or 255, as
    Orthanc decodes them."""
    import numpy as np

    array, _ = pixels.decode_frame(dataset, index)
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    if str(dataset.get("BitsAllocated", "")) == "1":
        array = np.where(array != 0, 255, 0).astype(np.uint8)
    pixel_format = f"{array.dtype.str}x{array.shape[2]}"
    if rescale and array.shape[2] == 1:
        slope, intercept = rescale_of(dataset, index)
        array = np.float32(slope) * array.astype(np.float32) + np.float32(intercept)
    return array, pixel_format


def frame_shape(dataset: Dataset) -> tuple[int, int, int]:
    """(rows, columns, channels) as declared, checked before anything is decoded (a
    palette is decoded to RGB)."""
    try:
        rows, columns = int(dataset.Rows), int(dataset.Columns)
        samples = int(dataset.get("SamplesPerPixel") or 1)
        palette = str(dataset.get("PhotometricInterpretation", "")).strip() == "PALETTE COLOR"
    except (AttributeError, TypeError, ValueError) as exc:
        raise pixels.undecodable("Missing or bad image geometry") from exc
    return rows, columns, 3 if samples == 3 or palette else 1


def frame_memory(dataset: Dataset, rescale: bool) -> int:
    """The most memory one frame's answer holds, from the declared geometry: the decoder's
    output, pydicom's copy of it and a palette or byte-order conversion (3 x the stored
    sample), the float32 conversion, product and sum of a rescale (3 x 4 bytes), and the
    frame's bytes in the download buffer (4), per sample."""
    rows, columns, channels = frame_shape(dataset)
    try:
        stored = -(-int(dataset.get("BitsAllocated") or 8) // 8)
    except (TypeError, ValueError) as exc:
        raise pixels.undecodable("Bad BitsAllocated") from exc
    conversions = 12 if rescale and channels == 1 else 0
    return max(rows, 0) * max(columns, 0) * channels * (3 * max(stored, 1) + conversions + 4)


def check_memory(file_size: int, frame_bytes: int, available: int) -> None:
    """Refuse, before the file is read or decoded, an answer that cannot fit in the
    ``available`` bytes: the largest file is held twice while it is parsed (its bytes and the
    data set's values), and one frame is decoded at a time (``frame_bytes``)."""
    needed = 2 * file_size + frame_bytes
    if needed > available:
        raise bad_request(
            f"This array needs about {needed} bytes of memory while it is built, more than "
            f"the {max(available, 0)} bytes this function can spare for it "
            "(AWS_LAMBDA_FUNCTION_MEMORY_SIZE, or FunctionMemorySize locally)"
        )


def npy_chunks(
    frames: Iterable[tuple[np.ndarray, str]],
    count: int,
    shape: tuple[int, int, int],
    stacked: bool = True,
) -> Iterator[bytes]:
    """The ``.npy`` file of ``count`` frames of the same ``shape`` and pixel format, as
    (count, rows, columns, channels), or of one frame as (rows, columns, channels) when not
    ``stacked``: the header once the first frame tells the type, then each frame's bytes as
    it is decoded (the same bytes ``numpy.save`` writes for the stacked array)."""
    import numpy as np

    first_format, filled = "", 0
    for one, pixel_format in frames:
        if filled >= count:
            raise pixels.undecodable("More frames than the instances declare")
        if one.shape[:2] != shape[:2]:
            raise OrthancError(
                ErrorCode.INCOMPATIBLE_IMAGE_SIZE,
                "The size of the frames varies across the instance(s)",
            )
        if filled == 0:
            first_format = pixel_format
            header = io.BytesIO()
            dimensions = (count, *one.shape) if stacked else one.shape
            np.lib.format.write_array_header_1_0(
                header,
                {
                    "descr": np.lib.format.dtype_to_descr(one.dtype),
                    "fortran_order": False,
                    "shape": dimensions,
                },
            )
            yield header.getvalue()
        elif pixel_format != first_format:
            raise OrthancError(
                ErrorCode.INCOMPATIBLE_IMAGE_FORMAT,
                "The pixel format of the frames varies across the instance(s)",
            )
        yield memoryview(np.ascontiguousarray(one)).cast("B")
        filled += 1
    if filled == 0 or filled != count:
        raise pixels.undecodable("No image in this resource" if filled == 0 else "Missing frames")


def instance_frames(
    dataset: Dataset, rescale: bool, count: int | None = None
) -> Iterator[tuple[np.ndarray, str]]:
    """The first ``count`` frames of the instance (all of them by default)."""
    for index in range(pixels.frame_count(dataset) if count is None else count):
        yield frame(dataset, index, rescale)


def npz_chunks(npy: Iterable[bytes]) -> Iterator[bytes]:
    """The ``.npy`` chunks compressed as they come into the ZIP ``numpy.savez_compressed``
    writes: one deflated member, ``arr_0`` (ZIP64, as numpy writes it, for any size)."""
    sink = ZipSink()
    archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED)  # type: ignore[arg-type]
    with archive, archive.open("arr_0", "w", force_zip64=True) as member:
        for chunk in npy:
            member.write(chunk)
            yield sink.take()
    yield sink.take()
