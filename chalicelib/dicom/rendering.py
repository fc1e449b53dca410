"""Orthanc's ``/rendered`` image: grey frames rescaled (Rescale Slope/Intercept) and windowed
to 8 bits, MONOCHROME1 inverted, colour frames as they are; then fitted into the requested
``width`` x ``height`` box, aspect ratio kept.

Orthanc 1.10.1's rules, as measured against it (tests/interop/test_images_vs_orthanc.py):

- the window and the rescale come from the file (see ``window`` and ``rescale``), each
  window value replaceable by its option; a level is
  ``floor((value * slope + intercept - (center - width/2)) * 255 / width)``, clipped,
  computed in float32 as Orthanc does;
- the box's ratio is the smaller of width/columns and height/rows (a missing or zero side
  does not constrain), the target size is rounded, and pixels are sampled at their centres
  (nearest neighbour); ``smooth`` blurs a downscaled image first with Orthanc's 5x5
  Gaussian; MONOCHROME1 is inverted last.

Plain Python without AWS; numpy is imported inside the functions (cold start).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.errors import ErrorCode, OrthancError, bad_request

if TYPE_CHECKING:
    import numpy as np
    from pydicom.dataset import Dataset

# A rendering larger than this on either side is refused (the output is allocated).
MAX_SIDE = 8192
RT_DOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2"
# Orthanc's floor for the magnitude of a rescale slope (it divides by the slope).
MIN_SLOPE = 0.0001


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
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SIDE:
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


def _parse(value: object, first: bool) -> float | None:
    """A decimal string element as Orthanc reads it: its first value when ``first``
    (WindowCenter may hold several), else only a single value (RescaleSlope...)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not len(value) or (len(value) > 1 and not first):
            return None
        value = value[0]
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _pair(item: Dataset | None, first: str, second: str, many: bool) -> tuple[float, float] | None:
    """Both elements of ``item`` as numbers, or None when either is missing or bad."""
    if item is None:
        return None
    one, two = _parse(item.get(first), many), _parse(item.get(second), many)
    return None if one is None or two is None else (one, two)


def _frame_item(dataset: Dataset, frame: int, sequence: str) -> Dataset | None:
    """The first item of ``sequence`` in the frame's PerFrameFunctionalGroupsSequence item
    (Orthanc 1.10.1 reads enhanced multi-frame windows and rescales there, not in the
    SharedFunctionalGroupsSequence)."""
    groups = dataset.get("PerFrameFunctionalGroupsSequence")
    if not groups or frame >= len(groups):
        return None
    items = groups[frame].get(sequence)
    return items[0] if items else None


def window(dataset: Dataset, frame: int, options: RenderOptions) -> tuple[float, float]:
    """(center, width) of the windowing: the file's WindowCenter/WindowWidth (both needed),
    else the frame's FrameVOILUTSequence, else the range of BitsStored (8 bits when
    missing); each then replaced by its option if given; a width below 1 counts as 1."""
    found = _pair(dataset, "WindowCenter", "WindowWidth", True) or _pair(
        _frame_item(dataset, frame, "FrameVOILUTSequence"), "WindowCenter", "WindowWidth", True
    )
    if found is None:
        bits = int(dataset.get("BitsStored") or 8)
        found = (float(1 << (bits - 1)), float(1 << bits))
    center, width = found
    if options.window_center is not None:
        center = options.window_center
    if options.window_width is not None:
        width = options.window_width
    return center, max(width, 1.0)


def rescale(dataset: Dataset, frame: int) -> tuple[float, float]:
    """(slope, intercept): the file's RescaleSlope/Intercept (both needed), else the frame's
    PixelValueTransformationSequence, else identity; RT Dose is never rescaled (its
    DoseGridScaling is not a display rescale). A near-zero slope counts as 0.0001."""
    if str(dataset.get("SOPClassUID", "")) == RT_DOSE_STORAGE:
        return 1.0, 0.0
    found = _pair(dataset, "RescaleSlope", "RescaleIntercept", False) or _pair(
        _frame_item(dataset, frame, "PixelValueTransformationSequence"),
        "RescaleSlope",
        "RescaleIntercept",
        False,
    )
    slope, intercept = found or (1.0, 0.0)
    return (slope if abs(slope) > MIN_SLOPE else MIN_SLOPE), intercept


def render(
    array: np.ndarray, dataset: Dataset, frame: int, options: RenderOptions, inverted: bool
) -> np.ndarray:
    """The ``rendered`` image of a decoded frame: windowed, resized, then inverted for
    MONOCHROME1 (last, as Orthanc does: the smoothing truncates, so the order matters)."""
    levels = resized(windowed(array, dataset, frame, options), options)
    return 255 - levels if inverted and levels.ndim == 2 else levels


def windowed(array: np.ndarray, dataset: Dataset, frame: int, options: RenderOptions) -> np.ndarray:
    """A grey frame's 8-bit levels (colour frames are returned unchanged, as 8 bits).

    Computed as Orthanc does, in float32: ``floor(a * value + b)`` with
    ``a = 255 * slope / width`` and ``b = a * (intercept - center + width / 2) / slope``,
    clipped to [0, 255], so that levels are the same, not only within one."""
    import numpy as np

    if array.ndim == 3:
        return np.clip(array, 0, 255).astype(np.uint8)
    slope, intercept = rescale(dataset, frame)
    center, width = window(dataset, frame, options)
    a = np.float32(255.0 * slope / width)
    b = np.float32(np.float32((intercept - center + width / 2.0) / slope) * a)
    levels = np.floor(array.astype(np.float32) * a + b)
    return np.clip(levels, 0, 255).astype(np.uint8)


def target_size(rows: int, columns: int, options: RenderOptions) -> tuple[int, int]:
    """(rows, columns) of the answer: the image fitted in the box, aspect ratio kept, in
    float32 and rounded half away from zero as Orthanc does. A target beyond MAX_SIDE on a
    side (a thin image scaled up by one option can be) is refused before it is allocated."""
    import numpy as np

    ratios = []
    if options.width:
        ratios.append(np.float32(options.width) / np.float32(columns))
    if options.height:
        ratios.append(np.float32(options.height) / np.float32(rows))
    if not ratios:
        return rows, columns
    ratio = min(ratios)
    target_rows, target_columns = (
        max(int(np.floor(ratio * np.float32(side) + np.float32(0.5))), 1)
        for side in (rows, columns)
    )
    if max(target_rows, target_columns) > MAX_SIDE:
        raise bad_request(
            f"The rendered image would be {target_columns}x{target_rows}, above {MAX_SIDE}"
        )
    return target_rows, target_columns


def resized(image: np.ndarray, options: RenderOptions) -> np.ndarray:
    """Nearest-neighbour resize sampled at pixel centres (in float32, as Orthanc);
    ``smooth`` blurs first when the image shrinks, so that thin lines do not vanish."""
    rows, columns = image.shape[:2]
    target_rows, target_columns = target_size(rows, columns, options)
    if (target_rows, target_columns) == (rows, columns):
        return image
    if options.smooth and (target_rows < rows or target_columns < columns):
        image = _blurred(image)
    return sampled(image, target_rows, target_columns)


def sampled(image: np.ndarray, target_rows: int, target_columns: int) -> np.ndarray:
    """Orthanc's nearest-neighbour resize: each target pixel takes the source pixel under
    its centre (in float32), for ``/rendered`` and DICOMweb's rendered images alike."""
    import numpy as np

    rows, columns = image.shape[:2]
    if (target_rows, target_columns) == (rows, columns):
        return image
    ys, xs = (
        np.minimum(
            np.floor(
                (np.arange(target, dtype=np.float32) + np.float32(0.5))
                * (np.float32(source) / np.float32(target))
            ).astype(int),
            source - 1,
        )
        for source, target in ((rows, target_rows), (columns, target_columns))
    )
    return image[np.ix_(ys, xs)]


def _blurred(image: np.ndarray) -> np.ndarray:
    """Orthanc's 5x5 Gaussian: the binomial kernel 1-4-6-4-1 along each axis with replicated
    borders, divided by 256 and truncated. On 8-bit levels every intermediate sum is an
    exact integer in Orthanc's float32, so integer arithmetic gives the same levels."""
    import numpy as np

    kernel = (1, 4, 6, 4, 1)
    values = image.astype(np.int64)
    for axis in (0, 1):
        padded = np.pad(
            values, [(2, 2) if a == axis else (0, 0) for a in range(values.ndim)], mode="edge"
        )
        size = values.shape[axis]
        values = sum(
            weight * np.take(padded, range(offset, offset + size), axis=axis)
            for offset, weight in enumerate(kernel)
        )
    return np.clip(values // 256, 0, 255).astype(image.dtype)


# -- DICOMweb's rendered images (PS3.18 8.3.5.1) ----------------------------------------------
#
# As Orthanc's DICOMweb plugin 1.7 renders them: the ``viewport`` source region is cropped
# (negative sw/sh flip it), windowed to 8 bits (``window``, else the region's whole range
# after the rescale), flipped, MONOCHROME1 inverted, then fitted into the viewport aspect
# ratio kept, centred on black. Every step is in float32 as the plugin computes it.

WINDOW_FUNCTIONS = ("linear", "linear-exact", "sigmoid")


@dataclass(frozen=True)
class Viewport:
    """``viewport=vw,vh[,sx,sy,sw,sh]``: the answer's size (None: the frame's), and the
    source region (sw/sh None: to the frame's edge)."""

    width: int | None = None
    height: int | None = None
    x: int = 0
    y: int = 0
    region_width: int | None = None
    region_height: int | None = None
    flip_x: bool = False
    flip_y: bool = False


@dataclass(frozen=True)
class WebRendering:
    viewport: Viewport = Viewport()
    # (center, width, function); None: the region's whole dynamic range.
    window: tuple[float, float, str] | None = None


def _viewport_number(tokens: list[str], position: int, fractional: bool) -> int | None:
    """Token ``position`` as an integer (None when absent or empty); sx, sy, sw, sh may be
    decimals, rounded half away from zero as the plugin does."""
    if position >= len(tokens) or not tokens[position].strip():
        return None
    text = tokens[position].strip()
    try:
        value = float(text) if fractional else int(text)
    except ValueError as exc:
        raise bad_viewport(f"Out-of-range value in viewport: {text}") from exc
    if value != value or abs(value) > MAX_SIDE * 16:
        raise bad_viewport(f"Out-of-range value in viewport: {text}")
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


def bad_viewport(details: str) -> OrthancError:
    return OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, details)


def parse_viewport(text: str) -> Viewport:
    tokens = text.split(",")
    if len(tokens) not in (2, 6):
        raise bad_viewport('The number of arguments to "viewport" must be 2 or 6')
    width, height = (_viewport_number(tokens, i, False) for i in (0, 1))
    for side in (width, height):
        if side is not None and not 0 <= side <= MAX_SIDE:
            raise bad_viewport(f'The sides of "viewport" must be between 0 and {MAX_SIDE}')
    x, y, region_width, region_height = (_viewport_number(tokens, i, True) for i in (2, 3, 4, 5))
    return Viewport(
        width,
        height,
        abs(x or 0),
        abs(y or 0),
        None if region_width is None else abs(region_width),
        None if region_height is None else abs(region_height),
        (region_width or 0) < 0,
        (region_height or 0) < 0,
    )


def parse_window(text: str) -> tuple[float, float, str]:
    """``window=center,width,function`` (function: linear, linear-exact or sigmoid; PS3.18
    spells them in lower case, the upper-case forms of PS3.3 are accepted too)."""
    tokens = text.split(",")
    if len(tokens) != 3:
        raise bad_viewport('The number of arguments to "window" must be 3')
    try:
        center, width = float(tokens[0]), float(tokens[1])
    except ValueError as exc:
        raise bad_viewport(f'The center and width of "window" must be numbers: {text}') from exc
    function = tokens[2].strip().lower().replace("_", "-")
    if function not in WINDOW_FUNCTIONS:
        raise bad_viewport(f'The function of "window" must be one of {WINDOW_FUNCTIONS}')
    finite = all(abs(value) < float("inf") for value in (center, width))
    if not finite or width <= 0 or (function == "linear" and width < 1):
        raise bad_viewport(f'Bad center or width in "window": {text}')
    return center, width, function


def parse_web_options(params: dict[str, str]) -> WebRendering:
    """``viewport`` and ``window`` of a DICOMweb rendered request (other keys are ignored)."""
    return WebRendering(
        parse_viewport(params["viewport"]) if "viewport" in params else Viewport(),
        parse_window(params["window"]) if "window" in params else None,
    )


def render_web(
    array: np.ndarray, dataset: Dataset, frame: int, options: WebRendering, inverted: bool
) -> np.ndarray:
    """The rendered image of a decoded frame (colour frames already 8-bit)."""
    import numpy as np

    rows, columns = array.shape[:2]
    viewport = options.viewport
    target_width = columns if viewport.width is None else viewport.width
    target_height = rows if viewport.height is None else viewport.height
    if max(target_width, target_height) > MAX_SIDE:
        raise bad_request(f"The rendered image would be above {MAX_SIDE} pixels on a side")
    canvas = np.zeros((target_height, target_width, *array.shape[2:]), dtype=np.uint8)
    right, bottom = (
        edge if size is None or start + size >= edge else start + size
        for start, size, edge in (
            (viewport.x, viewport.region_width, columns),
            (viewport.y, viewport.region_height, rows),
        )
    )
    region = array[viewport.y : bottom, viewport.x : right]
    if region.size == 0:
        return canvas
    if region.ndim == 3:
        levels = np.clip(region, 0, 255).astype(np.uint8)
    else:
        levels = _web_levels(region, dataset, frame, options.window)
    if viewport.flip_x:
        levels = levels[:, ::-1]
    if viewport.flip_y:
        levels = levels[::-1]
    if inverted and levels.ndim == 2:
        levels = 255 - levels
    ratio = min(
        np.float32(target_width) / np.float32(levels.shape[1]),
        np.float32(target_height) / np.float32(levels.shape[0]),
    )
    fitted_rows, fitted_columns = (
        min(int(np.floor(np.float32(side) * ratio + np.float32(0.5))), limit)
        for side, limit in ((levels.shape[0], target_height), (levels.shape[1], target_width))
    )
    if fitted_rows and fitted_columns:
        top, left = (target_height - fitted_rows) // 2, (target_width - fitted_columns) // 2
        canvas[top : top + fitted_rows, left : left + fitted_columns] = sampled(
            levels, fitted_rows, fitted_columns
        )
    return canvas


def _web_levels(
    region: np.ndarray, dataset: Dataset, frame: int, window: tuple[float, float, str] | None
) -> np.ndarray:
    """8-bit levels of a grey region, in float32 as the plugin computes them: rescaled, then
    the window function of PS3.3 C.11.2.1.2 (or the whole range), then +0.5 and truncated."""
    import numpy as np

    f32 = np.float32
    slope, intercept = (f32(value) for value in rescale(dataset, frame))
    values = region.astype(f32) * slope + intercept
    if window is None:
        low = f32(region.min()) * slope + intercept
        high = f32(region.max()) * slope + intercept
        with np.errstate(divide="ignore", invalid="ignore"):
            levels = (values - low) * (f32(255) / (high - low))
    else:
        center, width, function = f32(window[0]), f32(window[1]), window[2]
        if function == "linear":
            low = center - f32(0.5) - (width - f32(1)) / f32(2)
            high = center - f32(0.5) + (width - f32(1)) / f32(2)
            scaled = values * (f32(255) / (width - f32(1))) + (
                f32(255) * (-center + f32(0.5) * width)
            ) / (width - f32(1))
            levels = np.where(values <= low, f32(0), np.where(values > high, f32(255), scaled))
        elif function == "linear-exact":
            # PS3.3 C.11.2.1.3.2 (the plugin leaves out the + 0.5 and renders one level in
            # two as black).
            low, high = center - width / f32(2), center + width / f32(2)
            scaled = ((values - center) / width + f32(0.5)) * f32(255)
            levels = np.where(values <= low, f32(0), np.where(values > high, f32(255), scaled))
        else:
            with np.errstate(over="ignore"):
                levels = f32(255) / (f32(1) + np.exp(f32(-4) * (values - center) / width))
    levels = np.nan_to_num(levels.astype(f32) + f32(0.5), nan=0.0)
    return np.clip(levels, 0, 255).astype(np.uint8)
