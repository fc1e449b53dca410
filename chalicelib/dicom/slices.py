"""The order of the slices of a series (``/series/{id}/ordered-slices``, and the frames of
``/series/{id}/numpy``), from the index alone: no file is read.

Orthanc 1.10.1's rules (checked against it in tests/interop/test_numpy_vs_orthanc.py):

- the slice normal is the cross product of the *series'* ImageOrientationPatient (a series
  main tag: the first instance's);
- with two instances or more, that normal, a position (ImagePositionPatient) on every
  instance and no instance whose own normal is neither parallel nor opposite to it, the
  instances are sorted by their position projected on the normal: a "Volume", unless two
  projections are closer than 10 float epsilons;
- otherwise they are sorted by their IndexInSeries metadata (the InstanceNumber, or the
  ImageIndex if the file has no InstanceNumber element), read as an unsigned integer: a
  "Sequence" (a single instance is always a "Sequence");
- an instance without IndexInSeries makes the series impossible to order (error 2040).

Orthanc computes in single precision; so does this module (``_f32`` rounds each operation),
so that slices close together are ordered, or refused, alike.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass

from chalicelib.dicom.pixels import MAX_FRAMES
from chalicelib.errors import ErrorCode, OrthancError

Vector = tuple[float, float, float]

# float's machine epsilon (FLT_EPSILON) times 10: Orthanc's tolerance for "the same".
TOLERANCE = 10 * 2.0**-23
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_UNSIGNED = re.compile(r"([+-]?)([0-9]+)")


@dataclass(frozen=True)
class SliceSource:
    """What ordering needs of one instance: from its main tags and IndexInSeries metadata."""

    instance_id: str
    frames: int
    index: int | None
    position: Vector | None
    normal: Vector | None


def _f32(value: float) -> float:
    """``value`` rounded to single precision (the result of one C++ ``float`` operation)."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


def _floats(text: str | None, count: int) -> tuple[float, ...] | None:
    """``count`` backslash-separated decimals as single-precision floats, or None if the
    value has another count or any token does not parse (``boost::lexical_cast<float>``)."""
    if text is None:
        return None
    tokens = [token.strip() for token in text.split("\\")]
    if len(tokens) != count or not all(_DECIMAL.fullmatch(token) for token in tokens):
        return None
    try:
        return tuple(_f32(float(token)) for token in tokens)
    except OverflowError:
        return None


def _unsigned(text: str | None) -> int | None:
    """``boost::lexical_cast<size_t>``: a leading minus wraps around (``"-1"`` is the
    largest value), as Orthanc's sort of IndexInSeries sees it."""
    match = _UNSIGNED.fullmatch(text.strip()) if text is not None else None
    if match is None or int(match.group(2)) >= 2**64:
        return None
    value = int(match.group(2))
    return (-value) % 2**64 if match.group(1) == "-" else value


def _frames(instance_id: str, text: str | None) -> int:
    """NumberOfFrames as Orthanc counts it: "0" is no frame, unreadable is one. A count
    beyond what Cirrus decodes is refused rather than listed (Orthanc would list it)."""
    match = _UNSIGNED.fullmatch(text.strip()) if text is not None else None
    if match is None or match.group(1) == "-":
        return 1
    frames = int(match.group(2))
    if frames > MAX_FRAMES:
        raise OrthancError(
            ErrorCode.BAD_FILE_FORMAT,
            f"Instance {instance_id} declares {frames} frames, more than {MAX_FRAMES}",
        )
    return frames


def normal(orientation: str | None) -> Vector | None:
    """The slice normal of an ImageOrientationPatient value (row x column cosines)."""
    c = _floats(orientation, 6)
    if c is None:
        return None
    return (
        _f32(_f32(c[1] * c[5]) - _f32(c[2] * c[4])),
        _f32(_f32(c[2] * c[3]) - _f32(c[0] * c[5])),
        _f32(_f32(c[0] * c[4]) - _f32(c[1] * c[3])),
    )


def source(instance_id: str, tags: dict[str, str], index_in_series: str | None) -> SliceSource:
    """The ordering facts of one instance: its main tags and raw IndexInSeries metadata.
    NumberOfFrames counts as Orthanc reads it ("0" is no frame; unreadable is one)."""
    position = _floats(tags.get("ImagePositionPatient"), 3)
    return SliceSource(
        instance_id,
        _frames(instance_id, tags.get("NumberOfFrames")),
        _unsigned(index_in_series),
        (position[0], position[1], position[2]) if position else None,
        normal(tags.get("ImageOrientationPatient")),
    )


def _parallel_or_opposite(u: Vector, v: Vector) -> bool:
    """Whether an instance's normal agrees with the series': a slice stored flipped (the
    opposite normal) still belongs to the volume. Computed in double, as Orthanc does."""
    norms = math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v))
    if abs(norms) < TOLERANCE:
        return False
    cosine = sum(a * b for a, b in zip(u, v, strict=True)) / norms
    return abs(abs(cosine) - 1.0) < TOLERANCE


def _projection(position: Vector, normal: Vector) -> float:
    """The position's distance along the normal, rounded at each step as C++ floats are."""
    x, y, z = (_f32(p * n) for p, n in zip(position, normal, strict=True))
    return _f32(_f32(x + y) + z)


def _by_position(series_normal: Vector | None, sources: list[SliceSource]) -> list[SliceSource]:
    """The sources along the normal, or [] when they do not make a volume."""
    if series_normal is None:
        return []
    distance: dict[str, float] = {}
    for s in sources:
        if s.position is None or (
            s.normal is not None and not _parallel_or_opposite(s.normal, series_normal)
        ):
            return []
        distance[s.instance_id] = _projection(s.position, series_normal)
    ordered = sorted(sources, key=lambda s: (distance[s.instance_id], s.instance_id))
    gaps = (
        abs(_f32(distance[b.instance_id] - distance[a.instance_id]))
        for a, b in zip(ordered, ordered[1:], strict=False)
    )
    return [] if any(gap <= TOLERANCE for gap in gaps) else ordered


def order(
    series_id: str, series_normal: Vector | None, sources: list[SliceSource]
) -> tuple[str, list[SliceSource]]:
    """("Volume" or "Sequence", the instances in slice order). Ties, which Orthanc leaves
    in no defined order, are broken by instance ID."""
    if len(sources) <= 1:
        return "Sequence", sources
    ordered = _by_position(series_normal, sources)
    if ordered:
        return "Volume", ordered
    if any(s.index is None for s in sources):
        raise OrthancError(
            ErrorCode.CANNOT_ORDER_SLICES, f"Unable to order the slices of series {series_id}"
        )
    return "Sequence", sorted(sources, key=lambda s: (s.index, s.instance_id))


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
