"""Malformed DICOM files, made from pydicom's test files by a seeded generator (never stored).

Each mutation is one of the ways files arrive broken: cut short anywhere, bytes overwritten,
an element's VR replaced (``ZZ``, zeros, a VR of the wrong kind), a length field replaced
(undefined, huge, random), bytes inserted or removed. Mutations other than cuts aim at the
first 4 KB, where the meta header and the elements before the pixel data are.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pydicom.data

SOURCES = (
    "CT_small.dcm",  # explicit VR little endian, with private tags
    "MR_small.dcm",
    "MR_small_implicit.dcm",
    "ExplVR_BigEnd.dcm",
    "image_dfl.dcm",  # deflated
    "JPEG2000.dcm",  # encapsulated pixel data
    "SC_rgb_rle.dcm",
    "rtplan.dcm",  # nested sequences
    "nested_priv_SQ.dcm",
    "UN_sequence.dcm",
    "reportsi.dcm",
)
KINDS = ("truncate", "overwrite", "vr", "length", "insert", "delete")
HEAD = 4096


@dataclass(frozen=True)
class Mutation:
    source: str
    kind: str
    data: bytes

    @property
    def label(self) -> str:
        return f"{self.source}/{self.kind}"


def source_bytes(name: str) -> bytes:
    return Path(pydicom.data.get_testdata_file(name)).read_bytes()


def meta_end(data: bytes) -> int:
    """Where the dataset starts: after the preamble and the meta group (0 without them)."""
    if data[128:132] != b"DICM":
        return 0
    meta = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True).file_meta
    return 132 + 12 + meta["FileMetaInformationGroupLength"].value


def mutations(
    seed: int, count: int, sources: tuple[str, ...] = SOURCES, keep_meta: bool = False
) -> Iterator[Mutation]:
    """``count`` mutations of the ``sources``; with ``keep_meta`` the preamble and meta
    header stay intact (what a DICOM peer sends is a dataset with a known transfer syntax)."""
    rng = random.Random(seed)
    originals = {name: source_bytes(name) for name in sources}
    for _ in range(count):
        source = rng.choice(sources)
        kind = rng.choice(KINDS)
        data = originals[source]
        kept = meta_end(data) if keep_meta else 0
        yield Mutation(source, kind, data[:kept] + _mutate(rng, kind, data[kept:]))


def _mutate(rng: random.Random, kind: str, original: bytes) -> bytes:
    data = bytearray(original)
    head = min(len(data), HEAD)
    if kind == "truncate":
        return bytes(data[: rng.randrange(1, len(data))])
    if kind == "overwrite":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(head)] = rng.randrange(256)
    elif kind == "vr":
        at = rng.randrange(min(128, head - 3), head - 2)
        data[at : at + 2] = rng.choice([b"ZZ", b"\x00\x00", b"SQ", b"UN", b"OB", b"US"])
    elif kind == "length":
        at = rng.randrange(min(128, head - 5), head - 4)
        data[at : at + 4] = rng.choice(
            [b"\xff\xff\xff\xff", b"\xff\xff\x00\x00", b"\x00\x00\x00\x80", rng.randbytes(4)]
        )
    elif kind == "insert":
        at = rng.randrange(head)
        data[at:at] = rng.randbytes(rng.randint(1, 16))
    else:
        at = rng.randrange(head)
        del data[at : at + rng.randint(1, 16)]
    return bytes(data)
