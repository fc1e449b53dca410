"""Orthanc's ``/rendered`` image: grey frames rescaled (Rescale Slope/Intercept) and windowed
to 8 bits, MONOCHROME1 inverted, colour frames as they are; then fitted into the requested
``width`` x ``height`` box, aspect ratio kept.

Orthanc 1.10.1's rules, as measured against it (tests/interop/test_images_vs_orthanc.py):

- the window is the ``window-center``/``window-width`` options, else the file's first
  WindowCenter/WindowWidth values, else the full range of BitsStored (center 2^(bits-1),
  width 2^bits); a level is ``floor((value - (center - width/2)) * 255 / width)``, clipped;
- the box's ratio is the smaller of width/columns and height/rows (a missing or zero side
  does not constrain), the target size is rounded, and pixels are sampled at their centres
  (nearest neighbour); ``smooth`` blurs a downscaled image first (close to Orthanc's, not
  exact).

Plain Python without AWS; numpy is imported inside the functions (cold start).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.errors import bad_request

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

# A rendering larger than this on either side is refused (the output is allocated).
MAX_SIDE = 8192


@dataclass(frozen=True)
class RenderOptions:
    window_center: float | None = None
    window_width: float | None = None
    width: int = 0
    height: int = 0
    smooth: bool = False


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise bad_request(f'Option "{name}" must be a number') from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise bad_request(f'Option "{name}" must be a finite number')
    return value


def _side(text: str, name: str) -> int:
    if not text.isdigit() or int(text) > MAX_SIDE:
        raise bad_request(f'Option "{name}" must be an integer between 0 and {MAX_SIDE}')
    return int(text)


def parse_options(params: dict[str, str], smooth: bool) -> RenderOptions:
    """The options of the query string (``smooth`` is parsed by the caller as a flag)."""
    return RenderOptions(
        window_center=(
            _number(params["window-center"], "window-center") if "window-center" in params else None
        ),
        window_width=(
            _number(params["window-width"], "window-width") if "window-width" in params else None
        ),
        width=_side(params["width"], "width") if "width" in params else 0,
        height=_side(params["height"], "height") if "height" in params else 0,
        smooth=smooth,
    )


def _first(dataset: Dataset, keyword: str) -> float | None:
    """The first value of a possibly multi-valued decimal element (WindowCenter...)."""
    value = dataset.get(keyword)
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if len(value) else None
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def window(dataset: Dataset, options: RenderOptions) -> tuple[float, float]:
    """(center, width) of the windowing."""
    bits = int(dataset.get("BitsStored") or 16)
    center = options.window_center
    if center is None:
        center = _first(dataset, "WindowCenter")
    if center is None:
        center = float(1 << (bits - 1))
    width = options.window_width
    if width is None:
        width = _first(dataset, "WindowWidth")
    if width is None:
        width = float(1 << bits)
    return center, max(width, 1.0)


def windowed(
    array: np.ndarray, dataset: Dataset, options: RenderOptions, inverted: bool
) -> np.ndarray:
    """A grey frame's 8-bit levels (colour frames are returned unchanged, as 8 bits)."""
    import numpy as np

    if array.ndim == 3:
        return np.clip(array, 0, 255).astype(np.uint8)
    try:
        slope = float(dataset.get("RescaleSlope", 1) or 1)
        intercept = float(dataset.get("RescaleIntercept", 0) or 0)
    except (TypeError, ValueError):
        slope, intercept = 1.0, 0.0
    center, width = window(dataset, options)
    values = array.astype(np.float64) * slope + intercept
    levels = np.floor((values - (center - width / 2)) * (255.0 / width))
    levels = np.clip(levels, 0, 255)
    if inverted:
        levels = 255 - levels
    return levels.astype(np.uint8)


def target_size(rows: int, columns: int, options: RenderOptions) -> tuple[int, int]:
    """(rows, columns) of the answer: the image fitted in the box, aspect ratio kept."""
    ratios = []
    if options.width:
        ratios.append(options.width / columns)
    if options.height:
        ratios.append(options.height / rows)
    if not ratios:
        return rows, columns
    ratio = min(ratios)
    return max(round(rows * ratio), 1), max(round(columns * ratio), 1)


def resized(image: np.ndarray, options: RenderOptions) -> np.ndarray:
    """Nearest-neighbour resize sampled at pixel centres; ``smooth`` blurs first when the
    image shrinks, so that thin lines do not vanish."""
    import numpy as np

    rows, columns = image.shape[:2]
    target_rows, target_columns = target_size(rows, columns, options)
    if (target_rows, target_columns) == (rows, columns):
        return image
    if options.smooth and (target_rows < rows or target_columns < columns):
        image = _blurred(image)
    ys = np.minimum(((np.arange(target_rows) + 0.5) * rows / target_rows).astype(int), rows - 1)
    xs = np.minimum(
        ((np.arange(target_columns) + 0.5) * columns / target_columns).astype(int), columns - 1
    )
    return image[np.ix_(ys, xs)]


def _blurred(image: np.ndarray) -> np.ndarray:
    """A 5x5 binomial (Gaussian) blur with replicated borders."""
    import numpy as np

    kernel = np.array([1, 4, 6, 4, 1], dtype=np.float64) / 16.0
    values = image.astype(np.float64)
    for axis in (0, 1):
        padded = np.pad(
            values, [(2, 2) if a == axis else (0, 0) for a in range(values.ndim)], mode="edge"
        )
        size = values.shape[axis]
        values = sum(
            weight * np.take(padded, range(offset, offset + size), axis=axis)
            for offset, weight in enumerate(kernel)
        )
    return np.clip(np.rint(values), 0, 255).astype(image.dtype)
