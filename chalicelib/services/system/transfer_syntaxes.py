"""Which transfer syntaxes the DICOM service accepts for C-STORE: Orthanc's
``AcceptedTransferSyntaxes`` and ``/tools/accepted-transfer-syntaxes``.

Patterns (``*`` and ``?`` wildcards) are matched against the transfer syntaxes Orthanc 1.10.1
knows, listed in the order Orthanc lists them, then against the newer ones the DICOM service
also stores as received (HTJ2K, JPEG XL, fragmentable MPEG, SMPTE ST 2110, deflated image
frames): a modality sending those is accepted by default, where Orthanc 1.10.1 refuses them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.errors import ErrorCode, OrthancError

# The transfer syntaxes Orthanc 1.10.1 knows, in the order it lists them (all accepted by
# default): uncompressed, JPEG, JPEG-LS, JPEG 2000, JPIP, MPEG, RLE, RFC 2557, XML.
ORTHANC_KNOWN: tuple[str, ...] = (
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.2",
    *(f"1.2.840.10008.1.2.4.{n}" for n in range(50, 67)),
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.81",
    *(f"1.2.840.10008.1.2.4.{n}" for n in range(90, 96)),
    *(f"1.2.840.10008.1.2.4.{n}" for n in range(100, 109)),
    "1.2.840.10008.1.2.5",
    "1.2.840.10008.1.2.6.1",
    "1.2.840.10008.1.2.6.2",
)
# Defined by the standard since, and known to pynetdicom: fragmentable MPEG, JPEG XL, HTJ2K
# (AWS HealthImaging's own syntax), SMPTE ST 2110, deflated image frames.
NEWER: tuple[str, ...] = (
    *(f"1.2.840.10008.1.2.4.{n}.1" for n in range(100, 107)),
    *(f"1.2.840.10008.1.2.4.{n}" for n in range(110, 113)),
    *(f"1.2.840.10008.1.2.4.{n}" for n in range(201, 206)),
    *(f"1.2.840.10008.1.2.7.{n}" for n in range(1, 4)),
    "1.2.840.10008.1.2.8.1",
)
KNOWN = ORTHANC_KNOWN + NEWER


def resolve(patterns: Any) -> list[str]:
    """The known syntaxes matching a pattern or a list of patterns, in Orthanc's order;
    anything else is Orthanc's "Bad file format"."""
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
    matchers = [_wildcard(pattern) for pattern in patterns]
    return [uid for uid in KNOWN if any(m.fullmatch(uid) for m in matchers)]


def read_body(body: bytes) -> list[str]:
    """The syntaxes a ``PUT`` body names: JSON (a pattern or a list of them) when it reads
    as JSON, the body itself as one pattern otherwise.

    Orthanc's JSON reader is lenient: it takes the first value and ignores what follows, so
    a bare UID reads as the number ``1.2`` (refused, not a pattern) while ``*`` is a pattern.
    ``raw_decode`` reads the same way.
    """
    text = body.decode("utf-8", "replace")
    try:
        value, _ = json.JSONDecoder().raw_decode(text.lstrip(" \t\r\n"))
    except ValueError:
        return resolve(text)
    return resolve(value)


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(_WILDCARDS.get(c, re.escape(c)) for c in pattern))


_WILDCARDS = {"*": ".*", "?": "."}
