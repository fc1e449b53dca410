"""The media types of frames in DICOMweb (PS3.18 8.7.3, Tables 8.7.3-2 and 8.7.3-5): which
media type the stored frames of a transfer syntax have, and which frames a client's
``Accept`` asks for.

WADO-RS RetrieveFrames answers ``multipart/related`` parts of one frame each. A frame is
either served as it is stored (``transfer-syntax=*``, or the stored syntax asked by name:
the fragments of an encapsulated frame joined, or the slice of native pixel data), or
decoded to uncompressed little endian bytes (``application/octet-stream``, the default), or
transcoded to another compressed syntax named by the client. The media type names of older
editions of PS3.18 (``image/x-jls``, ``image/dicom+jpeg``...) are read as Orthanc's DICOMweb
plugin reads them. Plain Python without AWS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

OCTET_STREAM = "application/octet-stream"
IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
DEFLATED_LE = "1.2.840.10008.1.2.1.99"
BIG_ENDIAN = "1.2.840.10008.1.2.2"
# What Accept may name for "any stored syntax".
ANY_SYNTAX = "*"

_JPEG = ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57")
# The media type of a frame as stored in each transfer syntax.
STORED_MEDIA_TYPES: dict[str, str] = {
    IMPLICIT_LE: OCTET_STREAM,
    EXPLICIT_LE: OCTET_STREAM,
    **dict.fromkeys((*_JPEG, "1.2.840.10008.1.2.4.70"), "image/jpeg"),
    **dict.fromkeys(("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"), "image/jls"),
    **dict.fromkeys(("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"), "image/jp2"),
    **dict.fromkeys(("1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93"), "image/jpx"),
    **dict.fromkeys(
        ("1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"),
        "image/jph",
    ),
    "1.2.840.10008.1.2.5": "image/dicom-rle",
    **dict.fromkeys(("1.2.840.10008.1.2.4.100", "1.2.840.10008.1.2.4.101"), "video/mpeg"),
    **dict.fromkeys(
        (
            "1.2.840.10008.1.2.4.102",
            "1.2.840.10008.1.2.4.103",
            "1.2.840.10008.1.2.4.104",
            "1.2.840.10008.1.2.4.105",
            "1.2.840.10008.1.2.4.106",
        ),
        "video/mp4",
    ),
    **dict.fromkeys(("1.2.840.10008.1.2.4.107", "1.2.840.10008.1.2.4.108"), "video/H265"),
}
# The syntax of a media type named without ``transfer-syntax`` (Table 8.7.3-5's defaults,
# as the plugin reads them).
DEFAULT_SYNTAXES = {
    OCTET_STREAM: EXPLICIT_LE,
    "image/jpeg": "1.2.840.10008.1.2.4.70",
    "image/jls": "1.2.840.10008.1.2.4.80",
    "image/jp2": "1.2.840.10008.1.2.4.90",
    "image/jpx": "1.2.840.10008.1.2.4.92",
    "image/jph": "1.2.840.10008.1.2.4.201",
    "image/dicom-rle": "1.2.840.10008.1.2.5",
}
# Names of earlier editions of PS3.18 (2014a, 2017c), still accepted.
ALIASES = {
    "image/x-jls": "image/jls",
    "image/x-dicom-rle": "image/dicom-rle",
    "image/dicom+jpeg": "image/jpeg",
    "image/dicom+jpeg-ls": "image/jls",
    "image/dicom+jp2": "image/jp2",
    "image/dicom+jpx": "image/jpx",
    "image/dicom+rle": "image/dicom-rle",
}
# Uncompressed answers: native pixel data, in explicit (default) or implicit VR little endian
# (the same bytes: the VR only changes the header, which a frame does not carry).
UNCOMPRESSED = (EXPLICIT_LE, IMPLICIT_LE)


@dataclass(frozen=True)
class FrameTarget:
    """How the frames are answered: their media type and transfer syntax, and whether they
    are the stored bytes (no decoding)."""

    media_type: str
    syntax: str
    stored: bool

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` of each part, with its ``transfer-syntax`` (PS3.18 8.7.3.5)."""
        return f"{self.media_type}; transfer-syntax={self.syntax}"


def stored_target(stored_syntax: str) -> FrameTarget | None:
    """The frames as stored, if their syntax has a frame media type (big endian and
    deflated data sets have none: their frames are answered decoded)."""
    media = STORED_MEDIA_TYPES.get(stored_syntax)
    return FrameTarget(media, stored_syntax, True) if media else None


def decoded_target(stored_syntax: str, syntax: str = EXPLICIT_LE) -> FrameTarget:
    """Uncompressed frames; the stored bytes when the data set is native little endian."""
    native = stored_syntax in (*UNCOMPRESSED, DEFLATED_LE)
    return FrameTarget(OCTET_STREAM, syntax, native)


def candidates(asked: Iterable[tuple[str, str | None]], stored_syntax: str) -> list[FrameTarget]:
    """The answers the client accepts, most preferred first.

    ``asked`` holds, in the client's order of preference, the part media type each range of
    ``Accept`` names (``*`` for ``*/*`` or a ``multipart/related`` without ``type``) and its
    ``transfer-syntax`` (None without one). A target whose syntax is neither stored nor
    uncompressed needs a transcoding, which the caller may find impossible."""
    found: list[FrameTarget] = []
    for asked_media, syntax in asked:
        media = ALIASES.get(asked_media, asked_media)
        target: FrameTarget | None = None
        if media == "*":
            target = decoded_target(stored_syntax)
        elif syntax == ANY_SYNTAX:
            stored = stored_target(stored_syntax)
            if stored is not None and media in (OCTET_STREAM, stored.media_type):
                target = stored
            elif media == OCTET_STREAM:
                target = decoded_target(stored_syntax)
        elif media == OCTET_STREAM:
            if (syntax or EXPLICIT_LE) in UNCOMPRESSED:
                target = decoded_target(stored_syntax, syntax or EXPLICIT_LE)
        elif media in DEFAULT_SYNTAXES:
            wanted = syntax or DEFAULT_SYNTAXES[media]
            if STORED_MEDIA_TYPES.get(wanted) == media:
                target = FrameTarget(media, wanted, wanted == stored_syntax)
        if target is not None and target not in found:
            found.append(target)
    return found
