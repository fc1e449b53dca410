"""The ``rendered`` pipeline on its own: options, Orthanc's windowing and rescale rules,
float32 levels, aspect-preserving sizes, nearest-neighbour sampling, the 5x5 Gaussian and
MONOCHROME1 inverted last. The same rules are checked against Orthanc 1.10.1 in
tests/interop/test_images_vs_orthanc.py and test_images_coverage_vs_orthanc.py."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from chalicelib.api.error_map import http_status
from chalicelib.dicom import rendering
from chalicelib.dicom.rendering import RenderOptions
from chalicelib.errors import OrthancError


def grey(**tags: object) -> Dataset:
    dataset = Dataset()
    dataset.BitsStored = 12
    for keyword, value in tags.items():
        setattr(dataset, keyword, value)
    return dataset


def per_frame(*groups: dict[str, dict[str, str]]) -> Sequence:
    """A PerFrameFunctionalGroupsSequence: one item per frame of {sequence: {keyword: value}}."""
    items = []
    for group in groups:
        item = Dataset()
        for sequence, values in group.items():
            inner = Dataset()
            for keyword, value in values.items():
                setattr(inner, keyword, value)
            setattr(item, sequence, Sequence([inner]))
        items.append(item)
    return Sequence(items)


def test_options_are_parsed() -> None:
    options = rendering.parse_options(
        {"window-center": "-1.5", "window-width": "1e3", "width": "20", "height": "0"}, True
    )
    assert options == RenderOptions(-1.5, 1000.0, 20, 0, True)
    assert rendering.parse_options({}, False) == RenderOptions()


@pytest.mark.parametrize(
    "params",
    [
        {"width": "-4"},
        {"width": "1.5"},
        {"height": " 3"},
        {"width": str(rendering.MAX_SIDE + 1)},
        {"window-width": "x"},
        {"window-center": "nan"},
        {"window-center": "inf"},
    ],
)
def test_bad_options_are_400(params: dict[str, str]) -> None:
    with pytest.raises(OrthancError) as caught:
        rendering.parse_options(params, False)
    assert http_status(caught.value) == 400


def test_the_files_window_needs_both_values() -> None:
    assert rendering.window(grey(WindowCenter="40", WindowWidth="400"), 0, RenderOptions()) == (
        40.0,
        400.0,
    )
    # The first of several windows.
    both = grey(WindowCenter=["40", "300"], WindowWidth=["400", "1500"])
    assert rendering.window(both, 0, RenderOptions()) == (40.0, 400.0)
    # A lone WindowCenter is ignored: the range of BitsStored instead.
    assert rendering.window(grey(WindowCenter="40"), 0, RenderOptions()) == (2048.0, 4096.0)


def test_without_bits_stored_the_range_is_8_bits() -> None:
    assert rendering.window(Dataset(), 0, RenderOptions()) == (128.0, 256.0)


def test_options_replace_one_value_each_and_width_is_at_least_1() -> None:
    dataset = grey(WindowCenter="40", WindowWidth="400")
    assert rendering.window(dataset, 0, RenderOptions(window_center=7)) == (7, 400.0)
    assert rendering.window(dataset, 0, RenderOptions(window_width=-3)) == (40.0, 1.0)


def test_enhanced_frames_have_their_own_window_and_rescale() -> None:
    dataset = grey(
        PerFrameFunctionalGroupsSequence=per_frame(
            {
                "FrameVOILUTSequence": {"WindowCenter": "10", "WindowWidth": "20"},
                "PixelValueTransformationSequence": {
                    "RescaleSlope": "2",
                    "RescaleIntercept": "-5",
                },
            },
            {"FrameVOILUTSequence": {"WindowCenter": "30", "WindowWidth": "40"}},
        )
    )
    assert rendering.window(dataset, 0, RenderOptions()) == (10.0, 20.0)
    assert rendering.window(dataset, 1, RenderOptions()) == (30.0, 40.0)
    assert rendering.rescale(dataset, 0) == (2.0, -5.0)
    assert rendering.rescale(dataset, 1) == (1.0, 0.0)
    # Top-level values win over the per-frame ones.
    dataset.RescaleSlope, dataset.RescaleIntercept = "3", "1"
    assert rendering.rescale(dataset, 0) == (3.0, 1.0)


def test_rescale_rules() -> None:
    assert rendering.rescale(grey(RescaleSlope="0.5"), 0) == (1.0, 0.0)  # both needed
    assert rendering.rescale(grey(RescaleSlope="0", RescaleIntercept="3"), 0) == (
        rendering.MIN_SLOPE,
        3.0,
    )
    dose = grey(SOPClassUID=rendering.RT_DOSE_STORAGE, RescaleSlope="2", RescaleIntercept="1")
    assert rendering.rescale(dose, 0) == (1.0, 0.0)


def test_levels_are_floored_and_clipped() -> None:
    dataset = grey(WindowCenter="100", WindowWidth="200", RescaleSlope="2", RescaleIntercept="-10")
    values = np.array([[0, 5, 6, 55, 104, 105, 200]], dtype=np.int16)
    # value * 2 - 10, window [0, 200]: floor(level * 255 / 200), clipped.
    levels = rendering.windowed(values, dataset, 0, RenderOptions())
    assert levels.tolist() == [[0, 0, 2, 127, 252, 255, 255]]
    assert levels.dtype == np.uint8


def test_colour_is_not_windowed() -> None:
    colour = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    assert np.array_equal(rendering.windowed(colour, grey(), 0, RenderOptions(0, 1)), colour)


def test_monochrome1_is_inverted_after_the_resize() -> None:
    dataset = grey(WindowCenter="128", WindowWidth="256")
    values = np.array([[0, 64], [128, 255]], dtype=np.uint16)
    # Levels floor(v * 255 / 256) = 0, 63, 127, 254, then 255 - level.
    assert rendering.render(values, dataset, 0, RenderOptions(), True).tolist() == [
        [255, 192],
        [128, 1],
    ]
    colour = np.zeros((2, 2, 3), dtype=np.uint8)
    assert rendering.render(colour, dataset, 0, RenderOptions(), True).max() == 0


@pytest.mark.parametrize(
    ("options", "size"),
    [
        (RenderOptions(), (30, 40)),
        (RenderOptions(width=20), (15, 20)),
        (RenderOptions(height=3), (3, 4)),
        (RenderOptions(width=20, height=3), (3, 4)),
        (RenderOptions(width=80, height=0), (60, 80)),
        (RenderOptions(width=1), (1, 1)),  # 0.75 rounds half away from zero to 1
        (RenderOptions(width=5), (4, 5)),  # 3.75
        (RenderOptions(width=2), (2, 2)),  # 1.5 rounds up, not to even
    ],
)
def test_target_size_keeps_the_aspect_ratio(options: RenderOptions, size: tuple[int, int]) -> None:
    assert rendering.target_size(30, 40, options) == size


def test_a_thin_image_cannot_be_scaled_into_a_bomb() -> None:
    with pytest.raises(OrthancError) as caught:
        rendering.target_size(rendering.MAX_SIDE, 1, RenderOptions(width=rendering.MAX_SIDE))
    assert http_status(caught.value) == 400


def test_resize_samples_pixel_centres() -> None:
    image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    assert rendering.resized(image, RenderOptions(width=2)).tolist() == [[5, 7], [13, 15]]
    assert rendering.resized(image, RenderOptions(width=8))[::2, ::2].tolist() == image.tolist()
    assert rendering.resized(image, RenderOptions(width=4)) is image


def test_smoothing_is_orthancs_truncated_binomial_blur() -> None:
    image = np.zeros((8, 8), dtype=np.uint8)
    image[4, 4] = 255
    blurred = rendering.resized(image, RenderOptions(width=8, smooth=True))
    assert blurred is image  # no blur without a downscale
    smoothed = rendering._blurred(image)
    # 255 * 36 / 256 = 35.86, truncated; the kernel's corners 255 / 256 truncate to 0.
    assert smoothed[4, 4] == 35 and smoothed[2, 2] == 0 and smoothed[4, 2] == 5
    assert smoothed.sum() < 255
    # Replicated borders: a flat image stays flat.
    flat = np.full((3, 5, 3), 200, dtype=np.uint8)
    assert np.array_equal(rendering._blurred(flat), flat)
