"""The tags of Orthanc's ``Dictionary`` option, added to the tag dictionary at start-up.

``{"gggg,eeee": [VR, Name, min, max(, PrivateCreator)]}`` names a site's own tags (private
ones with their creator) in ``/tags``, ``/simplified-tags``, ``/content`` and queries, as
Orthanc adds them to DCMTK's dictionary. Like DCMTK's, the dictionary is one per process: the
configuration's entries are checked when it is read (``tag_dictionary.check_declarable``
refuses a tag DCMTK already knows) and registered by ``chalicelib/bootstrap.py``. This module
holds them without importing pydicom, so that reading the configuration costs nothing at a
cold start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(r"([0-9a-fA-F]{4}),([0-9a-fA-F]{4})")
# The value representations of PS3.5 (the ambiguous "US or SS" forms are not VRs of a tag).
VALUE_REPRESENTATIONS = frozenset(
    ("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF")
    + ("OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN")
    + ("UR", "US", "UT", "UV")
)


@dataclass(frozen=True)
class DeclaredTag:
    tag: int
    vr: str
    name: str
    creator: str | None  # private data elements only


_ENTRIES: dict[tuple[int, str | None], tuple[str, str]] = {}
_NAMES: dict[str, tuple[int, str]] = {}


def is_private_element(tag: int) -> bool:
    """A data element of a private block (not a private creator, not a group length)."""
    group, element = tag >> 16, tag & 0xFFFF
    return bool(group % 2 and element > 0x00FF and group > 7)


def parse_dictionary(raw: Mapping[str, Any]) -> list[DeclaredTag]:
    """The entries of a ``Dictionary`` option; ValueError names a malformed one."""
    entries = []
    for key, value in raw.items():
        match = _KEY.fullmatch(key)
        well_formed = (
            match is not None
            and isinstance(value, list)
            and 4 <= len(value) <= 5
            and value[0] in VALUE_REPRESENTATIONS
            and isinstance(value[1], str)
            and bool(value[1])
            and all(isinstance(n, int) and not isinstance(n, bool) for n in value[2:4])
            and (len(value) == 4 or isinstance(value[4], str))
        )
        if not well_formed:
            raise ValueError(f"Bad entry {key!r} in the Dictionary: {value!r}")
        tag = int(match[1] + match[2], 16)  # type: ignore[index]
        creator = value[4] if len(value) == 5 and is_private_element(tag) else None
        entries.append(DeclaredTag(tag, value[0], value[1], creator))
    return entries


def register(entries: Iterable[DeclaredTag]) -> None:
    """Make ``entries``, and no earlier ones, the declared tags (checked by the caller)."""
    _ENTRIES.clear()
    _NAMES.clear()
    for entry in entries:
        _ENTRIES[entry.tag, entry.creator] = (entry.vr, entry.name)
        _NAMES[entry.name] = (entry.tag, entry.vr)


def declared_entry(tag: int, creator: str | None) -> tuple[str, str] | None:
    """(VR, name) of a declared tag (``creator`` None for a non-private one), or None."""
    return _ENTRIES.get((tag, creator)) if _ENTRIES else None


def declared_tag(name: str) -> tuple[int, str] | None:
    """(tag, VR) of a declared name, or None."""
    return _NAMES.get(name)
