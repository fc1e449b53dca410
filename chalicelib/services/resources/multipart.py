"""Reading a ``multipart/form-data`` body (what browsers, HTML forms and jQuery File Upload
POST to ``/instances``) the way Orthanc 1.10.1 reads one.

Orthanc's reading is looser and stricter than RFC 7578 in its own ways, and clients that
work with it rely on both, so it is followed rather than the standard library's MIME parser:

* the boundary comes from ``Content-Type``'s ``boundary=`` parameter (quotes removed; a value
  holding ``=`` is not read), the type compared without case;
* what comes before the first ``--boundary`` is ignored, wherever it appears;
* each part starts with ``--boundary`` and a line break (anything else is "Garbage between
  two items"), has header lines up to a blank line, then its content: ``Content-Length``
  bytes if the part says so, else up to the next ``--boundary`` minus its line break;
* ``--boundary--`` ends the body; a body that stops before it, or before the end of a part,
  ends there, what was complete being kept.

The body is in memory and already bounded by the caller; parts are slices of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from chalicelib.errors import ErrorCode, MalformedBody, OrthancError

FORM_DATA = "multipart/form-data"
_BLANK_LINE = b"\r\n\r\n"
_INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class Form:
    """A ``multipart/form-data`` upload: its boundary and, for jQuery File Upload's chunked
    mode (``X-File-Size``), the size of the one file its parts are chunks of."""

    boundary: str
    file_size: int | None = None


def form_boundary(content_type: str) -> str | None:
    """The boundary of a ``multipart/form-data`` body; None for any other body (which is
    then a DICOM file or a ZIP, as without a type)."""
    kind, *parameters = content_type.split(";")
    boundary = None
    for parameter in parameters:
        items = parameter.split("=")
        if len(items) == 2 and items[0].strip().lower() == "boundary":
            value = items[1].strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            boundary = value or None
    return boundary if kind.strip().lower() == FORM_DATA else None


def form_parts(body: bytes, boundary: str) -> Iterator[bytes]:
    """The content of each part of ``body``, in order (see the module docstring)."""
    delimiter = b"--" + boundary.encode()
    current = body.find(delimiter)
    if current < 0:
        return
    while len(body) - current >= len(delimiter) + 2:
        opening = body[current : current + len(delimiter) + 2]
        if opening == delimiter + b"--":
            return
        if opening != delimiter + b"\r\n":
            raise _protocol_error("Garbage between two items in a multipart stream")
        headers_start = current + len(opening)
        headers_end = body.find(_BLANK_LINE, headers_start)
        if headers_end < 0:
            return
        start = headers_end + len(_BLANK_LINE)
        length = _content_length(body[headers_start:headers_end])
        if length is None:
            following = body.find(delimiter, start)
            if following < 0:
                return
            if following - start <= 1:
                raise _protocol_error()
            length = following - start - 2
        end = start + length
        if end + 2 > len(body):
            return
        if body[end : end + 2] != b"\r\n":
            raise _protocol_error("No endline at the end of a part")
        yield body[start:end]
        current = end + 2


def _content_length(header_block: bytes) -> int | None:
    """A part's ``Content-Length`` (the last one), None without one."""
    length = None
    for line in header_block.decode("latin-1").split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() == "content-length":
            length = int64(value.strip())
            if length is None or length < 0:
                raise OrthancError(ErrorCode.PARAMETER_OUT_OF_RANGE)
    return length


def int64(text: str) -> int | None:
    """``text`` as a signed 64-bit decimal integer, None when it is not one (Orthanc's
    reading of the sizes in headers)."""
    if not _INTEGER.fullmatch(text) or not -(1 << 63) <= int(text) < 1 << 63:
        return None
    return int(text)


def _protocol_error(details: str | None = None) -> OrthancError:
    """A malformed body: Orthanc's ``NetworkProtocol`` error (Orthanc answers 500, Cirrus 400)."""
    return MalformedBody(details)
