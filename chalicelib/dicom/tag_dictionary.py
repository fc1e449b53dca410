"""The DCMTK 3.6.7 dictionary as Orthanc 1.10.1 uses it: a tag's name and VR, and its
``gggg,eeee`` spelling.

Orthanc names tags (and, in implicit VR files, types them) with DCMTK's dictionaries, not
pydicom's, so the names here are DCMTK's: retired tags are ``RETIRED_...``, private tags have
the CamelCase names of ``private.dic`` (copied into ``dcmtk_private.txt``, read on first use),
tags DCMTK does not know are ``"Unknown Tag & Data"``, and a few names are pinned by Orthanc
itself. The public dictionary is pydicom's corrected by the tables at the end of this module.

The tags of Orthanc's ``Dictionary`` option come first (``chalicelib/dicom/declared_tags.py``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from pydicom.datadict import DicomDictionary

from chalicelib.dicom.declared_tags import (
    DeclaredTag,
    declared_entry,
    declared_tag,
    is_private_element,
)

# DCMTK 3.6.7's private.dic (BSD-licensed), one tag a line: groups|creator|element|VR|name.
PRIVATE_DICTIONARY_PATH = Path(__file__).with_name("dcmtk_private.txt")
UNKNOWN_TAG_NAME = "Unknown Tag & Data"

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


def _builtin_entry(tag: int, creator: str | None) -> tuple[str, str] | None:
    if is_private_element(tag):
        return private_entry(tag, creator) if creator is not None else None
    return public_entry(tag)


def dictionary_entry(tag: int, creator: str | None) -> tuple[str, str] | None:
    """What DCMTK's dictionary says about a tag: (VR, name), None if it does not know it."""
    declared = declared_entry(tag, creator if is_private_element(tag) else None)
    return declared or _builtin_entry(tag, creator)


def check_declarable(entries: Iterable[DeclaredTag]) -> list[DeclaredTag]:
    """``entries``, or ValueError with Orthanc's message for a tag the dictionary already
    knows (DCMTK refuses to register one twice)."""
    seen: set[tuple[int, str | None]] = set()
    checked = list(entries)
    for entry in checked:
        key = (entry.tag, entry.creator)
        if key in seen or _builtin_entry(entry.tag, entry.creator) is not None:
            raise ValueError(
                f"Cannot register twice the tag ({format_tag(entry.tag)}), whose symbolic "
                f'name is "{entry.name}"'
            )
        seen.add(key)
    return checked


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


# The names DCMTK gives whole families of tags; Orthanc accepts them where it reads a tag by
# name, standing for the family's first tag.
_FAMILY_NAMES = {
    "GenericGroupLength": 0x00000000,
    "IllegalGroupLength": 0x00010000,
    "PrivateGroupLength": 0x00090000,
    "IllegalPrivateCreator": 0x00010010,
    "PrivateCreator": 0x00090010,
}


@functools.cache
def _dcmtk_names() -> dict[str, int]:
    """Every name of DCMTK's dictionaries -> its tag, as DCMTK looks a name up.

    Names are case-sensitive and DCMTK's own (``RETIRED_OtherPatientIDs``, not the name
    Orthanc pins for display). A repeating entry stands for its first group. A private name
    stands for the tag as DCMTK's private dictionary writes it, usually ``gggg,00ee`` (the
    reservation's element, not a data element): Orthanc 1.10.1 accepts it in
    ``?ignore-length`` but it lifts nothing (probed with ``CRImageParamsCommon``).
    """
    names: dict[str, int] = {}
    for creator_key, entries in _private_index().items():
        for first, _last, _vr, name in entries:
            names.setdefault(name, (first << 16) | (creator_key[1] & 0xFFFF))
    for first, _last, low, _high, _vr, name in _DCMTK_REPEATING:
        names.setdefault(name, (first << 16) | low)
    names.update(_FAMILY_NAMES)
    for tag in [*DicomDictionary, *_DCMTK_ONLY_OR_RENAMED]:
        entry = public_entry(tag)
        if entry is not None and entry[1]:
            names[entry[1]] = tag
    return names


def tag_for_name(name: str) -> int | None:
    """The tag of a dictionary name (the ``Dictionary`` option's first), or None."""
    declared = declared_tag(name)
    if declared is not None:
        return declared[0]
    return _dcmtk_names().get(name)


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# C's "%x": blanks, a sign, an optional 0x, then hexadecimal digits.
_SCANF_HEX = r"(\s*[+-]?(?:0[xX])?[0-9a-fA-F]+)"
_SCANF_PAIR = re.compile(_SCANF_HEX + "," + _SCANF_HEX)


def parse_hexadecimal(text: str) -> int | None:
    """``gggg,eeee``, ``gggg-eeee`` or ``ggggeeee`` (any case), or None."""
    digits = text[:4] + text[5:] if len(text) == 9 and text[4] in ",-" else text
    if len(digits) == 8 and set(digits) <= _HEX_DIGITS:
        return int(digits, 16)
    return None


def parse_tag(text: str) -> int | None:
    """A tag as Orthanc reads one wherever it takes a tag (a URI option, a body's keys, a
    path): hexadecimal (``parse_hexadecimal``), else as DCMTK's ``findTagFromName`` reads a
    name: ``g,e`` in any short hexadecimal spelling (C's ``%x,%x``), then a dictionary name.
    None when it is none of these."""
    tag = parse_hexadecimal(text)
    if tag is None:
        tag = _scanned_pair(text)
    return tag if tag is not None else tag_for_name(text)


def _scanned_pair(text: str) -> int | None:
    """A tag as ``sscanf("%x,%x")`` reads it: leading blanks, an optional sign and ``0x``,
    any number of digits, trailing text ignored; each number taken as a 32-bit unsigned one,
    then truncated to 16 bits."""
    match = _SCANF_PAIR.match(text)
    if match is None:
        return None
    group, element = (_scanned_number(match.group(i)) & 0xFFFF for i in (1, 2))
    return group << 16 | element


def _scanned_number(text: str) -> int:
    number = int(text.strip().removeprefix("+").removeprefix("-"), 16)
    return -number & 0xFFFFFFFF if text.strip().startswith("-") else number


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
