"""``multipart/related`` bodies (RFC 2387, framed as RFC 2046 says): what DICOMweb moves
instances, frames and bulk data in (PS3.18 8.6.1.2). STOW-RS reads them, WADO-RS writes them.

Reading takes a whole body that the caller has already bounded in size, and is strict where
a loose reading could store the wrong bytes:

* the boundary comes from the ``Content-Type``'s ``boundary`` parameter, quoted or not (RFC
  2046 allows 1 to 70 characters; up to :data:`MAX_BOUNDARY` are read, for lax clients);
* what comes before the first ``--boundary`` line (the preamble) and after the closing
  ``--boundary--`` (the epilogue) is ignored; white space may follow a boundary on its line;
* a boundary line, header lines and the blank line ending the headers end with CRLF; a
  part's content runs up to the CRLF before the next boundary line, so it may hold any byte;
  a part's ``Content-Length``, when given, must agree with that;
* a body without its closing boundary is malformed as a whole, rather than its complete
  parts being kept (Orthanc keeps them): a caller never acts on part of a cut body;
* at most ``max_parts`` parts of ``max_part_size`` bytes each; header blocks are small.

Malformed bodies raise :class:`~chalicelib.errors.MalformedBody` (400) saying what is
wrong; bodies over the bounds raise :class:`~chalicelib.errors.TooLarge` (413).

Writing (:func:`related_chunks`) yields the body chunk by chunk, so that large answers are
streamed (to the client or to S3) without being joined in memory.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from chalicelib.errors import MalformedBody, TooLarge

MULTIPART_RELATED = "multipart/related"
MAX_BOUNDARY = 200
MAX_PARTS = 10_000
MAX_HEADER_BLOCK = 16 * 1024
_CRLF = b"\r\n"
_HEADERS_END = b"\r\n\r\n"
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
# One ";name=value" parameter, the value a quoted string (RFC 9110 5.6.6) or, looser than
# a token, anything up to a separator: clients send ``type=application/dicom`` unquoted.
_PARAMETER = re.compile(rf'\s*;\s*({_TOKEN})\s*=\s*([^\s;,"]+|"(?:[^"\\]|\\.)*")\s*', re.DOTALL)
_MEDIA_TYPE = re.compile(rf"\s*({_TOKEN}/{_TOKEN})\s*")


@dataclass(frozen=True)
class ContentType:
    """A parsed ``Content-Type`` (or one media range of ``Accept``): the media type and the
    parameter names lower-cased, the values unquoted and kept as sent."""

    media_type: str
    parameters: dict[str, str] = field(default_factory=dict)

    def parameter(self, name: str) -> str | None:
        return self.parameters.get(name.lower())


def parse_content_type(value: str) -> ContentType:
    """``value`` read as ``type/subtype *( ";" name=value )``; a malformed one raises
    :class:`MalformedBody` naming it."""
    match = _MEDIA_TYPE.match(value)
    if match is None:
        raise MalformedBody(f"Bad media type: {value!r}")
    parameters: dict[str, str] = {}
    position = match.end()
    while position < len(value):
        parameter = _PARAMETER.match(value, position)
        if parameter is None:
            raise MalformedBody(f"Bad parameter in the media type {value!r}")
        name, raw = parameter.group(1).lower(), parameter.group(2)
        parameters[name] = _unquoted(raw)
        position = parameter.end()
    return ContentType(match.group(1).lower(), parameters)


def _unquoted(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return re.sub(r"\\(.)", r"\1", raw[1:-1], flags=re.DOTALL)
    return raw


def related_boundary(content_type: ContentType) -> str:
    """The boundary of a ``multipart/related`` body; MalformedBody without a usable one."""
    boundary = content_type.parameter("boundary")
    if not boundary:
        raise MalformedBody("The multipart/related body has no boundary in its Content-Type")
    if len(boundary) > MAX_BOUNDARY:
        raise MalformedBody(f"The multipart boundary is longer than {MAX_BOUNDARY} characters")
    return boundary


@dataclass(frozen=True)
class ReceivedPart:
    """One part of a received body: its headers (names lower-cased) and its content."""

    headers: dict[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        """The part's ``Content-Type`` as sent, "" without one."""
        return self.headers.get("content-type", "")


def parse_related(
    body: bytes, boundary: str, max_parts: int = MAX_PARTS, max_part_size: int | None = None
) -> list[ReceivedPart]:
    """The parts of ``body``, in order (see the module docstring for the rules)."""
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    position = _first_delimiter(body, delimiter)
    parts: list[ReceivedPart] = []
    while True:
        position += len(delimiter)
        if body.startswith(b"--", position):
            return parts  # the closing boundary; the epilogue is ignored
        position = _end_of_boundary_line(body, position)
        if len(parts) == max_parts:
            raise TooLarge(f"A multipart body may have at most {max_parts} parts")
        headers_end = body.find(_HEADERS_END, position - 2, position + MAX_HEADER_BLOCK)
        if headers_end < 0:
            raise MalformedBody(f"Part {len(parts) + 1} has no blank line ending its headers")
        headers = _headers(body[position:headers_end], len(parts) + 1)
        start = headers_end + len(_HEADERS_END)
        end = body.find(_CRLF + delimiter, start)
        if end < 0:
            raise MalformedBody("The multipart body ends before its closing boundary")
        if max_part_size is not None and end - start > max_part_size:
            raise TooLarge(f"Part {len(parts) + 1} is larger than {max_part_size} bytes")
        _check_length(headers, end - start, len(parts) + 1)
        parts.append(ReceivedPart(headers, body[start:end]))
        position = end + len(_CRLF)


def _first_delimiter(body: bytes, delimiter: bytes) -> int:
    """Where the first boundary line starts: at the body's start or after a CRLF."""
    if body.startswith(delimiter):
        return 0
    found = body.find(_CRLF + delimiter)
    if found < 0:
        raise MalformedBody("The multipart body does not contain its boundary")
    return found + len(_CRLF)


def _end_of_boundary_line(body: bytes, position: int) -> int:
    """Just after the CRLF ending a boundary line (transport padding allowed before it)."""
    line_end = body.find(_CRLF, position)
    if line_end < 0 or body[position:line_end].strip(b" \t"):
        raise MalformedBody("A multipart boundary is not followed by a line break")
    return line_end + len(_CRLF)


def _headers(block: bytes, number: int) -> dict[str, str]:
    headers: dict[str, str] = {}
    if not block:
        return headers  # a part without headers: its blank line follows the boundary line
    for line in block.decode("latin-1").split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon or not re.fullmatch(_TOKEN, name.strip()):
            raise MalformedBody(f"Part {number} has a malformed header line: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


def _check_length(headers: dict[str, str], size: int, number: int) -> None:
    declared = headers.get("content-length")
    if declared is not None and not (
        declared.isascii() and declared.isdigit() and int(declared) == size
    ):
        raise MalformedBody(
            f"Part {number} declares Content-Length {declared[:20]} but holds {size} bytes"
        )


@dataclass(frozen=True)
class PartToSend:
    """One part of a body to send: its type, its content (bytes, or chunks when it is
    streamed, then with its ``length`` if known) and its ``Content-Location`` if any."""

    content_type: str
    content: bytes | Iterable[bytes]
    length: int | None = None
    location: str | None = None


def new_boundary() -> str:
    """A boundary no content will hold by chance (122 random bits)."""
    return uuid.uuid4().hex


def related_content_type(boundary: str, part_type: str, **parameters: str) -> str:
    """The ``Content-Type`` of a body of ``part_type`` parts, e.g.
    ``related_content_type(b, "application/dicom", transfer_syntax="1.2.840.10008.1.2.1")``
    (underscores in parameter names become hyphens)."""
    extra = "".join(f"; {name.replace('_', '-')}={value}" for name, value in parameters.items())
    return f'{MULTIPART_RELATED}; type="{part_type}"{extra}; boundary={boundary}'


def related_chunks(parts: Iterable[PartToSend], boundary: str) -> Iterator[bytes]:
    """The body holding ``parts``: each part's boundary line and headers, then its content
    chunks, then the closing boundary (an empty body has only the closing boundary)."""
    delimiter = b"--" + boundary.encode("ascii")
    for part in parts:
        length = len(part.content) if isinstance(part.content, bytes) else part.length
        lines = [delimiter, f"Content-Type: {part.content_type}".encode("latin-1")]
        if part.location is not None:
            lines.append(f"Content-Location: {part.location}".encode("latin-1"))
        if length is not None:
            lines.append(f"Content-Length: {length}".encode("ascii"))
        yield _CRLF.join(lines) + _HEADERS_END
        if isinstance(part.content, bytes):
            yield part.content
        else:
            yield from part.content
        yield _CRLF
    yield delimiter + b"--" + _CRLF
