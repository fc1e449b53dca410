"""Orthanc's JSON values as the DICOM element bytes DCMTK writes for them: the ``Tags`` of
``/tools/create-dicom`` and the ``Replace`` values of modify and anonymize.

A string is the element's value in UTF-8, converted to the data set's character set
(characters it lacks are dropped, as Orthanc drops them); ``\\`` separates values. The VR is
the dictionary's (a private tag's from the private dictionary of the ``PrivateCreator``; UN
when unknown). The binary numeric VRs are parsed as boost::lexical_cast parses them, binary
VRs take the bytes of a ``data:application/octet-stream;base64,`` URI, null is an empty
value and a list of objects is a sequence. Plain Python without AWS, imported only by the
routes that build DICOM (its dictionary is pydicom's).
"""

from __future__ import annotations

import base64
import math
import re
import struct
from dataclasses import dataclass
from typing import Any

from chalicelib.dicom.charsets import by_term, named
from chalicelib.dicom.tag_dictionary import format_tag
from chalicelib.errors import ErrorCode, OrthancError, ServerFault, bad_file

BINARY_URI_PREFIX = "data:application/octet-stream;base64,"
DATA_URI = re.compile(r"data:([^;]+);base64,([a-zA-Z0-9=+/]*)", re.IGNORECASE)

TEXT_VRS = frozenset(
    {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC"}
) | {"UI", "UR", "UT"}
BINARY_VRS = frozenset({"OB", "OW", "UN"})
# DCMTK's context-dependent VRs, as it writes them.
WRITTEN_VRS = {"xs": "US", "lt": "OW", "up": "UL"}
# struct format, and whether the number is a float, of the VRs DCMTK stores one number in.
NUMBERS = {
    "SS": ("<h", False),
    "US": ("<H", False),
    "SL": ("<i", False),
    "UL": ("<I", False),
    "OL": ("<I", False),
    "FL": ("<f", True),
    "OF": ("<f", True),
    "FD": ("<d", True),
    "OD": ("<d", True),
}
INTEGER = re.compile(rb"[+-]?[0-9]+")
FLOAT = re.compile(rb"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
INF_NAN = re.compile(rb"[+-]?(inf|infinity|nan)", re.IGNORECASE)
# A leading number, as sscanf reads each value of a multi-valued US or SS string.
SCANNED = re.compile(rb"\s*([+-]?[0-9]+)")

# An element as DCMTK would write it: its VR and value bytes (unpadded), or the items of a
# sequence.
Element = tuple[str, bytes | list["Item"]]
Item = dict[int, Element]


@dataclass(frozen=True)
class Options:
    """``InterpretBinaryTags``, ``PrivateCreator`` and ``Force``."""

    decode_binary: bool = True
    private_creator: str = ""
    force: bool = False


def parse_tag(name: str) -> int:
    """A key of ``Tags`` as Orthanc reads it (``tag_dictionary.parse_tag``); an unknown one is
    a 500, as in Orthanc."""
    from chalicelib.dicom.tag_dictionary import parse_tag as parse

    tag = parse(name)
    if tag is None:
        raise ServerFault(ErrorCode.UNKNOWN_DICOM_TAG)
    return tag


def is_private_tag(tag: int) -> bool:
    return bool((tag >> 16) % 2)


def element_vr(tag: int, creator: str) -> str:
    """The VR DCMTK gives a new element: its dictionary's (a private tag's in the block of
    ``creator``), ``xs`` for US-or-SS tags, ``lt`` for LUT data, UN when unknown. Orthanc
    always names a creator for a private tag, even an empty one, so DCMTK looks the private
    dictionary up only: a private creator element itself is UN."""
    from pydicom.datadict import DicomDictionary

    from chalicelib.dicom.declared_tags import is_private_element
    from chalicelib.dicom.tag_dictionary import dictionary_entry

    if is_private_tag(tag) and not is_private_element(tag):
        return "UN"
    entry = dictionary_entry(tag, creator)
    if entry is None:
        return "UN"
    ambiguous = DicomDictionary.get(tag, ("",))[0]
    if ambiguous == "US or SS":
        return "xs"
    if ambiguous in ("US or SS or OW", "US or OW"):
        return "lt"
    return "OW" if entry[0] == "ox" else entry[0]


def encode_text(text: str, encoding: str) -> bytes:
    """UTF-8 text converted as Orthanc converts it to ``encoding`` (an Orthanc name):
    characters the encoding lacks dropped."""
    codec = named(encoding).codec
    if codec is None:
        return "".join(c for c in text if c == "\n" or " " <= c <= "~").encode("ascii")
    return text.encode(codec, errors="ignore")


def data_uri(text: str) -> tuple[str, bytes] | None:
    """(MIME type, content) of a ``data:<type>;base64,...`` URI; None if it is not one."""
    match = DATA_URI.fullmatch(text)
    if match is None:
        return None
    # Orthanc's decoder stops at the first '=' and ignores an incomplete last group.
    digits = match[2].split("=", 1)[0]
    digits = digits[: len(digits) - (len(digits) % 4 == 1)]
    return match[1], base64.b64decode(digits + "=" * (-len(digits) % 4))


def value_bytes(tag: int, vr: str, text: str, decode: bool, encoding: str) -> bytes:
    """DCMTK's element value for a string of the request (Orthanc's FillElementWithString)."""
    if decode and text.startswith(BINARY_URI_PREFIX):
        decoded = data_uri(text)
        if decoded is None:
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT)
        data = decoded[1]
    else:
        data = encode_text(text, encoding)
    if vr in BINARY_VRS:
        if vr == "OW" and len(data) % 2:
            raise OrthancError(ErrorCode.INTERNAL_ERROR)
        return data
    if vr in TEXT_VRS:
        return data.split(b"\0", 1)[0]  # DCMTK copies a C string
    number = _number(vr, data)
    if number is not None:
        return number
    if vr == "AT":
        at = parse_tag(text)
        return struct.pack("<HH", at >> 16, at & 0xFFFF)
    raise bad_file(
        f'While creating a DICOM instance, tag ({format_tag(tag)}) has out-of-range value: "{text}"'
    )


def _number(vr: str, data: bytes) -> bytes | None:
    """A binary number (several for a multi-valued US-or-SS string), or None if ``data``
    is not one the VR holds."""
    if vr == "xs":
        # DCMTK makes these US: several values are scanned, a minus sign is refused.
        if b"\\" in data:
            scanned = [SCANNED.match(part) for part in data.split(b"\\")]
            if not all(scanned):
                return None
            return b"".join(struct.pack("<H", int(m[1]) % 0x10000) for m in scanned if m)
        return None if b"-" in data else _number("US", data)
    if vr not in NUMBERS:
        return None
    fmt, is_float = NUMBERS[vr]
    if is_float:
        return _float(fmt, data)
    if not INTEGER.fullmatch(data):
        return None
    bits = struct.calcsize(fmt) * 8
    magnitude = int(data.lstrip(b"+-"))
    negative = data.startswith(b"-")
    if fmt.islower():  # signed
        limit = 1 << (bits - 1)
        if magnitude > limit or (magnitude == limit and not negative):
            return None
        return struct.pack(fmt, -magnitude if negative else magnitude)
    if magnitude >> bits:
        return None
    # boost::lexical_cast negates an unsigned value modulo its range.
    return struct.pack(fmt, -magnitude % (1 << bits) if negative else magnitude)


def _float(fmt: str, data: bytes) -> bytes | None:
    """A float as boost::lexical_cast reads one: decimal or scientific, inf or nan; a value
    out of the type's range is refused."""
    literal = INF_NAN.fullmatch(data)
    if not (literal or FLOAT.fullmatch(data)):
        return None
    value = float(data)
    if math.isinf(value) and not literal:
        return None
    try:
        return struct.pack(fmt, value)
    except OverflowError:
        return None


def from_json(tag: int, value: Any, options: Options, encoding: str) -> Element:
    """An element from a JSON value (Orthanc's FromJson): null is an empty string, a
    list the items of a sequence (each an object of tags, or an empty list)."""
    creator = options.private_creator
    vr = element_vr(tag, creator)
    if value is None or isinstance(value, str):
        text = value or ""
        data = value_bytes(tag, vr, text, options.decode_binary, encoding)
        return (WRITTEN_VRS.get(vr, vr), data)
    if not isinstance(value, list) or vr != "SQ":
        raise OrthancError(
            ErrorCode.BAD_PARAMETER_TYPE, f"Bad Parameter type for tag {format_tag(tag)}"
        )
    items: list[Item] = []
    for entry in value:
        item: Item = {}
        if isinstance(entry, dict):
            for name in in_order(entry):
                child = parse_tag(name)
                element = from_json(child, entry[name], options, encoding)
                item.setdefault(child, element)  # DCMTK keeps the first of two spellings
        elif not isinstance(entry, list) or entry:
            raise OrthancError(ErrorCode.BAD_PARAMETER_TYPE)
        items.append(item)
    return ("SQ", items)


def encoding_of(text: str) -> str | None:
    """Orthanc's name of the encoding a Specific Character Set value names (one term, any
    case), if known."""
    encoding = by_term(text.strip())
    return None if encoding is None else encoding.name


def in_order(names: dict[str, Any]) -> list[str]:
    return sorted(names, key=lambda name: name.encode("utf-8", "surrogatepass"))
