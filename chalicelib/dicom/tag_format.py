"""The three JSON flavours of Orthanc's tag routes, in a module without pydicom (routes
import it at cold start)."""

from __future__ import annotations

from enum import StrEnum


class TagFormat(StrEnum):
    """``/tags`` (full), ``?simplify`` (keyword: value), ``?short`` (``gggg,eeee``: value)."""

    FULL = "full"
    SIMPLIFY = "simplify"
    SHORT = "short"
