"""An instance in the DICOM JSON model (PS3.18 F.2), as Orthanc 1.10.1 answers
``GET /instances/{id}/file`` with ``Accept: application/dicom+json``.

pydicom's ``Dataset.to_json_dict`` fails on malformed values (an empty PN component, a DS
that is not a number) and differs from Orthanc in a dozen ways, so the model is built here,
with the value readers of Orthanc's other JSON forms (``tag_values``: DCMTK's VRs, Orthanc's
character sets) and what Orthanc writes, as probed against it:

* group lengths (gggg,0000), UV/SV/OV elements, empty UN elements and encapsulated (compressed)
  Pixel Data are left out; binary values (OB, OW, UN) are inline (``InlineBinary``; WADO-RS
  metadata asks for bulk data URIs instead, see ``dataset_json``), OW in the host's byte order
  (``raw_values``), while OD, OF and OL are lists of numbers;
* the VR is DCMTK's: the file's in explicit VR, the dictionary's in implicit VR (``US or SS``
  resolved by PixelRepresentation); an explicit UN of a text tag is shown as that text (its
  trailing spaces kept), an explicit UN of another known tag is left out;
* text is split at backslashes after decoding (LT, ST and UT too; under ISO 2022 IR 13 a
  backslash is a yen sign, so nothing is split) and an empty value is ``null``; an odd-length
  value keeps its trailing spaces;
* DS and IS are read up to their first malformed value (``1\\abc`` is ``[1]``, ``abc`` is
  ``[]``); NaN is ``null``, infinities stay;
* empty sequence items are dropped, and a sequence without items has no ``Value``.
"""

from __future__ import annotations

import base64
import math
import re
import struct
from typing import Any

from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset

from chalicelib.dicom import raw_values
from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.tag_dictionary import dictionary_entry
from chalicelib.dicom.tag_values import (
    ASCII,
    NUMERIC_VRS,
    SPECIFIC_CHARACTER_SET,
    STRING_VRS,
    Charset,
    creator_of,
    element_value,
    element_vr,
    is_sequence,
    leaf_value,
    private_creators,
)

DicomJson = dict[str, Any]

_LEFT_OUT_VRS = frozenset({"OV", "SV", "UV"})
_INLINE_VRS = frozenset({"OB", "OW", "UN"})
_NUMBER_ARRAY_VRS = {"OD": "d", "OF": "f", "OL": "I"}
_TEXT_VRS = frozenset({"LT", "ST", "UT"})
_PERSON_NAME_GROUPS = ("Alphabetic", "Ideographic", "Phonetic")
_IS = re.compile(r"[+-]?[0-9]+")
_DS = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DS_SPECIAL = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)
_MALFORMED = object()
# pydicom's exceptions on a value it cannot convert.
_CONVERSION_ERRORS = (ValueError, TypeError, LookupError, struct.error)


def dataset_json(
    ds: Dataset, default_encoding: str = DEFAULT, bulk_root: str | None = None
) -> DicomJson:
    """``{"gggggggg": {"vr": ..., "Value" | "InlineBinary": ...}}`` for the whole dataset
    (the file meta information is not part of it). Sequence items are decoded with the
    top-level character set (the default encoding without one), as in Orthanc's other JSON
    forms.

    With ``bulk_root`` (WADO-RS metadata), a binary value is a ``BulkDataURI`` instead of
    ``InlineBinary``, as Orthanc's DICOMweb plugin writes it: ``<bulk_root>/<tag>``, or
    ``<bulk_root>/<sequence tag>/<item number, from 1>/.../<tag>`` inside sequences, tags in
    lower-case hex; the top-level Pixel Data has one even when empty."""
    return _dataset(ds, Charset.of(ds, default_encoding), top_level=True, bulk=bulk_root)


def _dataset(ds: Dataset, charset: Charset, top_level: bool, bulk: str | None = None) -> DicomJson:
    creators = private_creators(ds)
    result: DicomJson = {}
    for tag in sorted(ds.keys()):  # noqa: SIM118 - iterating ds would convert every element
        tag = int(tag)
        if tag & 0xFFFF == 0:
            continue  # group lengths
        try:
            node = _element(ds, tag, creator_of(tag, creators), charset, top_level, bulk)
        except _CONVERSION_ERRORS:
            node = None  # a value pydicom cannot convert is left out, not a failed answer
        if node is not None:
            result[f"{tag:08X}"] = node
    return result


def _element(
    ds: Dataset,
    tag: int,
    creator: str | None,
    charset: Charset,
    top_level: bool,
    bulk: str | None = None,
) -> DicomJson | None:
    raw = ds.get_item(tag)
    vr = element_vr(raw, creator)
    if is_sequence(raw, creator):
        items = [
            _dataset(item, charset, False, None if bulk is None else f"{bulk}/{tag:08x}/{n}")
            for n, item in enumerate(ds[tag].value or [], start=1)
        ]
        items = [item for item in items if item]
        return {"vr": "SQ", "Value": items} if items else {"vr": "SQ"}
    if top_level and tag == raw_values.PIXEL_DATA and raw_values.is_encapsulated(ds):
        return None
    if vr == "UN" and isinstance(raw, RawDataElement) and not raw.is_implicit_VR:
        entry = dictionary_entry(tag, creator)
        if entry is not None and entry[0] not in STRING_VRS:
            return None
        text = leaf_value("UN", bytes(raw.value or b""), tag, creator, charset)
        if entry is not None and text is not None:
            return _text(entry[0], text)
    elif vr == "US" and getattr(raw, "is_implicit_VR", False):
        vr = _resolved_us_or_ss(ds, tag)
    if vr in _LEFT_OUT_VRS:
        return None
    if vr in _INLINE_VRS or vr in _NUMBER_ARRAY_VRS:
        data = raw_values.leaf_bytes(ds, tag, creator)
        if bulk is not None and vr in _INLINE_VRS:
            pixels = top_level and tag == raw_values.PIXEL_DATA
            if data or pixels:
                return {"vr": vr, "BulkDataURI": f"{bulk}/{tag:08x}"}
        if not data:
            return None if vr == "UN" else {"vr": vr}
        if vr in _INLINE_VRS:
            return {"vr": vr, "InlineBinary": base64.b64encode(data).decode("ascii")}
        return _with_values(vr, _unpacked(data, _NUMBER_ARRAY_VRS[vr]))
    if vr in NUMERIC_VRS:
        data = raw_values.leaf_bytes(ds, tag, creator)
        return _with_values(vr, _unpacked(data, NUMERIC_VRS[vr]))
    if vr == "AT":
        data = raw_values.leaf_bytes(ds, tag, creator)
        pairs = struct.iter_unpack("<HH", data[: len(data) // 4 * 4])
        return _with_values(vr, [f"{group:04X}{element:04X}" for group, element in pairs])
    if tag == SPECIFIC_CHARACTER_SET:
        # Its terms are plain ASCII (a backslash separates them whatever the character set),
        # and Orthanc lists the ones present: the empty first term of ISO 2022 is left out.
        terms = _stored_text(ds, tag, vr, creator, ASCII).split("\\")
        return _text(vr, "\\".join(term for term in terms if term))
    return _text(vr, _stored_text(ds, tag, vr, creator, charset))


def _resolved_us_or_ss(ds: Dataset, tag: int) -> str:
    """US, or SS for the ``US or SS`` tags of an implicit VR dataset whose PixelRepresentation
    says signed (pydicom resolves them when it converts the element, as Orthanc does)."""
    resolved = str(ds[tag].VR)
    return resolved if resolved in ("US", "SS") else "US"


def _stored_text(ds: Dataset, tag: int, vr: str, creator: str | None, charset: Charset) -> str:
    """A text element's value as Orthanc reads it (``tag_values``, as for ``/tags``); an
    odd-length value keeps its trailing spaces, as DCMTK pads it with a NUL."""
    raw = ds.get_item(tag)
    if isinstance(raw, RawDataElement) and raw.value and len(raw.value) % 2:
        padded = bytes(raw.value) + b"\x00"
        return leaf_value(vr, padded, tag, creator, charset, raw.is_little_endian) or ""
    return element_value(ds, tag, creator, charset) or ""


def _text(vr: str, text: str) -> DicomJson:
    """A text element split at backslashes: numbers for DS/IS, names for PN, else strings
    with empty ones as ``null``; no ``Value`` for an empty element."""
    if not text:
        return {"vr": vr}
    if vr in ("DS", "IS"):
        return {"vr": vr, "Value": _numbers_of(text, vr)}
    values = text.split("\\")
    if vr == "PN":
        return {"vr": vr, "Value": [_person_name(value) for value in values]}
    return {"vr": vr, "Value": [value if value else None for value in values]}


def value_element(vr: str, text: str) -> DicomJson:
    """An element from a textual value of Orthanc's form (multiple values joined by ``\\``,
    as the index keeps main tags), written as in a data set: QIDO-RS answers are made of
    such values rather than read from files."""
    return _text(vr, text)


def _with_values(vr: str, values: list[Any]) -> DicomJson:
    """``{"vr": vr, "Value": values}``, without ``Value`` for an empty element."""
    return {"vr": vr, "Value": values} if values else {"vr": vr}


def _unpacked(data: bytes, code: str) -> list[Any]:
    """Little endian numbers (``data`` is in the host's order), NaN as null."""
    whole = len(data) // struct.calcsize(code) * struct.calcsize(code)
    numbers = [number for (number,) in struct.iter_unpack("<" + code, data[:whole])]
    return [None if isinstance(n, float) and math.isnan(n) else n for n in numbers]


def _numbers_of(text: str, vr: str) -> list[Any]:
    """DS/IS values as Orthanc reads them: up to the first malformed one (empty ones null)."""
    numbers: list[Any] = []
    for part in text.split("\\"):
        part = part.strip(" ")
        number = None if not part else _number(part, vr)
        if number is _MALFORMED:
            break
        numbers.append(number)
    return numbers


def _number(text: str, vr: str) -> Any:
    """One DS/IS value; integral DS values as integers, as Orthanc prints them."""
    if vr == "IS":
        return int(text) if _IS.fullmatch(text) else _MALFORMED
    if _DS_SPECIAL.fullmatch(text):
        number = float(text)
        return None if math.isnan(number) else number
    if not _DS.fullmatch(text):
        return _MALFORMED
    number = float(text)
    if math.isinf(number):
        return _MALFORMED  # out of range, as for Orthanc
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _person_name(text: str) -> dict[str, str]:
    """``{"Alphabetic", "Ideographic", "Phonetic"}`` up to the last group written."""
    if not text:
        return {}
    return dict(zip(_PERSON_NAME_GROUPS, text.split("="), strict=False))
