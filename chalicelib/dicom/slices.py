"""The order of the slices of a series (``/series/{id}/ordered-slices``, and the frames of
``/series/{id}/numpy``), from the instances' main tags alone: no file is read.

Orthanc 1.10.1's rules, as observed: with two instances or more that all carry an
ImagePositionPatient and the same slice normal (from ImageOrientationPatient), the slices are
sorted by their position projected on that normal, ascending ("Volume"); otherwise by their
index in the series (InstanceNumber), ascending ("Sequence"); a single instance is a
"Sequence". Two slices at the same position, or different normals, fall back to the index;
instances without InstanceNumber that positions cannot order are an error. Each instance
contributes all of its frames, in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.errors import ErrorCode, OrthancError

# Two normals are the same orientation (and two positions the same slice) within this.
EPSILON = 1e-5


@dataclass(frozen=True)
class SliceSource:
    """What ordering needs of one instance, taken from its main tags."""

    instance_id: str
    frames: int
    index: int | None
    position: tuple[float, float, float] | None
    orientation: tuple[float, ...] | None


def _numbers(text: str | None, count: int) -> tuple[float, ...] | None:
    if not text:
        return None
    try:
        values = tuple(float(v) for v in text.split("\\"))
    except ValueError:
        return None
    return values if len(values) == count else None


def source(instance_id: str, tags: dict[str, str]) -> SliceSource:
    """The ordering facts of one instance's main tags (``ImagePositionPatient``...)."""
    position = _numbers(tags.get("ImagePositionPatient"), 3)
    try:
        frames = max(int(tags.get("NumberOfFrames") or 1), 1)
    except ValueError:
        frames = 1
    try:
        index: int | None = int(tags["InstanceNumber"])
    except (KeyError, ValueError):
        index = None
    return SliceSource(
        instance_id,
        frames,
        index,
        (position[0], position[1], position[2]) if position else None,
        _numbers(tags.get("ImageOrientationPatient"), 6),
    )


def _normal(orientation: tuple[float, ...]) -> tuple[float, float, float]:
    """The cross product of the row and column direction cosines."""
    r, c = orientation[:3], orientation[3:]
    return (
        r[1] * c[2] - r[2] * c[1],
        r[2] * c[0] - r[0] * c[2],
        r[0] * c[1] - r[1] * c[0],
    )


def _by_position(sources: list[SliceSource]) -> list[SliceSource] | None:
    if len(sources) < 2 or any(s.position is None or s.orientation is None for s in sources):
        return None
    normals = [_normal(s.orientation) for s in sources]  # type: ignore[arg-type]
    first = normals[0]
    if any(max(abs(a - b) for a, b in zip(n, first, strict=True)) > EPSILON for n in normals):
        return None
    distance = {
        s.instance_id: sum(p * n for p, n in zip(s.position, first, strict=True))  # type: ignore[arg-type]
        for s in sources
    }
    ordered = sorted(sources, key=lambda s: (distance[s.instance_id], s.instance_id))
    steps = zip(ordered, ordered[1:], strict=False)
    if any(abs(distance[a.instance_id] - distance[b.instance_id]) < EPSILON for a, b in steps):
        return None  # two slices at the same place: not a volume
    return ordered


def _by_index(sources: list[SliceSource]) -> list[SliceSource] | None:
    """By InstanceNumber; equal numbers are allowed (Orthanc keeps them in arrival order,
    which the index does not keep: Cirrus breaks ties by instance ID)."""
    if any(s.index is None for s in sources):
        return None
    return sorted(sources, key=lambda s: (s.index, s.instance_id))


def order(series_id: str, sources: list[SliceSource]) -> tuple[str, list[SliceSource]]:
    """("Volume" or "Sequence", the instances in slice order)."""
    ordered = _by_position(sources)
    if ordered is not None:
        return "Volume", ordered
    if len(sources) == 1:
        return "Sequence", sources
    ordered = _by_index(sources)
    if ordered is None:
        raise OrthancError(
            ErrorCode.CANNOT_ORDER_SLICES, f"Unable to order the slices of series {series_id}"
        )
    return "Sequence", ordered


def ordered_slices_json(kind: str, ordered: list[SliceSource]) -> dict[str, object]:
    """The body of ``/series/{id}/ordered-slices``."""
    return {
        "Dicom": [f"/instances/{s.instance_id}/file" for s in ordered],
        "Slices": [
            f"/instances/{s.instance_id}/frames/{frame}"
            for s in ordered
            for frame in range(s.frames)
        ],
        "SlicesShort": [[s.instance_id, 0, s.frames] for s in ordered],
        "Type": kind,
    }
