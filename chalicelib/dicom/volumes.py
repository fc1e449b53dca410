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


def _rescale(dataset: Dataset) -> tuple[float, float]:
    try:
        slope = float(dataset.get("RescaleSlope", 1) or 1)
        intercept = float(dataset.get("RescaleIntercept", 0) or 0)
    except (TypeError, ValueError):
        return 1.0, 0.0
    return slope, intercept


def frame(dataset: Dataset, index: int, rescale: bool) -> np.ndarray:
    """One frame as (rows, columns, channels)."""
    import numpy as np

    array, _ = pixels.decode_frame(dataset, index)
    if array.ndim == 3:
        return np.clip(array, 0, 255).astype(np.uint8)
    if rescale:
        slope, intercept = _rescale(dataset)
        array = (array.astype(np.float64) * slope + intercept).astype(np.float32)
    return array[:, :, np.newaxis]


def frame_shape(dataset: Dataset) -> tuple[int, int, int]:
    """(rows, columns, channels) as declared, checked before anything is decoded."""
    try:
        rows, columns = int(dataset.Rows), int(dataset.Columns)
        samples = int(dataset.get("SamplesPerPixel") or 1)
    except (AttributeError, TypeError, ValueError) as exc:
        raise pixels.undecodable("Missing or bad image geometry") from exc
    return rows, columns, 3 if samples == 3 else 1


def check_size(frames: int, shape: tuple[int, int, int]) -> None:
    rows, columns, channels = shape
    if frames * rows * columns * channels * 4 > MAX_ARRAY_BYTES:
        raise bad_request(
            f"The array of {frames} frame(s) of {rows}x{columns}x{channels} exceeds "
            f"{MAX_ARRAY_BYTES} bytes: request fewer frames"
        )


def stack(frames: Iterable[np.ndarray], count: int, shape: tuple[int, int, int]) -> np.ndarray:
    """``count`` frames of the same ``shape`` in one (count, rows, columns, channels) array,
    allocated once."""
    import numpy as np

    out: np.ndarray | None = None
    for position, one in enumerate(frames):
        if position >= count:
            raise pixels.undecodable("More frames than the instances declare")
        if one.shape != shape:
            raise OrthancError(
                ErrorCode.INCOMPATIBLE_IMAGE_SIZE,
                "The size of the frames varies across the instance(s)",
            )
        if out is None:
            out = np.empty((count, *shape), dtype=one.dtype)
        elif one.dtype != out.dtype:
            out = out.astype(np.result_type(out.dtype, one.dtype))
        out[position] = one
    if out is None:
        raise pixels.undecodable("No image in this resource")
    return out


def instance_frames(dataset: Dataset, rescale: bool) -> Iterator[np.ndarray]:
    for index in range(pixels.frame_count(dataset)):
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
