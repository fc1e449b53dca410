"""Orthanc's names of the character encodings (``DefaultEncoding``,
``/tools/default-encoding``), read as Orthanc reads them; the encodings themselves are
``chalicelib.dicom.charsets``'s table."""

from __future__ import annotations

from chalicelib.dicom.charsets import BY_NAME
from chalicelib.errors import ErrorCode, OrthancError

_BY_UPPER_CASE = {name.upper(): name for name in BY_NAME}


def parse_encoding(text: str) -> str:
    """Orthanc's name of an encoding, written in any case."""
    try:
        return _BY_UPPER_CASE[text.upper()]
    except KeyError:
        raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE) from None
