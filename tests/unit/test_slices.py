"""Slice ordering from main tags (chalicelib/dicom/slices.py); the same cases against
Orthanc 1.10.1 are in tests/interop/test_numpy_vs_orthanc.py."""

from __future__ import annotations

import pytest

from chalicelib.dicom import slices
from chalicelib.errors import ErrorCode, OrthancError

AXIAL = "1\\0\\0\\0\\1\\0"


def tags(
    number: str | None = None, z: float | None = None, orientation: str = AXIAL, frames: str = ""
) -> dict[str, str]:
    out = {"ImageOrientationPatient": orientation, "NumberOfFrames": frames}
    if number is not None:
        out["InstanceNumber"] = number
    if z is not None:
        out["ImagePositionPatient"] = f"0\\0\\{z}"
    return out


def ordered(sources: dict[str, dict[str, str]]) -> tuple[str, list[str]]:
    kind, result = slices.order("s", [slices.source(i, t) for i, t in sources.items()])
    return kind, [s.instance_id for s in result]


def test_positions_along_the_normal_make_a_volume() -> None:
    assert ordered({"a": tags("1", 5), "b": tags("2", -1), "c": tags("3", 2)}) == (
        "Volume",
        ["b", "c", "a"],
    )


def test_without_a_common_normal_or_with_equal_positions_the_number_decides() -> None:
    assert ordered({"a": tags("2", 0), "b": tags("1", 0)}) == ("Sequence", ["b", "a"])
    assert ordered({"a": tags("2", 0), "b": tags("1", 1, "1\\0\\0\\0\\0\\1")}) == (
        "Sequence",
        ["b", "a"],
    )


def test_equal_numbers_are_allowed_and_missing_ones_are_an_error() -> None:
    assert ordered({"b": tags("1"), "a": tags("1")}) == ("Sequence", ["a", "b"])
    assert ordered({"a": tags()}) == ("Sequence", ["a"])
    with pytest.raises(OrthancError) as error:
        ordered({"a": tags(), "b": tags()})
    assert error.value.code is ErrorCode.CANNOT_ORDER_SLICES


def test_frames_are_listed_per_instance() -> None:
    kind, result = slices.order("s", [slices.source("a", tags("1", frames="3"))])
    assert slices.ordered_slices_json(kind, result) == {
        "Dicom": ["/instances/a/file"],
        "Slices": ["/instances/a/frames/0", "/instances/a/frames/1", "/instances/a/frames/2"],
        "SlicesShort": [["a", 0, 3]],
        "Type": "Sequence",
    }


@pytest.mark.parametrize("bad", ["", "1\\2", "a\\b\\c", "1\\2\\3\\4"])
def test_unreadable_positions_are_ignored(bad: str) -> None:
    source = slices.source("a", {"ImagePositionPatient": bad})
    assert source.position is None
