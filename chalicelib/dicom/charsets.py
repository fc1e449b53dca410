"""The character set of the datasets Cirrus builds itself (C-FIND identifiers it sends,
C-FIND answers it gives): Latin-1, Orthanc's default ``DefaultEncoding``, unless a value does
not fit in it; then UTF-8 rather than losing characters as Orthanc does."""

from __future__ import annotations

from collections.abc import Iterable

LATIN1 = "ISO_IR 100"
UTF8 = "ISO_IR 192"


def charset_for(texts: Iterable[str]) -> str:
    """``SpecificCharacterSet`` for a dataset holding ``texts``."""
    return LATIN1 if all(_fits_latin1(text) for text in texts) else UTF8


def _fits_latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
