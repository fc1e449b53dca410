"""A pydicom Dataset as Orthanc 1.10.1 shows it in JSON (``/instances/{id}/tags``, ``/header``).

Orthanc builds these answers with DCMTK, so matching it byte for byte means reproducing what
DCMTK and Orthanc do to each element, rather than what pydicom would do:

* names come from DCMTK 3.6.7's dictionaries (``dicom.dic`` and ``private.dic``, which is why
  retired tags are ``RETIRED_...`` and private tags have their own CamelCase names); tags DCMTK
  does not know are ``"Unknown Tag & Data"``;
* string values are the raw bytes minus trailing padding (spaces; spaces and NULs for UI), cut
  at the first NUL, decoded with the *first* Specific Character Set term (Latin-1 when absent, as
  Orthanc's default ``DefaultEncoding``), never split into values: ``A\\B`` stays one string;
* binary VRs (OB, OW, UN, OD, OL, ...) are ``Null``, numbers are printed like C++ streams with
  17 significant digits, AT shows only its first value;
* values longer than 256 UTF-8 bytes are ``TooLong``;
* top-level elements after Pixel Data are dropped and Pixel Data itself is a ``Null`` (Orthanc
  parses the file truncated at Pixel Data, then puts an empty Pixel Data back).

Exactness needs the raw bytes, so pass a Dataset fresh from ``pydicom.dcmread`` (pydicom keeps
elements raw until they are accessed). Elements pydicom already converted are formatted from
their values, which is right for ordinary files but can differ in padding/charset corner cases.
"""

from __future__ import annotations

import functools
import re
import struct
from pathlib import Path
from typing import Any, Literal

from pydicom.datadict import DicomDictionary
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag

JsonTags = dict[str, Any]
TagsFormat = Literal["full", "simplify", "short"]

# Orthanc's ORTHANC_MAXIMUM_TAG_LENGTH: longer values are "TooLong" in /tags, left out of the
# main DICOM tags.
MAXIMUM_TAG_LENGTH = 256
# DCMTK 3.6.7's private.dic (BSD-licensed), one tag a line: groups|creator|element|VR|name.
PRIVATE_DICTIONARY_PATH = Path(__file__).with_name("dcmtk_private.txt")
UNKNOWN_TAG_NAME = "Unknown Tag & Data"
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

# DICOM defined terms -> Python codec, as Orthanc maps them (GetDicomEncoding). ``None`` is
# Orthanc's "Ascii" encoding, which drops every non-ASCII or control byte instead of decoding.
_CHARSETS: dict[str, str | None] = {
    "ISO_IR 6": None,
    "ISO 2022 IR 6": None,
    "ISO_IR 192": "utf-8",
    "ISO_IR 100": "iso8859_1",
    "ISO 2022 IR 100": "iso8859_1",
    "ISO_IR 101": "iso8859_2",
    "ISO 2022 IR 101": "iso8859_2",
    "ISO_IR 109": "iso8859_3",
    "ISO 2022 IR 109": "iso8859_3",
    "ISO_IR 110": "iso8859_4",
    "ISO 2022 IR 110": "iso8859_4",
    "ISO_IR 148": "iso8859_9",
    "ISO 2022 IR 148": "iso8859_9",
    "ISO_IR 144": "iso8859_5",
    "ISO 2022 IR 144": "iso8859_5",
    "ISO_IR 127": "iso8859_6",
    "ISO 2022 IR 127": "iso8859_6",
    "ISO_IR 126": "iso8859_7",
    "ISO 2022 IR 126": "iso8859_7",
    "ISO_IR 138": "iso8859_8",
    "ISO 2022 IR 138": "iso8859_8",
    "ISO_IR 166": "tis_620",
    "ISO 2022 IR 166": "tis_620",
    "ISO_IR 13": "shift_jis",
    "ISO 2022 IR 13": "shift_jis",
    "GB18030": "gb18030",
    "GBK": "gb18030",
    "ISO 2022 IR 149": "euc_kr",
    "ISO 2022 IR 87": "iso2022_jp",
    "ISO 2022 IR 58": "gb2312",
}
DEFAULT_CODEC = "iso8859_1"  # Orthanc's "DefaultEncoding": "Latin1"

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
    def of(cls, ds: Dataset) -> Charset:
        """Orthanc looks at the first non-empty term only; unknown terms mean plain ASCII."""
        raw = ds.get_item(SPECIFIC_CHARACTER_SET) if SPECIFIC_CHARACTER_SET in ds else None
        if raw is None:
            return cls(DEFAULT_CODEC)
        value = raw.value
        if isinstance(value, bytes):
            text = _trim(value, b" ").decode("latin-1")
        elif isinstance(value, (list, MultiValue)):
            text = "\\".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        terms = text.split("\\")
        for term in terms:
            term = term.strip(" ").upper()
            if term:
                return cls(_CHARSETS.get(term), len(terms) > 1)
        return cls(DEFAULT_CODEC, len(terms) > 1)

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
# The DCMTK dictionary (names and, for implicit VR files, VRs)
# --------------------------------------------------------------------------------------------

# Orthanc pins these names whatever DCMTK calls them (GetTagNameInternal's patches).
_ORTHANC_NAME_PATCHES = {
    0x00080050: "AccessionNumber",
    0x00080018: "SOPInstanceUID",
    0x00100020: "PatientID",
    0x0020000E: "SeriesInstanceUID",
    0x0020000D: "StudyInstanceUID",
    0x7FE00010: "PixelData",
    0x00541330: "ImageIndex",
    0x00200013: "InstanceNumber",
    0x00540081: "NumberOfSlices",
    0x00280008: "NumberOfFrames",
    0x00181090: "CardiacNumberOfImages",
    0x00201002: "ImagesInAcquisition",
    0x00100010: "PatientName",
    0x00200032: "ImagePositionPatient",
    0x00200037: "ImageOrientationPatient",
    0x00101000: "OtherPatientIDs",
}

# pydicom spells DCMTK's context-dependent VRs out; DCMTK reads them (implicit VR) as below.
_AMBIGUOUS_VRS = {"US or SS": "US", "OB or OW": "OW", "US or OW": "OW", "US or SS or OW": "OW"}


@functools.lru_cache(maxsize=8192)
def public_entry(tag: int) -> tuple[str, str] | None:
    """(VR, name) of a non-private tag in DCMTK 3.6.7's ``dicom.dic``, or None if unknown."""
    group, element = tag >> 16, tag & 0xFFFF
    if tag in _DCMTK_ONLY_OR_RENAMED:
        return _DCMTK_ONLY_OR_RENAMED[tag]
    if tag not in _UNKNOWN_TO_DCMTK and tag in DicomDictionary:
        vr, _vm, _name, retired, keyword = DicomDictionary[tag]
        name = f"RETIRED_{keyword}" if retired == "Retired" else keyword
        return _AMBIGUOUS_VRS.get(vr, vr), name
    for first, last, low, high, vr, name in _DCMTK_REPEATING:
        if first <= group <= last and low <= element <= high and group % 2 == first % 2:
            return vr, name
    if element == 0x0000:
        if group % 2 and group <= 7:
            return "UL", "IllegalGroupLength"
        return "UL", "PrivateGroupLength" if group % 2 else "GenericGroupLength"
    if group % 2 and 0x0010 <= element <= 0x00FF:
        return "LO", "IllegalPrivateCreator" if group <= 7 else "PrivateCreator"
    return None


def _parse_private_dictionary(text: str) -> dict[tuple[str, int], list[tuple[int, int, str, str]]]:
    """Index ``dcmtk_private.txt`` by (creator, element): [(first group, last group, VR, name)].

    Two-hex-digit elements match in whatever block the creator reserved (key: the low byte);
    four-digit ones only match that exact element (key: element | 0x10000).
    """
    index: dict[tuple[str, int], list[tuple[int, int, str, str]]] = {}
    for line in text.strip().splitlines():
        groups, creator, element, vr, name = line.split("|")
        first, _, last = groups.partition("-")
        key = int(element, 16) if len(element) == 2 else int(element, 16) | 0x10000
        index.setdefault((creator, key), []).insert(
            0, (int(first, 16), int(last or first, 16), vr, name)
        )  # later lines override earlier ones, as in DCMTK
    return index


@functools.cache
def _private_index() -> dict[tuple[str, int], list[tuple[int, int, str, str]]]:
    return _parse_private_dictionary(PRIVATE_DICTIONARY_PATH.read_text(encoding="ascii"))


@functools.lru_cache(maxsize=8192)
def private_entry(tag: int, creator: str) -> tuple[str, str] | None:
    """(VR, name) of a private data element in DCMTK's ``private.dic``, or None."""
    group, element = tag >> 16, tag & 0xFFFF
    index = _private_index()
    for key in (element | 0x10000, element & 0xFF):
        for first, last, vr, name in index.get((creator, key), ()):
            if first <= group <= last and (group - first) % 2 == 0:
                return vr, name
    return None


def dictionary_entry(tag: int, creator: str | None) -> tuple[str, str] | None:
    """What DCMTK's dictionary says about a tag: (VR, name), None if it does not know it."""
    group, element = tag >> 16, tag & 0xFFFF
    if group % 2 and element > 0x00FF and group > 7:
        return private_entry(tag, creator) if creator is not None else None
    return public_entry(tag)


def tag_name(tag: int, creator: str | None = None) -> str:
    """The ``Name`` Orthanc shows for a tag."""
    patched = _ORTHANC_NAME_PATCHES.get(tag)
    if patched is not None:
        return patched
    entry = dictionary_entry(tag, creator)
    return UNKNOWN_TAG_NAME if entry is None else entry[1]


def format_tag(tag: int) -> str:
    """``0010,0010``: Orthanc's spelling of a tag (lower-case hex)."""
    return f"{tag >> 16:04x},{tag & 0xFFFF:04x}"


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


def _creator_of(tag: int, creators: dict[tuple[int, int], str]) -> str | None:
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


def _is_sequence(raw: RawDataElement | DataElement, creator: str | None) -> bool:
    if isinstance(raw, DataElement):
        return raw.VR == "SQ"
    if raw.VR == "SQ" or raw.length == 0xFFFFFFFF and raw.tag != PIXEL_DATA:
        return True
    return raw.is_implicit_VR and element_vr(raw, creator) == "SQ"


# --------------------------------------------------------------------------------------------
# Whole datasets
# --------------------------------------------------------------------------------------------


def _leaf_node(name: str, creator: str | None, value: str | None) -> dict[str, Any]:
    node: dict[str, Any] = {"Name": name}
    if creator is not None:
        node["PrivateCreator"] = creator
    if value is None:
        node["Type"], node["Value"] = "Null", None
    elif len(value.encode("utf-8")) > MAXIMUM_TAG_LENGTH:
        node["Type"], node["Value"] = "TooLong", None
    else:
        node["Type"], node["Value"] = "String", value
    return node


def _dataset_to_full(ds: Dataset, charset: Charset, top_level: bool) -> JsonTags:
    creators = private_creators(ds)
    result: JsonTags = {}
    for tag in sorted(ds.keys()):
        tag = int(tag)
        if top_level and tag >= PIXEL_DATA:
            if tag == PIXEL_DATA:
                result["7fe0,0010"] = {"Name": "PixelData", "Type": "Null", "Value": None}
            break  # Orthanc parses the file truncated where Pixel Data starts
        creator = _creator_of(tag, creators)
        raw = ds.get_item(tag)
        if _is_sequence(raw, creator):
            items = ds[tag].value or []
            result[format_tag(tag)] = {
                "Name": tag_name(tag, creator),
                "Type": "Sequence",
                "Value": [_dataset_to_full(item, charset, False) for item in items],
            }
        else:
            value = element_value(ds, tag, creator, charset)
            result[format_tag(tag)] = _leaf_node(tag_name(tag, creator), creator, value)
    return result


def full_tags(ds: Dataset) -> JsonTags:
    """``GET /instances/{id}/tags``: ``{"0010,0010": {"Name", "Type", "Value"}, ...}``.

    Sequence items use the top-level character set, as Orthanc does.
    """
    return _dataset_to_full(ds, Charset.of(ds), True)


def header_full_tags(ds: Dataset) -> JsonTags:
    """``GET /instances/{id}/header``: the file meta information, full format.

    Orthanc leaves out binary (e.g. FileMetaInformationVersion), private and unknown
    elements here, decodes as ASCII and never says TooLong.
    """
    meta = getattr(ds, "file_meta", None) or Dataset()
    result: JsonTags = {}
    for tag in sorted(meta.keys()):
        tag = int(tag)
        if (tag >> 16) % 2 or public_entry(tag) is None:
            continue
        if element_vr(meta.get_item(tag), None) in ("OB", "OW", "UN"):
            continue
        value = element_value(meta, tag, None, ASCII)
        node: dict[str, Any] = {"Name": tag_name(tag)}
        node["Type"], node["Value"] = ("Null", None) if value is None else ("String", value)
        result[format_tag(tag)] = node
    return result


def simplify(full: JsonTags, keys: Literal["name", "tag"] = "name") -> JsonTags:
    """``?simplify`` (keys are names) or ``?short`` (keys are tags) from the full format.

    As in Orthanc, null/TooLong/Binary all become null, and when two tags share a name (e.g.
    several ``PrivateCreator``) the last one in tag order wins.
    """
    result: JsonTags = {}
    for key in sorted(full):
        node = full[key]
        name = node["Name"] if keys == "name" else key
        kind = node["Type"]
        if kind == "String":
            result[name] = node["Value"]
        elif kind == "Sequence":
            result[name] = [simplify(item, keys) for item in node["Value"]]
        else:
            result[name] = None
    return result


def reformat(full: JsonTags, fmt: TagsFormat) -> JsonTags:
    """Full-format tags in the requested flavour."""
    return full if fmt == "full" else simplify(full, "name" if fmt == "simplify" else "tag")


def instance_tags(ds: Dataset, fmt: TagsFormat = "full") -> JsonTags:
    """``/instances/{id}/tags`` in the requested flavour (``simplified-tags`` = ``simplify``)."""
    return reformat(full_tags(ds), fmt)


def instance_header(ds: Dataset, fmt: TagsFormat = "full") -> JsonTags:
    """``/instances/{id}/header`` in the requested flavour."""
    return reformat(header_full_tags(ds), fmt)


def summary_value(ds: Dataset, tag: int) -> str | None:
    """Orthanc's stored value of a top-level tag (None if absent, null, binary or too long).

    This is what the index keeps as a main DICOM tag.
    """
    if tag not in ds:
        return None
    raw = ds.get_item(tag)
    creator = _creator_of(tag, private_creators(ds)) if (tag >> 16) % 2 else None
    if _is_sequence(raw, creator):
        return None
    value = element_value(ds, tag, creator, Charset.of(ds))
    if value is None or len(value.encode("utf-8")) > MAXIMUM_TAG_LENGTH:
        return None
    return value


# --------------------------------------------------------------------------------------------
# Data: DCMTK 3.6.7's dictionaries (BSD licensed, as shipped by Debian's libdcmtk17 in
# /usr/share/libdcmtk17), which Orthanc 1.10.1 loads. The public dictionary is pydicom's plus
# the differences below; the private dictionary is copied whole into ``dcmtk_private.txt``, one
# ``groups|creator|element|VR|name`` line per entry (``0019-0021`` is a range of odd groups).
# Regenerate from dicom.dic/private.dic if Orthanc ever links another DCMTK.
# --------------------------------------------------------------------------------------------

# Tags whose DCMTK name or presence differs from pydicom's dictionary.
_DCMTK_ONLY_OR_RENAMED: dict[int, tuple[str, str]] = {
    0x00060001: ("SQ", "CurrentFrameFunctionalGroupsSequence"),
    0x00280410: ("US", "RETIRED_RowsForNthOrderCoefficients"),
    0x00280411: ("US", "RETIRED_ColumnsForNthOrderCoefficients"),
    0x00280412: ("LO", "RETIRED_CoefficientCoding"),
    0x00280413: ("AT", "RETIRED_CoefficientCodingPointers"),
    0x00280800: ("CS", "RETIRED_CodeLabel"),
    0x00280802: ("US", "RETIRED_NumberOfTables"),
    0x00280803: ("AT", "RETIRED_CodeTableLocation"),
    0x00280804: ("US", "RETIRED_BitsForCodeWord"),
    0x00280808: ("AT", "RETIRED_ImageDataLocation"),
    0x00380004: ("SQ", "ReferencedPatientAliasSequence"),
    0x00701807: ("US", "WeightingLookupTableDescriptor"),
    0x00701808: ("OB", "WeightingLookupTableData"),
    0x10000010: ("US", "RETIRED_EscapeTriplet"),
    0x10000011: ("US", "RETIRED_RunLengthTriplet"),
    0x10000012: ("US", "RETIRED_HuffmanTableSize"),
    0x10000013: ("US", "RETIRED_HuffmanTableTriplet"),
    0x10000014: ("US", "RETIRED_ShiftTableSize"),
    0x10000015: ("US", "RETIRED_ShiftTableTriplet"),
    0x10100004: ("US", "RETIRED_ZonalMap"),
    0x30040010: ("SQ", "RTDoseROISequence"),
    0x30040012: ("DS", "DoseValue"),
    0x30060085: ("SH", "ROIObservationLabel"),
    0x30060088: ("ST", "ROIObservationDescription"),
    0x3008002B: ("SH", "TreatmentTerminationCode"),
    0x30100090: ("CS", "RoboticBaseLocationIndicator"),
}
_UNKNOWN_TO_DCMTK: frozenset[int] = frozenset(
    {
        0x0008001C,
        0x00080202,
        0x00080400,
        0x00080401,
        0x00080402,
        0x00080403,
        0x00080404,
        0x00080405,
        0x00080406,
        0x00080407,
        0x00080408,
        0x00080409,
        0x0008040A,
        0x0008040B,
        0x0008040C,
        0x0008040D,
        0x0008040E,
        0x0008040F,
        0x00080410,
        0x00080411,
        0x00080412,
        0x00080413,
        0x00080414,
        0x00080415,
        0x00080416,
        0x00080417,
        0x00080418,
        0x00080419,
        0x0008041A,
        0x0008041B,
        0x0008041C,
        0x0008041D,
        0x0008041E,
        0x0008041F,
        0x00080420,
        0x00080421,
        0x00080422,
        0x00080423,
        0x00080424,
        0x00080425,
        0x00080426,
        0x00080427,
        0x00080428,
        0x00080429,
        0x00081112,
        0x0008119B,
        0x00102161,
        0x00120022,
        0x00120023,
        0x00120032,
        0x00120041,
        0x00120043,
        0x00120054,
        0x00120055,
        0x00120073,
        0x00140200,
        0x00140201,
        0x00140202,
        0x00140203,
        0x00140204,
        0x00140205,
        0x00140206,
        0x00140207,
        0x00180061,
        0x00181204,
        0x00181205,
        0x00189445,
        0x00189821,
        0x00189822,
        0x00189823,
        0x00189824,
        0x00189825,
        0x00189826,
        0x00189828,
        0x00189829,
        0x0018982A,
        0x0018982B,
        0x0018982C,
        0x0018982D,
        0x0018982E,
        0x0018982F,
        0x00189830,
        0x00189831,
        0x00189832,
        0x00189833,
        0x00189834,
        0x00189835,
        0x00189836,
        0x0022000F,
        0x00280020,
        0x00283001,
        0x003A0317,
        0x003A0318,
        0x003A0319,
        0x003A0320,
        0x003A0321,
        0x003A0322,
        0x003A0323,
        0x003A0324,
        0x003A0325,
        0x003A0326,
        0x003A0327,
        0x003A0328,
        0x003A0329,
        0x003A032A,
        0x003A032B,
        0x003A032C,
        0x003A032D,
        0x003A032E,
        0x00480114,
        0x00480115,
        0x00480116,
        0x00480117,
        0x00700315,
        0x04000315,
        0x30020100,
        0x30020101,
        0x30020102,
        0x30020103,
        0x30020104,
        0x30020105,
        0x30020106,
        0x30020107,
        0x30020108,
        0x30020109,
        0x3002010A,
        0x3002010B,
        0x3002010C,
        0x3002010D,
        0x3002010E,
        0x3002010F,
        0x30020110,
        0x30020111,
        0x30020112,
        0x30020113,
        0x30020114,
        0x30020115,
        0x30020116,
        0x30020117,
        0x30020118,
        0x30020119,
        0x3002011A,
        0x3002011B,
        0x3002011C,
        0x3002011D,
        0x3002011E,
        0x3002011F,
        0x30020120,
        0x30020121,
        0x30020122,
        0x30020123,
        0x30020124,
        0x30020125,
        0x30020126,
        0x30020127,
        0x30020128,
        0x30020129,
        0x3002012A,
        0x3002012B,
        0x3002012C,
        0x3002012D,
        0x3002012E,
        0x3002012F,
        0x30020130,
        0x30020131,
        0x30020132,
        0x30020133,
        0x30020134,
        0x30020135,
        0x3006002D,
        0x3006002E,
        0x3006004B,
        0x3006004C,
        0x3006004D,
        0x3006004E,
        0x3006004F,
        0x300800A1,
        0x300800A2,
        0x300800A3,
        0x300800A4,
        0x300A0054,
        0x300A068B,
        0x300A0782,
        0x300A079F,
        0x300A07A0,
        0x300A07A1,
        0x300C0129,
        0x301000A0,
        0x7FE00003,
    }
)
_DCMTK_REPEATING: tuple[tuple[int, int, int, int, str, str], ...] = (
    (0x6000, 0x60FF, 0x0010, 0x0010, "US", "OverlayRows"),
    (0x6000, 0x60FF, 0x0011, 0x0011, "US", "OverlayColumns"),
    (0x6000, 0x60FF, 0x0015, 0x0015, "IS", "NumberOfFramesInOverlay"),
    (0x6000, 0x60FF, 0x0022, 0x0022, "LO", "OverlayDescription"),
    (0x6000, 0x60FF, 0x0040, 0x0040, "CS", "OverlayType"),
    (0x6000, 0x60FF, 0x0045, 0x0045, "LO", "OverlaySubtype"),
    (0x6000, 0x60FF, 0x0050, 0x0050, "SS", "OverlayOrigin"),
    (0x6000, 0x60FF, 0x0051, 0x0051, "US", "ImageFrameOrigin"),
    (0x6000, 0x60FF, 0x0100, 0x0100, "US", "OverlayBitsAllocated"),
    (0x6000, 0x60FF, 0x0102, 0x0102, "US", "OverlayBitPosition"),
    (0x6000, 0x60FF, 0x1001, 0x1001, "CS", "OverlayActivationLayer"),
    (0x6000, 0x60FF, 0x1301, 0x1301, "IS", "ROIArea"),
    (0x6000, 0x60FF, 0x1302, 0x1302, "DS", "ROIMean"),
    (0x6000, 0x60FF, 0x1303, 0x1303, "DS", "ROIStandardDeviation"),
    (0x6000, 0x60FF, 0x1500, 0x1500, "LO", "OverlayLabel"),
    (0x6000, 0x60FF, 0x3000, 0x3000, "ox", "OverlayData"),
    (0x0020, 0x0020, 0x3100, 0x31FF, "CS", "RETIRED_SourceImageIDs"),
    (0x5000, 0x50FF, 0x0005, 0x0005, "US", "RETIRED_CurveDimensions"),
    (0x5000, 0x50FF, 0x0010, 0x0010, "US", "RETIRED_NumberOfPoints"),
    (0x5000, 0x50FF, 0x0020, 0x0020, "CS", "RETIRED_TypeOfData"),
    (0x5000, 0x50FF, 0x0022, 0x0022, "LO", "RETIRED_CurveDescription"),
    (0x5000, 0x50FF, 0x0030, 0x0030, "SH", "RETIRED_AxisUnits"),
    (0x5000, 0x50FF, 0x0040, 0x0040, "SH", "RETIRED_AxisLabels"),
    (0x5000, 0x50FF, 0x0103, 0x0103, "US", "RETIRED_DataValueRepresentation"),
    (0x5000, 0x50FF, 0x0104, 0x0104, "US", "RETIRED_MinimumCoordinateValue"),
    (0x5000, 0x50FF, 0x0105, 0x0105, "US", "RETIRED_MaximumCoordinateValue"),
    (0x5000, 0x50FF, 0x0106, 0x0106, "SH", "RETIRED_CurveRange"),
    (0x5000, 0x50FF, 0x0110, 0x0110, "US", "RETIRED_CurveDataDescriptor"),
    (0x5000, 0x50FF, 0x0112, 0x0112, "US", "RETIRED_CoordinateStartValue"),
    (0x5000, 0x50FF, 0x0114, 0x0114, "US", "RETIRED_CoordinateStepValue"),
    (0x5000, 0x50FF, 0x1001, 0x1001, "CS", "RETIRED_CurveActivationLayer"),
    (0x5000, 0x50FF, 0x2000, 0x2000, "US", "RETIRED_AudioType"),
    (0x5000, 0x50FF, 0x2002, 0x2002, "US", "RETIRED_AudioSampleFormat"),
    (0x5000, 0x50FF, 0x2004, 0x2004, "US", "RETIRED_NumberOfChannels"),
    (0x5000, 0x50FF, 0x2006, 0x2006, "UL", "RETIRED_NumberOfSamples"),
    (0x5000, 0x50FF, 0x2008, 0x2008, "UL", "RETIRED_SampleRate"),
    (0x5000, 0x50FF, 0x200A, 0x200A, "UL", "RETIRED_TotalTime"),
    (0x5000, 0x50FF, 0x200C, 0x200C, "ox", "RETIRED_AudioSampleData"),
    (0x5000, 0x50FF, 0x200E, 0x200E, "LT", "RETIRED_AudioComments"),
    (0x5000, 0x50FF, 0x2500, 0x2500, "LO", "RETIRED_CurveLabel"),
    (0x5000, 0x50FF, 0x2600, 0x2600, "SQ", "RETIRED_CurveReferencedOverlaySequence"),
    (0x5000, 0x50FF, 0x2610, 0x2610, "US", "RETIRED_CurveReferencedOverlayGroup"),
    (0x5000, 0x50FF, 0x3000, 0x3000, "ox", "RETIRED_CurveData"),
    (0x6000, 0x60FF, 0x0012, 0x0012, "US", "RETIRED_OverlayPlanes"),
    (0x6000, 0x60FF, 0x0052, 0x0052, "US", "RETIRED_OverlayPlaneOrigin"),
    (0x6000, 0x60FF, 0x0060, 0x0060, "CS", "RETIRED_OverlayCompressionCode"),
    (0x6000, 0x60FF, 0x0061, 0x0061, "SH", "RETIRED_OverlayCompressionOriginator"),
    (0x6000, 0x60FF, 0x0062, 0x0062, "SH", "RETIRED_OverlayCompressionLabel"),
    (0x6000, 0x60FF, 0x0063, 0x0063, "CS", "RETIRED_OverlayCompressionDescription"),
    (0x6000, 0x60FF, 0x0066, 0x0066, "AT", "RETIRED_OverlayCompressionStepPointers"),
    (0x6000, 0x60FF, 0x0068, 0x0068, "US", "RETIRED_OverlayRepeatInterval"),
    (0x6000, 0x60FF, 0x0069, 0x0069, "US", "RETIRED_OverlayBitsGrouped"),
    (0x6000, 0x60FF, 0x0110, 0x0110, "CS", "RETIRED_OverlayFormat"),
    (0x6000, 0x60FF, 0x0200, 0x0200, "US", "RETIRED_OverlayLocation"),
    (0x6000, 0x60FF, 0x0800, 0x0800, "CS", "RETIRED_OverlayCodeLabel"),
    (0x6000, 0x60FF, 0x0802, 0x0802, "US", "RETIRED_OverlayNumberOfTables"),
    (0x6000, 0x60FF, 0x0803, 0x0803, "AT", "RETIRED_OverlayCodeTableLocation"),
    (0x6000, 0x60FF, 0x0804, 0x0804, "US", "RETIRED_OverlayBitsForCodeWord"),
    (0x6000, 0x60FF, 0x1100, 0x1100, "US", "RETIRED_OverlayDescriptorGray"),
    (0x6000, 0x60FF, 0x1101, 0x1101, "US", "RETIRED_OverlayDescriptorRed"),
    (0x6000, 0x60FF, 0x1102, 0x1102, "US", "RETIRED_OverlayDescriptorGreen"),
    (0x6000, 0x60FF, 0x1103, 0x1103, "US", "RETIRED_OverlayDescriptorBlue"),
    (0x6000, 0x60FF, 0x1200, 0x1200, "US", "RETIRED_OverlaysGray"),
    (0x6000, 0x60FF, 0x1201, 0x1201, "US", "RETIRED_OverlaysRed"),
    (0x6000, 0x60FF, 0x1202, 0x1202, "US", "RETIRED_OverlaysGreen"),
    (0x6000, 0x60FF, 0x1203, 0x1203, "US", "RETIRED_OverlaysBlue"),
    (0x6000, 0x60FF, 0x4000, 0x4000, "LT", "RETIRED_OverlayComments"),
    (0x7F00, 0x7FFF, 0x0010, 0x0010, "ox", "RETIRED_VariablePixelData"),
    (0x7F00, 0x7FFF, 0x0011, 0x0011, "US", "RETIRED_VariableNextDataGroup"),
    (0x7F00, 0x7FFF, 0x0020, 0x0020, "OW", "RETIRED_VariableCoefficientsSDVN"),
    (0x7F00, 0x7FFF, 0x0030, 0x0030, "OW", "RETIRED_VariableCoefficientsSDHN"),
    (0x7F00, 0x7FFF, 0x0040, 0x0040, "OW", "RETIRED_VariableCoefficientsSDDN"),
)
