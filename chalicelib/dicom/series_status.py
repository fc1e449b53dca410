"""A series' ``Status`` from its expected size and its instances' indexes.

Kept apart from ``main_tags`` because it needs no pydicom: browsing a series computes it, and
the browsing routes should not pay pydicom's import time on a Lambda cold start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# boost::lexical_cast<int64_t>: an optional sign and digits, nothing else (no spaces).
_INTEGER = re.compile(r"[+-]?[0-9]+")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def parse_int64(text: str | None) -> int | None:
    """``boost::lexical_cast<int64_t>`` semantics: strict, None when it would throw."""
    if text is None or not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def series_status(expected: int | None, indexes: Iterable[int | str | None]) -> str:
    """A series' ``Status``: "Unknown", "Complete", "Missing" or "Inconsistent".

    ``indexes`` holds each instance's IndexInSeries metadata: an int, the raw metadata string
    (as from ``index_in_series_metadata``), or None for an instance without that metadata
    (ignored, as Orthanc only sees instances that have it). Without an expected count the
    status is Unknown; an unparsable index also makes it Unknown.
    """
    if expected is None:
        return "Unknown"
    seen: set[int] = set()
    for raw in indexes:
        if raw is None:
            continue
        index = raw if isinstance(raw, int) else parse_int64(raw)
        if index is None:
            return "Unknown"
        if not 0 < index <= expected or index in seen:
            return "Inconsistent"
        seen.add(index)
    return "Complete" if len(seen) == expected else "Missing"
