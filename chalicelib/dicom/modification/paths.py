"""Paths to DICOM tags, as Orthanc's ``Replace``/``Keep``/``Remove`` options write them.

The syntax is ``dcmodify``'s (Orthanc 1.9.4+): a tag (a dictionary name, ``gggg,eeee``,
``gggg-eeee``, ``ggggeeee`` or ``(gggg,eeee)``), optionally preceded by sequence steps
``Sequence[index].`` where the index counts items from 0 and ``*`` stands for every item:
``ReferencedImageSequence[0].ReferencedSOPInstanceUID``,
``(0008,1140)[*].ReferencedSOPInstanceUID``.

A path without steps names a top-level tag; a path with steps reaches into existing items
only (nothing is ever created on the way), as Orthanc does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.dicom.tag_dictionary import parse_hexadecimal, parse_tag
from chalicelib.errors import ErrorCode, OrthancError

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Step:
    """One sequence on the way: its tag and the item taken (None: every item)."""

    tag: int
    index: int | None


@dataclass(frozen=True)
class DicomPath:
    steps: tuple[Step, ...]
    tag: int

    @property
    def top_level(self) -> bool:
        return not self.steps

    def matches(self, parents: Sequence[tuple[int, int]], tag: int) -> bool:
        """Whether an element reached through ``parents`` ((sequence tag, item index) pairs)
        is this path or lies inside what it names (a path naming a sequence covers the
        sequence's contents)."""
        if len(parents) < len(self.steps):
            return False
        for step, (parent_tag, index) in zip(self.steps, parents, strict=False):
            if step.tag != parent_tag or (step.index is not None and step.index != index):
                return False
        if len(parents) == len(self.steps):
            return tag == self.tag
        return parents[len(self.steps)][0] == self.tag


def parse_path(text: str) -> DicomPath:
    """A path, or Orthanc's error: 400 for a malformed step, an unknown tag name's error
    (``UnknownDicomTag``) otherwise. The final tag is read first, as Orthanc reads it: a
    malformed path ending in an unknown name is an unknown tag."""
    tokens = text.split(".")
    tag = parse_path_tag(tokens[-1].strip())
    steps = []
    for token in tokens[:-1]:
        name, bracket, rest = token.partition("[")
        name, rest = name.strip(), rest.strip()
        if not bracket:
            raise _out_of_range("Parent path doesn't contain an index")
        if not name:
            raise _out_of_range("Parent path doesn't contain a tag")
        if not rest.endswith("]"):
            raise _out_of_range("Parent path doesn't contain the end of the index")
        steps.append(Step(parse_path_tag(name), _index(rest[:-1].strip(), rest)))
    return DicomPath(tuple(steps), tag)


def parse_path_tag(token: str) -> int:
    """A tag of a path: ``(gggg,eeee)`` (hexadecimal only, as Orthanc reads parentheses), or
    what Orthanc reads anywhere else (``tag_dictionary.parse_tag``)."""
    if token.startswith("(") and token.endswith(")"):
        tag = parse_hexadecimal(token[1:-1])
        if tag is None:
            raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG, f"Cannot parse tag: {token}")
        return tag
    tag = parse_tag(token)
    if tag is None:
        raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG)
    return tag


def _index(text: str, original: str) -> int | None:
    """An item index as Orthanc reads it (a C++ ``int``: digits with an optional sign)."""
    if text == "*":
        return None
    if not _INTEGER.fullmatch(text) or not -(2**31) <= int(text) < 2**31:
        raise _out_of_range(f"Not a valid index in parent path: [{original}")
    index = int(text)
    if index < 0:
        raise _out_of_range(f"Negative index in parent path: {text}")
    return index


def _out_of_range(details: str) -> OrthancError:
    return OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE, details)


def items_reached(dataset: Dataset, path: DicomPath) -> Iterator[Dataset]:
    """The data sets (the top level, or sequence items) that hold the path's final tag."""
    current = [dataset]
    for step in path.steps:
        reached = []
        for item in current:
            element = item.get(step.tag)
            if element is None or element.VR != "SQ":
                continue
            sequence = element.value
            if step.index is None:
                reached.extend(sequence)
            elif step.index < len(sequence):
                reached.append(sequence[step.index])
        current = reached
    yield from current


def apply_at(dataset: Dataset, path: DicomPath, action: Callable[[Dataset, int], None]) -> None:
    """Call ``action(item, tag)`` on every item the path reaches."""
    for item in list(items_reached(dataset, path)):
        action(item, path.tag)
