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
from collections.abc import Iterator
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
UNKNOWN_TAG_NAME = "Unknown Tag & Data"
PIXEL_DATA = 0x7FE00010
SPECIFIC_CHARACTER_SET = 0x00080005

# The VRs DCMTK treats as character strings (DcmElement::isaString()).
STRING_VRS = frozenset(
    {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI",
     "UR", "UT"}
)
# struct format and size of the numeric VRs Orthanc prints as numbers.
NUMERIC_VRS = {"SS": "h", "US": "H", "SL": "i", "UL": "I", "FL": "f", "FD": "d"}


# --------------------------------------------------------------------------------------------
# Character sets
# --------------------------------------------------------------------------------------------

# DICOM defined terms -> Python codec, as Orthanc maps them (GetDicomEncoding). ``None`` is
# Orthanc's "Ascii" encoding, which drops every non-ASCII or control byte instead of decoding.
_CHARSETS: dict[str, str | None] = {
    "ISO_IR 6": None, "ISO 2022 IR 6": None,
    "ISO_IR 192": "utf-8",
    "ISO_IR 100": "iso8859_1", "ISO 2022 IR 100": "iso8859_1",
    "ISO_IR 101": "iso8859_2", "ISO 2022 IR 101": "iso8859_2",
    "ISO_IR 109": "iso8859_3", "ISO 2022 IR 109": "iso8859_3",
    "ISO_IR 110": "iso8859_4", "ISO 2022 IR 110": "iso8859_4",
    "ISO_IR 148": "iso8859_9", "ISO 2022 IR 148": "iso8859_9",
    "ISO_IR 144": "iso8859_5", "ISO 2022 IR 144": "iso8859_5",
    "ISO_IR 127": "iso8859_6", "ISO 2022 IR 127": "iso8859_6",
    "ISO_IR 126": "iso8859_7", "ISO 2022 IR 126": "iso8859_7",
    "ISO_IR 138": "iso8859_8", "ISO 2022 IR 138": "iso8859_8",
    "ISO_IR 166": "tis_620", "ISO 2022 IR 166": "tis_620",
    "ISO_IR 13": "shift_jis", "ISO 2022 IR 13": "shift_jis",
    "GB18030": "gb18030", "GBK": "gb18030",
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
    0x00080050: "AccessionNumber", 0x00080018: "SOPInstanceUID", 0x00100020: "PatientID",
    0x0020000E: "SeriesInstanceUID", 0x0020000D: "StudyInstanceUID", 0x7FE00010: "PixelData",
    0x00541330: "ImageIndex", 0x00200013: "InstanceNumber", 0x00540081: "NumberOfSlices",
    0x00280008: "NumberOfFrames", 0x00181090: "CardiacNumberOfImages",
    0x00201002: "ImagesInAcquisition", 0x00100010: "PatientName",
    0x00200032: "ImagePositionPatient", 0x00200037: "ImageOrientationPatient",
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
    """Index ``_DCMTK_PRIVATE`` by (creator, element): [(first group, last group, VR, name)].

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
    return _parse_private_dictionary(_DCMTK_PRIVATE)


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


def element_value(
    ds: Dataset, tag: int, creator: str | None, charset: Charset
) -> str | None:
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


def instance_tags(ds: Dataset, fmt: TagsFormat = "full") -> JsonTags:
    """``/instances/{id}/tags`` in the requested flavour (``simplified-tags`` = ``simplify``)."""
    full = full_tags(ds)
    return full if fmt == "full" else simplify(full, "name" if fmt == "simplify" else "tag")


def instance_header(ds: Dataset, fmt: TagsFormat = "full") -> JsonTags:
    """``/instances/{id}/header`` in the requested flavour."""
    full = header_full_tags(ds)
    return full if fmt == "full" else simplify(full, "name" if fmt == "simplify" else "tag")


def iter_leaf_values(ds: Dataset) -> Iterator[tuple[int, str | None]]:
    """Top-level leaf elements as (tag, Orthanc value or None), as in Orthanc's summary."""
    charset = Charset.of(ds)
    creators = private_creators(ds)
    for tag in sorted(ds.keys()):
        tag = int(tag)
        creator = _creator_of(tag, creators)
        if not _is_sequence(ds.get_item(tag), creator):
            yield tag, element_value(ds, tag, creator, charset)


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
# the differences below; the private dictionary is copied whole, one
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
_UNKNOWN_TO_DCMTK: frozenset[int] = frozenset({
    0x0008001C, 0x00080202, 0x00080400, 0x00080401, 0x00080402, 0x00080403, 0x00080404,
    0x00080405, 0x00080406, 0x00080407, 0x00080408, 0x00080409, 0x0008040A, 0x0008040B,
    0x0008040C, 0x0008040D, 0x0008040E, 0x0008040F, 0x00080410, 0x00080411, 0x00080412,
    0x00080413, 0x00080414, 0x00080415, 0x00080416, 0x00080417, 0x00080418, 0x00080419,
    0x0008041A, 0x0008041B, 0x0008041C, 0x0008041D, 0x0008041E, 0x0008041F, 0x00080420,
    0x00080421, 0x00080422, 0x00080423, 0x00080424, 0x00080425, 0x00080426, 0x00080427,
    0x00080428, 0x00080429, 0x00081112, 0x0008119B, 0x00102161, 0x00120022, 0x00120023,
    0x00120032, 0x00120041, 0x00120043, 0x00120054, 0x00120055, 0x00120073, 0x00140200,
    0x00140201, 0x00140202, 0x00140203, 0x00140204, 0x00140205, 0x00140206, 0x00140207,
    0x00180061, 0x00181204, 0x00181205, 0x00189445, 0x00189821, 0x00189822, 0x00189823,
    0x00189824, 0x00189825, 0x00189826, 0x00189828, 0x00189829, 0x0018982A, 0x0018982B,
    0x0018982C, 0x0018982D, 0x0018982E, 0x0018982F, 0x00189830, 0x00189831, 0x00189832,
    0x00189833, 0x00189834, 0x00189835, 0x00189836, 0x0022000F, 0x00280020, 0x00283001,
    0x003A0317, 0x003A0318, 0x003A0319, 0x003A0320, 0x003A0321, 0x003A0322, 0x003A0323,
    0x003A0324, 0x003A0325, 0x003A0326, 0x003A0327, 0x003A0328, 0x003A0329, 0x003A032A,
    0x003A032B, 0x003A032C, 0x003A032D, 0x003A032E, 0x00480114, 0x00480115, 0x00480116,
    0x00480117, 0x00700315, 0x04000315, 0x30020100, 0x30020101, 0x30020102, 0x30020103,
    0x30020104, 0x30020105, 0x30020106, 0x30020107, 0x30020108, 0x30020109, 0x3002010A,
    0x3002010B, 0x3002010C, 0x3002010D, 0x3002010E, 0x3002010F, 0x30020110, 0x30020111,
    0x30020112, 0x30020113, 0x30020114, 0x30020115, 0x30020116, 0x30020117, 0x30020118,
    0x30020119, 0x3002011A, 0x3002011B, 0x3002011C, 0x3002011D, 0x3002011E, 0x3002011F,
    0x30020120, 0x30020121, 0x30020122, 0x30020123, 0x30020124, 0x30020125, 0x30020126,
    0x30020127, 0x30020128, 0x30020129, 0x3002012A, 0x3002012B, 0x3002012C, 0x3002012D,
    0x3002012E, 0x3002012F, 0x30020130, 0x30020131, 0x30020132, 0x30020133, 0x30020134,
    0x30020135, 0x3006002D, 0x3006002E, 0x3006004B, 0x3006004C, 0x3006004D, 0x3006004E,
    0x3006004F, 0x300800A1, 0x300800A2, 0x300800A3, 0x300800A4, 0x300A0054, 0x300A068B,
    0x300A0782, 0x300A079F, 0x300A07A0, 0x300A07A1, 0x300C0129, 0x301000A0, 0x7FE00003,
})
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

# Private tags by creator (the complete private.dic).
_DCMTK_PRIVATE = """
0019|1.2.840.113681|10|ST|CRImageParamsCommon
0019|1.2.840.113681|11|ST|CRImageIPParamsSingle
0019|1.2.840.113681|12|ST|CRImageIPParamsLeft
0019|1.2.840.113681|13|ST|CRImageIPParamsRight
0087|1.2.840.113708.794.1.1.2.0|10|CS|MediaType
0087|1.2.840.113708.794.1.1.2.0|20|CS|MediaLocation
0087|1.2.840.113708.794.1.1.2.0|50|IS|EstimatedRetrieveTime
0009|ACUSON|00|IS|Unknown
0009|ACUSON|01|IS|Unknown
0009|ACUSON|02|UN|Unknown
0009|ACUSON|03|UN|Unknown
0009|ACUSON|04|UN|Unknown
0009|ACUSON|05|UN|Unknown
0009|ACUSON|06|UN|Unknown
0009|ACUSON|07|UN|Unknown
0009|ACUSON|08|LT|Unknown
0009|ACUSON|09|LT|Unknown
0009|ACUSON|0a|IS|Unknown
0009|ACUSON|0b|IS|Unknown
0009|ACUSON|0c|IS|Unknown
0009|ACUSON|0d|IS|Unknown
0009|ACUSON|0e|IS|Unknown
0009|ACUSON|0f|UN|Unknown
0009|ACUSON|10|IS|Unknown
0009|ACUSON|11|UN|Unknown
0009|ACUSON|12|IS|Unknown
0009|ACUSON|13|IS|Unknown
0009|ACUSON|14|LT|Unknown
0009|ACUSON|15|UN|Unknown
0003|AEGIS_DICOM_2.00|00|US|Unknown
0005|AEGIS_DICOM_2.00|00|US|Unknown
0009|AEGIS_DICOM_2.00|00|US|Unknown
0019|AEGIS_DICOM_2.00|00|US|Unknown
0029|AEGIS_DICOM_2.00|00|US|Unknown
1369|AEGIS_DICOM_2.00|00|US|Unknown
0009|AGFA|10|LO|Unknown
0009|AGFA|11|LO|Unknown
0009|AGFA|13|LO|Unknown
0009|AGFA|14|LO|Unknown
0009|AGFA|15|LO|Unknown
0031|AGFA PACS Archive Mirroring 1.0|00|CS|StudyStatus
0031|AGFA PACS Archive Mirroring 1.0|01|UL|DateTimeVerified
0029|CAMTRONICS IP|10|LT|Unknown
0029|CAMTRONICS IP|20|UN|Unknown
0029|CAMTRONICS IP|30|UN|Unknown
0029|CAMTRONICS IP|40|UN|Unknown
0029|CAMTRONICS|10|LT|Commentline
0029|CAMTRONICS|20|DS|EdgeEnhancementCoefficient
0029|CAMTRONICS|50|LT|SceneText
0029|CAMTRONICS|60|LT|ImageText
0029|CAMTRONICS|70|IS|PixelShiftHorizontal
0029|CAMTRONICS|80|IS|PixelShiftVertical
0029|CAMTRONICS|90|IS|Unknown
0009|CARDIO-D.R. 1.0|00|UL|FileLocation
0009|CARDIO-D.R. 1.0|01|UL|FileSize
0009|CARDIO-D.R. 1.0|40|SQ|AlternateImageSequence
0019|CARDIO-D.R. 1.0|00|CS|ImageBlankingShape
0019|CARDIO-D.R. 1.0|02|IS|ImageBlankingLeftVerticalEdge
0019|CARDIO-D.R. 1.0|04|IS|ImageBlankingRightVerticalEdge
0019|CARDIO-D.R. 1.0|06|IS|ImageBlankingUpperHorizontalEdge
0019|CARDIO-D.R. 1.0|08|IS|ImageBlankingLowerHorizontalEdge
0019|CARDIO-D.R. 1.0|10|IS|CenterOfCircularImageBlanking
0019|CARDIO-D.R. 1.0|12|IS|RadiusOfCircularImageBlanking
0019|CARDIO-D.R. 1.0|30|UL|MaximumImageFrameSize
0021|CARDIO-D.R. 1.0|13|IS|ImageSequenceNumber
0029|CARDIO-D.R. 1.0|00|SQ|EdgeEnhancementSequence
0029|CARDIO-D.R. 1.0|01|US|ConvolutionKernelSize
0029|CARDIO-D.R. 1.0|02|DS|ConvolutionKernelCoefficients
0029|CARDIO-D.R. 1.0|03|DS|EdgeEnhancementGain
0025|CMR42 CIRCLECVI|1010|LO|WorkspaceID
0025|CMR42 CIRCLECVI|1020|LO|WorkspaceTimeString
0025|CMR42 CIRCLECVI|1030|OB|WorkspaceStream
0009|DCMTK_ANONYMIZER|00|SQ|AnonymizerUIDMap
0009|DCMTK_ANONYMIZER|10|UI|AnonymizerUIDKey
0009|DCMTK_ANONYMIZER|20|UI|AnonymizerUIDValue
0009|DCMTK_ANONYMIZER|30|SQ|AnonymizerPatientIDMap
0009|DCMTK_ANONYMIZER|40|LO|AnonymizerPatientIDKey
0009|DCMTK_ANONYMIZER|50|LO|AnonymizerPatientIDValue
0019|DIDI TO PCR 1.1|22|UN|RouteAET
0019|DIDI TO PCR 1.1|23|DS|PCRPrintScale
0019|DIDI TO PCR 1.1|24|UN|PCRPrintJobEnd
0019|DIDI TO PCR 1.1|25|IS|PCRNoFilmCopies
0019|DIDI TO PCR 1.1|26|IS|PCRFilmLayoutPosition
0019|DIDI TO PCR 1.1|27|UN|PCRPrintReportName
0019|DIDI TO PCR 1.1|70|UN|RADProtocolPrinter
0019|DIDI TO PCR 1.1|71|UN|RADProtocolMedium
0019|DIDI TO PCR 1.1|90|LO|UnprocessedFlag
0019|DIDI TO PCR 1.1|91|UN|KeyValues
0019|DIDI TO PCR 1.1|92|UN|DestinationPostprocessingFunction
0019|DIDI TO PCR 1.1|a0|UN|Version
0019|DIDI TO PCR 1.1|a1|UN|RangingMode
0019|DIDI TO PCR 1.1|a2|UN|AbdomenBrightness
0019|DIDI TO PCR 1.1|a3|UN|FixedBrightness
0019|DIDI TO PCR 1.1|a4|UN|DetailContrast
0019|DIDI TO PCR 1.1|a5|UN|ContrastBalance
0019|DIDI TO PCR 1.1|a6|UN|StructureBoost
0019|DIDI TO PCR 1.1|a7|UN|StructurePreference
0019|DIDI TO PCR 1.1|a8|UN|NoiseRobustness
0019|DIDI TO PCR 1.1|a9|UN|NoiseDoseLimit
0019|DIDI TO PCR 1.1|aa|UN|NoiseDoseStep
0019|DIDI TO PCR 1.1|ab|UN|NoiseFrequencyLimit
0019|DIDI TO PCR 1.1|ac|UN|WeakContrastLimit
0019|DIDI TO PCR 1.1|ad|UN|StrongContrastLimit
0019|DIDI TO PCR 1.1|ae|UN|StructureBoostOffset
0019|DIDI TO PCR 1.1|af|UN|SmoothGain
0019|DIDI TO PCR 1.1|b0|UN|MeasureField1
0019|DIDI TO PCR 1.1|b1|UN|MeasureField2
0019|DIDI TO PCR 1.1|b2|UN|KeyPercentile1
0019|DIDI TO PCR 1.1|b3|UN|KeyPercentile2
0019|DIDI TO PCR 1.1|b4|UN|DensityLUT
0019|DIDI TO PCR 1.1|b5|UN|Brightness
0019|DIDI TO PCR 1.1|b6|UN|Gamma
0089|DIDI TO PCR 1.1|10|SQ|Unknown
0029|DIGISCAN IMAGE|31|US|Unknown
0029|DIGISCAN IMAGE|32|US|Unknown
0029|DIGISCAN IMAGE|33|LT|Unknown
0029|DIGISCAN IMAGE|34|LT|Unknown
7001-70ff|DLX_ANNOT_01|04|ST|TextAnnotation
7001-70ff|DLX_ANNOT_01|05|IS|Box
7001-70ff|DLX_ANNOT_01|07|IS|ArrowEnd
0015|DLX_EXAMS_01|01|DS|StenosisCalibrationRatio
0015|DLX_EXAMS_01|02|DS|StenosisMagnification
0015|DLX_EXAMS_01|03|DS|CardiacCalibrationRatio
6001-60ff|DLX_LKUP_01|01|US|GrayPaletteColorLookupTableDescriptor
6001-60ff|DLX_LKUP_01|02|US|GrayPaletteColorLookupTableData
0011|DLX_PATNT_01|01|LT|PatientDOB
0019|DLX_SERIE_01|01|DS|AngleValueLArm
0019|DLX_SERIE_01|02|DS|AngleValuePArm
0019|DLX_SERIE_01|03|DS|AngleValueCArm
0019|DLX_SERIE_01|04|CS|AngleLabelLArm
0019|DLX_SERIE_01|05|CS|AngleLabelPArm
0019|DLX_SERIE_01|06|CS|AngleLabelCArm
0019|DLX_SERIE_01|07|ST|ProcedureName
0019|DLX_SERIE_01|08|ST|ExamName
0019|DLX_SERIE_01|09|SH|PatientSize
0019|DLX_SERIE_01|0a|IS|RecordView
0019|DLX_SERIE_01|10|DS|InjectorDelay
0019|DLX_SERIE_01|11|CS|AutoInject
0019|DLX_SERIE_01|14|IS|AcquisitionMode
0019|DLX_SERIE_01|15|CS|CameraRotationEnabled
0019|DLX_SERIE_01|16|CS|ReverseSweep
0019|DLX_SERIE_01|17|IS|SpatialFilterStrength
0019|DLX_SERIE_01|18|IS|ZoomFactor
0019|DLX_SERIE_01|19|IS|XZoomCenter
0019|DLX_SERIE_01|1a|IS|YZoomCenter
0019|DLX_SERIE_01|1b|DS|Focus
0019|DLX_SERIE_01|1c|CS|Dose
0019|DLX_SERIE_01|1d|IS|SideMark
0019|DLX_SERIE_01|1e|IS|PercentageLandscape
0019|DLX_SERIE_01|1f|DS|ExposureDuration
00e1|ELSCINT1|01|US|DataDictionaryVersion
00e1|ELSCINT1|14|LT|Unknown
00e1|ELSCINT1|22|DS|Unknown
00e1|ELSCINT1|23|DS|Unknown
00e1|ELSCINT1|24|LT|Unknown
00e1|ELSCINT1|25|LT|Unknown
00e1|ELSCINT1|40|SH|OffsetFromCTMRImages
0601|ELSCINT1|00|SH|ImplementationVersion
0601|ELSCINT1|20|DS|RelativeTablePosition
0601|ELSCINT1|21|DS|RelativeTableHeight
0601|ELSCINT1|30|SH|SurviewDirection
0601|ELSCINT1|31|DS|SurviewLength
0601|ELSCINT1|50|SH|ImageViewType
0601|ELSCINT1|70|DS|BatchNumber
0601|ELSCINT1|71|DS|BatchSize
0601|ELSCINT1|72|DS|BatchSliceNumber
0009|FDMS 1.0|04|SH|ImageControlUnit
0009|FDMS 1.0|05|OW|ImageUID
0009|FDMS 1.0|06|OW|RouteImageUID
0009|FDMS 1.0|08|UL|ImageDisplayInformationVersionNo
0009|FDMS 1.0|09|UL|PatientInformationVersionNo
0009|FDMS 1.0|0c|OW|FilmUID
0009|FDMS 1.0|10|CS|ExposureUnitTypeCode
0009|FDMS 1.0|80|LO|KanjiHospitalName
0009|FDMS 1.0|90|ST|DistributionCode
0009|FDMS 1.0|92|SH|KanjiDepartmentName
0009|FDMS 1.0|f0|CS|BlackeningProcessFlag
0019|FDMS 1.0|15|LO|KanjiBodyPartForExposure
0019|FDMS 1.0|32|LO|KanjiMenuName
0019|FDMS 1.0|40|CS|ImageProcessingType
0019|FDMS 1.0|50|CS|EDRMode
0019|FDMS 1.0|60|SH|RadiographersCode
0019|FDMS 1.0|70|IS|SplitExposureFormat
0019|FDMS 1.0|71|IS|NoOfSplitExposureFrames
0019|FDMS 1.0|80|IS|ReadingPositionSpecification
0019|FDMS 1.0|81|IS|ReadingSensitivityCenter
0019|FDMS 1.0|90|SH|FilmAnnotationCharacterString1
0019|FDMS 1.0|91|SH|FilmAnnotationCharacterString2
0021|FDMS 1.0|10|CS|FCRImageID
0021|FDMS 1.0|30|CS|SetNo
0021|FDMS 1.0|40|IS|ImageNoInTheSet
0021|FDMS 1.0|50|CS|PairProcessingInformation
0021|FDMS 1.0|80|OB|EquipmentTypeSpecificInformation
0023|FDMS 1.0|10|SQ|Unknown
0023|FDMS 1.0|20|SQ|Unknown
0023|FDMS 1.0|30|SQ|Unknown
0025|FDMS 1.0|10|US|RelativeLightEmissionAmountSk
0025|FDMS 1.0|11|US|TermOfCorrectionForEachIPTypeSt
0025|FDMS 1.0|12|US|ReadingGainGp
0025|FDMS 1.0|13|US|Unknown
0025|FDMS 1.0|15|CS|Unknown
0025|FDMS 1.0|20|US|Unknown
0025|FDMS 1.0|21|US|Unknown
0025|FDMS 1.0|30|US|Unknown
0025|FDMS 1.0|31|SS|Unknown
0025|FDMS 1.0|32|US|Unknown
0025|FDMS 1.0|33|SS|Unknown
0025|FDMS 1.0|34|SS|Unknown
0025|FDMS 1.0|40|US|Unknown
0025|FDMS 1.0|41|US|Unknown
0025|FDMS 1.0|42|US|Unknown
0025|FDMS 1.0|43|US|Unknown
0025|FDMS 1.0|50|US|Unknown
0025|FDMS 1.0|51|US|Unknown
0025|FDMS 1.0|52|US|Unknown
0025|FDMS 1.0|53|US|Unknown
0025|FDMS 1.0|60|US|Unknown
0025|FDMS 1.0|61|US|Unknown
0025|FDMS 1.0|62|US|Unknown
0025|FDMS 1.0|63|CS|Unknown
0025|FDMS 1.0|70|US|Unknown
0025|FDMS 1.0|71|US|Unknown
0025|FDMS 1.0|72|US|Unknown
0025|FDMS 1.0|73|US|Unknown
0025|FDMS 1.0|74|US|Unknown
0025|FDMS 1.0|80|US|Unknown
0025|FDMS 1.0|81|US|Unknown
0025|FDMS 1.0|82|US|Unknown
0025|FDMS 1.0|83|US|Unknown
0025|FDMS 1.0|84|US|Unknown
0025|FDMS 1.0|90|US|Unknown
0025|FDMS 1.0|91|US|Unknown
0025|FDMS 1.0|92|US|Unknown
0025|FDMS 1.0|93|US|Unknown
0025|FDMS 1.0|94|US|Unknown
0025|FDMS 1.0|95|US|Unknown
0025|FDMS 1.0|96|CS|Unknown
0025|FDMS 1.0|a0|US|Unknown
0025|FDMS 1.0|a1|SS|Unknown
0025|FDMS 1.0|a2|US|Unknown
0025|FDMS 1.0|a3|SS|Unknown
0027|FDMS 1.0|10|SQ|Unknown
0027|FDMS 1.0|20|SQ|Unknown
0027|FDMS 1.0|30|SQ|Unknown
0027|FDMS 1.0|40|SQ|Unknown
0027|FDMS 1.0|50|SQ|Unknown
0027|FDMS 1.0|60|SQ|Unknown
0027|FDMS 1.0|70|SQ|Unknown
0027|FDMS 1.0|80|SQ|Unknown
0027|FDMS 1.0|a0|IS|Unknown
0027|FDMS 1.0|a1|CS|Unknown
0027|FDMS 1.0|a2|CS|Unknown
0027|FDMS 1.0|a3|SS|Unknown
0029|FDMS 1.0|20|CS|ImageScanningDirection
0029|FDMS 1.0|30|CS|ExtendedReadingSizeValue
0029|FDMS 1.0|34|US|MagnificationReductionRatio
0029|FDMS 1.0|44|CS|LineDensityCode
0029|FDMS 1.0|50|CS|DataCompressionCode
2011|FDMS 1.0|11|CS|ImagePositionSpecifyingFlag
50f1|FDMS 1.0|06|CS|EnergySubtractionParam
50f1|FDMS 1.0|07|CS|SubtractionRegistrationResult
50f1|FDMS 1.0|08|CS|EnergySubtractionParam2
50f1|FDMS 1.0|09|SL|AfinConversionCoefficient
50f1|FDMS 1.0|10|CS|FilmOutputFormat
50f1|FDMS 1.0|20|CS|ImageProcessingModificationFlag
0009|FFP DATA|01|UN|CRHeaderInformation
0019|GE ??? From Adantage Review CS|30|LO|CREDRMode
0019|GE ??? From Adantage Review CS|40|LO|CRLatitude
0019|GE ??? From Adantage Review CS|50|LO|CRGroupNumber
0019|GE ??? From Adantage Review CS|70|LO|CRImageSerialNumber
0019|GE ??? From Adantage Review CS|80|LO|CRBarCodeNumber
0019|GE ??? From Adantage Review CS|90|LO|CRFilmOutputExposures
0009|GEMS_ACQU_01|24|DS|Unknown
0009|GEMS_ACQU_01|25|US|Unknown
0009|GEMS_ACQU_01|3e|US|Unknown
0009|GEMS_ACQU_01|3f|US|Unknown
0009|GEMS_ACQU_01|42|US|Unknown
0009|GEMS_ACQU_01|43|US|Unknown
0009|GEMS_ACQU_01|f8|US|Unknown
0009|GEMS_ACQU_01|fb|IS|Unknown
0019|GEMS_ACQU_01|01|LT|Unknown
0019|GEMS_ACQU_01|02|SL|NumberOfCellsInDetector
0019|GEMS_ACQU_01|03|DS|CellNumberAtTheta
0019|GEMS_ACQU_01|04|DS|CellSpacing
0019|GEMS_ACQU_01|05|LT|Unknown
0019|GEMS_ACQU_01|06|UN|Unknown
0019|GEMS_ACQU_01|0e|US|Unknown
0019|GEMS_ACQU_01|0f|DS|HorizontalFrameOfReference
0019|GEMS_ACQU_01|11|SS|SeriesContrast
0019|GEMS_ACQU_01|12|SS|LastPseq
0019|GEMS_ACQU_01|13|SS|StartNumberForBaseline
0019|GEMS_ACQU_01|14|SS|EndNumberForBaseline
0019|GEMS_ACQU_01|15|SS|StartNumberForEnhancedScans
0019|GEMS_ACQU_01|16|SS|EndNumberForEnhancedScans
0019|GEMS_ACQU_01|17|SS|SeriesPlane
0019|GEMS_ACQU_01|18|LO|FirstScanRAS
0019|GEMS_ACQU_01|19|DS|FirstScanLocation
0019|GEMS_ACQU_01|1a|LO|LastScanRAS
0019|GEMS_ACQU_01|1b|DS|LastScanLocation
0019|GEMS_ACQU_01|1e|DS|DisplayFieldOfView
0019|GEMS_ACQU_01|20|DS|Unknown
0019|GEMS_ACQU_01|22|DS|Unknown
0019|GEMS_ACQU_01|23|DS|TableSpeed
0019|GEMS_ACQU_01|24|DS|MidScanTime
0019|GEMS_ACQU_01|25|SS|MidScanFlag
0019|GEMS_ACQU_01|26|SL|DegreesOfAzimuth
0019|GEMS_ACQU_01|27|DS|GantryPeriod
0019|GEMS_ACQU_01|2a|DS|XrayOnPosition
0019|GEMS_ACQU_01|2b|DS|XrayOffPosition
0019|GEMS_ACQU_01|2c|SL|NumberOfTriggers
0019|GEMS_ACQU_01|2d|US|Unknown
0019|GEMS_ACQU_01|2e|DS|AngleOfFirstView
0019|GEMS_ACQU_01|2f|DS|TriggerFrequency
0019|GEMS_ACQU_01|39|SS|ScanFOVType
0019|GEMS_ACQU_01|3a|IS|Unknown
0019|GEMS_ACQU_01|3b|LT|Unknown
0019|GEMS_ACQU_01|3c|UN|Unknown
0019|GEMS_ACQU_01|3e|UN|Unknown
0019|GEMS_ACQU_01|3f|UN|Unknown
0019|GEMS_ACQU_01|40|SS|StatReconFlag
0019|GEMS_ACQU_01|41|SS|ComputeType
0019|GEMS_ACQU_01|42|SS|SegmentNumber
0019|GEMS_ACQU_01|43|SS|TotalSegmentsRequested
0019|GEMS_ACQU_01|44|DS|InterscanDelay
0019|GEMS_ACQU_01|47|SS|ViewCompressionFactor
0019|GEMS_ACQU_01|48|US|Unknown
0019|GEMS_ACQU_01|49|US|Unknown
0019|GEMS_ACQU_01|4a|SS|TotalNumberOfRefChannels
0019|GEMS_ACQU_01|4b|SL|DataSizeForScanData
0019|GEMS_ACQU_01|52|SS|ReconPostProcessingFlag
0019|GEMS_ACQU_01|54|UN|Unknown
0019|GEMS_ACQU_01|57|SS|CTWaterNumber
0019|GEMS_ACQU_01|58|SS|CTBoneNumber
0019|GEMS_ACQU_01|5a|FL|AcquisitionDuration
0019|GEMS_ACQU_01|5d|US|Unknown
0019|GEMS_ACQU_01|5e|SL|NumberOfChannels1To512
0019|GEMS_ACQU_01|5f|SL|IncrementBetweenChannels
0019|GEMS_ACQU_01|60|SL|StartingView
0019|GEMS_ACQU_01|61|SL|NumberOfViews
0019|GEMS_ACQU_01|62|SL|IncrementBetweenViews
0019|GEMS_ACQU_01|6a|SS|DependantOnNumberOfViewsProcessed
0019|GEMS_ACQU_01|6b|SS|FieldOfViewInDetectorCells
0019|GEMS_ACQU_01|70|SS|ValueOfBackProjectionButton
0019|GEMS_ACQU_01|71|SS|SetIfFatqEstimatesWereUsed
0019|GEMS_ACQU_01|72|DS|ZChannelAvgOverViews
0019|GEMS_ACQU_01|73|DS|AvgOfLeftRefChannelsOverViews
0019|GEMS_ACQU_01|74|DS|MaxLeftChannelOverViews
0019|GEMS_ACQU_01|75|DS|AvgOfRightRefChannelsOverViews
0019|GEMS_ACQU_01|76|DS|MaxRightChannelOverViews
0019|GEMS_ACQU_01|7d|DS|SecondEcho
0019|GEMS_ACQU_01|7e|SS|NumberOfEchos
0019|GEMS_ACQU_01|7f|DS|TableDelta
0019|GEMS_ACQU_01|81|SS|Contiguous
0019|GEMS_ACQU_01|82|US|Unknown
0019|GEMS_ACQU_01|83|DS|Unknown
0019|GEMS_ACQU_01|84|DS|PeakSAR
0019|GEMS_ACQU_01|85|SS|MonitorSAR
0019|GEMS_ACQU_01|86|US|Unknown
0019|GEMS_ACQU_01|87|DS|CardiacRepetitionTime
0019|GEMS_ACQU_01|88|SS|ImagesPerCardiacCycle
0019|GEMS_ACQU_01|8a|SS|ActualReceiveGainAnalog
0019|GEMS_ACQU_01|8b|SS|ActualReceiveGainDigital
0019|GEMS_ACQU_01|8d|DS|DelayAfterTrigger
0019|GEMS_ACQU_01|8f|SS|SwapPhaseFrequency
0019|GEMS_ACQU_01|90|SS|PauseInterval
0019|GEMS_ACQU_01|91|DS|PulseTime
0019|GEMS_ACQU_01|92|SL|SliceOffsetOnFrequencyAxis
0019|GEMS_ACQU_01|93|DS|CenterFrequency
0019|GEMS_ACQU_01|94|SS|TransmitGain
0019|GEMS_ACQU_01|95|SS|AnalogReceiverGain
0019|GEMS_ACQU_01|96|SS|DigitalReceiverGain
0019|GEMS_ACQU_01|97|SL|BitmapDefiningCVs
0019|GEMS_ACQU_01|98|SS|CenterFrequencyMethod
0019|GEMS_ACQU_01|99|US|Unknown
0019|GEMS_ACQU_01|9b|SS|PulseSequenceMode
0019|GEMS_ACQU_01|9c|LO|PulseSequenceName
0019|GEMS_ACQU_01|9d|DT|PulseSequenceDate
0019|GEMS_ACQU_01|9e|LO|InternalPulseSequenceName
0019|GEMS_ACQU_01|9f|SS|TransmittingCoil
0019|GEMS_ACQU_01|a0|SS|SurfaceCoilType
0019|GEMS_ACQU_01|a1|SS|ExtremityCoilFlag
0019|GEMS_ACQU_01|a2|SL|RawDataRunNumber
0019|GEMS_ACQU_01|a3|UL|CalibratedFieldStrength
0019|GEMS_ACQU_01|a4|SS|SATFatWaterBone
0019|GEMS_ACQU_01|a5|DS|ReceiveBandwidth
0019|GEMS_ACQU_01|a7|DS|UserData0
0019|GEMS_ACQU_01|a8|DS|UserData1
0019|GEMS_ACQU_01|a9|DS|UserData2
0019|GEMS_ACQU_01|aa|DS|UserData3
0019|GEMS_ACQU_01|ab|DS|UserData4
0019|GEMS_ACQU_01|ac|DS|UserData5
0019|GEMS_ACQU_01|ad|DS|UserData6
0019|GEMS_ACQU_01|ae|DS|UserData7
0019|GEMS_ACQU_01|af|DS|UserData8
0019|GEMS_ACQU_01|b0|DS|UserData9
0019|GEMS_ACQU_01|b1|DS|UserData10
0019|GEMS_ACQU_01|b2|DS|UserData11
0019|GEMS_ACQU_01|b3|DS|UserData12
0019|GEMS_ACQU_01|b4|DS|UserData13
0019|GEMS_ACQU_01|b5|DS|UserData14
0019|GEMS_ACQU_01|b6|DS|UserData15
0019|GEMS_ACQU_01|b7|DS|UserData16
0019|GEMS_ACQU_01|b8|DS|UserData17
0019|GEMS_ACQU_01|b9|DS|UserData18
0019|GEMS_ACQU_01|ba|DS|UserData19
0019|GEMS_ACQU_01|bb|DS|UserData20
0019|GEMS_ACQU_01|bc|DS|UserData21
0019|GEMS_ACQU_01|bd|DS|UserData22
0019|GEMS_ACQU_01|be|DS|ProjectionAngle
0019|GEMS_ACQU_01|c0|SS|SaturationPlanes
0019|GEMS_ACQU_01|c1|SS|SurfaceCoilIntensityCorrectionFlag
0019|GEMS_ACQU_01|c2|SS|SATLocationR
0019|GEMS_ACQU_01|c3|SS|SATLocationL
0019|GEMS_ACQU_01|c4|SS|SATLocationA
0019|GEMS_ACQU_01|c5|SS|SATLocationP
0019|GEMS_ACQU_01|c6|SS|SATLocationH
0019|GEMS_ACQU_01|c7|SS|SATLocationF
0019|GEMS_ACQU_01|c8|SS|SATThicknessRL
0019|GEMS_ACQU_01|c9|SS|SATThicknessAP
0019|GEMS_ACQU_01|ca|SS|SATThicknessHF
0019|GEMS_ACQU_01|cb|SS|PrescribedFlowAxis
0019|GEMS_ACQU_01|cc|SS|VelocityEncoding
0019|GEMS_ACQU_01|cd|SS|ThicknessDisclaimer
0019|GEMS_ACQU_01|ce|SS|PrescanType
0019|GEMS_ACQU_01|cf|SS|PrescanStatus
0019|GEMS_ACQU_01|d0|SH|RawDataType
0019|GEMS_ACQU_01|d2|SS|ProjectionAlgorithm
0019|GEMS_ACQU_01|d3|SH|ProjectionAlgorithm
0019|GEMS_ACQU_01|d4|US|Unknown
0019|GEMS_ACQU_01|d5|SS|FractionalEcho
0019|GEMS_ACQU_01|d6|SS|PrepPulse
0019|GEMS_ACQU_01|d7|SS|CardiacPhases
0019|GEMS_ACQU_01|d8|SS|VariableEchoFlag
0019|GEMS_ACQU_01|d9|DS|ConcatenatedSAT
0019|GEMS_ACQU_01|da|SS|ReferenceChannelUsed
0019|GEMS_ACQU_01|db|DS|BackProjectorCoefficient
0019|GEMS_ACQU_01|dc|SS|PrimarySpeedCorrectionUsed
0019|GEMS_ACQU_01|dd|SS|OverrangeCorrectionUsed
0019|GEMS_ACQU_01|de|DS|DynamicZAlphaValue
0019|GEMS_ACQU_01|df|DS|UserData23
0019|GEMS_ACQU_01|e0|DS|UserData24
0019|GEMS_ACQU_01|e1|DS|Unknown
0019|GEMS_ACQU_01|e2|DS|VelocityEncodeScale
0019|GEMS_ACQU_01|e3|LT|Unknown
0019|GEMS_ACQU_01|e4|LT|Unknown
0019|GEMS_ACQU_01|e5|IS|Unknown
0019|GEMS_ACQU_01|e6|US|Unknown
0019|GEMS_ACQU_01|e8|DS|Unknown
0019|GEMS_ACQU_01|e9|DS|Unknown
0019|GEMS_ACQU_01|eb|DS|Unknown
0019|GEMS_ACQU_01|ec|US|Unknown
0019|GEMS_ACQU_01|f0|UN|Unknown
0019|GEMS_ACQU_01|f1|LT|Unknown
0019|GEMS_ACQU_01|f2|SS|FastPhases
0019|GEMS_ACQU_01|f3|LT|Unknown
0019|GEMS_ACQU_01|f4|LT|Unknown
0019|GEMS_ACQU_01|f9|DS|TransmitGain
0023|GEMS_ACRQA_1.0 BLOCK1|00|LO|CRExposureMenuCode
0023|GEMS_ACRQA_1.0 BLOCK1|10|LO|CRExposureMenuString
0023|GEMS_ACRQA_1.0 BLOCK1|20|LO|CREDRMode
0023|GEMS_ACRQA_1.0 BLOCK1|30|LO|CRLatitude
0023|GEMS_ACRQA_1.0 BLOCK1|40|LO|CRGroupNumber
0023|GEMS_ACRQA_1.0 BLOCK1|50|US|CRImageSerialNumber
0023|GEMS_ACRQA_1.0 BLOCK1|60|LO|CRBarCodeNumber
0023|GEMS_ACRQA_1.0 BLOCK1|70|LO|CRFilmOutputExposure
0023|GEMS_ACRQA_1.0 BLOCK1|80|LO|CRFilmFormat
0023|GEMS_ACRQA_1.0 BLOCK1|90|LO|CRSShiftString
0023|GEMS_ACRQA_1.0 BLOCK2|00|US|CRSShift
0023|GEMS_ACRQA_1.0 BLOCK2|10|DS|CRCShift
0023|GEMS_ACRQA_1.0 BLOCK2|20|DS|CRGT
0023|GEMS_ACRQA_1.0 BLOCK2|30|DS|CRGA
0023|GEMS_ACRQA_1.0 BLOCK2|40|DS|CRGC
0023|GEMS_ACRQA_1.0 BLOCK2|50|DS|CRGS
0023|GEMS_ACRQA_1.0 BLOCK2|60|DS|CRRT
0023|GEMS_ACRQA_1.0 BLOCK2|70|DS|CRRE
0023|GEMS_ACRQA_1.0 BLOCK2|80|US|CRRN
0023|GEMS_ACRQA_1.0 BLOCK2|90|DS|CRDRT
0023|GEMS_ACRQA_1.0 BLOCK3|00|DS|CRDRE
0023|GEMS_ACRQA_1.0 BLOCK3|10|US|CRDRN
0023|GEMS_ACRQA_1.0 BLOCK3|20|DS|CRORE
0023|GEMS_ACRQA_1.0 BLOCK3|30|US|CRORN
0023|GEMS_ACRQA_1.0 BLOCK3|40|US|CRORD
0023|GEMS_ACRQA_1.0 BLOCK3|50|LO|CRCassetteSize
0023|GEMS_ACRQA_1.0 BLOCK3|60|LO|CRMachineID
0023|GEMS_ACRQA_1.0 BLOCK3|70|LO|CRMachineType
0023|GEMS_ACRQA_1.0 BLOCK3|80|LO|CRTechnicianCode
0023|GEMS_ACRQA_1.0 BLOCK3|90|LO|CREnergySubtractionParameters
0023|GEMS_ACRQA_2.0 BLOCK1|00|LO|CRExposureMenuCode
0023|GEMS_ACRQA_2.0 BLOCK1|10|LO|CRExposureMenuString
0023|GEMS_ACRQA_2.0 BLOCK1|20|LO|CREDRMode
0023|GEMS_ACRQA_2.0 BLOCK1|30|LO|CRLatitude
0023|GEMS_ACRQA_2.0 BLOCK1|40|LO|CRGroupNumber
0023|GEMS_ACRQA_2.0 BLOCK1|50|US|CRImageSerialNumber
0023|GEMS_ACRQA_2.0 BLOCK1|60|LO|CRBarCodeNumber
0023|GEMS_ACRQA_2.0 BLOCK1|70|LO|CRFilmOutputExposure
0023|GEMS_ACRQA_2.0 BLOCK1|80|LO|CRFilmFormat
0023|GEMS_ACRQA_2.0 BLOCK1|90|LO|CRSShiftString
0023|GEMS_ACRQA_2.0 BLOCK2|00|US|CRSShift
0023|GEMS_ACRQA_2.0 BLOCK2|10|LO|CRCShift
0023|GEMS_ACRQA_2.0 BLOCK2|20|LO|CRGT
0023|GEMS_ACRQA_2.0 BLOCK2|30|DS|CRGA
0023|GEMS_ACRQA_2.0 BLOCK2|40|DS|CRGC
0023|GEMS_ACRQA_2.0 BLOCK2|50|DS|CRGS
0023|GEMS_ACRQA_2.0 BLOCK2|60|LO|CRRT
0023|GEMS_ACRQA_2.0 BLOCK2|70|DS|CRRE
0023|GEMS_ACRQA_2.0 BLOCK2|80|US|CRRN
0023|GEMS_ACRQA_2.0 BLOCK2|90|DS|CRDRT
0023|GEMS_ACRQA_2.0 BLOCK3|00|DS|CRDRE
0023|GEMS_ACRQA_2.0 BLOCK3|10|US|CRDRN
0023|GEMS_ACRQA_2.0 BLOCK3|20|DS|CRORE
0023|GEMS_ACRQA_2.0 BLOCK3|30|US|CRORN
0023|GEMS_ACRQA_2.0 BLOCK3|40|US|CRORD
0023|GEMS_ACRQA_2.0 BLOCK3|50|LO|CRCassetteSize
0023|GEMS_ACRQA_2.0 BLOCK3|60|LO|CRMachineID
0023|GEMS_ACRQA_2.0 BLOCK3|70|LO|CRMachineType
0023|GEMS_ACRQA_2.0 BLOCK3|80|LO|CRTechnicianCode
0023|GEMS_ACRQA_2.0 BLOCK3|90|LO|CREnergySubtractionParameters
0023|GEMS_ACRQA_2.0 BLOCK3|f0|LO|CRDistributionCode
0023|GEMS_ACRQA_2.0 BLOCK3|ff|US|CRShuttersApplied
0047|GEMS_ADWSoft_3D1|01|SQ|ReconstructionParametersSequence
0047|GEMS_ADWSoft_3D1|50|UL|VolumeVoxelCount
0047|GEMS_ADWSoft_3D1|51|UL|VolumeSegmentCount
0047|GEMS_ADWSoft_3D1|53|US|VolumeSliceSize
0047|GEMS_ADWSoft_3D1|54|US|VolumeSliceCount
0047|GEMS_ADWSoft_3D1|55|SL|VolumeThresholdValue
0047|GEMS_ADWSoft_3D1|57|DS|VolumeVoxelRatio
0047|GEMS_ADWSoft_3D1|58|DS|VolumeVoxelSize
0047|GEMS_ADWSoft_3D1|59|US|VolumeZPositionSize
0047|GEMS_ADWSoft_3D1|60|DS|VolumeBaseLine
0047|GEMS_ADWSoft_3D1|61|DS|VolumeCenterPoint
0047|GEMS_ADWSoft_3D1|63|SL|VolumeSkewBase
0047|GEMS_ADWSoft_3D1|64|DS|VolumeRegistrationTransformRotationMatrix
0047|GEMS_ADWSoft_3D1|65|DS|VolumeRegistrationTransformTranslationVector
0047|GEMS_ADWSoft_3D1|70|DS|KVPList
0047|GEMS_ADWSoft_3D1|71|IS|XRayTubeCurrentList
0047|GEMS_ADWSoft_3D1|72|IS|ExposureList
0047|GEMS_ADWSoft_3D1|80|LO|AcquisitionDLXIdentifier
0047|GEMS_ADWSoft_3D1|85|SQ|AcquisitionDLX2DSeriesSequence
0047|GEMS_ADWSoft_3D1|89|DS|ContrastAgentVolumeList
0047|GEMS_ADWSoft_3D1|8a|US|NumberOfInjections
0047|GEMS_ADWSoft_3D1|8b|US|FrameCount
0047|GEMS_ADWSoft_3D1|91|LO|XA3DReconstructionAlgorithmName
0047|GEMS_ADWSoft_3D1|92|CS|XA3DReconstructionAlgorithmVersion
0047|GEMS_ADWSoft_3D1|93|DA|DLXCalibrationDate
0047|GEMS_ADWSoft_3D1|94|TM|DLXCalibrationTime
0047|GEMS_ADWSoft_3D1|95|CS|DLXCalibrationStatus
0047|GEMS_ADWSoft_3D1|96|IS|UsedFrames
0047|GEMS_ADWSoft_3D1|98|US|TransformCount
0047|GEMS_ADWSoft_3D1|99|SQ|TransformSequence
0047|GEMS_ADWSoft_3D1|9a|DS|TransformRotationMatrix
0047|GEMS_ADWSoft_3D1|9b|DS|TransformTranslationVector
0047|GEMS_ADWSoft_3D1|9c|LO|TransformLabel
0047|GEMS_ADWSoft_3D1|b0|SQ|WireframeList
0047|GEMS_ADWSoft_3D1|b1|US|WireframeCount
0047|GEMS_ADWSoft_3D1|b2|US|LocationSystem
0047|GEMS_ADWSoft_3D1|b5|LO|WireframeName
0047|GEMS_ADWSoft_3D1|b6|LO|WireframeGroupName
0047|GEMS_ADWSoft_3D1|b7|LO|WireframeColor
0047|GEMS_ADWSoft_3D1|b8|SL|WireframeAttributes
0047|GEMS_ADWSoft_3D1|b9|SL|WireframePointCount
0047|GEMS_ADWSoft_3D1|ba|SL|WireframeTimestamp
0047|GEMS_ADWSoft_3D1|bb|SQ|WireframePointList
0047|GEMS_ADWSoft_3D1|bc|DS|WireframePointsCoordinates
0047|GEMS_ADWSoft_3D1|c0|DS|VolumeUpperLeftHighCornerRAS
0047|GEMS_ADWSoft_3D1|c1|DS|VolumeSliceToRASRotationMatrix
0047|GEMS_ADWSoft_3D1|c2|DS|VolumeUpperLeftHighCornerTLOC
0047|GEMS_ADWSoft_3D1|d1|OB|VolumeSegmentList
0047|GEMS_ADWSoft_3D1|d2|OB|VolumeGradientList
0047|GEMS_ADWSoft_3D1|d3|OB|VolumeDensityList
0047|GEMS_ADWSoft_3D1|d4|OB|VolumeZPositionList
0047|GEMS_ADWSoft_3D1|d5|OB|VolumeOriginalIndexList
0039|GEMS_ADWSoft_DPO|80|IS|PrivateEntityNumber
0039|GEMS_ADWSoft_DPO|85|DA|PrivateEntityDate
0039|GEMS_ADWSoft_DPO|90|TM|PrivateEntityTime
0039|GEMS_ADWSoft_DPO|95|LO|PrivateEntityLaunchCommand
0039|GEMS_ADWSoft_DPO|aa|CS|PrivateEntityType
0033|GEMS_CTHD_01|02|UN|Unknown
0037|GEMS_DRS_1|10|LO|ReferringDepartment
0037|GEMS_DRS_1|20|US|ScreenNumber
0037|GEMS_DRS_1|40|SH|LeftOrientation
0037|GEMS_DRS_1|42|SH|RightOrientation
0037|GEMS_DRS_1|50|CS|Inversion
0037|GEMS_DRS_1|60|US|DSA
0009|GEMS_GENIE_1|10|LO|Unknown
0009|GEMS_GENIE_1|11|SL|StudyFlags
0009|GEMS_GENIE_1|12|SL|StudyType
0009|GEMS_GENIE_1|1e|UI|Unknown
0009|GEMS_GENIE_1|20|LO|Unknown
0009|GEMS_GENIE_1|21|SL|SeriesFlags
0009|GEMS_GENIE_1|22|SH|UserOrientation
0009|GEMS_GENIE_1|23|SL|InitiationType
0009|GEMS_GENIE_1|24|SL|InitiationDelay
0009|GEMS_GENIE_1|25|SL|InitiationCountRate
0009|GEMS_GENIE_1|26|SL|NumberEnergySets
0009|GEMS_GENIE_1|27|SL|NumberDetectors
0009|GEMS_GENIE_1|29|SL|Unknown
0009|GEMS_GENIE_1|2a|SL|Unknown
0009|GEMS_GENIE_1|2c|LO|SeriesComments
0009|GEMS_GENIE_1|2d|SL|TrackBeatAverage
0009|GEMS_GENIE_1|2e|FD|DistancePrescribed
0009|GEMS_GENIE_1|30|LO|Unknown
0009|GEMS_GENIE_1|35|SL|GantryLocusType
0009|GEMS_GENIE_1|37|SL|StartingHeartRate
0009|GEMS_GENIE_1|38|SL|RRWindowWidth
0009|GEMS_GENIE_1|39|SL|RRWindowOffset
0009|GEMS_GENIE_1|3a|SL|PercentCycleImaged
0009|GEMS_GENIE_1|40|LO|Unknown
0009|GEMS_GENIE_1|41|SL|PatientFlags
0009|GEMS_GENIE_1|42|DA|PatientCreationDate
0009|GEMS_GENIE_1|43|TM|PatientCreationTime
0011|GEMS_GENIE_1|0a|SL|SeriesType
0011|GEMS_GENIE_1|0b|SL|EffectiveSeriesDuration
0011|GEMS_GENIE_1|0c|SL|NumBeats
0011|GEMS_GENIE_1|0d|LO|RadioNuclideName
0011|GEMS_GENIE_1|10|LO|Unknown
0011|GEMS_GENIE_1|12|LO|DatasetName
0011|GEMS_GENIE_1|13|SL|DatasetType
0011|GEMS_GENIE_1|15|SL|DetectorNumber
0011|GEMS_GENIE_1|16|SL|EnergyNumber
0011|GEMS_GENIE_1|17|SL|RRIntervalWindowNumber
0011|GEMS_GENIE_1|18|SL|MGBinNumber
0011|GEMS_GENIE_1|19|FD|RadiusOfRotation
0011|GEMS_GENIE_1|1a|SL|DetectorCountZone
0011|GEMS_GENIE_1|1b|SL|NumEnergyWindows
0011|GEMS_GENIE_1|1c|SL|EnergyOffset
0011|GEMS_GENIE_1|1d|SL|EnergyRange
0011|GEMS_GENIE_1|1f|SL|ImageOrientation
0011|GEMS_GENIE_1|23|SL|UseFOVMask
0011|GEMS_GENIE_1|24|SL|FOVMaskYCutoffAngle
0011|GEMS_GENIE_1|25|SL|FOVMaskCutoffAngle
0011|GEMS_GENIE_1|26|SL|TableOrientation
0011|GEMS_GENIE_1|27|SL|ROITopLeft
0011|GEMS_GENIE_1|28|SL|ROIBottomRight
0011|GEMS_GENIE_1|30|LO|Unknown
0011|GEMS_GENIE_1|33|LO|EnergyCorrectName
0011|GEMS_GENIE_1|34|LO|SpatialCorrectName
0011|GEMS_GENIE_1|35|LO|TuningCalibName
0011|GEMS_GENIE_1|36|LO|UniformityCorrectName
0011|GEMS_GENIE_1|37|LO|AcquisitionSpecificCorrectName
0011|GEMS_GENIE_1|38|SL|ByteOrder
0011|GEMS_GENIE_1|3a|SL|PictureFormat
0011|GEMS_GENIE_1|3b|FD|PixelScale
0011|GEMS_GENIE_1|3c|FD|PixelOffset
0011|GEMS_GENIE_1|3e|SL|FOVShape
0011|GEMS_GENIE_1|3f|SL|DatasetFlags
0011|GEMS_GENIE_1|44|FD|ThresholdCenter
0011|GEMS_GENIE_1|45|FD|ThresholdWidth
0011|GEMS_GENIE_1|46|SL|InterpolationType
0011|GEMS_GENIE_1|55|FD|Period
0011|GEMS_GENIE_1|56|FD|ElapsedTime
0013|GEMS_GENIE_1|10|FD|DigitalFOV
0013|GEMS_GENIE_1|11|SL|Unknown
0013|GEMS_GENIE_1|12|SL|Unknown
0013|GEMS_GENIE_1|16|SL|AutoTrackPeak
0013|GEMS_GENIE_1|17|SL|AutoTrackWidth
0013|GEMS_GENIE_1|18|FD|TransmissionScanTime
0013|GEMS_GENIE_1|19|FD|TransmissionMaskWidth
0013|GEMS_GENIE_1|1a|FD|CopperAttenuatorThickness
0013|GEMS_GENIE_1|1c|FD|Unknown
0013|GEMS_GENIE_1|1d|FD|Unknown
0013|GEMS_GENIE_1|1e|FD|TomoViewOffset
0013|GEMS_GENIE_1|26|LT|StudyComments
0033|GEMS_GNHD_01|01|UN|Unknown
0033|GEMS_GNHD_01|02|UN|Unknown
0009|GEMS_IDEN_01|01|LO|FullFidelity
0009|GEMS_IDEN_01|02|SH|SuiteId
0009|GEMS_IDEN_01|04|SH|ProductId
0009|GEMS_IDEN_01|17|LT|Unknown
0009|GEMS_IDEN_01|1a|US|Unknown
0009|GEMS_IDEN_01|20|US|Unknown
0009|GEMS_IDEN_01|27|SL|ImageActualDate
0009|GEMS_IDEN_01|2f|LT|Unknown
0009|GEMS_IDEN_01|30|SH|ServiceId
0009|GEMS_IDEN_01|31|SH|MobileLocationNumber
0009|GEMS_IDEN_01|e2|LT|Unknown
0009|GEMS_IDEN_01|e3|UI|EquipmentUID
0009|GEMS_IDEN_01|e6|SH|GenesisVersionNow
0009|GEMS_IDEN_01|e7|UL|ExamRecordChecksum
0009|GEMS_IDEN_01|e8|UL|Unknown
0009|GEMS_IDEN_01|e9|SL|ActualSeriesDataTimeStamp
0027|GEMS_IMAG_01|06|SL|ImageArchiveFlag
0027|GEMS_IMAG_01|10|SS|ScoutType
0027|GEMS_IMAG_01|1c|SL|VmaMamp
0027|GEMS_IMAG_01|1d|SS|VmaPhase
0027|GEMS_IMAG_01|1e|SL|VmaMod
0027|GEMS_IMAG_01|1f|SL|VmaClip
0027|GEMS_IMAG_01|20|SS|SmartScanOnOffFlag
0027|GEMS_IMAG_01|30|SH|ForeignImageRevision
0027|GEMS_IMAG_01|31|SS|ImagingMode
0027|GEMS_IMAG_01|32|SS|PulseSequence
0027|GEMS_IMAG_01|33|SL|ImagingOptions
0027|GEMS_IMAG_01|35|SS|PlaneType
0027|GEMS_IMAG_01|36|SL|ObliquePlane
0027|GEMS_IMAG_01|40|SH|RASLetterOfImageLocation
0027|GEMS_IMAG_01|41|FL|ImageLocation
0027|GEMS_IMAG_01|42|FL|CenterRCoordOfPlaneImage
0027|GEMS_IMAG_01|43|FL|CenterACoordOfPlaneImage
0027|GEMS_IMAG_01|44|FL|CenterSCoordOfPlaneImage
0027|GEMS_IMAG_01|45|FL|NormalRCoord
0027|GEMS_IMAG_01|46|FL|NormalACoord
0027|GEMS_IMAG_01|47|FL|NormalSCoord
0027|GEMS_IMAG_01|48|FL|RCoordOfTopRightCorner
0027|GEMS_IMAG_01|49|FL|ACoordOfTopRightCorner
0027|GEMS_IMAG_01|4a|FL|SCoordOfTopRightCorner
0027|GEMS_IMAG_01|4b|FL|RCoordOfBottomRightCorner
0027|GEMS_IMAG_01|4c|FL|ACoordOfBottomRightCorner
0027|GEMS_IMAG_01|4d|FL|SCoordOfBottomRightCorner
0027|GEMS_IMAG_01|50|FL|TableStartLocation
0027|GEMS_IMAG_01|51|FL|TableEndLocation
0027|GEMS_IMAG_01|52|SH|RASLetterForSideOfImage
0027|GEMS_IMAG_01|53|SH|RASLetterForAnteriorPosterior
0027|GEMS_IMAG_01|54|SH|RASLetterForScoutStartLoc
0027|GEMS_IMAG_01|55|SH|RASLetterForScoutEndLoc
0027|GEMS_IMAG_01|60|FL|ImageDimensionX
0027|GEMS_IMAG_01|61|FL|ImageDimensionY
0027|GEMS_IMAG_01|62|FL|NumberOfExcitations
0029|GEMS_IMPS_01|04|SL|LowerRangeOfPixels
0029|GEMS_IMPS_01|05|DS|LowerRangeOfPixels
0029|GEMS_IMPS_01|06|DS|LowerRangeOfPixels
0029|GEMS_IMPS_01|07|SL|LowerRangeOfPixels
0029|GEMS_IMPS_01|08|SH|LowerRangeOfPixels
0029|GEMS_IMPS_01|09|SH|LowerRangeOfPixels
0029|GEMS_IMPS_01|0a|SS|LowerRangeOfPixels
0029|GEMS_IMPS_01|15|SL|LowerRangeOfPixels
0029|GEMS_IMPS_01|16|SL|LowerRangeOfPixels
0029|GEMS_IMPS_01|17|SL|LowerRangeOfPixels
0029|GEMS_IMPS_01|18|SL|UpperRangeOfPixels
0029|GEMS_IMPS_01|1a|SL|LengthOfTotalHeaderInBytes
0029|GEMS_IMPS_01|26|SS|VersionOfHeaderStructure
0029|GEMS_IMPS_01|34|SL|AdvantageCompOverflow
0029|GEMS_IMPS_01|35|SL|AdvantageCompUnderflow
0043|GEMS_PARM_01|01|SS|BitmapOfPrescanOptions
0043|GEMS_PARM_01|02|SS|GradientOffsetInX
0043|GEMS_PARM_01|03|SS|GradientOffsetInY
0043|GEMS_PARM_01|04|SS|GradientOffsetInZ
0043|GEMS_PARM_01|05|SS|ImageIsOriginalOrUnoriginal
0043|GEMS_PARM_01|06|SS|NumberOfEPIShots
0043|GEMS_PARM_01|07|SS|ViewsPerSegment
0043|GEMS_PARM_01|08|SS|RespiratoryRateInBPM
0043|GEMS_PARM_01|09|SS|RespiratoryTriggerPoint
0043|GEMS_PARM_01|0a|SS|TypeOfReceiverUsed
0043|GEMS_PARM_01|0b|DS|PeakRateOfChangeOfGradientField
0043|GEMS_PARM_01|0c|DS|LimitsInUnitsOfPercent
0043|GEMS_PARM_01|0d|DS|PSDEstimatedLimit
0043|GEMS_PARM_01|0e|DS|PSDEstimatedLimitInTeslaPerSecond
0043|GEMS_PARM_01|0f|DS|SARAvgHead
0043|GEMS_PARM_01|10|US|WindowValue
0043|GEMS_PARM_01|11|US|TotalInputViews
0043|GEMS_PARM_01|12|SS|XrayChain
0043|GEMS_PARM_01|13|SS|ReconKernelParameters
0043|GEMS_PARM_01|14|SS|CalibrationParameters
0043|GEMS_PARM_01|15|SS|TotalOutputViews
0043|GEMS_PARM_01|16|SS|NumberOfOverranges
0043|GEMS_PARM_01|17|DS|IBHImageScaleFactors
0043|GEMS_PARM_01|18|DS|BBHCoefficients
0043|GEMS_PARM_01|19|SS|NumberOfBBHChainsToBlend
0043|GEMS_PARM_01|1a|SL|StartingChannelNumber
0043|GEMS_PARM_01|1b|SS|PPScanParameters
0043|GEMS_PARM_01|1c|SS|GEImageIntegrity
0043|GEMS_PARM_01|1d|SS|LevelValue
0043|GEMS_PARM_01|1e|DS|DeltaStartTime
0043|GEMS_PARM_01|1f|SL|MaxOverrangesInAView
0043|GEMS_PARM_01|20|DS|AvgOverrangesAllViews
0043|GEMS_PARM_01|21|SS|CorrectedAfterglowTerms
0043|GEMS_PARM_01|25|SS|ReferenceChannels
0043|GEMS_PARM_01|26|US|NoViewsRefChannelsBlocked
0043|GEMS_PARM_01|27|SH|ScanPitchRatio
0043|GEMS_PARM_01|28|OB|UniqueImageIdentifier
0043|GEMS_PARM_01|29|OB|HistogramTables
0043|GEMS_PARM_01|2a|OB|UserDefinedData
0043|GEMS_PARM_01|2b|SS|PrivateScanOptions
0043|GEMS_PARM_01|2c|SS|EffectiveEchoSpacing
0043|GEMS_PARM_01|2d|SH|StringSlopField1
0043|GEMS_PARM_01|2e|SH|StringSlopField2
0043|GEMS_PARM_01|2f|SS|RawDataType
0043|GEMS_PARM_01|30|SS|RawDataType
0043|GEMS_PARM_01|31|DS|RACoordOfTargetReconCentre
0043|GEMS_PARM_01|32|SS|RawDataType
0043|GEMS_PARM_01|33|FL|NegScanSpacing
0043|GEMS_PARM_01|34|IS|OffsetFrequency
0043|GEMS_PARM_01|35|UL|UserUsageTag
0043|GEMS_PARM_01|36|UL|UserFillMapMSW
0043|GEMS_PARM_01|37|UL|UserFillMapLSW
0043|GEMS_PARM_01|38|FL|User25ToUser48
0043|GEMS_PARM_01|39|IS|SlopInteger6ToSlopInteger9
0043|GEMS_PARM_01|40|FL|TriggerOnPosition
0043|GEMS_PARM_01|41|FL|DegreeOfRotation
0043|GEMS_PARM_01|42|SL|DASTriggerSource
0043|GEMS_PARM_01|43|SL|DASFpaGain
0043|GEMS_PARM_01|44|SL|DASOutputSource
0043|GEMS_PARM_01|45|SL|DASAdInput
0043|GEMS_PARM_01|46|SL|DASCalMode
0043|GEMS_PARM_01|47|SL|DASCalFrequency
0043|GEMS_PARM_01|48|SL|DASRegXm
0043|GEMS_PARM_01|49|SL|DASAutoZero
0043|GEMS_PARM_01|4a|SS|StartingChannelOfView
0043|GEMS_PARM_01|4b|SL|DASXmPattern
0043|GEMS_PARM_01|4c|SS|TGGCTriggerMode
0043|GEMS_PARM_01|4d|FL|StartScanToXrayOnDelay
0043|GEMS_PARM_01|4e|FL|DurationOfXrayOn
0043|GEMS_PARM_01|60|IS|SlopInteger10ToSlopInteger17
0043|GEMS_PARM_01|61|UI|ScannerStudyEntityUID
0043|GEMS_PARM_01|62|SH|ScannerStudyID
0043|GEMS_PARM_01|6f|DS|ScannerTableEntry
0043|GEMS_PARM_01|70|LO|ParadigmName
0043|GEMS_PARM_01|71|ST|ParadigmDescription
0043|GEMS_PARM_01|72|UI|ParadigmUID
0043|GEMS_PARM_01|73|US|ExperimentType
0043|GEMS_PARM_01|74|US|NumberOfRestVolumes
0043|GEMS_PARM_01|75|US|NumberOfActiveVolumes
0043|GEMS_PARM_01|76|US|NumberOfDummyScans
0043|GEMS_PARM_01|77|SH|ApplicationName
0043|GEMS_PARM_01|78|SH|ApplicationVersion
0043|GEMS_PARM_01|79|US|SlicesPerVolume
0043|GEMS_PARM_01|7a|US|ExpectedTimePoints
0043|GEMS_PARM_01|7b|FL|RegressorValues
0043|GEMS_PARM_01|7c|FL|DelayAfterSliceGroup
0043|GEMS_PARM_01|7d|US|ReconModeFlagWord
0043|GEMS_PARM_01|7e|LO|PACCSpecificInformation
0043|GEMS_PARM_01|7f|DS|EDWIScaleFactor
0043|GEMS_PARM_01|80|LO|CoilIDData
0043|GEMS_PARM_01|81|LO|GECoilName
0043|GEMS_PARM_01|82|LO|SystemConfigurationInformation
0043|GEMS_PARM_01|83|DS|AssetRFactors
0043|GEMS_PARM_01|84|LO|AdditionalAssetData
0043|GEMS_PARM_01|85|UT|DebugDataTextFormat
0043|GEMS_PARM_01|86|OB|DebugDataBinaryFormat
0043|GEMS_PARM_01|87|UT|ScannerSoftwareVersionLongForm
0043|GEMS_PARM_01|88|UI|PUREAcquisitionCalibrationSeriesUID
0043|GEMS_PARM_01|89|LO|GoverningBodydBdtAndSARDefinition
0043|GEMS_PARM_01|8a|CS|PrivateInPlanePhaseEncodingDirection
0043|GEMS_PARM_01|8b|OB|FMRIBinaryDataBlock
0043|GEMS_PARM_01|8c|DS|VoxelLocation
0043|GEMS_PARM_01|8d|DS|SATBandLocations
0043|GEMS_PARM_01|8e|DS|SpectroPrescanValues
0043|GEMS_PARM_01|8f|DS|SpectroParameters
0043|GEMS_PARM_01|90|LO|SARDefinition
0043|GEMS_PARM_01|91|DS|SARValue
0043|GEMS_PARM_01|92|LO|ImageErrorText
0043|GEMS_PARM_01|93|DS|SpectroQuantitationValues
0043|GEMS_PARM_01|94|DS|SpectroRatioValues
0043|GEMS_PARM_01|95|LO|PrescanReuseString
0043|GEMS_PARM_01|96|CS|ContentQualification
0043|GEMS_PARM_01|97|LO|ImageFilteringParameters
0043|GEMS_PARM_01|98|UI|ASSETAcquisitionCalibrationSeriesUID
0043|GEMS_PARM_01|99|LO|ExtendedOptions
0043|GEMS_PARM_01|9a|IS|RxStackIdentification
0043|GEMS_PARM_01|9b|DS|NPWFactor
0043|GEMS_PARM_01|9c|OB|ResearchTag1
0043|GEMS_PARM_01|9d|OB|ResearchTag2
0043|GEMS_PARM_01|9e|OB|ResearchTag3
0043|GEMS_PARM_01|9f|OB|ResearchTag4
0011|GEMS_PATI_01|10|SS|PatientStatus
0021|GEMS_RELA_01|03|SS|SeriesFromWhichPrescribed
0021|GEMS_RELA_01|05|SH|GenesisVersionNow
0021|GEMS_RELA_01|07|UL|SeriesRecordChecksum
0021|GEMS_RELA_01|15|US|Unknown
0021|GEMS_RELA_01|16|SS|Unknown
0021|GEMS_RELA_01|18|SH|GenesisVersionNow
0021|GEMS_RELA_01|19|UL|AcqReconRecordChecksum
0021|GEMS_RELA_01|20|DS|TableStartLocation
0021|GEMS_RELA_01|35|SS|SeriesFromWhichPrescribed
0021|GEMS_RELA_01|36|SS|ImageFromWhichPrescribed
0021|GEMS_RELA_01|37|SS|ScreenFormat
0021|GEMS_RELA_01|4a|LO|AnatomicalReferenceForScout
0021|GEMS_RELA_01|4e|US|Unknown
0021|GEMS_RELA_01|4f|SS|LocationsInAcquisition
0021|GEMS_RELA_01|50|SS|GraphicallyPrescribed
0021|GEMS_RELA_01|51|DS|RotationFromSourceXRot
0021|GEMS_RELA_01|52|DS|RotationFromSourceYRot
0021|GEMS_RELA_01|53|DS|RotationFromSourceZRot
0021|GEMS_RELA_01|54|SH|ImagePosition
0021|GEMS_RELA_01|55|SH|ImageOrientation
0021|GEMS_RELA_01|56|SL|IntegerSlop
0021|GEMS_RELA_01|57|SL|IntegerSlop
0021|GEMS_RELA_01|58|SL|IntegerSlop
0021|GEMS_RELA_01|59|SL|IntegerSlop
0021|GEMS_RELA_01|5a|SL|IntegerSlop
0021|GEMS_RELA_01|5b|DS|FloatSlop
0021|GEMS_RELA_01|5c|DS|FloatSlop
0021|GEMS_RELA_01|5d|DS|FloatSlop
0021|GEMS_RELA_01|5e|DS|FloatSlop
0021|GEMS_RELA_01|5f|DS|FloatSlop
0021|GEMS_RELA_01|70|LT|Unknown
0021|GEMS_RELA_01|71|LT|Unknown
0021|GEMS_RELA_01|81|DS|AutoWindowLevelAlpha
0021|GEMS_RELA_01|82|DS|AutoWindowLevelBeta
0021|GEMS_RELA_01|83|DS|AutoWindowLevelWindow
0021|GEMS_RELA_01|84|DS|AutoWindowLevelLevel
0021|GEMS_RELA_01|90|SS|TubeFocalSpotPosition
0021|GEMS_RELA_01|91|SS|BiopsyPosition
0021|GEMS_RELA_01|92|FL|BiopsyTLocation
0021|GEMS_RELA_01|93|FL|BiopsyRefLocation
0045|GEMS_SENO_02|04|CS|AES
0045|GEMS_SENO_02|06|DS|Angulation
0045|GEMS_SENO_02|09|DS|RealMagnificationFactor
0045|GEMS_SENO_02|0b|CS|SenographType
0045|GEMS_SENO_02|0c|DS|IntegrationTime
0045|GEMS_SENO_02|0d|DS|ROIOriginXY
0045|GEMS_SENO_02|11|DS|ReceptorSizeCmXY
0045|GEMS_SENO_02|12|IS|ReceptorSizePixelsXY
0045|GEMS_SENO_02|13|ST|Screen
0045|GEMS_SENO_02|14|DS|PixelPitchMicrons
0045|GEMS_SENO_02|15|IS|PixelDepthBits
0045|GEMS_SENO_02|16|IS|BinningFactorXY
0045|GEMS_SENO_02|1b|CS|ClinicalView
0045|GEMS_SENO_02|1d|DS|MeanOfRawGrayLevels
0045|GEMS_SENO_02|1e|DS|MeanOfOffsetGrayLevels
0045|GEMS_SENO_02|1f|DS|MeanOfCorrectedGrayLevels
0045|GEMS_SENO_02|20|DS|MeanOfRegionGrayLevels
0045|GEMS_SENO_02|21|DS|MeanOfLogRegionGrayLevels
0045|GEMS_SENO_02|22|DS|StandardDeviationOfRawGrayLevels
0045|GEMS_SENO_02|23|DS|StandardDeviationOfCorrectedGrayLevels
0045|GEMS_SENO_02|24|DS|StandardDeviationOfRegionGrayLevels
0045|GEMS_SENO_02|25|DS|StandardDeviationOfLogRegionGrayLevels
0045|GEMS_SENO_02|26|OB|MAOBuffer
0045|GEMS_SENO_02|27|IS|SetNumber
0045|GEMS_SENO_02|28|CS|WindowingType
0045|GEMS_SENO_02|29|DS|WindowingParameters
0045|GEMS_SENO_02|2a|IS|CrosshairCursorXCoordinates
0045|GEMS_SENO_02|2b|IS|CrosshairCursorYCoordinates
0045|GEMS_SENO_02|39|US|VignetteRows
0045|GEMS_SENO_02|3a|US|VignetteColumns
0045|GEMS_SENO_02|3b|US|VignetteBitsAllocated
0045|GEMS_SENO_02|3c|US|VignetteBitsStored
0045|GEMS_SENO_02|3d|US|VignetteHighBit
0045|GEMS_SENO_02|3e|US|VignettePixelRepresentation
0045|GEMS_SENO_02|3f|OB|VignettePixelData
0025|GEMS_SERS_01|06|SS|LastPulseSequenceUsed
0025|GEMS_SERS_01|07|SL|ImagesInSeries
0025|GEMS_SERS_01|10|SL|LandmarkCounter
0025|GEMS_SERS_01|11|SS|NumberOfAcquisitions
0025|GEMS_SERS_01|14|SL|IndicatesNumberOfUpdatesToHeader
0025|GEMS_SERS_01|17|SL|SeriesCompleteFlag
0025|GEMS_SERS_01|18|SL|NumberOfImagesArchived
0025|GEMS_SERS_01|19|SL|LastImageNumberUsed
0025|GEMS_SERS_01|1a|SH|PrimaryReceiverSuiteAndHost
0023|GEMS_STDY_01|01|SL|NumberOfSeriesInStudy
0023|GEMS_STDY_01|02|SL|NumberOfUnarchivedSeries
0023|GEMS_STDY_01|10|SS|ReferenceImageField
0023|GEMS_STDY_01|50|SS|SummaryImage
0023|GEMS_STDY_01|70|FD|StartTimeSecsInFirstAxial
0023|GEMS_STDY_01|74|SL|NumberOfUpdatesToHeader
0023|GEMS_STDY_01|7d|SS|IndicatesIfStudyHasCompleteInfo
7fe1|GEMS_Ultrasound_MovieGroup_001|1060|px|IllegalPrivatePixelSequence
0033|GEMS_YMHD_01|05|UN|Unknown
0033|GEMS_YMHD_01|06|UN|Unknown
0019|GE_GENESIS_REV3.0|39|SS|AxialType
0019|GE_GENESIS_REV3.0|8f|SS|SwapPhaseFrequency
0019|GE_GENESIS_REV3.0|9c|SS|PulseSequenceName
0019|GE_GENESIS_REV3.0|9f|SS|CoilType
0019|GE_GENESIS_REV3.0|a4|SS|SATFatWaterBone
0019|GE_GENESIS_REV3.0|c0|SS|BitmapOfSATSelections
0019|GE_GENESIS_REV3.0|c1|SS|SurfaceCoilIntensityCorrectionFlag
0019|GE_GENESIS_REV3.0|cb|SS|PhaseContrastFlowAxis
0019|GE_GENESIS_REV3.0|cc|SS|PhaseContrastVelocityEncoding
0019|GE_GENESIS_REV3.0|d5|SS|FractionalEcho
0019|GE_GENESIS_REV3.0|d8|SS|VariableEchoFlag
0019|GE_GENESIS_REV3.0|d9|DS|ConcatenatedSat
0019|GE_GENESIS_REV3.0|f2|SS|NumberOfPhases
0043|GE_GENESIS_REV3.0|1e|DS|DeltaStartTime
0043|GE_GENESIS_REV3.0|27|SH|ScanPitchRatio
0029|INTELERAD MEDICAL SYSTEMS|01|FD|ImageCompressionFraction
0029|INTELERAD MEDICAL SYSTEMS|02|FD|ImageQuality
0029|INTELERAD MEDICAL SYSTEMS|03|FD|ImageBytesTransferred
0029|INTELERAD MEDICAL SYSTEMS|10|SH|J2cParameterType
0029|INTELERAD MEDICAL SYSTEMS|11|US|J2cPixelRepresentation
0029|INTELERAD MEDICAL SYSTEMS|12|US|J2cBitsAllocated
0029|INTELERAD MEDICAL SYSTEMS|13|US|J2cPixelShiftValue
0029|INTELERAD MEDICAL SYSTEMS|14|US|J2cPlanarConfiguration
0029|INTELERAD MEDICAL SYSTEMS|15|DS|J2cRescaleIntercept
0029|INTELERAD MEDICAL SYSTEMS|20|LO|PixelDataMD5SumPerFrame
0029|INTELERAD MEDICAL SYSTEMS|21|US|HistogramPercentileLabels
0029|INTELERAD MEDICAL SYSTEMS|22|FD|HistogramPercentileValues
3f01|INTELERAD MEDICAL SYSTEMS|01|LO|InstitutionCode
3f01|INTELERAD MEDICAL SYSTEMS|02|LO|RoutedTransferAE
3f01|INTELERAD MEDICAL SYSTEMS|03|LO|SourceAE
3f01|INTELERAD MEDICAL SYSTEMS|04|SH|DeferredValidation
3f01|INTELERAD MEDICAL SYSTEMS|05|LO|SeriesOwner
3f01|INTELERAD MEDICAL SYSTEMS|06|LO|OrderGroupNumber
3f01|INTELERAD MEDICAL SYSTEMS|07|SH|StrippedPixelData
3f01|INTELERAD MEDICAL SYSTEMS|08|SH|PendingMoveRequest
0041|INTEGRIS 1.0|20|FL|AccumulatedFluoroscopyDose
0041|INTEGRIS 1.0|30|FL|AccumulatedExposureDose
0041|INTEGRIS 1.0|40|FL|TotalDose
0041|INTEGRIS 1.0|41|FL|TotalNumberOfFrames
0041|INTEGRIS 1.0|50|SQ|ExposureInformationSequence
0009|INTEGRIS 1.0|08|CS|ExposureChannel
0009|INTEGRIS 1.0|32|TM|ExposureStartTime
0019|INTEGRIS 1.0|00|LO|APRName
0019|INTEGRIS 1.0|40|DS|FrameRate
0021|INTEGRIS 1.0|12|IS|ExposureNumber
0029|INTEGRIS 1.0|08|IS|NumberOfExposureResults
0029|ISG shadow|70|IS|Unknown
0029|ISG shadow|80|IS|Unknown
0029|ISG shadow|90|IS|Unknown
0009|ISI|01|UN|SIENETGeneralPurposeIMGEF
0009|MERGE TECHNOLOGIES, INC.|00|OB|Unknown
0029|OCULUS Optikgeraete GmbH|1010|OB|OriginalMeasuringData
0029|OCULUS Optikgeraete GmbH|1012|UL|OriginalMeasuringDataLength
0029|OCULUS Optikgeraete GmbH|1020|OB|OriginalMeasuringRawData
0029|OCULUS Optikgeraete GmbH|1022|UL|OriginalMeasuringRawDataLength
0041|PAPYRUS 3.0|00|LT|PapyrusComments
0041|PAPYRUS 3.0|10|SQ|PointerSequence
0041|PAPYRUS 3.0|11|UL|ImagePointer
0041|PAPYRUS 3.0|12|UL|PixelOffset
0041|PAPYRUS 3.0|13|SQ|ImageIdentifierSequence
0041|PAPYRUS 3.0|14|SQ|ExternalFileReferenceSequence
0041|PAPYRUS 3.0|15|US|NumberOfImages
0041|PAPYRUS 3.0|21|UI|ReferencedSOPClassUID
0041|PAPYRUS 3.0|22|UI|ReferencedSOPInstanceUID
0041|PAPYRUS 3.0|31|LT|ReferencedFileName
0041|PAPYRUS 3.0|32|LT|ReferencedFilePath
0041|PAPYRUS 3.0|41|UI|ReferencedImageSOPClassUID
0041|PAPYRUS 3.0|42|UI|ReferencedImageSOPInstanceUID
0041|PAPYRUS 3.0|50|SQ|ImageSequence
6001-60ff|PAPYRUS 3.0|00|IS|OverlayID
6001-60ff|PAPYRUS 3.0|01|LT|LinkedOverlays
6001-60ff|PAPYRUS 3.0|10|US|OverlayRows
6001-60ff|PAPYRUS 3.0|11|US|OverlayColumns
6001-60ff|PAPYRUS 3.0|40|LO|OverlayType
6001-60ff|PAPYRUS 3.0|50|US|OverlayOrigin
6001-60ff|PAPYRUS 3.0|60|LO|Editable
6001-60ff|PAPYRUS 3.0|70|LO|OverlayFont
6001-60ff|PAPYRUS 3.0|72|LO|OverlayStyle
6001-60ff|PAPYRUS 3.0|74|US|OverlayFontSize
6001-60ff|PAPYRUS 3.0|76|LO|OverlayColor
6001-60ff|PAPYRUS 3.0|78|US|ShadowSize
6001-60ff|PAPYRUS 3.0|80|LO|FillPattern
6001-60ff|PAPYRUS 3.0|82|US|OverlayPenSize
6001-60ff|PAPYRUS 3.0|a0|LO|Label
6001-60ff|PAPYRUS 3.0|a2|LT|PostItText
6001-60ff|PAPYRUS 3.0|a4|US|AnchorPoint
6001-60ff|PAPYRUS 3.0|b0|LO|ROIType
6001-60ff|PAPYRUS 3.0|b2|LT|AttachedAnnotation
6001-60ff|PAPYRUS 3.0|ba|US|ContourPoints
6001-60ff|PAPYRUS 3.0|bc|US|MaskData
6001-60ff|PAPYRUS 3.0|c0|SQ|UINOverlaySequence
0009|PAPYRUS|00|LT|OriginalFileName
0009|PAPYRUS|10|LT|OriginalFileLocation
0009|PAPYRUS|18|LT|DataSetIdentifier
0041|PAPYRUS|00|LT|PapyrusComments
0041|PAPYRUS|10|US|FolderType
0041|PAPYRUS|11|LT|PatientFolderDataSetID
0041|PAPYRUS|20|LT|FolderName
0041|PAPYRUS|30|DA|CreationDate
0041|PAPYRUS|32|TM|CreationTime
0041|PAPYRUS|34|DA|ModifiedDate
0041|PAPYRUS|36|TM|ModifiedTime
0041|PAPYRUS|40|LT|OwnerName
0041|PAPYRUS|50|LT|FolderStatus
0041|PAPYRUS|60|UL|NumberOfImages
0041|PAPYRUS|62|UL|NumberOfOther
0041|PAPYRUS|a0|LT|ExternalFolderElementDSID
0041|PAPYRUS|a1|US|ExternalFolderElementDataSetType
0041|PAPYRUS|a2|LT|ExternalFolderElementFileLocation
0041|PAPYRUS|a3|UL|ExternalFolderElementLength
0041|PAPYRUS|b0|LT|InternalFolderElementDSID
0041|PAPYRUS|b1|US|InternalFolderElementDataSetType
0041|PAPYRUS|b2|UL|InternalOffsetToDataSet
0041|PAPYRUS|b3|UL|InternalOffsetToImage
2001|Philips Imaging DD 001|01|FL|ChemicalShift
2001|Philips Imaging DD 001|02|IS|ChemicalShiftNumberMR
2001|Philips Imaging DD 001|03|FL|DiffusionBFactor
2001|Philips Imaging DD 001|04|CS|DiffusionDirection
2001|Philips Imaging DD 001|06|CS|ImageEnhanced
2001|Philips Imaging DD 001|07|CS|ImageTypeEDES
2001|Philips Imaging DD 001|08|IS|PhaseNumber
2001|Philips Imaging DD 001|09|FL|ImagePrepulseDelay
2001|Philips Imaging DD 001|0a|IS|SliceNumberMR
2001|Philips Imaging DD 001|0b|CS|SliceOrientation
2001|Philips Imaging DD 001|0c|CS|ArrhythmiaRejection
2001|Philips Imaging DD 001|0e|CS|CardiacCycled
2001|Philips Imaging DD 001|0f|SS|CardiacGateWidth
2001|Philips Imaging DD 001|10|CS|CardiacSync
2001|Philips Imaging DD 001|11|FL|DiffusionEchoTime
2001|Philips Imaging DD 001|12|CS|DynamicSeries
2001|Philips Imaging DD 001|13|SL|EPIFactor
2001|Philips Imaging DD 001|14|SL|NumberOfEchoes
2001|Philips Imaging DD 001|15|SS|NumberOfLocations
2001|Philips Imaging DD 001|16|SS|NumberOfPCDirections
2001|Philips Imaging DD 001|17|SL|NumberOfPhasesMR
2001|Philips Imaging DD 001|18|SL|NumberOfSlicesMR
2001|Philips Imaging DD 001|19|CS|PartialMatrixScanned
2001|Philips Imaging DD 001|1a|FL|PCVelocity
2001|Philips Imaging DD 001|1b|FL|PrepulseDelay
2001|Philips Imaging DD 001|1c|CS|PrepulseType
2001|Philips Imaging DD 001|1d|IS|ReconstructionNumberMR
2001|Philips Imaging DD 001|1f|CS|RespirationSync
2001|Philips Imaging DD 001|20|LO|ScanningTechnique
2001|Philips Imaging DD 001|21|CS|SPIR
2001|Philips Imaging DD 001|22|FL|WaterFatShift
2001|Philips Imaging DD 001|23|DS|FlipAnglePhilips
2001|Philips Imaging DD 001|24|CS|SeriesIsInteractive
2001|Philips Imaging DD 001|25|SH|EchoTimeDisplayMR
2001|Philips Imaging DD 001|26|CS|PresentationStateSubtractionActive
2001|Philips Imaging DD 001|2d|SS|StackNumberOfSlices
2001|Philips Imaging DD 001|32|FL|StackRadialAngle
2001|Philips Imaging DD 001|33|CS|StackRadialAxis
2001|Philips Imaging DD 001|35|SS|StackSliceNumber
2001|Philips Imaging DD 001|36|CS|StackType
2001|Philips Imaging DD 001|3f|CS|ZoomMode
2001|Philips Imaging DD 001|58|UL|ContrastTransferTaste
2001|Philips Imaging DD 001|5f|SQ|StackSequence
2001|Philips Imaging DD 001|60|SL|NumberOfStacks
2001|Philips Imaging DD 001|61|CS|SeriesTransmitted
2001|Philips Imaging DD 001|62|CS|SeriesCommitted
2001|Philips Imaging DD 001|63|CS|ExaminationSource
2001|Philips Imaging DD 001|67|CS|LinearPresentationGLTrafoShapeSub
2001|Philips Imaging DD 001|77|CS|GLTrafoType
2001|Philips Imaging DD 001|7b|IS|AcquisitionNumber
2001|Philips Imaging DD 001|81|IS|NumberOfDynamicScans
2001|Philips Imaging DD 001|9f|US|PixelProcessingKernelSize
2001|Philips Imaging DD 001|a1|CS|IsRawImage
2001|Philips Imaging DD 001|f1|FL|ProspectiveMotionCorrection
2001|Philips Imaging DD 001|f2|FL|RetrospectiveMotionCorrection
2001|PHILIPS IMAGING DD 001|01|FL|ChemicalShift
2001|PHILIPS IMAGING DD 001|02|IS|ChemicalShiftNumberMR
2001|PHILIPS IMAGING DD 001|03|FL|DiffusionBFactor
2001|PHILIPS IMAGING DD 001|04|CS|DiffusionDirection
2001|PHILIPS IMAGING DD 001|06|CS|ImageEnhanced
2001|PHILIPS IMAGING DD 001|07|CS|ImageTypeEDES
2001|PHILIPS IMAGING DD 001|08|IS|PhaseNumber
2001|PHILIPS IMAGING DD 001|09|FL|ImagePrepulseDelay
2001|PHILIPS IMAGING DD 001|0a|IS|SliceNumberMR
2001|PHILIPS IMAGING DD 001|0b|CS|SliceOrientation
2001|PHILIPS IMAGING DD 001|0c|CS|ArrhythmiaRejection
2001|PHILIPS IMAGING DD 001|0e|CS|CardiacCycled
2001|PHILIPS IMAGING DD 001|0f|SS|CardiacGateWidth
2001|PHILIPS IMAGING DD 001|10|CS|CardiacSync
2001|PHILIPS IMAGING DD 001|11|FL|DiffusionEchoTime
2001|PHILIPS IMAGING DD 001|12|CS|DynamicSeries
2001|PHILIPS IMAGING DD 001|13|SL|EPIFactor
2001|PHILIPS IMAGING DD 001|14|SL|NumberOfEchoes
2001|PHILIPS IMAGING DD 001|15|SS|NumberOfLocations
2001|PHILIPS IMAGING DD 001|16|SS|NumberOfPCDirections
2001|PHILIPS IMAGING DD 001|17|SL|NumberOfPhasesMR
2001|PHILIPS IMAGING DD 001|18|SL|NumberOfSlicesMR
2001|PHILIPS IMAGING DD 001|19|CS|PartialMatrixScanned
2001|PHILIPS IMAGING DD 001|1a|FL|PCVelocity
2001|PHILIPS IMAGING DD 001|1b|FL|PrepulseDelay
2001|PHILIPS IMAGING DD 001|1c|CS|PrepulseType
2001|PHILIPS IMAGING DD 001|1d|IS|ReconstructionNumberMR
2001|PHILIPS IMAGING DD 001|1f|CS|RespirationSync
2001|PHILIPS IMAGING DD 001|20|LO|ScanningTechnique
2001|PHILIPS IMAGING DD 001|21|CS|SPIR
2001|PHILIPS IMAGING DD 001|22|FL|WaterFatShift
2001|PHILIPS IMAGING DD 001|23|DS|FlipAnglePhilips
2001|PHILIPS IMAGING DD 001|24|CS|SeriesIsInteractive
2001|PHILIPS IMAGING DD 001|25|SH|EchoTimeDisplayMR
2001|PHILIPS IMAGING DD 001|26|CS|PresentationStateSubtractionActive
2001|PHILIPS IMAGING DD 001|2d|SS|StackNumberOfSlices
2001|PHILIPS IMAGING DD 001|32|FL|StackRadialAngle
2001|PHILIPS IMAGING DD 001|33|CS|StackRadialAxis
2001|PHILIPS IMAGING DD 001|35|SS|StackSliceNumber
2001|PHILIPS IMAGING DD 001|36|CS|StackType
2001|PHILIPS IMAGING DD 001|3f|CS|ZoomMode
2001|PHILIPS IMAGING DD 001|58|UL|ContrastTransferTaste
2001|PHILIPS IMAGING DD 001|5f|SQ|StackSequence
2001|PHILIPS IMAGING DD 001|60|SL|NumberOfStacks
2001|PHILIPS IMAGING DD 001|61|CS|SeriesTransmitted
2001|PHILIPS IMAGING DD 001|62|CS|SeriesCommitted
2001|PHILIPS IMAGING DD 001|63|CS|ExaminationSource
2001|PHILIPS IMAGING DD 001|67|CS|LinearPresentationGLTrafoShapeSub
2001|PHILIPS IMAGING DD 001|77|CS|GLTrafoType
2001|PHILIPS IMAGING DD 001|7b|IS|AcquisitionNumber
2001|PHILIPS IMAGING DD 001|81|IS|NumberOfDynamicScans
2001|PHILIPS IMAGING DD 001|9f|US|PixelProcessingKernelSize
2001|PHILIPS IMAGING DD 001|a1|CS|IsRawImage
2001|PHILIPS IMAGING DD 001|f1|FL|ProspectiveMotionCorrection
2001|PHILIPS IMAGING DD 001|f2|FL|RetrospectiveMotionCorrection
2005|Philips MR Imaging DD 001|05|CS|SynergyReconstructionType
2005|Philips MR Imaging DD 001|1e|SH|MIPProtocol
2005|Philips MR Imaging DD 001|1f|SH|MPRProtocol
2005|Philips MR Imaging DD 001|20|SL|NumberOfChemicalShifts
2005|Philips MR Imaging DD 001|2d|SS|NumberOfStackSlices
2005|Philips MR Imaging DD 001|83|SQ|Unknown
2005|Philips MR Imaging DD 001|a1|CS|SyncraScanType
2005|Philips MR Imaging DD 001|b0|FL|DiffusionDirectionRL
2005|Philips MR Imaging DD 001|b1|FL|DiffusionDirectionAP
2005|Philips MR Imaging DD 001|b2|FL|DiffusionDirectionFH
2005|Philips MR Imaging DD 005|02|SQ|Unknown
2005|PHILIPS MR IMAGING DD 001|05|CS|SynergyReconstructionType
2005|PHILIPS MR IMAGING DD 001|1e|SH|MIPProtocol
2005|PHILIPS MR IMAGING DD 001|1f|SH|MPRProtocol
2005|PHILIPS MR IMAGING DD 001|20|SL|NumberOfChemicalShifts
2005|PHILIPS MR IMAGING DD 001|2d|SS|NumberOfStackSlices
2005|PHILIPS MR IMAGING DD 001|83|SQ|Unknown
2005|PHILIPS MR IMAGING DD 001|a1|CS|SyncraScanType
2005|PHILIPS MR IMAGING DD 001|b0|FL|DiffusionDirectionRL
2005|PHILIPS MR IMAGING DD 001|b1|FL|DiffusionDirectionAP
2005|PHILIPS MR IMAGING DD 001|b2|FL|DiffusionDirectionFH
0019|PHILIPS MR R5.5/PART|1000|DS|FieldOfView
0019|PHILIPS MR R5.6/PART|1000|DS|FieldOfView
0019|PHILIPS MR SPECTRO;1|01|US|Unknown
0019|PHILIPS MR SPECTRO;1|02|US|Unknown
0019|PHILIPS MR SPECTRO;1|03|US|Unknown
0019|PHILIPS MR SPECTRO;1|04|US|Unknown
0019|PHILIPS MR SPECTRO;1|05|US|Unknown
0019|PHILIPS MR SPECTRO;1|06|US|Unknown
0019|PHILIPS MR SPECTRO;1|07|IS|Unknown
0019|PHILIPS MR SPECTRO;1|08|IS|Unknown
0019|PHILIPS MR SPECTRO;1|09|IS|Unknown
0019|PHILIPS MR SPECTRO;1|10|IS|Unknown
0019|PHILIPS MR SPECTRO;1|12|IS|Unknown
0019|PHILIPS MR SPECTRO;1|13|IS|Unknown
0019|PHILIPS MR SPECTRO;1|14|US|Unknown
0019|PHILIPS MR SPECTRO;1|15|US|Unknown
0019|PHILIPS MR SPECTRO;1|16|IS|Unknown
0019|PHILIPS MR SPECTRO;1|17|IS|Unknown
0019|PHILIPS MR SPECTRO;1|18|UN|Unknown
0019|PHILIPS MR SPECTRO;1|20|IS|Unknown
0019|PHILIPS MR SPECTRO;1|21|IS|Unknown
0019|PHILIPS MR SPECTRO;1|22|IS|Unknown
0019|PHILIPS MR SPECTRO;1|23|IS|Unknown
0019|PHILIPS MR SPECTRO;1|24|IS|Unknown
0019|PHILIPS MR SPECTRO;1|25|IS|Unknown
0019|PHILIPS MR SPECTRO;1|26|IS|Unknown
0019|PHILIPS MR SPECTRO;1|27|IS|Unknown
0019|PHILIPS MR SPECTRO;1|28|IS|Unknown
0019|PHILIPS MR SPECTRO;1|29|IS|Unknown
0019|PHILIPS MR SPECTRO;1|31|US|Unknown
0019|PHILIPS MR SPECTRO;1|32|US|Unknown
0019|PHILIPS MR SPECTRO;1|41|LT|Unknown
0019|PHILIPS MR SPECTRO;1|42|IS|Unknown
0019|PHILIPS MR SPECTRO;1|43|IS|Unknown
0019|PHILIPS MR SPECTRO;1|45|US|Unknown
0019|PHILIPS MR SPECTRO;1|46|US|Unknown
0019|PHILIPS MR SPECTRO;1|47|IS|Unknown
0019|PHILIPS MR SPECTRO;1|48|IS|Unknown
0019|PHILIPS MR SPECTRO;1|49|US|Unknown
0019|PHILIPS MR SPECTRO;1|50|UN|Unknown
0019|PHILIPS MR SPECTRO;1|60|US|Unknown
0019|PHILIPS MR SPECTRO;1|61|US|Unknown
0019|PHILIPS MR SPECTRO;1|70|UN|Unknown
0019|PHILIPS MR SPECTRO;1|71|IS|Unknown
0019|PHILIPS MR SPECTRO;1|72|US|Unknown
0019|PHILIPS MR SPECTRO;1|73|US|Unknown
0019|PHILIPS MR SPECTRO;1|74|US|Unknown
0019|PHILIPS MR SPECTRO;1|76|US|Unknown
0019|PHILIPS MR SPECTRO;1|77|US|Unknown
0019|PHILIPS MR SPECTRO;1|78|US|Unknown
0019|PHILIPS MR SPECTRO;1|79|US|Unknown
0019|PHILIPS MR SPECTRO;1|80|IS|Unknown
0009|PHILIPS MR|10|LO|SPIRelease
0009|PHILIPS MR|12|LO|Unknown
0019|PHILIPS MR/LAST|09|DS|MainMagneticField
0019|PHILIPS MR/LAST|0e|IS|FlowCompensation
0019|PHILIPS MR/LAST|b1|IS|MinimumRRInterval
0019|PHILIPS MR/LAST|b2|IS|MaximumRRInterval
0019|PHILIPS MR/LAST|b3|IS|NumberOfRejections
0019|PHILIPS MR/LAST|b4|IS|NumberOfRRIntervals
0019|PHILIPS MR/LAST|b5|IS|ArrhythmiaRejection
0019|PHILIPS MR/LAST|c0|DS|Unknown
0019|PHILIPS MR/LAST|c6|IS|CycledMultipleSlice
0019|PHILIPS MR/LAST|ce|IS|REST
0019|PHILIPS MR/LAST|d5|DS|Unknown
0019|PHILIPS MR/LAST|d6|IS|FourierInterpolation
0019|PHILIPS MR/LAST|d9|IS|Unknown
0019|PHILIPS MR/LAST|e0|IS|Prepulse
0019|PHILIPS MR/LAST|e1|DS|PrepulseDelay
0019|PHILIPS MR/LAST|e2|IS|Unknown
0019|PHILIPS MR/LAST|e3|DS|Unknown
0019|PHILIPS MR/LAST|f0|LT|WSProtocolString1
0019|PHILIPS MR/LAST|f1|LT|WSProtocolString2
0019|PHILIPS MR/LAST|f2|LT|WSProtocolString3
0019|PHILIPS MR/LAST|f3|LT|WSProtocolString4
0021|PHILIPS MR/LAST|00|IS|Unknown
0021|PHILIPS MR/LAST|10|IS|Unknown
0021|PHILIPS MR/LAST|20|IS|Unknown
0021|PHILIPS MR/LAST|21|DS|SliceGap
0021|PHILIPS MR/LAST|22|DS|StackRadialAngle
0027|PHILIPS MR/LAST|00|US|Unknown
0027|PHILIPS MR/LAST|11|US|Unknown
0027|PHILIPS MR/LAST|12|DS|Unknown
0027|PHILIPS MR/LAST|13|DS|Unknown
0027|PHILIPS MR/LAST|14|DS|Unknown
0027|PHILIPS MR/LAST|15|DS|Unknown
0027|PHILIPS MR/LAST|16|LO|Unknown
0029|PHILIPS MR/LAST|10|DS|FPMin
0029|PHILIPS MR/LAST|20|DS|FPMax
0029|PHILIPS MR/LAST|30|DS|ScaledMinimum
0029|PHILIPS MR/LAST|40|DS|ScaledMaximum
0029|PHILIPS MR/LAST|50|DS|WindowMinimum
0029|PHILIPS MR/LAST|60|DS|WindowMaximum
0029|PHILIPS MR/LAST|61|IS|Unknown
0029|PHILIPS MR/LAST|70|DS|Unknown
0029|PHILIPS MR/LAST|71|DS|Unknown
0029|PHILIPS MR/LAST|72|IS|Unknown
0029|PHILIPS MR/LAST|80|IS|ViewCenter
0029|PHILIPS MR/LAST|81|IS|ViewSize
0029|PHILIPS MR/LAST|82|IS|ViewZoom
0029|PHILIPS MR/LAST|83|IS|ViewTransform
6001|PHILIPS MR/LAST|00|LT|Unknown
0019|PHILIPS MR/PART|1000|DS|FieldOfView
0019|PHILIPS MR/PART|1005|DS|CCAngulation
0019|PHILIPS MR/PART|1006|DS|APAngulation
0019|PHILIPS MR/PART|1007|DS|LRAngulation
0019|PHILIPS MR/PART|1008|IS|PatientPosition
0019|PHILIPS MR/PART|1009|IS|PatientOrientation
0019|PHILIPS MR/PART|100a|IS|SliceOrientation
0019|PHILIPS MR/PART|100b|DS|LROffcenter
0019|PHILIPS MR/PART|100c|DS|CCOffcenter
0019|PHILIPS MR/PART|100d|DS|APOffcenter
0019|PHILIPS MR/PART|100e|DS|Unknown
0019|PHILIPS MR/PART|100f|IS|NumberOfSlices
0019|PHILIPS MR/PART|1010|DS|SliceFactor
0019|PHILIPS MR/PART|1011|DS|EchoTimes
0019|PHILIPS MR/PART|1015|IS|DynamicStudy
0019|PHILIPS MR/PART|1018|DS|HeartbeatInterval
0019|PHILIPS MR/PART|1019|DS|RepetitionTimeFFE
0019|PHILIPS MR/PART|101a|DS|FFEFlipAngle
0019|PHILIPS MR/PART|101b|IS|NumberOfScans
0019|PHILIPS MR/PART|1021|DS|Unknown
0019|PHILIPS MR/PART|1022|DS|DynamicScanTimeBegin
0019|PHILIPS MR/PART|1024|IS|Unknown
0019|PHILIPS MR/PART|1064|DS|RepetitionTimeSE
0019|PHILIPS MR/PART|1065|DS|RepetitionTimeIR
0019|PHILIPS MR/PART|1069|IS|NumberOfPhases
0019|PHILIPS MR/PART|106a|IS|CardiacFrequency
0019|PHILIPS MR/PART|106b|DS|InversionDelay
0019|PHILIPS MR/PART|106c|DS|GateDelay
0019|PHILIPS MR/PART|106d|DS|GateWidth
0019|PHILIPS MR/PART|106e|DS|TriggerDelayTime
0019|PHILIPS MR/PART|1080|IS|NumberOfChemicalShifts
0019|PHILIPS MR/PART|1081|DS|ChemicalShift
0019|PHILIPS MR/PART|1084|IS|NumberOfRows
0019|PHILIPS MR/PART|1085|IS|NumberOfSamples
0019|PHILIPS MR/PART|1094|LO|MagnetizationTransferContrast
0019|PHILIPS MR/PART|1095|LO|SpectralPresaturationWithInversionRecovery
0019|PHILIPS MR/PART|1096|IS|Unknown
0019|PHILIPS MR/PART|1097|LO|Unknown
0019|PHILIPS MR/PART|10a0|IS|Unknown
0019|PHILIPS MR/PART|10a1|DS|Unknown
0019|PHILIPS MR/PART|10a3|DS|Unknown
0019|PHILIPS MR/PART|10a4|CS|Unknown
0019|PHILIPS MR/PART|10c8|IS|Unknown
0019|PHILIPS MR/PART|10c9|IS|FoldoverDirectionTransverse
0019|PHILIPS MR/PART|10ca|IS|FoldoverDirectionSagittal
0019|PHILIPS MR/PART|10cb|IS|FoldoverDirectionCoronal
0019|PHILIPS MR/PART|10cc|IS|Unknown
0019|PHILIPS MR/PART|10cd|IS|Unknown
0019|PHILIPS MR/PART|10ce|IS|Unknown
0019|PHILIPS MR/PART|10cf|IS|NumberOfEchoes
0019|PHILIPS MR/PART|10d0|IS|ScanResolution
0019|PHILIPS MR/PART|10d2|LO|WaterFatShift
0019|PHILIPS MR/PART|10d4|IS|ArtifactReduction
0019|PHILIPS MR/PART|10d5|IS|Unknown
0019|PHILIPS MR/PART|10d6|IS|Unknown
0019|PHILIPS MR/PART|10d7|DS|ScanPercentage
0019|PHILIPS MR/PART|10d8|IS|Halfscan
0019|PHILIPS MR/PART|10d9|IS|EPIFactor
0019|PHILIPS MR/PART|10da|IS|TurboFactor
0019|PHILIPS MR/PART|10db|IS|Unknown
0019|PHILIPS MR/PART|10e0|IS|PercentageOfScanCompleted
0019|PHILIPS MR/PART|10e1|IS|Unknown
0019|PHILIPS MR/PART|1100|IS|NumberOfStacks
0019|PHILIPS MR/PART|1101|IS|StackType
0019|PHILIPS MR/PART|1102|IS|Unknown
0019|PHILIPS MR/PART|110b|DS|LROffcenter
0019|PHILIPS MR/PART|110c|DS|CCOffcenter
0019|PHILIPS MR/PART|110d|DS|APOffcenter
0019|PHILIPS MR/PART|1145|IS|ReconstructionResolution
0019|PHILIPS MR/PART|11fc|IS|ResonanceFrequency
0019|PHILIPS MR/PART|12c0|DS|TriggerDelayTimes
0019|PHILIPS MR/PART|12e0|IS|PrepulseType
0019|PHILIPS MR/PART|12e1|DS|PrepulseDelay
0019|PHILIPS MR/PART|12e3|DS|PhaseContrastVelocity
0021|PHILIPS MR/PART|1000|IS|ReconstructionNumber
0021|PHILIPS MR/PART|1010|IS|ImageType
0021|PHILIPS MR/PART|1020|IS|SliceNumber
0021|PHILIPS MR/PART|1030|IS|EchoNumber
0021|PHILIPS MR/PART|1031|DS|PatientReferenceID
0021|PHILIPS MR/PART|1035|IS|ChemicalShiftNumber
0021|PHILIPS MR/PART|1040|IS|PhaseNumber
0021|PHILIPS MR/PART|1050|IS|DynamicScanNumber
0021|PHILIPS MR/PART|1060|IS|NumberOfRowsInObject
0021|PHILIPS MR/PART|1061|IS|RowNumber
0021|PHILIPS MR/PART|1062|IS|Unknown
0021|PHILIPS MR/PART|1100|DA|ScanDate
0021|PHILIPS MR/PART|1110|TM|ScanTime
0021|PHILIPS MR/PART|1221|IS|SliceGap
0029|PHILIPS MR/PART|00|DS|Unknown
0029|PHILIPS MR/PART|04|US|Unknown
0029|PHILIPS MR/PART|10|DS|Unknown
0029|PHILIPS MR/PART|11|DS|Unknown
0029|PHILIPS MR/PART|20|LO|Unknown
0029|PHILIPS MR/PART|31|DS|Unknown
0029|PHILIPS MR/PART|32|DS|Unknown
0029|PHILIPS MR/PART|c3|IS|ScanResolution
0029|PHILIPS MR/PART|c4|IS|FieldOfView
0029|PHILIPS MR/PART|d5|LT|SliceThickness
0019|PHILIPS-MR-1|11|IS|ChemicalShiftNumber
0019|PHILIPS-MR-1|12|IS|PhaseNumber
0021|PHILIPS-MR-1|01|IS|ReconstructionNumber
0021|PHILIPS-MR-1|02|IS|SliceNumber
7001|Picker NM Private Group|01|UI|Unknown
7001|Picker NM Private Group|02|OB|Unknown
0019|SIEMENS CM VA0  ACQU|10|LT|ParameterFileName
0019|SIEMENS CM VA0  ACQU|11|LO|SequenceFileName
0019|SIEMENS CM VA0  ACQU|12|LT|SequenceFileOwner
0019|SIEMENS CM VA0  ACQU|13|LT|SequenceDescription
0019|SIEMENS CM VA0  ACQU|14|LT|EPIFileName
0009|SIEMENS CM VA0  CMS|00|DS|NumberOfMeasurements
0009|SIEMENS CM VA0  CMS|10|LT|StorageMode
0009|SIEMENS CM VA0  CMS|12|UL|EvaluationMaskImage
0009|SIEMENS CM VA0  CMS|26|DA|LastMoveDate
0009|SIEMENS CM VA0  CMS|27|TM|LastMoveTime
0011|SIEMENS CM VA0  CMS|0a|LT|Unknown
0011|SIEMENS CM VA0  CMS|10|DA|RegistrationDate
0011|SIEMENS CM VA0  CMS|11|TM|RegistrationTime
0011|SIEMENS CM VA0  CMS|22|LT|Unknown
0011|SIEMENS CM VA0  CMS|23|DS|UsedPatientWeight
0011|SIEMENS CM VA0  CMS|40|IS|OrganCode
0013|SIEMENS CM VA0  CMS|00|LT|ModifyingPhysician
0013|SIEMENS CM VA0  CMS|10|DA|ModificationDate
0013|SIEMENS CM VA0  CMS|12|TM|ModificationTime
0013|SIEMENS CM VA0  CMS|20|LO|PatientName
0013|SIEMENS CM VA0  CMS|22|LO|PatientId
0013|SIEMENS CM VA0  CMS|30|DA|PatientBirthdate
0013|SIEMENS CM VA0  CMS|31|DS|PatientWeight
0013|SIEMENS CM VA0  CMS|32|LT|PatientsMaidenName
0013|SIEMENS CM VA0  CMS|33|LT|ReferringPhysician
0013|SIEMENS CM VA0  CMS|34|LT|AdmittingDiagnosis
0013|SIEMENS CM VA0  CMS|35|LO|PatientSex
0013|SIEMENS CM VA0  CMS|40|LO|ProcedureDescription
0013|SIEMENS CM VA0  CMS|42|LO|RestDirection
0013|SIEMENS CM VA0  CMS|44|LO|PatientPosition
0013|SIEMENS CM VA0  CMS|46|LT|ViewDirection
0013|SIEMENS CM VA0  CMS|50|LT|Unknown
0013|SIEMENS CM VA0  CMS|51|LT|Unknown
0013|SIEMENS CM VA0  CMS|52|LT|Unknown
0013|SIEMENS CM VA0  CMS|53|LT|Unknown
0013|SIEMENS CM VA0  CMS|54|LT|Unknown
0013|SIEMENS CM VA0  CMS|55|LT|Unknown
0013|SIEMENS CM VA0  CMS|56|LT|Unknown
0019|SIEMENS CM VA0  CMS|10|DS|NetFrequency
0019|SIEMENS CM VA0  CMS|20|LT|MeasurementMode
0019|SIEMENS CM VA0  CMS|30|LT|CalculationMode
0019|SIEMENS CM VA0  CMS|50|IS|NoiseLevel
0019|SIEMENS CM VA0  CMS|60|IS|NumberOfDataBytes
0021|SIEMENS CM VA0  CMS|20|DS|FoV
0021|SIEMENS CM VA0  CMS|22|DS|ImageMagnificationFactor
0021|SIEMENS CM VA0  CMS|24|DS|ImageScrollOffset
0021|SIEMENS CM VA0  CMS|26|IS|ImagePixelOffset
0021|SIEMENS CM VA0  CMS|30|LT|ViewDirection
0021|SIEMENS CM VA0  CMS|32|CS|PatientRestDirection
0021|SIEMENS CM VA0  CMS|60|DS|ImagePosition
0021|SIEMENS CM VA0  CMS|61|DS|ImageNormal
0021|SIEMENS CM VA0  CMS|63|DS|ImageDistance
0021|SIEMENS CM VA0  CMS|65|US|ImagePositioningHistoryMask
0021|SIEMENS CM VA0  CMS|6a|DS|ImageRow
0021|SIEMENS CM VA0  CMS|6b|DS|ImageColumn
0021|SIEMENS CM VA0  CMS|70|LT|PatientOrientationSet1
0021|SIEMENS CM VA0  CMS|71|LT|PatientOrientationSet2
0021|SIEMENS CM VA0  CMS|80|LT|StudyName
0021|SIEMENS CM VA0  CMS|82|LT|StudyType
0029|SIEMENS CM VA0  CMS|10|LT|WindowStyle
0029|SIEMENS CM VA0  CMS|11|LT|Unknown
0029|SIEMENS CM VA0  CMS|13|LT|Unknown
0029|SIEMENS CM VA0  CMS|20|LT|PixelQualityCode
0029|SIEMENS CM VA0  CMS|22|IS|PixelQualityValue
0029|SIEMENS CM VA0  CMS|50|LT|ArchiveCode
0029|SIEMENS CM VA0  CMS|51|LT|ExposureCode
0029|SIEMENS CM VA0  CMS|52|LT|SortCode
0029|SIEMENS CM VA0  CMS|53|LT|Unknown
0029|SIEMENS CM VA0  CMS|60|LT|Splash
0051|SIEMENS CM VA0  CMS|10|LT|ImageText
6021|SIEMENS CM VA0  CMS|00|LT|ImageGraphicsFormatCode
6021|SIEMENS CM VA0  CMS|10|LT|ImageGraphics
7fe1|SIEMENS CM VA0  CMS|00|OB|BinaryData
0009|SIEMENS CM VA0  LAB|10|LT|GeneratorIdentificationLabel
0009|SIEMENS CM VA0  LAB|11|LT|GantryIdentificationLabel
0009|SIEMENS CM VA0  LAB|12|LT|X-RayTubeIdentificationLabel
0009|SIEMENS CM VA0  LAB|13|LT|DetectorIdentificationLabel
0009|SIEMENS CM VA0  LAB|14|LT|DASIdentificationLabel
0009|SIEMENS CM VA0  LAB|15|LT|SMIIdentificationLabel
0009|SIEMENS CM VA0  LAB|16|LT|CPUIdentificationLabel
0009|SIEMENS CM VA0  LAB|20|LT|HeaderVersion
0029|SIEMENS CSA HEADER|08|CS|CSAImageHeaderType
0029|SIEMENS CSA HEADER|09|LO|CSAImageHeaderVersion
0029|SIEMENS CSA HEADER|10|OB|CSAImageHeaderInfo
0029|SIEMENS CSA HEADER|18|CS|CSASeriesHeaderType
0029|SIEMENS CSA HEADER|19|LO|CSASeriesHeaderVersion
0029|SIEMENS CSA HEADER|20|OB|CSASeriesHeaderInfo
0029|SIEMENS CSA NON-IMAGE|08|CS|CSADataType
0029|SIEMENS CSA NON-IMAGE|09|LO|CSADataVersion
0029|SIEMENS CSA NON-IMAGE|10|OB|CSADataInfo
7fe1|SIEMENS CSA NON-IMAGE|10|OB|CSAData
0019|SIEMENS CT VA0  COAD|10|DS|DistanceSourceToSourceSideCollimator
0019|SIEMENS CT VA0  COAD|11|DS|DistanceSourceToDetectorSideCollimator
0019|SIEMENS CT VA0  COAD|20|IS|NumberOfPossibleChannels
0019|SIEMENS CT VA0  COAD|21|IS|MeanChannelNumber
0019|SIEMENS CT VA0  COAD|22|DS|DetectorSpacing
0019|SIEMENS CT VA0  COAD|23|DS|DetectorCenter
0019|SIEMENS CT VA0  COAD|24|DS|ReadingIntegrationTime
0019|SIEMENS CT VA0  COAD|50|DS|DetectorAlignment
0019|SIEMENS CT VA0  COAD|52|DS|Unknown
0019|SIEMENS CT VA0  COAD|54|DS|Unknown
0019|SIEMENS CT VA0  COAD|60|DS|FocusAlignment
0019|SIEMENS CT VA0  COAD|65|UL|FocalSpotDeflectionAmplitude
0019|SIEMENS CT VA0  COAD|66|UL|FocalSpotDeflectionPhase
0019|SIEMENS CT VA0  COAD|67|UL|FocalSpotDeflectionOffset
0019|SIEMENS CT VA0  COAD|70|DS|WaterScalingFactor
0019|SIEMENS CT VA0  COAD|71|DS|InterpolationFactor
0019|SIEMENS CT VA0  COAD|80|LT|PatientRegion
0019|SIEMENS CT VA0  COAD|82|LT|PatientPhaseOfLife
0019|SIEMENS CT VA0  COAD|90|DS|OsteoOffset
0019|SIEMENS CT VA0  COAD|92|DS|OsteoRegressionLineSlope
0019|SIEMENS CT VA0  COAD|93|DS|OsteoRegressionLineIntercept
0019|SIEMENS CT VA0  COAD|94|DS|OsteoStandardizationCode
0019|SIEMENS CT VA0  COAD|96|IS|OsteoPhantomNumber
0019|SIEMENS CT VA0  COAD|a3|US|Unknown
0019|SIEMENS CT VA0  COAD|a4|DS|Unknown
0019|SIEMENS CT VA0  COAD|a5|DS|Unknown
0019|SIEMENS CT VA0  COAD|a6|US|Unknown
0019|SIEMENS CT VA0  COAD|a7|US|Unknown
0019|SIEMENS CT VA0  COAD|a8|US|Unknown
0019|SIEMENS CT VA0  COAD|a9|DS|Unknown
0019|SIEMENS CT VA0  COAD|aa|LT|Unknown
0019|SIEMENS CT VA0  COAD|ab|DS|Unknown
0019|SIEMENS CT VA0  COAD|ac|DS|Unknown
0019|SIEMENS CT VA0  COAD|ad|DS|Unknown
0019|SIEMENS CT VA0  COAD|ae|DS|Unknown
0019|SIEMENS CT VA0  COAD|af|DS|Unknown
0019|SIEMENS CT VA0  COAD|b0|DS|FeedPerRotation
0019|SIEMENS CT VA0  COAD|bd|IS|PulmoTriggerLevel
0019|SIEMENS CT VA0  COAD|be|DS|ExpiratoricReserveVolume
0019|SIEMENS CT VA0  COAD|bf|DS|VitalCapacity
0019|SIEMENS CT VA0  COAD|c0|DS|PulmoWater
0019|SIEMENS CT VA0  COAD|c1|DS|PulmoAir
0019|SIEMENS CT VA0  COAD|c2|DA|PulmoDate
0019|SIEMENS CT VA0  COAD|c3|TM|PulmoTime
0019|SIEMENS CT VA0  GEN|10|DS|SourceSideCollimatorAperture
0019|SIEMENS CT VA0  GEN|11|DS|DetectorSideCollimatorAperture
0019|SIEMENS CT VA0  GEN|20|DS|ExposureTime
0019|SIEMENS CT VA0  GEN|21|DS|ExposureCurrent
0019|SIEMENS CT VA0  GEN|25|DS|KVPGeneratorPowerCurrent
0019|SIEMENS CT VA0  GEN|26|DS|GeneratorVoltage
0019|SIEMENS CT VA0  GEN|40|UL|MasterControlMask
0019|SIEMENS CT VA0  GEN|42|US|ProcessingMask
0019|SIEMENS CT VA0  GEN|44|US|Unknown
0019|SIEMENS CT VA0  GEN|45|US|Unknown
0019|SIEMENS CT VA0  GEN|62|IS|NumberOfVirtuellChannels
0019|SIEMENS CT VA0  GEN|70|IS|NumberOfReadings
0019|SIEMENS CT VA0  GEN|71|LT|Unknown
0019|SIEMENS CT VA0  GEN|74|IS|NumberOfProjections
0019|SIEMENS CT VA0  GEN|75|IS|NumberOfBytes
0019|SIEMENS CT VA0  GEN|80|LT|ReconstructionAlgorithmSet
0019|SIEMENS CT VA0  GEN|81|LT|ReconstructionAlgorithmIndex
0019|SIEMENS CT VA0  GEN|82|LT|RegenerationSoftwareVersion
0019|SIEMENS CT VA0  GEN|88|DS|Unknown
0021|SIEMENS CT VA0  GEN|10|IS|RotationAngle
0021|SIEMENS CT VA0  GEN|11|IS|StartAngle
0021|SIEMENS CT VA0  GEN|20|US|Unknown
0021|SIEMENS CT VA0  GEN|30|IS|TopogramTubePosition
0021|SIEMENS CT VA0  GEN|32|DS|LengthOfTopogram
0021|SIEMENS CT VA0  GEN|34|DS|TopogramCorrectionFactor
0021|SIEMENS CT VA0  GEN|36|DS|MaximumTablePosition
0021|SIEMENS CT VA0  GEN|40|IS|TableMoveDirectionCode
0021|SIEMENS CT VA0  GEN|45|IS|VOIStartRow
0021|SIEMENS CT VA0  GEN|46|IS|VOIStopRow
0021|SIEMENS CT VA0  GEN|47|IS|VOIStartColumn
0021|SIEMENS CT VA0  GEN|48|IS|VOIStopColumn
0021|SIEMENS CT VA0  GEN|49|IS|VOIStartSlice
0021|SIEMENS CT VA0  GEN|4a|IS|VOIStopSlice
0021|SIEMENS CT VA0  GEN|50|IS|VectorStartRow
0021|SIEMENS CT VA0  GEN|51|IS|VectorRowStep
0021|SIEMENS CT VA0  GEN|52|IS|VectorStartColumn
0021|SIEMENS CT VA0  GEN|53|IS|VectorColumnStep
0021|SIEMENS CT VA0  GEN|60|IS|RangeTypeCode
0021|SIEMENS CT VA0  GEN|62|IS|ReferenceTypeCode
0021|SIEMENS CT VA0  GEN|70|DS|ObjectOrientation
0021|SIEMENS CT VA0  GEN|72|DS|LightOrientation
0021|SIEMENS CT VA0  GEN|75|DS|LightBrightness
0021|SIEMENS CT VA0  GEN|76|DS|LightContrast
0021|SIEMENS CT VA0  GEN|7a|IS|OverlayThreshold
0021|SIEMENS CT VA0  GEN|7b|IS|SurfaceThreshold
0021|SIEMENS CT VA0  GEN|7c|IS|GreyScaleThreshold
0021|SIEMENS CT VA0  GEN|a0|DS|Unknown
0021|SIEMENS CT VA0  GEN|a2|LT|Unknown
0021|SIEMENS CT VA0  GEN|a7|LT|Unknown
0009|SIEMENS CT VA0  IDE|10|LT|Unknown
0009|SIEMENS CT VA0  IDE|30|LT|Unknown
0009|SIEMENS CT VA0  IDE|31|LT|Unknown
0009|SIEMENS CT VA0  IDE|32|LT|Unknown
0009|SIEMENS CT VA0  IDE|34|LT|Unknown
0009|SIEMENS CT VA0  IDE|40|LT|Unknown
0009|SIEMENS CT VA0  IDE|42|LT|Unknown
0009|SIEMENS CT VA0  IDE|50|LT|Unknown
0009|SIEMENS CT VA0  IDE|51|LT|Unknown
0009|SIEMENS CT VA0  ORI|20|LT|Unknown
0009|SIEMENS CT VA0  ORI|30|LT|Unknown
6021|SIEMENS CT VA0  OST|00|LT|OsteoContourComment
6021|SIEMENS CT VA0  OST|10|US|OsteoContourBuffer
0021|SIEMENS CT VA0  RAW|10|UL|CreationMask
0021|SIEMENS CT VA0  RAW|20|UL|EvaluationMask
0021|SIEMENS CT VA0  RAW|30|US|ExtendedProcessingMask
0021|SIEMENS CT VA0  RAW|40|US|Unknown
0021|SIEMENS CT VA0  RAW|41|US|Unknown
0021|SIEMENS CT VA0  RAW|42|US|Unknown
0021|SIEMENS CT VA0  RAW|43|US|Unknown
0021|SIEMENS CT VA0  RAW|44|US|Unknown
0021|SIEMENS CT VA0  RAW|50|LT|Unknown
0009|SIEMENS DICOM|10|UN|Unknown
0009|SIEMENS DICOM|12|LT|Unknown
0019|SIEMENS DLR.01|10|LT|MeasurementMode
0019|SIEMENS DLR.01|11|LT|ImageType
0019|SIEMENS DLR.01|15|LT|SoftwareVersion
0019|SIEMENS DLR.01|20|LT|MPMCode
0019|SIEMENS DLR.01|21|LT|Latitude
0019|SIEMENS DLR.01|22|LT|Sensitivity
0019|SIEMENS DLR.01|23|LT|EDR
0019|SIEMENS DLR.01|24|LT|LFix
0019|SIEMENS DLR.01|25|LT|SFix
0019|SIEMENS DLR.01|26|LT|PresetMode
0019|SIEMENS DLR.01|27|LT|Region
0019|SIEMENS DLR.01|28|LT|Subregion
0019|SIEMENS DLR.01|30|LT|Orientation
0019|SIEMENS DLR.01|31|LT|MarkOnFilm
0019|SIEMENS DLR.01|32|LT|RotationOnDRC
0019|SIEMENS DLR.01|40|LT|ReaderType
0019|SIEMENS DLR.01|41|LT|SubModality
0019|SIEMENS DLR.01|42|LT|ReaderSerialNumber
0019|SIEMENS DLR.01|50|LT|CassetteScale
0019|SIEMENS DLR.01|51|LT|CassetteMatrix
0019|SIEMENS DLR.01|52|LT|CassetteSubmatrix
0019|SIEMENS DLR.01|53|LT|Barcode
0019|SIEMENS DLR.01|60|LT|ContrastType
0019|SIEMENS DLR.01|61|LT|RotationAmount
0019|SIEMENS DLR.01|62|LT|RotationCenter
0019|SIEMENS DLR.01|63|LT|DensityShift
0019|SIEMENS DLR.01|64|US|FrequencyRank
0019|SIEMENS DLR.01|65|LT|FrequencyEnhancement
0019|SIEMENS DLR.01|66|LT|FrequencyType
0019|SIEMENS DLR.01|67|LT|KernelLength
0019|SIEMENS DLR.01|68|UL|KernelMode
0019|SIEMENS DLR.01|69|UL|ConvolutionMode
0019|SIEMENS DLR.01|70|LT|PLASource
0019|SIEMENS DLR.01|71|LT|PLADestination
0019|SIEMENS DLR.01|75|LT|UIDOriginalImage
0019|SIEMENS DLR.01|76|LT|Unknown
0019|SIEMENS DLR.01|80|LT|ReaderHeader
0019|SIEMENS DLR.01|90|LT|PLAOfSecondaryDestination
0019|SIEMENS DLR.01|a0|DS|Unknown
0019|SIEMENS DLR.01|a1|DS|Unknown
0041|SIEMENS DLR.01|10|US|NumberOfHardcopies
0041|SIEMENS DLR.01|20|LT|FilmFormat
0041|SIEMENS DLR.01|30|LT|FilmSize
0041|SIEMENS DLR.01|31|LT|FullFilmFormat
0003|SIEMENS ISI|08|US|ISICommandField
0003|SIEMENS ISI|11|US|AttachIDApplicationCode
0003|SIEMENS ISI|12|UL|AttachIDMessageCount
0003|SIEMENS ISI|13|DA|AttachIDDate
0003|SIEMENS ISI|14|TM|AttachIDTime
0003|SIEMENS ISI|20|US|MessageType
0003|SIEMENS ISI|30|DA|MaxWaitingDate
0003|SIEMENS ISI|31|TM|MaxWaitingTime
0009|SIEMENS ISI|01|UN|RISPatientInfoIMGEF
0011|SIEMENS ISI|03|LT|PatientUID
0011|SIEMENS ISI|04|LT|PatientID
0011|SIEMENS ISI|0a|LT|CaseID
0011|SIEMENS ISI|22|LT|RequestID
0011|SIEMENS ISI|23|LT|ExaminationUID
0011|SIEMENS ISI|a1|DA|PatientRegistrationDate
0011|SIEMENS ISI|a2|TM|PatientRegistrationTime
0011|SIEMENS ISI|b0|LT|PatientLastName
0011|SIEMENS ISI|b2|LT|PatientFirstName
0011|SIEMENS ISI|b4|LT|PatientHospitalStatus
0011|SIEMENS ISI|bc|TM|CurrentLocationTime
0011|SIEMENS ISI|c0|LT|PatientInsuranceStatus
0011|SIEMENS ISI|d0|LT|PatientBillingType
0011|SIEMENS ISI|d2|LT|PatientBillingAddress
0031|SIEMENS ISI|12|LT|ExaminationReason
0031|SIEMENS ISI|30|DA|RequestedDate
0031|SIEMENS ISI|32|TM|WorklistRequestStartTime
0031|SIEMENS ISI|33|TM|WorklistRequestEndTime
0031|SIEMENS ISI|4a|TM|RequestedTime
0031|SIEMENS ISI|80|LT|RequestedLocation
0055|SIEMENS ISI|46|LT|CurrentWard
0193|SIEMENS ISI|02|DS|RISKey
0307|SIEMENS ISI|01|UN|RISWorklistIMGEF
0309|SIEMENS ISI|01|UN|RISReportIMGEF
4009|SIEMENS ISI|01|LT|ReportID
4009|SIEMENS ISI|20|LT|ReportStatus
4009|SIEMENS ISI|30|DA|ReportCreationDate
4009|SIEMENS ISI|70|LT|ReportApprovingPhysician
4009|SIEMENS ISI|e0|LT|ReportText
4009|SIEMENS ISI|e1|LT|ReportAuthor
4009|SIEMENS ISI|e3|LT|ReportingRadiologist
0029|SIEMENS MED DISPLAY|04|LT|PhotometricInterpretation
0029|SIEMENS MED DISPLAY|10|US|RowsOfSubmatrix
0029|SIEMENS MED DISPLAY|11|US|ColumnsOfSubmatrix
0029|SIEMENS MED DISPLAY|20|US|Unknown
0029|SIEMENS MED DISPLAY|21|US|Unknown
0029|SIEMENS MED DISPLAY|50|US|OriginOfSubmatrix
0029|SIEMENS MED DISPLAY|99|LT|ShutterType
0029|SIEMENS MED DISPLAY|a0|US|RowsOfRectangularShutter
0029|SIEMENS MED DISPLAY|a1|US|ColumnsOfRectangularShutter
0029|SIEMENS MED DISPLAY|a2|US|OriginOfRectangularShutter
0029|SIEMENS MED DISPLAY|b0|US|RadiusOfCircularShutter
0029|SIEMENS MED DISPLAY|b2|US|OriginOfCircularShutter
0029|SIEMENS MED DISPLAY|c1|US|ContourOfIrregularShutter
0029|SIEMENS MED HG|10|US|ListOfGroupNumbers
0029|SIEMENS MED HG|15|LT|ListOfShadowOwnerCodes
0029|SIEMENS MED HG|20|US|ListOfElementNumbers
0029|SIEMENS MED HG|30|US|ListOfTotalDisplayLength
0029|SIEMENS MED HG|40|LT|ListOfDisplayPrefix
0029|SIEMENS MED HG|50|LT|ListOfDisplayPostfix
0029|SIEMENS MED HG|60|US|ListOfTextPosition
0029|SIEMENS MED HG|70|LT|ListOfTextConcatenation
0029|SIEMENS MED MG|10|US|ListOfGroupNumbers
0029|SIEMENS MED MG|15|LT|ListOfShadowOwnerCodes
0029|SIEMENS MED MG|20|US|ListOfElementNumbers
0029|SIEMENS MED MG|30|US|ListOfTotalDisplayLength
0029|SIEMENS MED MG|40|LT|ListOfDisplayPrefix
0029|SIEMENS MED MG|50|LT|ListOfDisplayPostfix
0029|SIEMENS MED MG|60|US|ListOfTextPosition
0029|SIEMENS MED MG|70|LT|ListOfTextConcatenation
0009|SIEMENS MED|10|LO|RecognitionCode
0009|SIEMENS MED|30|UL|ByteOffsetOfOriginalHeader
0009|SIEMENS MED|31|UL|LengthOfOriginalHeader
0009|SIEMENS MED|40|UL|ByteOffsetOfPixelmatrix
0009|SIEMENS MED|41|UL|LengthOfPixelmatrixInBytes
0009|SIEMENS MED|50|LT|Unknown
0009|SIEMENS MED|51|LT|Unknown
0009|SIEMENS MED|f5|LT|PDMEFIDPlaceholder
0009|SIEMENS MED|f6|LT|PDMDataObjectTypeExtension
0021|SIEMENS MED|10|DS|Zoom
0021|SIEMENS MED|11|DS|Target
0021|SIEMENS MED|12|IS|TubeAngle
0021|SIEMENS MED|20|US|ROIMask
7001|SIEMENS MED|10|LT|Dummy
7003|SIEMENS MED|10|LT|Header
7005|SIEMENS MED|10|LT|Dummy
0029|SIEMENS MEDCOM HEADER|08|CS|MedComHeaderType
0029|SIEMENS MEDCOM HEADER|09|LO|MedComHeaderVersion
0029|SIEMENS MEDCOM HEADER|10|OB|MedComHeaderInfo
0029|SIEMENS MEDCOM HEADER|20|OB|MedComHistoryInformation
0029|SIEMENS MEDCOM HEADER|31|LO|PMTFInformation1
0029|SIEMENS MEDCOM HEADER|32|UL|PMTFInformation2
0029|SIEMENS MEDCOM HEADER|33|UL|PMTFInformation3
0029|SIEMENS MEDCOM HEADER|34|CS|PMTFInformation4
0029|SIEMENS MEDCOM HEADER|35|UL|PMTFInformation5
0029|SIEMENS MEDCOM HEADER|40|SQ|ApplicationHeaderSequence
0029|SIEMENS MEDCOM HEADER|41|CS|ApplicationHeaderType
0029|SIEMENS MEDCOM HEADER|42|LO|ApplicationHeaderID
0029|SIEMENS MEDCOM HEADER|43|LO|ApplicationHeaderVersion
0029|SIEMENS MEDCOM HEADER|44|OB|ApplicationHeaderInfo
0029|SIEMENS MEDCOM HEADER|50|LO|WorkflowControlFlags
0029|SIEMENS MEDCOM HEADER|51|CS|ArchiveManagementFlagKeepOnline
0029|SIEMENS MEDCOM HEADER|52|CS|ArchiveManagementFlagDoNotArchive
0029|SIEMENS MEDCOM HEADER|53|CS|ImageLocationStatus
0029|SIEMENS MEDCOM HEADER|54|DS|EstimatedRetrieveTime
0029|SIEMENS MEDCOM HEADER|55|DS|DataSizeOfRetrievedImages
0029|SIEMENS MEDCOM HEADER|70|SQ|SiemensLinkSequence
0029|SIEMENS MEDCOM HEADER|71|AT|ReferencedTag
0029|SIEMENS MEDCOM HEADER|72|CS|ReferencedTagType
0029|SIEMENS MEDCOM HEADER|73|UL|ReferencedValueLength
0029|SIEMENS MEDCOM HEADER|74|CS|ReferencedObjectDeviceType
0029|SIEMENS MEDCOM HEADER|75|OB|ReferencedObjectDeviceLocation
0029|SIEMENS MEDCOM HEADER|76|OB|ReferencedObjectDeviceID
0029|SIEMENS MEDCOM HEADER2|60|LO|SeriesWorkflowStatus
0029|SIEMENS MEDCOM OOG|08|CS|MEDCOMOOGType
0029|SIEMENS MEDCOM OOG|09|LO|MEDCOMOOGVersion
0029|SIEMENS MEDCOM OOG|10|OB|MEDCOMOOGInfo
0019|SIEMENS MR VA0  COAD|12|DS|MagneticFieldStrength
0019|SIEMENS MR VA0  COAD|14|DS|ADCVoltage
0019|SIEMENS MR VA0  COAD|16|DS|ADCOffset
0019|SIEMENS MR VA0  COAD|20|DS|TransmitterAmplitude
0019|SIEMENS MR VA0  COAD|21|IS|NumberOfTransmitterAmplitudes
0019|SIEMENS MR VA0  COAD|22|DS|TransmitterAttenuator
0019|SIEMENS MR VA0  COAD|24|DS|TransmitterCalibration
0019|SIEMENS MR VA0  COAD|26|DS|TransmitterReference
0019|SIEMENS MR VA0  COAD|50|DS|ReceiverTotalGain
0019|SIEMENS MR VA0  COAD|51|DS|ReceiverAmplifierGain
0019|SIEMENS MR VA0  COAD|52|DS|ReceiverPreamplifierGain
0019|SIEMENS MR VA0  COAD|54|DS|ReceiverCableAttenuation
0019|SIEMENS MR VA0  COAD|55|DS|ReceiverReferenceGain
0019|SIEMENS MR VA0  COAD|56|DS|ReceiverFilterFrequency
0019|SIEMENS MR VA0  COAD|60|DS|ReconstructionScaleFactor
0019|SIEMENS MR VA0  COAD|62|DS|ReferenceScaleFactor
0019|SIEMENS MR VA0  COAD|70|DS|PhaseGradientAmplitude
0019|SIEMENS MR VA0  COAD|71|DS|ReadoutGradientAmplitude
0019|SIEMENS MR VA0  COAD|72|DS|SelectionGradientAmplitude
0019|SIEMENS MR VA0  COAD|80|DS|GradientDelayTime
0019|SIEMENS MR VA0  COAD|82|DS|TotalGradientDelayTime
0019|SIEMENS MR VA0  COAD|90|LT|SensitivityCorrectionLabel
0019|SIEMENS MR VA0  COAD|91|DS|SaturationPhaseEncodingVectorCoronalComponent
0019|SIEMENS MR VA0  COAD|92|DS|SaturationReadoutVectorCoronalComponent
0019|SIEMENS MR VA0  COAD|a0|US|RFWatchdogMask
0019|SIEMENS MR VA0  COAD|a1|DS|EPIReconstructionSlope
0019|SIEMENS MR VA0  COAD|a2|DS|RFPowerErrorIndicator
0019|SIEMENS MR VA0  COAD|a5|DS|SpecificAbsorptionRateWholeBody
0019|SIEMENS MR VA0  COAD|a6|DS|SpecificEnergyDose
0019|SIEMENS MR VA0  COAD|b0|UL|AdjustmentStatusMask
0019|SIEMENS MR VA0  COAD|c1|DS|EPICapacity
0019|SIEMENS MR VA0  COAD|c2|DS|EPIInductance
0019|SIEMENS MR VA0  COAD|c3|IS|EPISwitchConfigurationCode
0019|SIEMENS MR VA0  COAD|c4|IS|EPISwitchHardwareCode
0019|SIEMENS MR VA0  COAD|c5|DS|EPISwitchDelayTime
0019|SIEMENS MR VA0  COAD|d1|DS|FlowSensitivity
0019|SIEMENS MR VA0  COAD|d2|LT|CalculationSubmode
0019|SIEMENS MR VA0  COAD|d3|DS|FieldOfViewRatio
0019|SIEMENS MR VA0  COAD|d4|IS|BaseRawMatrixSize
0019|SIEMENS MR VA0  COAD|d5|IS|2DOversamplingLines
0019|SIEMENS MR VA0  COAD|d6|IS|3DPhaseOversamplingPartitions
0019|SIEMENS MR VA0  COAD|d7|IS|EchoLinePosition
0019|SIEMENS MR VA0  COAD|d8|IS|EchoColumnPosition
0019|SIEMENS MR VA0  COAD|d9|IS|LinesPerSegment
0019|SIEMENS MR VA0  COAD|da|LT|PhaseCodingDirection
0019|SIEMENS MR VA0  GEN|10|DS|TotalMeasurementTimeNominal
0019|SIEMENS MR VA0  GEN|11|DS|TotalMeasurementTimeCurrent
0019|SIEMENS MR VA0  GEN|12|DS|StartDelayTime
0019|SIEMENS MR VA0  GEN|13|DS|DwellTime
0019|SIEMENS MR VA0  GEN|14|IS|NumberOfPhases
0019|SIEMENS MR VA0  GEN|16|UL|SequenceControlMask
0019|SIEMENS MR VA0  GEN|18|UL|MeasurementStatusMask
0019|SIEMENS MR VA0  GEN|20|IS|NumberOfFourierLinesNominal
0019|SIEMENS MR VA0  GEN|21|IS|NumberOfFourierLinesCurrent
0019|SIEMENS MR VA0  GEN|26|IS|NumberOfFourierLinesAfterZero
0019|SIEMENS MR VA0  GEN|28|IS|FirstMeasuredFourierLine
0019|SIEMENS MR VA0  GEN|30|IS|AcquisitionColumns
0019|SIEMENS MR VA0  GEN|31|IS|ReconstructionColumns
0019|SIEMENS MR VA0  GEN|40|IS|ArrayCoilElementNumber
0019|SIEMENS MR VA0  GEN|41|UL|ArrayCoilElementSelectMask
0019|SIEMENS MR VA0  GEN|42|UL|ArrayCoilElementDataMask
0019|SIEMENS MR VA0  GEN|43|IS|ArrayCoilElementToADCConnect
0019|SIEMENS MR VA0  GEN|44|DS|ArrayCoilElementNoiseLevel
0019|SIEMENS MR VA0  GEN|45|IS|ArrayCoilADCPairNumber
0019|SIEMENS MR VA0  GEN|46|UL|ArrayCoilCombinationMask
0019|SIEMENS MR VA0  GEN|50|IS|NumberOfAverages
0019|SIEMENS MR VA0  GEN|60|DS|FlipAngle
0019|SIEMENS MR VA0  GEN|70|IS|NumberOfPrescans
0019|SIEMENS MR VA0  GEN|81|LT|FilterTypeForRawData
0019|SIEMENS MR VA0  GEN|82|DS|FilterParameterForRawData
0019|SIEMENS MR VA0  GEN|83|LT|FilterTypeForImageData
0019|SIEMENS MR VA0  GEN|84|DS|FilterParameterForImageData
0019|SIEMENS MR VA0  GEN|85|LT|FilterTypeForPhaseCorrection
0019|SIEMENS MR VA0  GEN|86|DS|FilterParameterForPhaseCorrection
0019|SIEMENS MR VA0  GEN|87|LT|NormalizationFilterTypeForImageData
0019|SIEMENS MR VA0  GEN|88|DS|NormalizationFilterParameterForImageData
0019|SIEMENS MR VA0  GEN|90|IS|NumberOfSaturationRegions
0019|SIEMENS MR VA0  GEN|91|DS|SaturationPhaseEncodingVectorSagittalComponent
0019|SIEMENS MR VA0  GEN|92|DS|SaturationReadoutVectorSagittalComponent
0019|SIEMENS MR VA0  GEN|93|DS|EPIStimulationMonitorMode
0019|SIEMENS MR VA0  GEN|94|DS|ImageRotationAngle
0019|SIEMENS MR VA0  GEN|96|UL|CoilIDMask
0019|SIEMENS MR VA0  GEN|97|UL|CoilClassMask
0019|SIEMENS MR VA0  GEN|98|DS|CoilPosition
0019|SIEMENS MR VA0  GEN|a0|DS|EPIReconstructionPhase
0019|SIEMENS MR VA0  GEN|a1|DS|EPIReconstructionSlope
0021|SIEMENS MR VA0  GEN|20|IS|PhaseCorrectionRowsSequence
0021|SIEMENS MR VA0  GEN|21|IS|PhaseCorrectionColumnsSequence
0021|SIEMENS MR VA0  GEN|22|IS|PhaseCorrectionRowsReconstruction
0021|SIEMENS MR VA0  GEN|24|IS|PhaseCorrectionColumnsReconstruction
0021|SIEMENS MR VA0  GEN|30|IS|NumberOf3DRawPartitionsNominal
0021|SIEMENS MR VA0  GEN|31|IS|NumberOf3DRawPartitionsCurrent
0021|SIEMENS MR VA0  GEN|34|IS|NumberOf3DImagePartitions
0021|SIEMENS MR VA0  GEN|36|IS|Actual3DImagePartitionNumber
0021|SIEMENS MR VA0  GEN|39|DS|SlabThickness
0021|SIEMENS MR VA0  GEN|40|IS|NumberOfSlicesNominal
0021|SIEMENS MR VA0  GEN|41|IS|NumberOfSlicesCurrent
0021|SIEMENS MR VA0  GEN|42|IS|CurrentSliceNumber
0021|SIEMENS MR VA0  GEN|43|IS|CurrentGroupNumber
0021|SIEMENS MR VA0  GEN|44|DS|CurrentSliceDistanceFactor
0021|SIEMENS MR VA0  GEN|45|IS|MIPStartRow
0021|SIEMENS MR VA0  GEN|46|IS|MIPStopRow
0021|SIEMENS MR VA0  GEN|47|IS|MIPStartColumn
0021|SIEMENS MR VA0  GEN|48|IS|MIPStartColumn
0021|SIEMENS MR VA0  GEN|49|IS|MIPStartSliceName=
0021|SIEMENS MR VA0  GEN|4a|IS|MIPStartSlice
0021|SIEMENS MR VA0  GEN|4f|LT|OrderofSlices
0021|SIEMENS MR VA0  GEN|50|US|SignalMask
0021|SIEMENS MR VA0  GEN|52|DS|DelayAfterTrigger
0021|SIEMENS MR VA0  GEN|53|IS|RRInterval
0021|SIEMENS MR VA0  GEN|54|DS|NumberOfTriggerPulses
0021|SIEMENS MR VA0  GEN|56|DS|RepetitionTimeEffective
0021|SIEMENS MR VA0  GEN|57|LT|GatePhase
0021|SIEMENS MR VA0  GEN|58|DS|GateThreshold
0021|SIEMENS MR VA0  GEN|59|DS|GatedRatio
0021|SIEMENS MR VA0  GEN|60|IS|NumberOfInterpolatedImages
0021|SIEMENS MR VA0  GEN|70|IS|NumberOfEchoes
0021|SIEMENS MR VA0  GEN|72|DS|SecondEchoTime
0021|SIEMENS MR VA0  GEN|73|DS|SecondRepetitionTime
0021|SIEMENS MR VA0  GEN|80|IS|CardiacCode
0021|SIEMENS MR VA0  GEN|91|DS|SaturationPhaseEncodingVectorTransverseComponent
0021|SIEMENS MR VA0  GEN|92|DS|SaturationReadoutVectorTransverseComponent
0021|SIEMENS MR VA0  GEN|93|DS|EPIChangeValueOfMagnitude
0021|SIEMENS MR VA0  GEN|94|DS|EPIChangeValueOfXComponent
0021|SIEMENS MR VA0  GEN|95|DS|EPIChangeValueOfYComponent
0021|SIEMENS MR VA0  GEN|96|DS|EPIChangeValueOfZComponent
0021|SIEMENS MR VA0  RAW|00|LT|SequenceType
0021|SIEMENS MR VA0  RAW|01|IS|VectorSizeOriginal
0021|SIEMENS MR VA0  RAW|02|IS|VectorSizeExtended
0021|SIEMENS MR VA0  RAW|03|DS|AcquiredSpectralRange
0021|SIEMENS MR VA0  RAW|04|DS|VOIPosition
0021|SIEMENS MR VA0  RAW|05|DS|VOISize
0021|SIEMENS MR VA0  RAW|06|IS|CSIMatrixSizeOriginal
0021|SIEMENS MR VA0  RAW|07|IS|CSIMatrixSizeExtended
0021|SIEMENS MR VA0  RAW|08|DS|SpatialGridShift
0021|SIEMENS MR VA0  RAW|09|DS|SignalLimitsMinimum
0021|SIEMENS MR VA0  RAW|10|DS|SignalLimitsMaximum
0021|SIEMENS MR VA0  RAW|11|DS|SpecInfoMask
0021|SIEMENS MR VA0  RAW|12|DS|EPITimeRateOfChangeOfMagnitude
0021|SIEMENS MR VA0  RAW|13|DS|EPITimeRateOfChangeOfXComponent
0021|SIEMENS MR VA0  RAW|14|DS|EPITimeRateOfChangeOfYComponent
0021|SIEMENS MR VA0  RAW|15|DS|EPITimeRateOfChangeOfZComponent
0021|SIEMENS MR VA0  RAW|16|DS|EPITimeRateOfChangeLegalLimit1
0021|SIEMENS MR VA0  RAW|17|DS|EPIOperationModeFlag
0021|SIEMENS MR VA0  RAW|18|DS|EPIFieldCalculationSafetyFactor
0021|SIEMENS MR VA0  RAW|19|DS|EPILegalLimit1OfChangeValue
0021|SIEMENS MR VA0  RAW|20|DS|EPILegalLimit2OfChangeValue
0021|SIEMENS MR VA0  RAW|21|DS|EPIRiseTime
0021|SIEMENS MR VA0  RAW|30|DS|ArrayCoilADCOffset
0021|SIEMENS MR VA0  RAW|31|DS|ArrayCoilPreamplifierGain
0021|SIEMENS MR VA0  RAW|50|LT|SaturationType
0021|SIEMENS MR VA0  RAW|51|DS|SaturationNormalVector
0021|SIEMENS MR VA0  RAW|52|DS|SaturationPositionVector
0021|SIEMENS MR VA0  RAW|53|DS|SaturationThickness
0021|SIEMENS MR VA0  RAW|54|DS|SaturationWidth
0021|SIEMENS MR VA0  RAW|55|DS|SaturationDistance
7fe3|SIEMENS NUMARIS II|00|LT|ImageGraphicsFormatCode
7fe3|SIEMENS NUMARIS II|10|OB|ImageGraphics
7fe3|SIEMENS NUMARIS II|20|OB|ImageGraphicsDummy
0011|SIEMENS RA GEN|20|SL|FluoroTimer
0011|SIEMENS RA GEN|25|SL|PtopDoseAreaProduct
0011|SIEMENS RA GEN|26|SL|PtopTotalSkinDose
0011|SIEMENS RA GEN|30|LT|Unknown
0011|SIEMENS RA GEN|35|LO|PatientInitialPuckCounter
0011|SIEMENS RA GEN|40|SS|SPIDataObjectType
0019|SIEMENS RA GEN|15|LO|AcquiredPlane
0019|SIEMENS RA GEN|1f|SS|DefaultTableIsoCenterHeight
0019|SIEMENS RA GEN|20|SL|SceneFlag
0019|SIEMENS RA GEN|22|SL|RefPhotofileFlag
0019|SIEMENS RA GEN|24|LO|SceneName
0019|SIEMENS RA GEN|26|SS|AcquisitionIndex
0019|SIEMENS RA GEN|28|SS|MixedPulseMode
0019|SIEMENS RA GEN|2a|SS|NoOfPositions
0019|SIEMENS RA GEN|2c|SS|NoOfPhases
0019|SIEMENS RA GEN|2e|SS|FrameRateForPositions
0019|SIEMENS RA GEN|30|SS|NoOfFramesForPositions
0019|SIEMENS RA GEN|32|SS|SteppingDirection
0019|SIEMENS RA GEN|34|US|Unknown
0019|SIEMENS RA GEN|36|US|Unknown
0019|SIEMENS RA GEN|38|US|Unknown
0019|SIEMENS RA GEN|3a|US|Unknown
0019|SIEMENS RA GEN|3c|US|Unknown
0019|SIEMENS RA GEN|3e|US|Unknown
0019|SIEMENS RA GEN|40|US|Unknown
0019|SIEMENS RA GEN|42|US|Unknown
0019|SIEMENS RA GEN|44|SS|ImageTransferDelay
0019|SIEMENS RA GEN|46|SL|InversFlag
0019|SIEMENS RA GEN|48|US|Unknown
0019|SIEMENS RA GEN|4a|US|Unknown
0019|SIEMENS RA GEN|4c|SS|BlankingCircleDiameter
0019|SIEMENS RA GEN|50|SL|StandDataValid
0019|SIEMENS RA GEN|52|SS|TableTilt
0019|SIEMENS RA GEN|54|SS|TableAxisRotation
0019|SIEMENS RA GEN|56|SS|TableLongitudalPosition
0019|SIEMENS RA GEN|58|SS|TableSideOffset
0019|SIEMENS RA GEN|5a|SS|TableIsoCenterHeight
0019|SIEMENS RA GEN|5c|UN|Unknown
0019|SIEMENS RA GEN|5e|SL|CollimationDataValid
0019|SIEMENS RA GEN|60|SL|PeriSequenceNo
0019|SIEMENS RA GEN|62|SL|PeriTotalScenes
0019|SIEMENS RA GEN|64|SL|PeriOverlapTop
0019|SIEMENS RA GEN|66|SL|PeriOverlapBottom
0019|SIEMENS RA GEN|68|SL|RawImageNumber
0019|SIEMENS RA GEN|6a|SL|XRayDataValid
0019|SIEMENS RA GEN|70|US|Unknown
0019|SIEMENS RA GEN|72|US|Unknown
0019|SIEMENS RA GEN|74|US|Unknown
0019|SIEMENS RA GEN|76|SL|FillingAverageFactor
0019|SIEMENS RA GEN|78|US|Unknown
0019|SIEMENS RA GEN|7a|US|Unknown
0019|SIEMENS RA GEN|7c|US|Unknown
0019|SIEMENS RA GEN|7e|US|Unknown
0019|SIEMENS RA GEN|80|US|Unknown
0019|SIEMENS RA GEN|82|US|Unknown
0019|SIEMENS RA GEN|84|US|Unknown
0019|SIEMENS RA GEN|86|US|Unknown
0019|SIEMENS RA GEN|88|US|Unknown
0019|SIEMENS RA GEN|8a|US|Unknown
0019|SIEMENS RA GEN|8c|US|Unknown
0019|SIEMENS RA GEN|8e|US|Unknown
0019|SIEMENS RA GEN|92|US|Unknown
0019|SIEMENS RA GEN|94|US|Unknown
0019|SIEMENS RA GEN|96|US|Unknown
0019|SIEMENS RA GEN|98|US|Unknown
0019|SIEMENS RA GEN|9a|US|Unknown
0019|SIEMENS RA GEN|9c|SL|IntensifierLevelCalibrationFactor
0019|SIEMENS RA GEN|9e|SL|NativeReviewFlag
0019|SIEMENS RA GEN|a2|SL|SceneNumber
0019|SIEMENS RA GEN|a4|SS|AcquisitionMode
0019|SIEMENS RA GEN|a5|SS|AcquisitonFrameRate
0019|SIEMENS RA GEN|a6|SL|ECGFlag
0019|SIEMENS RA GEN|a7|SL|AdditionalSceneData
0019|SIEMENS RA GEN|a8|SL|FileCopyFlag
0019|SIEMENS RA GEN|a9|SL|PhlebovisionFlag
0019|SIEMENS RA GEN|aa|SL|Co2Flag
0019|SIEMENS RA GEN|ab|SS|MaxSpeed
0019|SIEMENS RA GEN|ac|SS|StepWidth
0019|SIEMENS RA GEN|ad|SL|DigitalAcquisitionZoom
0019|SIEMENS RA GEN|ff|SS|Internal
0021|SIEMENS RA GEN|15|SS|ImagesInStudy
0021|SIEMENS RA GEN|20|SS|ScenesInStudy
0021|SIEMENS RA GEN|25|SS|ImagesInPhotofile
0021|SIEMENS RA GEN|27|SS|PlaneBImagesExist
0021|SIEMENS RA GEN|28|SS|NoOf2MBChunks
0021|SIEMENS RA GEN|30|SS|ImagesInAllScenes
0021|SIEMENS RA GEN|40|SS|ArchiveSWInternalVersion
0011|SIEMENS RA PLANE A|28|SL|FluoroTimerA
0011|SIEMENS RA PLANE A|29|SL|FluoroSkinDoseA
0011|SIEMENS RA PLANE A|2a|SL|TotalSkinDoseA
0011|SIEMENS RA PLANE A|2b|SL|FluoroDoseAreaProductA
0011|SIEMENS RA PLANE A|2c|SL|TotalDoseAreaProductA
0019|SIEMENS RA PLANE A|15|LT|OfflineUID
0019|SIEMENS RA PLANE A|18|SS|Internal
0019|SIEMENS RA PLANE A|19|SS|Internal
0019|SIEMENS RA PLANE A|1a|SS|Internal
0019|SIEMENS RA PLANE A|1b|SS|Internal
0019|SIEMENS RA PLANE A|1c|SS|Internal
0019|SIEMENS RA PLANE A|1d|SS|Internal
0019|SIEMENS RA PLANE A|1e|SS|Internal
0019|SIEMENS RA PLANE A|1f|SS|Internal
0019|SIEMENS RA PLANE A|20|SS|SystemCalibFactorPlaneA
0019|SIEMENS RA PLANE A|22|SS|XRayParameterSetNo
0019|SIEMENS RA PLANE A|24|SS|XRaySystem
0019|SIEMENS RA PLANE A|26|US|Unknown
0019|SIEMENS RA PLANE A|28|SS|AcquiredDisplayMode
0019|SIEMENS RA PLANE A|2a|SS|AcquisitionDelay
0019|SIEMENS RA PLANE A|2c|US|Unknown
0019|SIEMENS RA PLANE A|2e|SS|MaxFramesLimit
0019|SIEMENS RA PLANE A|30|US|MaximumFrameSizeNIU
0019|SIEMENS RA PLANE A|32|SS|SubtractedFilterType
0019|SIEMENS RA PLANE A|34|SS|FilterFactorNative
0019|SIEMENS RA PLANE A|36|SS|AnatomicBackgroundFactor
0019|SIEMENS RA PLANE A|38|SS|WindowUpperLimitNative
0019|SIEMENS RA PLANE A|3a|SS|WindowLowerLimitNative
0019|SIEMENS RA PLANE A|3c|SS|WindowBrightnessPhase1
0019|SIEMENS RA PLANE A|3e|SS|WindowBrightnessPhase2
0019|SIEMENS RA PLANE A|40|SS|WindowContrastPhase1
0019|SIEMENS RA PLANE A|42|SS|WindowContrastPhase2
0019|SIEMENS RA PLANE A|44|SS|FilterFactorSub
0019|SIEMENS RA PLANE A|46|SS|PeakOpacified
0019|SIEMENS RA PLANE A|48|SL|MaskFrame
0019|SIEMENS RA PLANE A|4a|SL|BIHFrame
0019|SIEMENS RA PLANE A|4c|SS|CentBeamAngulationCaudCran
0019|SIEMENS RA PLANE A|4e|SS|CentBeamAngulationLRAnterior
0019|SIEMENS RA PLANE A|50|SS|LongitudinalPosition
0019|SIEMENS RA PLANE A|52|SS|SideOffset
0019|SIEMENS RA PLANE A|54|SS|IsoCenterHeight
0019|SIEMENS RA PLANE A|56|SS|ImageTwist
0019|SIEMENS RA PLANE A|58|SS|SourceImageDistance
0019|SIEMENS RA PLANE A|5a|SS|MechanicalMagnificationFactor
0019|SIEMENS RA PLANE A|5c|SL|CalibrationFlag
0019|SIEMENS RA PLANE A|5e|SL|CalibrationAngleCranCaud
0019|SIEMENS RA PLANE A|60|SL|CalibrationAngleRAOLAO
0019|SIEMENS RA PLANE A|62|SL|CalibrationTableToFloorDist
0019|SIEMENS RA PLANE A|64|SL|CalibrationIsocenterToFloorDist
0019|SIEMENS RA PLANE A|66|SL|CalibrationIsocenterToSourceDist
0019|SIEMENS RA PLANE A|68|SL|CalibrationSourceToII
0019|SIEMENS RA PLANE A|6a|SL|CalibrationIIZoom
0019|SIEMENS RA PLANE A|6c|SL|CalibrationIIField
0019|SIEMENS RA PLANE A|6e|SL|CalibrationFactor
0019|SIEMENS RA PLANE A|70|SL|CalibrationObjectToImageDistance
0019|SIEMENS RA PLANE A|72|SL|CalibrationSystemFactor
0019|SIEMENS RA PLANE A|74|SL|CalibrationSystemCorrection
0019|SIEMENS RA PLANE A|76|SL|CalibrationSystemIIFormats
0019|SIEMENS RA PLANE A|78|SL|CalibrationGantryDataValid
0019|SIEMENS RA PLANE A|7a|SS|CollimatorSquareBreadth
0019|SIEMENS RA PLANE A|7c|SS|CollimatorSquareHeight
0019|SIEMENS RA PLANE A|7e|SS|CollimatorSquareDiameter
0019|SIEMENS RA PLANE A|80|SS|CollimaterFingerTurnAngle
0019|SIEMENS RA PLANE A|82|SS|CollimaterFingerPosition
0019|SIEMENS RA PLANE A|84|SS|CollimaterDiaphragmTurnAngle
0019|SIEMENS RA PLANE A|86|SS|CollimaterDiaphragmPosition1
0019|SIEMENS RA PLANE A|88|SS|CollimaterDiaphragmPosition2
0019|SIEMENS RA PLANE A|8a|SS|CollimaterDiaphragmMode
0019|SIEMENS RA PLANE A|8c|SS|CollimaterBeamLimitBreadth
0019|SIEMENS RA PLANE A|8e|SS|CollimaterBeamLimitHeight
0019|SIEMENS RA PLANE A|90|SS|CollimaterBeamLimitDiameter
0019|SIEMENS RA PLANE A|92|SS|X-RayControlMOde
0019|SIEMENS RA PLANE A|94|SS|X-RaySystem
0019|SIEMENS RA PLANE A|96|SS|FocalSpot
0019|SIEMENS RA PLANE A|98|SS|ExposureControl
0019|SIEMENS RA PLANE A|9a|SL|XRayVoltage
0019|SIEMENS RA PLANE A|9c|SL|XRayCurrent
0019|SIEMENS RA PLANE A|9e|SL|XRayCurrentTimeProduct
0019|SIEMENS RA PLANE A|a0|SL|XRayPulseTime
0019|SIEMENS RA PLANE A|a2|SL|XRaySceneTimeFluoroClock
0019|SIEMENS RA PLANE A|a4|SS|MaximumPulseRate
0019|SIEMENS RA PLANE A|a6|SS|PulsesPerScene
0019|SIEMENS RA PLANE A|a8|SL|DoseAreaProductOfScene
0019|SIEMENS RA PLANE A|aa|SS|Dose
0019|SIEMENS RA PLANE A|ac|SS|DoseRate
0019|SIEMENS RA PLANE A|ae|SL|IIToCoverDistance
0019|SIEMENS RA PLANE A|b0|SS|LastFramePhase1
0019|SIEMENS RA PLANE A|b1|SS|FrameRatePhase1
0019|SIEMENS RA PLANE A|b2|SS|LastFramePhase2
0019|SIEMENS RA PLANE A|b3|SS|FrameRatePhase2
0019|SIEMENS RA PLANE A|b4|SS|LastFramePhase3
0019|SIEMENS RA PLANE A|b5|SS|FrameRatePhase3
0019|SIEMENS RA PLANE A|b6|SS|LastFramePhase4
0019|SIEMENS RA PLANE A|b7|SS|FrameRatePhase4
0019|SIEMENS RA PLANE A|b8|SS|GammaOfNativeImage
0019|SIEMENS RA PLANE A|b9|SS|GammaOfTVSystem
0019|SIEMENS RA PLANE A|bb|SL|PixelshiftX
0019|SIEMENS RA PLANE A|bc|SL|PixelshiftY
0019|SIEMENS RA PLANE A|bd|SL|MaskAverageFactor
0019|SIEMENS RA PLANE A|be|SL|BlankingCircleFlag
0019|SIEMENS RA PLANE A|bf|SL|CircleRowStart
0019|SIEMENS RA PLANE A|c0|SL|CircleRowEnd
0019|SIEMENS RA PLANE A|c1|SL|CircleColumnStart
0019|SIEMENS RA PLANE A|c2|SL|CircleColumnEnd
0019|SIEMENS RA PLANE A|c3|SL|CircleDiameter
0019|SIEMENS RA PLANE A|c4|SL|RectangularCollimaterFlag
0019|SIEMENS RA PLANE A|c5|SL|RectangleRowStart
0019|SIEMENS RA PLANE A|c6|SL|RectangleRowEnd
0019|SIEMENS RA PLANE A|c7|SL|RectangleColumnStart
0019|SIEMENS RA PLANE A|c8|SL|RectangleColumnEnd
0019|SIEMENS RA PLANE A|c9|SL|RectangleAngulation
0019|SIEMENS RA PLANE A|ca|SL|IrisCollimatorFlag
0019|SIEMENS RA PLANE A|cb|SL|IrisRowStart
0019|SIEMENS RA PLANE A|cc|SL|IrisRowEnd
0019|SIEMENS RA PLANE A|cd|SL|IrisColumnStart
0019|SIEMENS RA PLANE A|ce|SL|IrisColumnEnd
0019|SIEMENS RA PLANE A|cf|SL|IrisAngulation
0019|SIEMENS RA PLANE A|d1|SS|NumberOfFramesPlane
0019|SIEMENS RA PLANE A|d2|SS|Internal
0019|SIEMENS RA PLANE A|d3|SS|Internal
0019|SIEMENS RA PLANE A|d4|SS|Internal
0019|SIEMENS RA PLANE A|d5|SS|Internal
0019|SIEMENS RA PLANE A|d6|SS|Internal
0019|SIEMENS RA PLANE A|d7|SS|Internal
0019|SIEMENS RA PLANE A|d8|SS|Internal
0019|SIEMENS RA PLANE A|d9|SS|Internal
0019|SIEMENS RA PLANE A|da|SS|Internal
0019|SIEMENS RA PLANE A|db|SS|Internal
0019|SIEMENS RA PLANE A|dc|SS|Internal
0019|SIEMENS RA PLANE A|dd|SL|AnatomicBackground
0019|SIEMENS RA PLANE A|de|SL|AutoWindowBase
0019|SIEMENS RA PLANE A|df|SS|Internal
0019|SIEMENS RA PLANE A|e0|SL|Internal
0011|SIEMENS RA PLANE B|28|SL|FluoroTimerB
0011|SIEMENS RA PLANE B|29|SL|FluoroSkinDoseB
0011|SIEMENS RA PLANE B|2a|SL|TotalSkinDoseB
0011|SIEMENS RA PLANE B|2b|SL|FluoroDoseAreaProductB
0011|SIEMENS RA PLANE B|2c|SL|TotalDoseAreaProductB
0019|SIEMENS RA PLANE B|18|SS|Internal
0019|SIEMENS RA PLANE B|19|SS|Internal
0019|SIEMENS RA PLANE B|1a|SS|Internal
0019|SIEMENS RA PLANE B|1b|SS|Internal
0019|SIEMENS RA PLANE B|1c|SS|Internal
0019|SIEMENS RA PLANE B|1d|SS|Internal
0019|SIEMENS RA PLANE B|1e|SS|Internal
0019|SIEMENS RA PLANE B|1f|SS|Internal
0019|SIEMENS RA PLANE B|20|SL|SystemCalibFactorPlaneB
0019|SIEMENS RA PLANE B|22|US|Unknown
0019|SIEMENS RA PLANE B|24|US|Unknown
0019|SIEMENS RA PLANE B|26|US|Unknown
0019|SIEMENS RA PLANE B|28|US|Unknown
0019|SIEMENS RA PLANE B|2a|US|Unknown
0019|SIEMENS RA PLANE B|2c|US|Unknown
0019|SIEMENS RA PLANE B|2e|US|Unknown
0019|SIEMENS RA PLANE B|30|US|Unknown
0019|SIEMENS RA PLANE B|32|US|Unknown
0019|SIEMENS RA PLANE B|34|US|Unknown
0019|SIEMENS RA PLANE B|36|US|Unknown
0019|SIEMENS RA PLANE B|38|US|Unknown
0019|SIEMENS RA PLANE B|3a|US|Unknown
0019|SIEMENS RA PLANE B|3c|US|Unknown
0019|SIEMENS RA PLANE B|3e|US|Unknown
0019|SIEMENS RA PLANE B|40|US|Unknown
0019|SIEMENS RA PLANE B|42|US|Unknown
0019|SIEMENS RA PLANE B|44|US|Unknown
0019|SIEMENS RA PLANE B|46|US|Unknown
0019|SIEMENS RA PLANE B|48|US|Unknown
0019|SIEMENS RA PLANE B|4a|US|Unknown
0019|SIEMENS RA PLANE B|4c|US|Unknown
0019|SIEMENS RA PLANE B|4e|US|Unknown
0019|SIEMENS RA PLANE B|50|US|Unknown
0019|SIEMENS RA PLANE B|52|US|Unknown
0019|SIEMENS RA PLANE B|54|US|Unknown
0019|SIEMENS RA PLANE B|56|US|Unknown
0019|SIEMENS RA PLANE B|58|US|Unknown
0019|SIEMENS RA PLANE B|5a|US|Unknown
0019|SIEMENS RA PLANE B|5c|US|Unknown
0019|SIEMENS RA PLANE B|5e|US|Unknown
0019|SIEMENS RA PLANE B|60|US|Unknown
0019|SIEMENS RA PLANE B|62|US|Unknown
0019|SIEMENS RA PLANE B|64|US|Unknown
0019|SIEMENS RA PLANE B|66|US|Unknown
0019|SIEMENS RA PLANE B|68|US|Unknown
0019|SIEMENS RA PLANE B|6a|US|Unknown
0019|SIEMENS RA PLANE B|6c|US|Unknown
0019|SIEMENS RA PLANE B|6e|US|Unknown
0019|SIEMENS RA PLANE B|70|US|Unknown
0019|SIEMENS RA PLANE B|72|UN|Unknown
0019|SIEMENS RA PLANE B|74|UN|Unknown
0019|SIEMENS RA PLANE B|76|UN|Unknown
0019|SIEMENS RA PLANE B|78|US|Unknown
0019|SIEMENS RA PLANE B|7a|US|Unknown
0019|SIEMENS RA PLANE B|7c|US|Unknown
0019|SIEMENS RA PLANE B|7e|US|Unknown
0019|SIEMENS RA PLANE B|80|US|Unknown
0019|SIEMENS RA PLANE B|82|US|Unknown
0019|SIEMENS RA PLANE B|84|US|Unknown
0019|SIEMENS RA PLANE B|86|US|Unknown
0019|SIEMENS RA PLANE B|88|US|Unknown
0019|SIEMENS RA PLANE B|8a|US|Unknown
0019|SIEMENS RA PLANE B|8c|US|Unknown
0019|SIEMENS RA PLANE B|8e|US|Unknown
0019|SIEMENS RA PLANE B|90|US|Unknown
0019|SIEMENS RA PLANE B|92|US|Unknown
0019|SIEMENS RA PLANE B|94|US|Unknown
0019|SIEMENS RA PLANE B|96|US|Unknown
0019|SIEMENS RA PLANE B|98|US|Unknown
0019|SIEMENS RA PLANE B|9a|US|Unknown
0019|SIEMENS RA PLANE B|9c|US|Unknown
0019|SIEMENS RA PLANE B|9e|US|Unknown
0019|SIEMENS RA PLANE B|a0|US|Unknown
0019|SIEMENS RA PLANE B|a2|US|Unknown
0019|SIEMENS RA PLANE B|a4|US|Unknown
0019|SIEMENS RA PLANE B|a6|US|Unknown
0019|SIEMENS RA PLANE B|a8|US|Unknown
0019|SIEMENS RA PLANE B|aa|US|Unknown
0019|SIEMENS RA PLANE B|ac|US|Unknown
0011|SIEMENS RIS|10|LT|PatientUID
0011|SIEMENS RIS|11|LT|PatientID
0011|SIEMENS RIS|20|DA|PatientRegistrationDate
0011|SIEMENS RIS|21|TM|PatientRegistrationTime
0011|SIEMENS RIS|30|LT|PatientnameRIS
0011|SIEMENS RIS|31|LT|PatientprenameRIS
0011|SIEMENS RIS|40|LT|PatientHospitalStatus
0011|SIEMENS RIS|41|LT|MedicalAlerts
0011|SIEMENS RIS|42|LT|ContrastAllergies
0031|SIEMENS RIS|10|LT|RequestUID
0031|SIEMENS RIS|45|LT|RequestingPhysician
0031|SIEMENS RIS|50|LT|RequestedPhysician
0033|SIEMENS RIS|10|LT|PatientStudyUID
0021|SIEMENS SMS-AX  ACQ 1.0|00|US|AcquisitionType
0021|SIEMENS SMS-AX  ACQ 1.0|01|US|AcquisitionMode
0021|SIEMENS SMS-AX  ACQ 1.0|02|US|FootswitchIndex
0021|SIEMENS SMS-AX  ACQ 1.0|03|US|AcquisitionRoom
0021|SIEMENS SMS-AX  ACQ 1.0|04|SL|CurrentTimeProduct
0021|SIEMENS SMS-AX  ACQ 1.0|05|SL|Dose
0021|SIEMENS SMS-AX  ACQ 1.0|06|SL|SkinDosePercent
0021|SIEMENS SMS-AX  ACQ 1.0|07|SL|SkinDoseAccumulation
0021|SIEMENS SMS-AX  ACQ 1.0|08|SL|SkinDoseRate
0021|SIEMENS SMS-AX  ACQ 1.0|0a|UL|CopperFilter
0021|SIEMENS SMS-AX  ACQ 1.0|0b|US|MeasuringField
0021|SIEMENS SMS-AX  ACQ 1.0|0c|SS|PostBlankingCircle
0021|SIEMENS SMS-AX  ACQ 1.0|0d|SS|DynaAngles
0021|SIEMENS SMS-AX  ACQ 1.0|0e|SS|TotalSteps
0021|SIEMENS SMS-AX  ACQ 1.0|0f|SL|DynaXRayInfo
0021|SIEMENS SMS-AX  ACQ 1.0|10|US|ModalityLUTInputGamma
0021|SIEMENS SMS-AX  ACQ 1.0|11|US|ModalityLUTOutputGamma
0021|SIEMENS SMS-AX  ACQ 1.0|12|OB|SH_STPAR
0021|SIEMENS SMS-AX  ACQ 1.0|13|US|AcquisitionZoom
0021|SIEMENS SMS-AX  ACQ 1.0|14|SS|DynaAngulationStepWidth
0021|SIEMENS SMS-AX  ACQ 1.0|15|US|Harmonization
0021|SIEMENS SMS-AX  ACQ 1.0|16|US|DRSingleFlag
0021|SIEMENS SMS-AX  ACQ 1.0|17|SL|SourceToIsocenter
0021|SIEMENS SMS-AX  ACQ 1.0|18|US|PressureData
0021|SIEMENS SMS-AX  ACQ 1.0|19|SL|ECGIndexArray
0021|SIEMENS SMS-AX  ACQ 1.0|1a|US|FDFlag
0021|SIEMENS SMS-AX  ACQ 1.0|1b|OB|SH_ZOOM
0021|SIEMENS SMS-AX  ACQ 1.0|1c|OB|SH_COLPAR
0021|SIEMENS SMS-AX  ACQ 1.0|1d|US|K_Factor
0021|SIEMENS SMS-AX  ACQ 1.0|1e|US|EVE
0021|SIEMENS SMS-AX  ACQ 1.0|1f|SL|TotalSceneTime
0021|SIEMENS SMS-AX  ACQ 1.0|20|US|RestoreFlag
0021|SIEMENS SMS-AX  ACQ 1.0|21|US|StandMovementFlag
0021|SIEMENS SMS-AX  ACQ 1.0|22|US|FDRows
0021|SIEMENS SMS-AX  ACQ 1.0|23|US|FDColumns
0021|SIEMENS SMS-AX  ACQ 1.0|24|US|TableMovementFlag
0021|SIEMENS SMS-AX  ACQ 1.0|25|LO|OriginalOrganProgramName
0021|SIEMENS SMS-AX  ACQ 1.0|26|DS|CrispyXPIFilter
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|00|US|ViewNative
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|01|US|OriginalSeriesNumber
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|02|US|OriginalImageNumber
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|03|US|WinCenter
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|04|US|WinWidth
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|05|US|WinBrightness
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|06|US|WinContrast
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|07|US|OriginalFrameNumber
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|08|US|OriginalMaskFrameNumber
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|09|US|Opac
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|0a|US|OriginalNumberOfFrames
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|0b|DS|OriginalSceneDuration
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|0c|LO|IdentifierLOID
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|0d|SS|OriginalSceneVFRInfo
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|0e|SS|OriginalFrameECGPosition
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|0f|SS|OriginalECG1stFrameOffset_retired
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|10|SS|ZoomFlag
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|11|US|Flex
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|12|US|NumberOfMaskFrames
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|13|US|NumberOfFillFrames
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|14|US|SeriesNumber
0025|SIEMENS SMS-AX  ORIGINAL IMAGE INFO 1.0|15|IS|ImageNumber
0023|SIEMENS SMS-AX  QUANT 1.0|00|DS|HorizontalCalibrationPixelSize
0023|SIEMENS SMS-AX  QUANT 1.0|01|DS|VerticalCalibrationPixelSize
0023|SIEMENS SMS-AX  QUANT 1.0|02|LO|CalibrationObject
0023|SIEMENS SMS-AX  QUANT 1.0|03|DS|CalibrationObjectSize
0023|SIEMENS SMS-AX  QUANT 1.0|04|LO|CalibrationMethod
0023|SIEMENS SMS-AX  QUANT 1.0|05|ST|Filename
0023|SIEMENS SMS-AX  QUANT 1.0|06|IS|FrameNumber
0023|SIEMENS SMS-AX  QUANT 1.0|07|IS|CalibrationFactorMultiplicity
0023|SIEMENS SMS-AX  QUANT 1.0|08|IS|CalibrationTODValue
0019|SIEMENS SMS-AX  VIEW 1.0|00|US|ReviewMode
0019|SIEMENS SMS-AX  VIEW 1.0|01|US|AnatomicalBackgroundPercent
0019|SIEMENS SMS-AX  VIEW 1.0|02|US|NumberOfPhases
0019|SIEMENS SMS-AX  VIEW 1.0|03|US|ApplyAnatomicalBackground
0019|SIEMENS SMS-AX  VIEW 1.0|04|SS|PixelShiftArray
0019|SIEMENS SMS-AX  VIEW 1.0|05|US|Brightness
0019|SIEMENS SMS-AX  VIEW 1.0|06|US|Contrast
0019|SIEMENS SMS-AX  VIEW 1.0|07|US|Enabled
0019|SIEMENS SMS-AX  VIEW 1.0|08|US|NativeEdgeEnhancementPercentGain
0019|SIEMENS SMS-AX  VIEW 1.0|09|SS|NativeEdgeEnhancementLUTIndex
0019|SIEMENS SMS-AX  VIEW 1.0|0a|SS|NativeEdgeEnhancementKernelSize
0019|SIEMENS SMS-AX  VIEW 1.0|0b|US|SubtrEdgeEnhancementPercentGain
0019|SIEMENS SMS-AX  VIEW 1.0|0c|SS|SubtrEdgeEnhancementLUTIndex
0019|SIEMENS SMS-AX  VIEW 1.0|0d|SS|SubtrEdgeEnhancementKernelSize
0019|SIEMENS SMS-AX  VIEW 1.0|0e|US|FadePercent
0019|SIEMENS SMS-AX  VIEW 1.0|0f|US|FlippedBeforeLateralityApplied
0019|SIEMENS SMS-AX  VIEW 1.0|10|US|ApplyFade
0019|SIEMENS SMS-AX  VIEW 1.0|12|US|Zoom
0019|SIEMENS SMS-AX  VIEW 1.0|13|SS|PanX
0019|SIEMENS SMS-AX  VIEW 1.0|14|SS|PanY
0019|SIEMENS SMS-AX  VIEW 1.0|15|SS|NativeEdgeEnhancementAdvPercGain
0019|SIEMENS SMS-AX  VIEW 1.0|16|SS|SubtrEdgeEnhancementAdvPercGain
0019|SIEMENS SMS-AX  VIEW 1.0|17|US|InvertFlag
0019|SIEMENS SMS-AX  VIEW 1.0|1a|OB|Quant1KOverlay
0019|SIEMENS SMS-AX  VIEW 1.0|1b|US|OriginalResolution
0019|SIEMENS SMS-AX  VIEW 1.0|1c|DS|AutoWindowCenter
0019|SIEMENS SMS-AX  VIEW 1.0|1d|DS|AutoWindowWidth
0009|SIENET|01|US|SIENETCommandField
0009|SIENET|14|LT|ReceiverPLA
0009|SIENET|16|US|TransferPriority
0009|SIENET|29|LT|ActualUser
0095|SIENET|01|LT|ExaminationFolderID
0095|SIENET|04|UL|FolderReportedStatus
0095|SIENET|05|LT|FolderReportingRadiologist
0095|SIENET|07|LT|SIENETISAPLA
0099|SIENET|02|UL|DataObjectAttributes
0009|SPI RELEASE 1|10|LT|Comments
0009|SPI RELEASE 1|15|LO|SPIImageUID
0009|SPI RELEASE 1|40|US|DataObjectType
0009|SPI RELEASE 1|41|LO|DataObjectSubtype
0011|SPI RELEASE 1|10|LO|Organ
0011|SPI RELEASE 1|15|LO|AllergyIndication
0011|SPI RELEASE 1|20|LO|Pregnancy
0029|SPI RELEASE 1|60|LT|CompressionAlgorithm
0009|SPI Release 1|10|LT|Comments
0009|SPI Release 1|15|LO|SPIImageUID
0009|SPI Release 1|40|US|DataObjectType
0009|SPI Release 1|41|LO|DataObjectSubtype
0011|SPI Release 1|10|LO|Organ
0011|SPI Release 1|15|LO|AllergyIndication
0011|SPI Release 1|20|LO|Pregnancy
0029|SPI Release 1|60|LT|CompressionAlgorithm
0009|SPI|10|LO|Comments
0009|SPI|15|LO|SPIImageUID
0009|SPI|40|US|DataObjectType
0009|SPI|41|LT|DataObjectSubtype
0011|SPI|10|LT|Organ
0011|SPI|15|LT|AllergyIndication
0011|SPI|20|LT|Pregnancy
0029|SPI|60|LT|CompressionAlgorithm
0011|SPI RELEASE 1|10|LO|Organ
0011|SPI RELEASE 1|15|LO|AllergyIndication
0011|SPI RELEASE 1|20|LO|Pregnancy
0009|SPI-P Release 1|00|LT|DataObjectRecognitionCode
0009|SPI-P Release 1|04|LO|ImageDataConsistence
0009|SPI-P Release 1|08|US|Unknown
0009|SPI-P Release 1|12|LO|Unknown
0009|SPI-P Release 1|15|LO|UniqueIdentifier
0009|SPI-P Release 1|16|LO|Unknown
0009|SPI-P Release 1|18|LO|Unknown
0009|SPI-P Release 1|21|LT|Unknown
0009|SPI-P Release 1|31|LT|PACSUniqueIdentifier
0009|SPI-P Release 1|34|LT|ClusterUniqueIdentifier
0009|SPI-P Release 1|38|LT|SystemUniqueIdentifier
0009|SPI-P Release 1|39|LT|Unknown
0009|SPI-P Release 1|51|LT|StudyUniqueIdentifier
0009|SPI-P Release 1|61|LT|SeriesUniqueIdentifier
0009|SPI-P Release 1|91|LT|Unknown
0009|SPI-P Release 1|f2|LT|Unknown
0009|SPI-P Release 1|f3|UN|Unknown
0009|SPI-P Release 1|f4|LT|Unknown
0009|SPI-P Release 1|f5|UN|Unknown
0009|SPI-P Release 1|f7|LT|Unknown
0011|SPI-P Release 1|10|LT|PatientEntryID
0011|SPI-P Release 1|21|UN|Unknown
0011|SPI-P Release 1|22|UN|Unknown
0011|SPI-P Release 1|31|UN|Unknown
0011|SPI-P Release 1|32|UN|Unknown
0019|SPI-P Release 1|00|UN|Unknown
0019|SPI-P Release 1|01|UN|Unknown
0019|SPI-P Release 1|02|UN|Unknown
0019|SPI-P Release 1|10|US|MainsFrequency
0019|SPI-P Release 1|25|LT|OriginalPixelDataQuality
0019|SPI-P Release 1|30|US|ECGTriggering
0019|SPI-P Release 1|31|UN|ECG1Offset
0019|SPI-P Release 1|32|UN|ECG2Offset1
0019|SPI-P Release 1|33|UN|ECG2Offset2
0019|SPI-P Release 1|50|US|VideoScanMode
0019|SPI-P Release 1|51|US|VideoLineRate
0019|SPI-P Release 1|60|US|XrayTechnique
0019|SPI-P Release 1|61|DS|ImageIdentifierFromat
0019|SPI-P Release 1|62|US|IrisDiaphragm
0019|SPI-P Release 1|63|CS|Filter
0019|SPI-P Release 1|64|CS|CineParallel
0019|SPI-P Release 1|65|CS|CineMaster
0019|SPI-P Release 1|70|US|ExposureChannel
0019|SPI-P Release 1|71|UN|ExposureChannelFirstImage
0019|SPI-P Release 1|72|US|ProcessingChannel
0019|SPI-P Release 1|80|DS|AcquisitionDelay
0019|SPI-P Release 1|81|UN|RelativeImageTime
0019|SPI-P Release 1|90|CS|VideoWhiteCompression
0019|SPI-P Release 1|a0|US|Angulation
0019|SPI-P Release 1|a1|US|Rotation
0021|SPI-P Release 1|12|LT|SeriesUniqueIdentifier
0021|SPI-P Release 1|14|LT|Unknown
0029|SPI-P Release 1|00|DS|Unknown
0029|SPI-P Release 1|20|DS|PixelAspectRatio
0029|SPI-P Release 1|25|LO|ProcessedPixelDataQuality
0029|SPI-P Release 1|30|LT|Unknown
0029|SPI-P Release 1|38|US|Unknown
0029|SPI-P Release 1|60|LT|Unknown
0029|SPI-P Release 1|61|LT|Unknown
0029|SPI-P Release 1|67|LT|Unknown
0029|SPI-P Release 1|70|LT|WindowID
0029|SPI-P Release 1|71|CS|VideoInvertSubtracted
0029|SPI-P Release 1|72|CS|VideoInvertNonsubtracted
0029|SPI-P Release 1|77|CS|WindowSelectStatus
0029|SPI-P Release 1|78|LT|ECGDisplayPrintingID
0029|SPI-P Release 1|79|CS|ECGDisplayPrinting
0029|SPI-P Release 1|7e|CS|ECGDisplayPrintingEnableStatus
0029|SPI-P Release 1|7f|CS|ECGDisplayPrintingSelectStatus
0029|SPI-P Release 1|80|LT|PhysiologicalDisplayID
0029|SPI-P Release 1|81|US|PreferredPhysiologicalChannelDisplay
0029|SPI-P Release 1|8e|CS|PhysiologicalDisplayEnableStatus
0029|SPI-P Release 1|8f|CS|PhysiologicalDisplaySelectStatus
0029|SPI-P Release 1|c0|LT|FunctionalShutterID
0029|SPI-P Release 1|c1|US|FieldOfShutter
0029|SPI-P Release 1|c5|LT|FieldOfShutterRectangle
0029|SPI-P Release 1|ce|CS|ShutterEnableStatus
0029|SPI-P Release 1|cf|CS|ShutterSelectStatus
7fe1|SPI-P Release 1|10|ox|PixelData
0009|SPI-P Release 1;1|c0|LT|Unknown
0009|SPI-P Release 1;1|c1|LT|Unknown
0019|SPI-P Release 1;1|00|UN|PhysiologicalDataType
0019|SPI-P Release 1;1|01|UN|PhysiologicalDataChannelAndKind
0019|SPI-P Release 1;1|02|US|SampleBitsAllocated
0019|SPI-P Release 1;1|03|US|SampleBitsStored
0019|SPI-P Release 1;1|04|US|SampleHighBit
0019|SPI-P Release 1;1|05|US|SampleRepresentation
0019|SPI-P Release 1;1|06|UN|SmallestSampleValue
0019|SPI-P Release 1;1|07|UN|LargestSampleValue
0019|SPI-P Release 1;1|08|UN|NumberOfSamples
0019|SPI-P Release 1;1|09|UN|SampleData
0019|SPI-P Release 1;1|0a|UN|SampleRate
0019|SPI-P Release 1;1|10|UN|PhysiologicalDataType2
0019|SPI-P Release 1;1|11|UN|PhysiologicalDataChannelAndKind2
0019|SPI-P Release 1;1|12|US|SampleBitsAllocated2
0019|SPI-P Release 1;1|13|US|SampleBitsStored2
0019|SPI-P Release 1;1|14|US|SampleHighBit2
0019|SPI-P Release 1;1|15|US|SampleRepresentation2
0019|SPI-P Release 1;1|16|UN|SmallestSampleValue2
0019|SPI-P Release 1;1|17|UN|LargestSampleValue2
0019|SPI-P Release 1;1|18|UN|NumberOfSamples2
0019|SPI-P Release 1;1|19|UN|SampleData2
0019|SPI-P Release 1;1|1a|UN|SampleRate2
0029|SPI-P Release 1;1|00|LT|ZoomID
0029|SPI-P Release 1;1|01|DS|ZoomRectangle
0029|SPI-P Release 1;1|03|DS|ZoomFactor
0029|SPI-P Release 1;1|04|US|ZoomFunction
0029|SPI-P Release 1;1|0e|CS|ZoomEnableStatus
0029|SPI-P Release 1;1|0f|CS|ZoomSelectStatus
0029|SPI-P Release 1;1|40|LT|MagnifyingGlassID
0029|SPI-P Release 1;1|41|DS|MagnifyingGlassRectangle
0029|SPI-P Release 1;1|43|DS|MagnifyingGlassFactor
0029|SPI-P Release 1;1|44|US|MagnifyingGlassFunction
0029|SPI-P Release 1;1|4e|CS|MagnifyingGlassEnableStatus
0029|SPI-P Release 1;1|4f|CS|MagnifyingGlassSelectStatus
0029|SPI-P Release 1;2|00|LT|SubtractionMaskID
0029|SPI-P Release 1;2|04|UN|MaskingFunction
0029|SPI-P Release 1;2|0c|UN|ProprietaryMaskingParameters
0029|SPI-P Release 1;2|1e|CS|SubtractionMaskEnableStatus
0029|SPI-P Release 1;2|1f|CS|SubtractionMaskSelectStatus
0029|SPI-P Release 1;3|00|LT|ImageEnhancementID
0029|SPI-P Release 1;3|01|LT|ImageEnhancement
0029|SPI-P Release 1;3|02|LT|ConvolutionID
0029|SPI-P Release 1;3|03|LT|ConvolutionType
0029|SPI-P Release 1;3|04|LT|ConvolutionKernelSizeID
0029|SPI-P Release 1;3|05|US|ConvolutionKernelSize
0029|SPI-P Release 1;3|06|US|ConvolutionKernel
0029|SPI-P Release 1;3|0c|DS|EnhancementGain
0029|SPI-P Release 1;3|1e|CS|ImageEnhancementEnableStatus
0029|SPI-P Release 1;3|1f|CS|ImageEnhancementSelectStatus
0011|SPI-P Release 2;1|18|LT|Unknown
0023|SPI-P Release 2;1|0d|UI|Unknown
0023|SPI-P Release 2;1|0e|UI|Unknown
0009|SPI-P-GV-CT Release 1|00|LO|Unknown
0009|SPI-P-GV-CT Release 1|10|LO|Unknown
0009|SPI-P-GV-CT Release 1|20|LO|Unknown
0009|SPI-P-GV-CT Release 1|30|LO|Unknown
0009|SPI-P-GV-CT Release 1|40|LO|Unknown
0009|SPI-P-GV-CT Release 1|50|LO|Unknown
0009|SPI-P-GV-CT Release 1|60|LO|Unknown
0009|SPI-P-GV-CT Release 1|70|LO|Unknown
0009|SPI-P-GV-CT Release 1|75|LO|Unknown
0009|SPI-P-GV-CT Release 1|80|LO|Unknown
0009|SPI-P-GV-CT Release 1|90|LO|Unknown
0019|SPI-P-GV-CT Release 1|08|IS|Unknown
0019|SPI-P-GV-CT Release 1|09|IS|Unknown
0019|SPI-P-GV-CT Release 1|0a|IS|Unknown
0019|SPI-P-GV-CT Release 1|10|LO|Unknown
0019|SPI-P-GV-CT Release 1|20|TM|Unknown
0019|SPI-P-GV-CT Release 1|50|LO|Unknown
0019|SPI-P-GV-CT Release 1|60|DS|Unknown
0019|SPI-P-GV-CT Release 1|61|US|Unknown
0019|SPI-P-GV-CT Release 1|63|LO|Unknown
0019|SPI-P-GV-CT Release 1|64|US|Unknown
0019|SPI-P-GV-CT Release 1|65|IS|Unknown
0019|SPI-P-GV-CT Release 1|70|LT|Unknown
0019|SPI-P-GV-CT Release 1|80|LO|Unknown
0019|SPI-P-GV-CT Release 1|81|LO|Unknown
0019|SPI-P-GV-CT Release 1|90|LO|Unknown
0019|SPI-P-GV-CT Release 1|a0|LO|Unknown
0019|SPI-P-GV-CT Release 1|a1|US|Unknown
0019|SPI-P-GV-CT Release 1|a2|US|Unknown
0019|SPI-P-GV-CT Release 1|a3|US|Unknown
0019|SPI-P-GV-CT Release 1|b0|LO|Unknown
0019|SPI-P-GV-CT Release 1|b1|LO|Unknown
0021|SPI-P-GV-CT Release 1|20|LO|Unknown
0021|SPI-P-GV-CT Release 1|30|DS|Unknown
0021|SPI-P-GV-CT Release 1|40|LO|Unknown
0021|SPI-P-GV-CT Release 1|50|LO|Unknown
0021|SPI-P-GV-CT Release 1|60|DS|Unknown
0021|SPI-P-GV-CT Release 1|70|DS|Unknown
0021|SPI-P-GV-CT Release 1|80|DS|Unknown
0021|SPI-P-GV-CT Release 1|90|DS|Unknown
0021|SPI-P-GV-CT Release 1|a0|US|Unknown
0021|SPI-P-GV-CT Release 1|a1|DS|Unknown
0021|SPI-P-GV-CT Release 1|a2|DS|Unknown
0021|SPI-P-GV-CT Release 1|a3|LT|Unknown
0021|SPI-P-GV-CT Release 1|a4|LT|Unknown
0021|SPI-P-GV-CT Release 1|b0|LO|Unknown
0021|SPI-P-GV-CT Release 1|c0|LO|Unknown
0029|SPI-P-GV-CT Release 1|10|LO|Unknown
0029|SPI-P-GV-CT Release 1|30|UL|Unknown
0029|SPI-P-GV-CT Release 1|31|UL|Unknown
0029|SPI-P-GV-CT Release 1|32|UL|Unknown
0029|SPI-P-GV-CT Release 1|33|UL|Unknown
0029|SPI-P-GV-CT Release 1|80|LO|Unknown
0029|SPI-P-GV-CT Release 1|90|LO|Unknown
0029|SPI-P-GV-CT Release 1|d0|IS|Unknown
0029|SPI-P-GV-CT Release 1|d1|IS|Unknown
0019|SPI-P-PCR Release 2|30|US|Unknown
0021|SPI-P-Private-CWS Release 1|00|LT|WindowOfImagesID
0021|SPI-P-Private-CWS Release 1|01|CS|WindowOfImagesType
0021|SPI-P-Private-CWS Release 1|02|IS|WindowOfImagesScope
0019|SPI-P-Private-DCI Release 1|10|UN|ECGTimeMapDataBitsAllocated
0019|SPI-P-Private-DCI Release 1|11|UN|ECGTimeMapDataBitsStored
0019|SPI-P-Private-DCI Release 1|12|UN|ECGTimeMapDataHighBit
0019|SPI-P-Private-DCI Release 1|13|UN|ECGTimeMapDataRepresentation
0019|SPI-P-Private-DCI Release 1|14|UN|ECGTimeMapDataSmallestDataValue
0019|SPI-P-Private-DCI Release 1|15|UN|ECGTimeMapDataLargestDataValue
0019|SPI-P-Private-DCI Release 1|16|UN|ECGTimeMapDataNumberOfDataValues
0019|SPI-P-Private-DCI Release 1|17|UN|ECGTimeMapData
0021|SPI-P-Private_CDS Release 1|40|IS|Unknown
0029|SPI-P-Private_CDS Release 1|00|UN|Unknown
0019|SPI-P-Private_ICS Release 1|30|DS|Unknown
0019|SPI-P-Private_ICS Release 1|31|LO|Unknown
0029|SPI-P-Private_ICS Release 1|08|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|0f|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|10|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|1b|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|1c|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|21|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|43|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|44|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|4c|SQ|Unknown
0029|SPI-P-Private_ICS Release 1|67|LO|Unknown
0029|SPI-P-Private_ICS Release 1|68|US|Unknown
0029|SPI-P-Private_ICS Release 1|6a|LO|Unknown
0029|SPI-P-Private_ICS Release 1|6b|US|Unknown
0029|SPI-P-Private_ICS Release 1;1|00|SL|Unknown
0029|SPI-P-Private_ICS Release 1;1|05|FL|Unknown
0029|SPI-P-Private_ICS Release 1;1|06|FL|Unknown
0029|SPI-P-Private_ICS Release 1;1|20|FL|Unknown
0029|SPI-P-Private_ICS Release 1;1|21|FL|Unknown
0029|SPI-P-Private_ICS Release 1;1|cd|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;2|00|FD|Unknown
0029|SPI-P-Private_ICS Release 1;2|01|FD|Unknown
0029|SPI-P-Private_ICS Release 1;2|02|FD|Unknown
0029|SPI-P-Private_ICS Release 1;2|03|SL|Unknown
0029|SPI-P-Private_ICS Release 1;2|04|SL|Unknown
0029|SPI-P-Private_ICS Release 1;2|05|SL|Unknown
0029|SPI-P-Private_ICS Release 1;3|c0|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;3|c1|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;3|c2|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;3|c3|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;3|c4|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;3|c5|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;4|02|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;4|9a|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;4|e0|SQ|Unknown
0029|SPI-P-Private_ICS Release 1;5|50|CS|Unknown
0029|SPI-P-Private_ICS Release 1;5|55|CS|Unknown
0019|SPI-P-XSB-DCI Release 1|10|LT|VideoBeamBoost
0019|SPI-P-XSB-DCI Release 1|11|US|ChannelGeneratingVideoSync
0019|SPI-P-XSB-DCI Release 1|12|US|VideoGain
0019|SPI-P-XSB-DCI Release 1|13|US|VideoOffset
0019|SPI-P-XSB-DCI Release 1|20|DS|RTDDataCompressionFactor
0029|Silhouette Annot V1.0|11|IS|AnnotationName
0029|Silhouette Annot V1.0|12|LT|AnnotationFont
0029|Silhouette Annot V1.0|13|LT|AnnotationTextForegroundColor
0029|Silhouette Annot V1.0|14|LT|AnnotationTextBackgroundColor
0029|Silhouette Annot V1.0|15|UL|AnnotationTextBackingMode
0029|Silhouette Annot V1.0|16|UL|AnnotationTextJustification
0029|Silhouette Annot V1.0|17|UL|AnnotationTextLocation
0029|Silhouette Annot V1.0|18|LT|AnnotationTextString
0029|Silhouette Annot V1.0|19|UL|AnnotationTextAttachMode
0029|Silhouette Annot V1.0|20|UL|AnnotationTextCursorMode
0029|Silhouette Annot V1.0|21|UL|AnnotationTextShadowOffsetX
0029|Silhouette Annot V1.0|22|UL|AnnotationTextShadowOffsetY
0029|Silhouette Annot V1.0|23|LT|AnnotationLineColor
0029|Silhouette Annot V1.0|24|UL|AnnotationLineThickness
0029|Silhouette Annot V1.0|25|UL|AnnotationLineType
0029|Silhouette Annot V1.0|26|UL|AnnotationLineStyle
0029|Silhouette Annot V1.0|27|UL|AnnotationLineDashLength
0029|Silhouette Annot V1.0|28|UL|AnnotationLineAttachMode
0029|Silhouette Annot V1.0|29|UL|AnnotationLinePointCount
0029|Silhouette Annot V1.0|30|FD|AnnotationLinePoints
0029|Silhouette Annot V1.0|31|UL|AnnotationLineControlSize
0029|Silhouette Annot V1.0|32|LT|AnnotationMarkerColor
0029|Silhouette Annot V1.0|33|UL|AnnotationMarkerType
0029|Silhouette Annot V1.0|34|UL|AnnotationMarkerSize
0029|Silhouette Annot V1.0|35|FD|AnnotationMarkerLocation
0029|Silhouette Annot V1.0|36|UL|AnnotationMarkerAttachMode
0029|Silhouette Annot V1.0|37|LT|AnnotationGeomColor
0029|Silhouette Annot V1.0|38|UL|AnnotationGeomThickness
0029|Silhouette Annot V1.0|39|UL|AnnotationGeomLineStyle
0029|Silhouette Annot V1.0|40|UL|AnnotationGeomDashLength
0029|Silhouette Annot V1.0|41|UL|AnnotationGeomFillPattern
0029|Silhouette Annot V1.0|42|UL|AnnotationInteractivity
0029|Silhouette Annot V1.0|43|FD|AnnotationArrowLength
0029|Silhouette Annot V1.0|44|FD|AnnotationArrowAngle
0029|Silhouette Annot V1.0|45|UL|AnnotationDontSave
0029|Silhouette Graphics Export V1.0|00|UI|Unknown
0029|Silhouette Line V1.0|11|IS|LineName
0029|Silhouette Line V1.0|12|LT|LineNameFont
0029|Silhouette Line V1.0|13|UL|LineNameDisplay
0029|Silhouette Line V1.0|14|LT|LineNormalColor
0029|Silhouette Line V1.0|15|UL|LineType
0029|Silhouette Line V1.0|16|UL|LineThickness
0029|Silhouette Line V1.0|17|UL|LineStyle
0029|Silhouette Line V1.0|18|UL|LineDashLength
0029|Silhouette Line V1.0|19|UL|LineInteractivity
0029|Silhouette Line V1.0|20|LT|LineMeasurementColor
0029|Silhouette Line V1.0|21|LT|LineMeasurementFont
0029|Silhouette Line V1.0|22|UL|LineMeasurementDashLength
0029|Silhouette Line V1.0|23|UL|LinePointSpace
0029|Silhouette Line V1.0|24|FD|LinePoints
0029|Silhouette Line V1.0|25|UL|LineControlPointSize
0029|Silhouette Line V1.0|26|UL|LineControlPointSpace
0029|Silhouette Line V1.0|27|FD|LineControlPoints
0029|Silhouette Line V1.0|28|LT|LineLabel
0029|Silhouette Line V1.0|29|UL|LineDontSave
0029|Silhouette ROI V1.0|11|IS|ROIName
0029|Silhouette ROI V1.0|12|LT|ROINameFont
0029|Silhouette ROI V1.0|13|LT|ROINormalColor
0029|Silhouette ROI V1.0|14|UL|ROIFillPattern
0029|Silhouette ROI V1.0|15|UL|ROIBpSeg
0029|Silhouette ROI V1.0|16|UN|ROIBpSegPairs
0029|Silhouette ROI V1.0|17|UL|ROISeedSpace
0029|Silhouette ROI V1.0|18|UN|ROISeeds
0029|Silhouette ROI V1.0|19|UL|ROILineThickness
0029|Silhouette ROI V1.0|20|UL|ROILineStyle
0029|Silhouette ROI V1.0|21|UL|ROILineDashLength
0029|Silhouette ROI V1.0|22|UL|ROIInteractivity
0029|Silhouette ROI V1.0|23|UL|ROINamePosition
0029|Silhouette ROI V1.0|24|UL|ROINameDisplay
0029|Silhouette ROI V1.0|25|LT|ROILabel
0029|Silhouette ROI V1.0|26|UL|ROIShape
0029|Silhouette ROI V1.0|27|FD|ROIShapeTilt
0029|Silhouette ROI V1.0|28|UL|ROIShapePointsCount
0029|Silhouette ROI V1.0|29|UL|ROIShapePointsSpace
0029|Silhouette ROI V1.0|30|FD|ROIShapePoints
0029|Silhouette ROI V1.0|31|UL|ROIShapeControlPointsCount
0029|Silhouette ROI V1.0|32|UL|ROIShapeControlPointsSpace
0029|Silhouette ROI V1.0|33|FD|ROIShapeControlPoints
0029|Silhouette ROI V1.0|34|UL|ROIDontSave
0029|Silhouette Sequence Ids V1.0|41|SQ|Unknown
0029|Silhouette Sequence Ids V1.0|42|SQ|Unknown
0029|Silhouette Sequence Ids V1.0|43|SQ|Unknown
0029|Silhouette V1.0|13|UL|Unknown
0029|Silhouette V1.0|14|UL|Unknown
0029|Silhouette V1.0|17|UN|Unknown
0029|Silhouette V1.0|18|UN|Unknown
0029|Silhouette V1.0|19|UL|Unknown
0029|Silhouette V1.0|1a|UN|Unknown
0029|Silhouette V1.0|1b|UL|Unknown
0029|Silhouette V1.0|1c|UL|Unknown
0029|Silhouette V1.0|1d|UN|Unknown
0029|Silhouette V1.0|1e|UN|Unknown
0029|Silhouette V1.0|21|US|Unknown
0029|Silhouette V1.0|22|US|Unknown
0029|Silhouette V1.0|23|US|Unknown
0029|Silhouette V1.0|24|US|Unknown
0029|Silhouette V1.0|25|US|Unknown
0029|Silhouette V1.0|27|UN|Unknown
0029|Silhouette V1.0|28|UN|Unknown
0029|Silhouette V1.0|29|UN|Unknown
0029|Silhouette V1.0|30|UN|Unknown
0029|Silhouette V1.0|52|US|Unknown
0029|Silhouette V1.0|53|LT|Unknown
0029|Silhouette V1.0|54|UN|Unknown
0029|Silhouette V1.0|55|LT|Unknown
0029|Silhouette V1.0|56|LT|Unknown
0029|Silhouette V1.0|57|UN|Unknown
0135|SONOWAND AS|10|LO|UltrasoundScannerName
0135|SONOWAND AS|11|LO|TransducerSerial
0135|SONOWAND AS|12|LO|ProbeApplication
0017|SVISION|00|LO|ExtendedBodyPart
0017|SVISION|10|LO|ExtendedViewPosition
0017|SVISION|f0|IS|ImagesSOPClass
0019|SVISION|00|IS|AECField
0019|SVISION|01|IS|AECFilmScreen
0019|SVISION|02|IS|AECDensity
0019|SVISION|10|IS|PatientThickness
0019|SVISION|18|IS|BeamDistance
0019|SVISION|20|IS|WorkstationNumber
0019|SVISION|28|IS|TubeNumber
0019|SVISION|30|IS|BuckyGrid
0019|SVISION|34|IS|Focus
0019|SVISION|38|IS|Child
0019|SVISION|40|IS|CollimatorDistanceX
0019|SVISION|41|IS|CollimatorDistanceY
0019|SVISION|50|IS|CentralBeamHeight
0019|SVISION|60|IS|BuckyAngle
0019|SVISION|68|IS|CArmAngle
0019|SVISION|69|IS|CollimatorAngle
0019|SVISION|70|IS|FilterNumber
0019|SVISION|74|LO|FilterMaterial1
0019|SVISION|75|LO|FilterMaterial2
0019|SVISION|78|DS|FilterThickness1
0019|SVISION|79|DS|FilterThickness2
0019|SVISION|80|IS|BuckyFormat
0019|SVISION|81|IS|ObjectPosition
0019|SVISION|90|LO|DeskCommand
0019|SVISION|a0|DS|ExtendedExposureTime
0019|SVISION|a1|DS|ActualExposureTime
0019|SVISION|a8|DS|ExtendedXRayTubeCurrent
0021|SVISION|00|DS|NoiseReduction
0021|SVISION|01|DS|ContrastAmplification
0021|SVISION|02|DS|EdgeContrastBoosting
0021|SVISION|03|DS|LatitudeReduction
0021|SVISION|10|LO|FindRangeAlgorithm
0021|SVISION|11|DS|ThresholdCAlgorithm
0021|SVISION|20|LO|SensometricCurve
0021|SVISION|30|DS|LowerWindowOffset
0021|SVISION|31|DS|UpperWindowOffset
0021|SVISION|40|DS|MinPrintableDensity
0021|SVISION|41|DS|MaxPrintableDensity
0021|SVISION|90|DS|Brightness
0021|SVISION|91|DS|Contrast
0021|SVISION|92|DS|ShapeFactor
0023|SVISION|00|LO|ImageLaterality
0023|SVISION|01|IS|LetterPosition
0023|SVISION|02|IS|BurnedInAnnotation
0023|SVISION|03|LO|Unknown
0023|SVISION|f0|IS|ImageSOPClass
0025|SVISION|00|IS|OriginalImage
0025|SVISION|01|IS|NotProcessedImage
0025|SVISION|02|IS|CutOutImage
0025|SVISION|03|IS|DuplicatedImage
0025|SVISION|04|IS|StoredImage
0025|SVISION|05|IS|RetrievedImage
0025|SVISION|06|IS|RemoteImage
0025|SVISION|07|IS|MediaStoredImage
0025|SVISION|08|IS|ImageState
0025|SVISION|20|LO|SourceImageFile
0025|SVISION|21|UI|Unknown
0027|SVISION|00|IS|NumberOfSeries
0027|SVISION|01|IS|NumberOfStudies
0027|SVISION|10|DT|OldestSeries
0027|SVISION|11|DT|NewestSeries
0027|SVISION|12|DT|OldestStudy
0027|SVISION|13|DT|NewestStudy
0009|TOSHIBA_MEC_1.0|01|LT|Unknown
0009|TOSHIBA_MEC_1.0|02|US|Unknown
0009|TOSHIBA_MEC_1.0|03|US|Unknown
0009|TOSHIBA_MEC_1.0|04|US|Unknown
0011|TOSHIBA_MEC_1.0|01|LT|Unknown
0011|TOSHIBA_MEC_1.0|02|US|Unknown
0019|TOSHIBA_MEC_1.0|01|US|Unknown
0019|TOSHIBA_MEC_1.0|02|US|Unknown
0021|TOSHIBA_MEC_1.0|01|US|Unknown
0021|TOSHIBA_MEC_1.0|02|US|Unknown
0021|TOSHIBA_MEC_1.0|03|US|Unknown
7ff1|TOSHIBA_MEC_1.0|01|US|Unknown
7ff1|TOSHIBA_MEC_1.0|02|US|Unknown
7ff1|TOSHIBA_MEC_1.0|03|US|Unknown
7ff1|TOSHIBA_MEC_1.0|10|US|Unknown
0019|TOSHIBA_MEC_CT_1.0|01|IS|Unknown
0019|TOSHIBA_MEC_CT_1.0|02|IS|Unknown
0019|TOSHIBA_MEC_CT_1.0|03|US|Unknown
0019|TOSHIBA_MEC_CT_1.0|04|LT|Unknown
0019|TOSHIBA_MEC_CT_1.0|05|LT|Unknown
0019|TOSHIBA_MEC_CT_1.0|06|US|Unknown
0019|TOSHIBA_MEC_CT_1.0|07|US|Unknown
0019|TOSHIBA_MEC_CT_1.0|08|LT|OrientationHeadFeet
0019|TOSHIBA_MEC_CT_1.0|09|LT|ViewDirection
0019|TOSHIBA_MEC_CT_1.0|0a|LT|OrientationSupineProne
0019|TOSHIBA_MEC_CT_1.0|0b|DS|Unknown
0019|TOSHIBA_MEC_CT_1.0|0c|US|Unknown
0019|TOSHIBA_MEC_CT_1.0|0d|TM|Time
0019|TOSHIBA_MEC_CT_1.0|0e|DS|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|01|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|02|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|03|IS|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|04|IS|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|05|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|07|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|08|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|09|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|0a|LT|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|0b|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|0c|US|Unknown
7ff1|TOSHIBA_MEC_CT_1.0|0d|US|Unknown
"""
