"""One element's value as Orthanc 1.10.1 shows it: the text of ``/tags`` and of the main DICOM
tags, or None where Orthanc has a null.

Orthanc formats values with DCMTK, so this reproduces DCMTK and Orthanc rather than pydicom:

* string values are the raw bytes minus trailing padding (spaces; spaces and NULs for UI), cut
  at the first NUL, decoded with the *first* Specific Character Set term (when absent, in the
  default encoding the caller passes, Orthanc's ``DefaultEncoding``), never split into
  values: ``A\\B`` stays one string;
* binary VRs (OB, OW, UN, OD, OL, ...) are null, numbers are printed like C++ streams with
  17 significant digits, AT shows only its first value;
* private tags are typed with their creator's dictionary, so creators are read item by item.

Exactness needs the raw bytes, so pass a Dataset fresh from ``pydicom.dcmread`` (pydicom keeps
elements raw until they are accessed). Elements pydicom already converted are formatted from
their values, which is right for ordinary files but can differ in padding/charset corner cases.
(The character set Cirrus writes its own datasets in is chosen in ``charsets``.)
"""

from __future__ import annotations

import re
import struct
from typing import Any

from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag

from chalicelib.dicom.charsets import DEFAULT, by_term, named
from chalicelib.dicom.tag_dictionary import dictionary_entry, format_tag

# Orthanc's ORTHANC_MAXIMUM_TAG_LENGTH: longer values are "TooLong" in /tags, left out of the
# main DICOM tags.
MAXIMUM_TAG_LENGTH = 256
PIXEL_DATA = 0x7FE00010
SPECIFIC_CHARACTER_SET = 0x00080005

# The VRs DCMTK treats as character strings (DcmElement::isaString()).
STRING_VRS = frozenset(
    {
        "AE",
        "AS",
        "CS",
        "DA",
        "DS",
        "DT",
        "IS",
        "LO",
        "LT",
        "PN",
        "SH",
        "ST",
        "TM",
        "UC",
        "UI",
        "UR",
        "UT",
    }
)
# struct format and size of the numeric VRs Orthanc prints as numbers.
NUMERIC_VRS = {"SS": "h", "US": "H", "SL": "i", "UL": "I", "FL": "f", "FD": "d"}


# --------------------------------------------------------------------------------------------
# Character sets
# --------------------------------------------------------------------------------------------

# ISO 2022 escape sequences and shifts, which Orthanc strips after decoding multi-term charsets.
_ISO2022_CONTROLS = re.compile(r"\x1b[\x20-\x2f]*[\x30-\x7e]|[\x0e\x0f]|\x8e\x1bN|\x8f\x1bO")
_JIS_X_0201_ROMAN = str.maketrans({"\\": "\u00a5", "~": "\u203e"})
# What Orthanc's ConvertToAscii keeps: printable ASCII and newline.
_NOT_ASCII = re.compile(r"[^\n\x20-\x7e]")


class Charset:
    """How Orthanc turns the bytes of a text value into UTF-8 for one dataset."""

    __slots__ = ("codec", "code_extensions")

    def __init__(self, codec: str | None, code_extensions: bool = False) -> None:
        self.codec = codec
        self.code_extensions = code_extensions

    @classmethod
    def of(cls, ds: Dataset, default: str = DEFAULT) -> Charset:
        """Orthanc looks at the first non-empty term only; unknown terms mean plain ASCII;
        without a term, the default encoding (an Orthanc name) applies."""
        raw = ds.get_item(SPECIFIC_CHARACTER_SET) if SPECIFIC_CHARACTER_SET in ds else None
        if raw is None:
            return cls(named(default).codec)
        value = raw.value
        if isinstance(value, bytes):
            text = _trim(value, b" ").decode("latin-1")
        elif isinstance(value, (list, MultiValue)):
            text = "\\".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        terms = text.split("\\")
        for term in terms:
            if term.strip(" "):
                encoding = by_term(term)
                return cls(encoding.codec if encoding else None, len(terms) > 1)
        return cls(named(default).codec, len(terms) > 1)

    def decode(self, data: bytes) -> str:
        if self.codec is None:
            return to_ascii(data.decode("latin-1"))
        try:
            text = data.decode(self.codec, errors="ignore")
        except LookupError:  # pragma: no cover - all codecs above ship with Python
            return to_ascii(data.decode("latin-1"))
        if self.codec == "shift_jis":
            # Orthanc's converter follows JIS X 0201 here: 0x5C is a yen sign, 0x7E an overline.
            text = text.translate(_JIS_X_0201_ROMAN)
        if self.code_extensions:
            text = _ISO2022_CONTROLS.sub("", text)
        return text


ASCII = Charset(None)


def to_ascii(text: str) -> str:
    """Orthanc's ConvertToAscii: keep printable ASCII characters and newlines only."""
    return _NOT_ASCII.sub("", text)


def _trim(data: bytes, padding: bytes) -> bytes:
    """DCMTK's view of a string value: trailing padding removed, then C-string semantics."""
    data = data.rstrip(padding)
    nul = data.find(b"\x00")
    return data if nul < 0 else data[:nul]


# --------------------------------------------------------------------------------------------
# Private creators
# --------------------------------------------------------------------------------------------


def private_creators(ds: Dataset) -> dict[tuple[int, int], str]:
    """(group, block) -> creator, from this dataset's (gggg,0010-00FF) elements.

    DCMTK resolves creators item by item, so each sequence item has its own map.
    """
    creators: dict[tuple[int, int], str] = {}
    for tag in ds.keys():  # noqa: SIM118 - iterating ds would convert every element
        group, element = tag >> 16, tag & 0xFFFF
        # DCMTK only honours reservations whose VR is text (an explicit "UN" one is ignored).
        if group % 2 and 0x0010 <= element <= 0x00FF and group > 7:
            if element_vr(ds.get_item(tag), None) not in STRING_VRS:
                continue
            value = _raw_or_value(ds, tag)
            if isinstance(value, bytes):
                creators[(group, element)] = _trim(value, b" ").decode("latin-1")
            elif value is not None:
                creators[(group, element)] = str(value).rstrip(" ")
    return creators


def creator_of(tag: int, creators: dict[tuple[int, int], str]) -> str | None:
    """Who reserved the block of private data element ``tag``, per ``creators`` (else None)."""
    group, element = tag >> 16, tag & 0xFFFF
    if group % 2 == 0 or group <= 7 or element <= 0x00FF:
        return None
    return creators.get((group, element >> 8))


def _raw_or_value(ds: Dataset, tag: int) -> Any:
    item = ds.get_item(tag)
    return None if item is None else item.value


# --------------------------------------------------------------------------------------------
# Leaf values
# --------------------------------------------------------------------------------------------


def _numbers(data: bytes, vr: str, little_endian: bool) -> str | None:
    """Orthanc prints every value if the length is a multiple of the size, else the first."""
    code = NUMERIC_VRS[vr]
    size = struct.calcsize(code)
    if len(data) < size:
        return None
    count = len(data) // size if len(data) > size and len(data) % size == 0 else 1
    values = struct.unpack(("<" if little_endian else ">") + code * count, data[: count * size])
    if vr in ("FL", "FD"):
        return "\\".join(_format_float(v) for v in values)
    return "\\".join(str(v) for v in values)


def _format_float(value: float) -> str:
    """C++ ``ostream << setprecision(17)``: ``%.17g``, with C's spelling of infinities."""
    text = f"{value:.17g}"
    return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(text, text)


def _attribute_tag(data: bytes, little_endian: bool) -> str | None:
    if len(data) < 4:
        return None
    group, element = struct.unpack("<HH" if little_endian else ">HH", data[:4])
    return f"{group:04x},{element:04x}"


def _unknown_vr_string(
    data: bytes, tag: int, creator: str | None, charset: Charset
) -> tuple[bool, str | None]:
    """An explicit ``UN`` element: Orthanc reads it as text if the dictionary says it is text.

    Returns (handled, value). Only one trailing NUL is removed, trailing spaces stay. Private
    values are only accepted as plain ASCII, since their character set is anybody's guess.
    """
    entry = dictionary_entry(tag, creator)
    if entry is None or entry[0] not in STRING_VRS:
        return False, None
    if not data:
        return True, ""
    if len(data) % 2 == 0 and data.endswith(b"\x00"):
        data = data[:-1]
    if (tag >> 16) % 2:
        text = data.decode("latin-1")
        if _NOT_ASCII.search(text):
            return False, None
        return True, text
    return True, charset.decode(data)


def leaf_value(
    vr: str,
    data: bytes,
    tag: int,
    creator: str | None,
    charset: Charset,
    little_endian: bool = True,
) -> str | None:
    """Orthanc's string for a leaf element's raw bytes, or None where Orthanc has a null.

    ``vr`` is the VR as DCMTK sees it: the file's VR in explicit VR transfer syntaxes, the
    dictionary's (``UN`` when unknown) in implicit VR.
    """
    if vr in STRING_VRS:
        return charset.decode(_trim(data, b"\x00 " if vr == "UI" else b" "))
    if vr in NUMERIC_VRS:
        return _numbers(data, vr, little_endian)
    if vr == "AT":
        return _attribute_tag(data, little_endian)
    if vr == "UN":
        handled, text = _unknown_vr_string(data, tag, creator, charset)
        if handled:
            return text
    return None  # OB, OW, OF, OD, OL, OV, SV, UV, UN...: binary, shown as null


def element_vr(raw: RawDataElement | DataElement, creator: str | None) -> str:
    """The VR DCMTK gives an element: the file's (explicit VR), else its dictionary's."""
    vr = raw.VR
    if vr is not None and not (isinstance(raw, RawDataElement) and raw.is_implicit_VR):
        return str(vr)
    entry = dictionary_entry(int(raw.tag), creator)
    return "UN" if entry is None else entry[0]


def _converted_value(elem: DataElement, vr: str, charset: Charset) -> str | None:
    """Best effort for an element pydicom already converted (raw bytes are gone)."""
    value = elem.value
    if value is None or value == "":
        return "" if vr in STRING_VRS else None
    if isinstance(value, bytes):
        return leaf_value(vr, value, int(elem.tag), None, charset)
    values = list(value) if isinstance(value, (list, MultiValue)) else [value]
    if vr in STRING_VRS:
        text = "\\".join("" if v is None else str(v) for v in values)
        text = text.rstrip("\x00 " if vr == "UI" else " ")
        # pydicom decoded it already; ASCII can go through our decoder again (e.g. the yen sign
        # Orthanc shows for a backslash under ISO_IR 13).
        return charset.decode(text.encode("ascii")) if text.isascii() else text
    if vr in ("FL", "FD"):
        return "\\".join(_format_float(float(v)) for v in values)
    if vr in NUMERIC_VRS:
        return "\\".join(str(int(v)) for v in values)
    if vr == "AT":
        first = BaseTag(values[0])
        return format_tag(int(first))
    return None


def element_value(ds: Dataset, tag: int, creator: str | None, charset: Charset) -> str | None:
    """Orthanc's string for the leaf element ``tag`` of ``ds`` (None for Orthanc's null)."""
    raw = ds.get_item(tag)
    vr = element_vr(raw, creator)
    if isinstance(raw, RawDataElement):
        return leaf_value(vr, raw.value or b"", tag, creator, charset, raw.is_little_endian)
    return _converted_value(raw, vr, charset)


# --------------------------------------------------------------------------------------------
# Sequences and stored values
# --------------------------------------------------------------------------------------------


def is_sequence(raw: RawDataElement | DataElement, creator: str | None) -> bool:
    """Whether DCMTK reads the element as a sequence (not a leaf with a value)."""
    if isinstance(raw, DataElement):
        return raw.VR == "SQ"
    if raw.VR == "SQ" or raw.length == 0xFFFFFFFF and raw.tag != PIXEL_DATA:
        return True
    return raw.is_implicit_VR and element_vr(raw, creator) == "SQ"


def summary_value(ds: Dataset, tag: int, default: str = DEFAULT) -> str | None:
    """Orthanc's stored value of a top-level tag (None if absent, null, binary or too long),
    read in the default encoding ``default`` if ``ds`` has no Specific Character Set.

    This is what the index keeps as a main DICOM tag.
    """
    if tag not in ds:
        return None
    raw = ds.get_item(tag)
    creator = creator_of(tag, private_creators(ds)) if (tag >> 16) % 2 else None
    if is_sequence(raw, creator):
        return None
    value = element_value(ds, tag, creator, Charset.of(ds, default))
    if value is None or len(value.encode("utf-8")) > MAXIMUM_TAG_LENGTH:
        return None
    return value


def element_text(element: DataElement | None) -> str:
    """The value of a converted element as one text: multiple values joined by ``\\``,
    bytes read as Latin-1, no value as empty. What a UID is mapped from, a query matched
    on, a context value carried over (not the exact bytes ``summary_value`` reads)."""
    if element is None or element.value is None:
        return ""
    value = element.value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join("" if v is None else str(v) for v in value)
    return str(value)
