"""Decoded frames as NumPy arrays, for ``/instances/{id}/numpy``, ``/frames/{n}/numpy`` and
``/series/{id}/numpy``, in Orthanc 1.10.1's layout:

- shape ``(frames, rows, columns, channels)`` (a single frame: ``(rows, columns, channels)``);
- grey images as float32 with the instance's RescaleSlope/RescaleIntercept applied, or their
  stored integers with ``rescale=false``; colour images as uint8 RGB, never rescaled;
- ``.npy`` bytes, or with ``compress`` a ZIP holding one deflated member named ``arr_0``
  (``numpy.load(...)["arr_0"]``).

Plain Python without AWS; numpy is imported inside the functions (cold start).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from chalicelib.dicom import pixels
from chalicelib.errors import ErrorCode, OrthancError, bad_request

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

# An answer above this is refused before decoding (it would go through S3 anyway, but the
# array is built in the function's memory): 1 GiB is a 512-slice 512x512 CT in float32, twice.
MAX_ARRAY_BYTES = 1 << 30
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


def check_size(frames: int, shape: tuple[int, int, int]) -> None:
    rows, columns, channels = shape
    if frames * rows * columns * channels * 4 > MAX_ARRAY_BYTES:
        raise bad_request(
            f"The array of {frames} frame(s) of {rows}x{columns}x{channels} exceeds "
            f"{MAX_ARRAY_BYTES} bytes: request fewer frames"
        )


def stack(
    frames: Iterable[tuple[np.ndarray, str]], count: int, shape: tuple[int, int, int]
) -> np.ndarray:
    """``count`` frames of the same ``shape`` and pixel format in one (count, rows,
    columns, channels) array, allocated once."""
    import numpy as np

    out: np.ndarray | None = None
    first_format, filled = "", 0
    for one, pixel_format in frames:
        if filled >= count:
            raise pixels.undecodable("More frames than the instances declare")
        if one.shape[:2] != shape[:2]:
            raise OrthancError(
                ErrorCode.INCOMPATIBLE_IMAGE_SIZE,
                "The size of the frames varies across the instance(s)",
            )
        if out is None:
            out, first_format = np.empty((count, *one.shape), dtype=one.dtype), pixel_format
        elif pixel_format != first_format:
            raise OrthancError(
                ErrorCode.INCOMPATIBLE_IMAGE_FORMAT,
                "The pixel format of the frames varies across the instance(s)",
            )
        out[filled] = one
        filled += 1
    if out is None or filled != count:
        raise pixels.undecodable("No image in this resource" if out is None else "Missing frames")
    return out


def instance_frames(
    dataset: Dataset, rescale: bool, count: int | None = None
) -> Iterator[tuple[np.ndarray, str]]:
    """The first ``count`` frames of the instance (all of them by default)."""
    for index in range(pixels.frame_count(dataset) if count is None else count):
        yield frame(dataset, index, rescale)


def serialize(array: np.ndarray, compress: bool) -> bytes:
    """``.npy`` bytes, or a ZIP of one deflated ``arr_0`` member as Orthanc writes it."""
    import numpy as np

    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    if not compress:
        return out.getvalue()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("arr_0", out.getvalue())
    return packed.getvalue()
