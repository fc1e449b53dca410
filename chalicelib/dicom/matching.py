"""Orthanc 1.10.1's ``/tools/find`` matching of one stored tag value against one query.

The rules follow what a real Orthanc 1.10.1 answers (probed, not read from its sources): a date
or time query containing ``-`` is a range, a backslash makes a list, ``*``/``?`` are wildcards
on the textual VRs only, anything else is an exact comparison. Cirrus is stricter than Orthanc
on one point on purpose: a malformed range is a 400 rather than a silently odd match.

No pydicom at import time (about 250 ms at cold start): only resolving a tag needs the DICOM
dictionary, and matching stored values does not.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.dicom.declared_tags import declared_tag
from chalicelib.errors import ErrorCode, OrthancError

# Orthanc accepts wildcards only on these VRs and rejects them elsewhere (e.g. UI, DA, IS).
WILDCARD_VRS = frozenset({"AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UR", "UT"})

# Characters allowed in each bound of a range, per VR: anything else is a malformed query.
_RANGE_BOUND = {
    "DA": re.compile(r"[0-9]*"),
    "TM": re.compile(r"[0-9.:]*"),
    "DT": re.compile(r"[0-9.+]*"),
}

_HEX_TAG = re.compile(r"([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})")


@dataclass(frozen=True)
class TagInfo:
    """A DICOM tag as a query names it, with what matching needs to know about it."""

    tag: int
    keyword: str  # "" when the dictionary has no keyword (private or unknown tags)
    vr: str  # "UN" when the dictionary does not know the tag

    @property
    def hex(self) -> str:
        """``gggg,eeee`` in lowercase, as Orthanc prints tags in its messages."""
        return f"{self.tag >> 16:04x},{self.tag & 0xFFFF:04x}"


def resolve_tag(name: str) -> TagInfo:
    """The tag a ``/tools/find`` query names, by keyword or by ``gggg,eeee``/``ggggeeee``.

    Keywords are case-sensitive, as in the DICOM dictionary; the names the ``Dictionary``
    option declares are known too. A hex tag the dictionary does not know (e.g. a private one)
    is still accepted, as Orthanc does, with VR ``UN``.
    """
    from pydicom import datadict  # lazily: pydicom is slow to import at cold start

    hex_match = _HEX_TAG.fullmatch(name)
    declared = declared_tag(name)
    if declared is not None:  # a name of the Dictionary option
        return TagInfo(tag=declared[0], keyword=name, vr=declared[1])
    if hex_match:
        tag = int(hex_match[1] + hex_match[2], 16)
    else:
        # pydicom maps the empty keyword to a tag, so "" must be refused before looking up.
        found = datadict.tag_for_keyword(name) if name else None
        if found is None:
            raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG, f'Unknown DICOM tag: "{name}"')
        tag = found
    try:
        # Ambiguous VRs ("US or SS", "OB or OW") are reduced to the first alternative.
        vr = datadict.dictionary_VR(tag).split(" or ")[0]
    except KeyError:
        return TagInfo(tag=tag, keyword="", vr="UN")
    return TagInfo(tag=tag, keyword=datadict.keyword_for_tag(tag), vr=vr)


class ConstraintKind(StrEnum):
    """How a query is compared with stored values (names as in Orthanc's own vocabulary)."""

    EQUAL = "Equal"
    WILDCARD = "Wildcard"
    RANGE = "Range"
    LIST = "List"


@dataclass(frozen=True)
class Constraint:
    """One tag's query, parsed: the values are kept as the client wrote them (not case-folded)."""

    tag: TagInfo
    kind: ConstraintKind
    values: tuple[str, ...]  # EQUAL/WILDCARD: (query,); LIST: items; RANGE: (lower, upper)
    case_sensitive: bool

    def matches(self, value: str | None) -> bool:
        """Whether a stored textual value (multi-values joined by ``\\``) satisfies the query.

        ``None`` (tag absent or not textual) never matches: REST constraints are mandatory.
        """
        if value is None:
            return False
        fold = _identity if self.case_sensitive else str.upper
        value = fold(value)
        if self.kind is ConstraintKind.RANGE:
            lower, upper = (fold(bound) for bound in self.values)
            # Plain string comparison, as Orthanc does: "2004-" matches "20040119" and an empty
            # stored value matches a range without lower bound.
            return (not lower or value >= lower) and (not upper or value <= upper)
        if self.kind is ConstraintKind.WILDCARD:
            return _wildcard(fold(self.values[0])).fullmatch(value)
        return any(value == fold(item) for item in self.values)


def parse_constraint(tag: TagInfo, query: str, case_sensitive: bool) -> Constraint:
    """Classify a non-empty query on ``tag`` the way Orthanc 1.10.1 does, refusing bad ones.

    An empty query is a universal match that callers handle before getting here.
    """
    if not query:
        raise ValueError("an empty query matches everything: it is not a constraint")
    if tag.vr == "SQ":
        raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE, f"Cannot search on the sequence {tag.hex}")
    bound_syntax = _RANGE_BOUND.get(tag.vr)
    if bound_syntax is not None and "-" in query:
        lower, upper = query.split("-", 1)
        if not (lower or upper) or not all(bound_syntax.fullmatch(b) for b in (lower, upper)):
            raise OrthancError(
                ErrorCode.PARAMETER_OUT_OF_RANGE, f'Malformed range "{query}" for tag {tag.hex}'
            )
        return Constraint(tag, ConstraintKind.RANGE, (lower, upper), case_sensitive)
    if "\\" in query:
        return Constraint(tag, ConstraintKind.LIST, tuple(query.split("\\")), case_sensitive)
    if "*" in query or "?" in query:
        if tag.vr not in WILDCARD_VRS:
            raise OrthancError(
                ErrorCode.PARAMETER_OUT_OF_RANGE, f"Wildcards are not allowed on tag {tag.hex}"
            )
        return Constraint(tag, ConstraintKind.WILDCARD, (query,), case_sensitive)
    return Constraint(tag, ConstraintKind.EQUAL, (query,), case_sensitive)


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class _Wildcard:
    """A wildcard query compiled once: the runs of literals and ``?`` between its ``*``.

    A single regex with ``.*`` for each ``*`` backtracks catastrophically (three stars against a
    1000-character LT took 44 s), so the runs are found left to right instead: each matches a
    fixed number of characters, so taking the leftmost place for each run is always right, and
    matching costs at most (value length x query length).
    """

    runs: tuple[re.Pattern[str], ...]  # one more than the number of "*"
    last_length: int  # characters the last run matches

    def fullmatch(self, value: str) -> bool:
        if len(self.runs) == 1:  # no "*": only "?", which the caller's query must have had
            return self.runs[0].fullmatch(value) is not None
        first, *middle, last = self.runs
        found = first.match(value)
        if found is None:
            return False
        position = found.end()
        for run in middle:
            found = run.search(value, position)
            if found is None:
                return False
            position = found.end()
        last_start = len(value) - self.last_length
        return last_start >= position and last.fullmatch(value, last_start) is not None


@functools.lru_cache(maxsize=256)
def _wildcard(pattern: str) -> _Wildcard:
    """The compiled form of a (case-folded) wildcard query, reused across stored values.

    Only ``*`` and ``?`` are special; every other character, regex syntax included, is literal.
    """
    texts = pattern.split("*")
    runs = tuple(
        re.compile("".join("." if c == "?" else re.escape(c) for c in text), re.DOTALL)
        for text in texts
    )
    return _Wildcard(runs=runs, last_length=len(texts[-1]))
