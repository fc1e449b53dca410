"""Slice ordering from main tags (chalicelib/dicom/slices.py); the same rules against
Orthanc 1.10.1 are in tests/interop/test_numpy_vs_orthanc.py."""

from __future__ import annotations

import pytest

from chalicelib.dicom import slices
from chalicelib.errors import ErrorCode, OrthancError

AXIAL = "1\\0\\0\\0\\1\\0"
SERIES_NORMAL = slices.normal(AXIAL)


def item(
    number: str | None = None,
    z: float | None = None,
    orientation: str | None = AXIAL,
    frames: str = "",
) -> tuple[dict[str, str], str | None]:
    """(main tags, IndexInSeries metadata) of one instance."""
    tags = {"NumberOfFrames": frames}
    if orientation is not None:
        tags["ImageOrientationPatient"] = orientation
    if z is not None:
        tags["ImagePositionPatient"] = f"0\\0\\{z}"
    return tags, number


def ordered(
    items: dict[str, tuple[dict[str, str], str | None]],
    normal: slices.Vector | None = SERIES_NORMAL,
) -> tuple[str, list[str]]:
    sources = [slices.source(i, tags, index) for i, (tags, index) in items.items()]
    kind, result = slices.order("s", normal, sources)
    return kind, [s.instance_id for s in result]


def test_positions_along_the_normal_make_a_volume() -> None:
    assert ordered({"a": item("1", 5), "b": item("2", -1), "c": item("3", 2)}) == (
        "Volume",
        ["b", "c", "a"],
    )


def test_opposite_or_missing_instance_normals_still_make_a_volume() -> None:
    flipped = "1\\0\\0\\0\\-1\\0"
    assert ordered({"a": item("1", 2), "b": item("2", 1, flipped), "c": item("3", 3, None)}) == (
        "Volume",
        ["b", "a", "c"],
    )


def test_the_series_normal_decides() -> None:
    """Without a series orientation, positions are not used (the series' first instance
    had none)."""
    assert ordered({"a": item("2", 0), "b": item("1", 1)}, normal=None) == ("Sequence", ["b", "a"])


def test_another_normal_equal_positions_or_a_missing_position_fall_back_to_the_index() -> None:
    sagittal = "0\\1\\0\\0\\0\\1"
    assert ordered({"a": item("2", 0), "b": item("1", 1, sagittal)}) == ("Sequence", ["b", "a"])
    assert ordered({"a": item("2", 0), "b": item("1", 0)}) == ("Sequence", ["b", "a"])
    assert ordered({"a": item("2", 0), "b": item("1")}) == ("Sequence", ["b", "a"])


def test_closeness_is_judged_in_single_precision() -> None:
    assert ordered({"a": item("2", 1.0), "b": item("1", 1.0000005)})[0] == "Sequence"
    assert ordered({"a": item("2", 1.00001), "b": item("1", 1.0)}) == ("Volume", ["b", "a"])


def test_indexes_are_unsigned_as_in_orthanc() -> None:
    """boost::lexical_cast<size_t> wraps a negative index around: -1 sorts last."""
    numbers = {"a": "-1", "b": "2", "c": "0", "d": " +4 "}
    assert ordered({k: item(v) for k, v in numbers.items()}) == ("Sequence", ["c", "b", "d", "a"])


def test_equal_indexes_are_allowed_and_missing_ones_are_an_error() -> None:
    assert ordered({"b": item("1"), "a": item("1")}) == ("Sequence", ["a", "b"])
    assert ordered({"a": item()}) == ("Sequence", ["a"])
    for bad in ({"a": item(), "b": item()}, {"a": item("x"), "b": item("1")}):
        with pytest.raises(OrthancError) as error:
            ordered(bad)
        assert error.value.code is ErrorCode.CANNOT_ORDER_SLICES


def test_frames_are_listed_per_instance() -> None:
    kind, result = slices.order("s", None, [slices.source("a", item("1", frames="3")[0], "1")])
    assert slices.ordered_slices_json(kind, result) == {
        "Dicom": ["/instances/a/file"],
        "Slices": ["/instances/a/frames/0", "/instances/a/frames/1", "/instances/a/frames/2"],
        "SlicesShort": [["a", 0, 3]],
        "Type": "Sequence",
    }


@pytest.mark.parametrize(("text", "frames"), [("", 1), ("x", 1), ("-2", 1), ("0", 0), (" 4 ", 4)])
def test_number_of_frames_is_read_as_orthanc_does(text: str, frames: int) -> None:
    assert slices.source("a", {"NumberOfFrames": text}, None).frames == frames


def test_an_absurd_number_of_frames_is_refused() -> None:
    with pytest.raises(OrthancError) as error:
        slices.source("a", {"NumberOfFrames": "4000000000"}, None)
    assert error.value.code is ErrorCode.BAD_FILE_FORMAT


@pytest.mark.parametrize("bad", ["", "1\\2", "a\\b\\c", "1\\2\\3\\4", "1_0\\0\\0", "1e39\\0\\0"])
def test_unreadable_positions_are_ignored(bad: str) -> None:
    assert slices.source("a", {"ImagePositionPatient": bad}, None).position is None
