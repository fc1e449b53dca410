"""The ``multipart/related`` codec: what it reads, what it refuses, and that what it writes
reads back."""

from __future__ import annotations

import pytest

from chalicelib.dicom.multipart_related import (
    MAX_BOUNDARY,
    PartToSend,
    ReceivedPart,
    parse_content_type,
    parse_related,
    related_boundary,
    related_chunks,
    related_content_type,
)
from chalicelib.errors import MalformedBody, TooLarge

B = "frontier"


def written(*parts: PartToSend, boundary: str = B) -> bytes:
    return b"".join(related_chunks(parts, boundary))


def contents(body: bytes, **limits: int) -> list[bytes]:
    return [part.content for part in parse_related(body, B, **limits)]


def test_what_is_written_reads_back_with_its_headers() -> None:
    tricky = b"--frontier is not at a line start\r\n--frontie\r\n\r\n"
    body = written(
        PartToSend("application/dicom", b"\x00\x01binary"),
        PartToSend("application/octet-stream", iter([tricky[:5], tricky[5:]]), len(tricky), "/x/1"),
        PartToSend("text/plain", b""),
    )
    parts = parse_related(body, B)
    assert [part.content for part in parts] == [b"\x00\x01binary", tricky, b""]
    assert parts[1].headers == {
        "content-type": "application/octet-stream",
        "content-location": "/x/1",
        "content-length": str(len(tricky)),
    }
    assert parts[0].content_type == "application/dicom"


def test_a_streamed_part_of_unknown_length_has_no_content_length() -> None:
    body = written(PartToSend("application/dicom", iter([b"ab", b"cd"])))
    (part,) = parse_related(body, B)
    assert part == ReceivedPart({"content-type": "application/dicom"}, b"abcd")


def test_an_empty_body_is_only_its_closing_boundary() -> None:
    body = written()
    assert body == b"--frontier--\r\n"
    assert parse_related(body, B) == []


def test_preamble_epilogue_padding_and_a_part_without_headers() -> None:
    body = (
        b"preamble mentioning --frontier inside a line\r\n"
        b"--frontier \t\r\n\r\nfirst\r\n"
        b"--frontier\r\nX-Custom:  spaced value \r\n\r\nsecond\r\n"
        b"--frontier--\r\nepilogue --frontier\r\n"
    )
    parts = parse_related(body, B)
    assert [part.content for part in parts] == [b"first", b"second"]
    assert parts[0].headers == {}
    assert parts[1].headers == {"x-custom": "spaced value"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"nothing here", "does not contain its boundary"),
        (b"--frontier\r\n\r\ncut short", "ends before its closing boundary"),
        (b"--frontier\r\nContent-Type: a/b\r\nno blank line", "no blank line"),
        (b"--frontierX\r\n\r\nx\r\n--frontier--", "not followed by a line break"),
        (b"--frontier\r\nno colon here\r\n\r\nx\r\n--frontier--", "malformed header line"),
        (b"--frontier\r\nBad Name: v\r\n\r\nx\r\n--frontier--", "malformed header line"),
        (b"--frontier\r\nContent-Length: 2\r\n\r\nx\r\n--frontier--", "Content-Length 2"),
        (b"--frontier\r\nContent-Length: -1\r\n\r\nx\r\n--frontier--", "Content-Length -1"),
        (b"--frontier\n\nx\n--frontier--", "not followed by a line break"),
    ],
)
def test_malformed_bodies_are_refused_saying_why(body: bytes, message: str) -> None:
    with pytest.raises(MalformedBody, match=message):
        parse_related(body, B)


def test_a_header_block_is_bounded() -> None:
    body = b"--frontier\r\nX: " + b"a" * 20_000 + b"\r\n\r\nx\r\n--frontier--"
    with pytest.raises(MalformedBody, match="no blank line"):
        parse_related(body, B)


def test_part_count_and_size_are_bounded() -> None:
    body = written(*(PartToSend("a/b", b"12345") for _ in range(3)))
    assert len(contents(body, max_parts=3, max_part_size=5)) == 3
    with pytest.raises(TooLarge, match="at most 2 parts"):
        contents(body, max_parts=2)
    with pytest.raises(TooLarge, match="larger than 4 bytes"):
        contents(body, max_part_size=4)


def test_content_types_with_quoted_and_escaped_parameters() -> None:
    parsed = parse_content_type(
        'Multipart/Related ; TYPE="application/dicom" ; boundary="a\\"b c";transfer-syntax=*'
    )
    assert parsed.media_type == "multipart/related"
    assert parsed.parameters == {
        "type": "application/dicom",
        "boundary": 'a"b c',
        "transfer-syntax": "*",
    }
    assert related_boundary(parsed) == 'a"b c'


@pytest.mark.parametrize("value", ["", "dicom", "a/b; c", "a/b; c=", 'a/b; c="open', "a/b c"])
def test_malformed_content_types_are_refused(value: str) -> None:
    with pytest.raises(MalformedBody):
        parse_content_type(value)


@pytest.mark.parametrize("value", ["multipart/related", 'multipart/related; boundary=""'])
def test_a_body_type_without_boundary_is_refused(value: str) -> None:
    with pytest.raises(MalformedBody, match="no boundary"):
        related_boundary(parse_content_type(value))


def test_a_too_long_boundary_is_refused() -> None:
    with pytest.raises(MalformedBody, match="longer than"):
        related_boundary(
            parse_content_type(f"multipart/related; boundary={'b' * (MAX_BOUNDARY + 1)}")
        )


def test_the_written_content_type_names_type_parameters_and_boundary() -> None:
    value = related_content_type(B, "application/dicom", transfer_syntax="1.2.840.10008.1.2.1")
    parsed = parse_content_type(value)
    assert parsed.media_type == "multipart/related"
    assert parsed.parameters == {
        "type": "application/dicom",
        "transfer-syntax": "1.2.840.10008.1.2.1",
        "boundary": B,
    }
