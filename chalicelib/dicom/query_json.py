"""Queries and C-FIND answers (``gggg,eeee`` -> text) in the JSON flavours of Orthanc's tag
routes, as ``/queries/{id}/query`` and ``/queries/{id}/answers/...`` show them; worklist
answers (pydicom datasets, sequences included) as ``find-worklist`` shows them."""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.charsets import DEFAULT, Encoding, named
from chalicelib.dicom.tag_format import TagFormat

_SOP_INSTANCE = 0x00080018
# Values Orthanc leaves out of worklist answers (binary); other non-text VRs are shown null.
_BINARY_VRS = frozenset({"OB", "OW", "UN"})
# Tags whose VR DCMTK 3.6.7 leaves undecided ("xs", "lt", "up": some "US or SS", the "US or
# OW" lookup tables, the offsets of DICOMDIR records): Orthanc shows them null. Probed.
_UNDECIDED_VRS = frozenset(
    {0x00041200, 0x00041202, 0x00041400, 0x00041420, 0x00041504, 0x00189810, 0x00221452}
    | {0x00280104, 0x00280105, 0x00280110, 0x00280111, 0x00281101, 0x00281102, 0x00281103}
    | {0x00280071, 0x00281100, 0x00281111, 0x00281112, 0x00281113}
)


def tags_json(values: dict[str, str], fmt: TagFormat) -> dict[str, Any]:
    """``values`` as ``/tags`` would show a dataset holding them."""
    from chalicelib.dicom.orthanc_json import reformat
    from chalicelib.dicom.tag_dictionary import tag_name

    full: dict[str, Any] = {}
    for key, value in values.items():
        tag = int(key.replace(",", ""), 16)
        group, element = tag >> 16, tag & 0xFFFF
        creator = None
        if group % 2 and group > 7 and element > 0x00FF:
            creator = values.get(f"{group:04x},{element >> 8:04x}")
        node: dict[str, Any] = {"Name": tag_name(tag, creator)}
        if creator is not None:
            node["PrivateCreator"] = creator
        node.update(Type="String", Value=value)
        full[key] = node
    return reformat(full, fmt.value)  # type: ignore[arg-type]


def worklist_answer(answer: Any, default_encoding: str = DEFAULT) -> dict[str, Any]:
    """A worklist answer in Orthanc's full format, as ``find-worklist`` shows it: sequences
    kept, long values whole, and private, binary and unknown tags left out, as is the top
    level SOPInstanceUID. Orthanc re-encodes the answer in its default encoding (an Orthanc
    name): its SpecificCharacterSet, if any, becomes that encoding's term and characters
    the encoding cannot hold are dropped."""
    from chalicelib.dicom.tag_values import SPECIFIC_CHARACTER_SET, Charset

    target = named(default_encoding) if SPECIFIC_CHARACTER_SET in answer else None
    full = _worklist_items(answer, Charset.of(answer, default_encoding), target, top_level=True)
    if target is not None and target.term is not None:
        full["0008,0005"]["Value"] = target.term
    return full


def _worklist_items(
    ds: Any, charset: Any, target: Encoding | None, top_level: bool
) -> dict[str, Any]:
    from pydicom.datadict import DicomDictionary

    from chalicelib.dicom.tag_dictionary import format_tag, public_entry, tag_name
    from chalicelib.dicom.tag_values import element_value, element_vr

    full: dict[str, Any] = {}
    for tag in sorted(map(int, ds.keys())):  # iterating ds would convert every element
        if (tag >> 16) % 2 or public_entry(tag) is None or (top_level and tag == _SOP_INSTANCE):
            continue
        vr = element_vr(ds.get_item(tag), None)
        dictionary_vr = DicomDictionary.get(tag, ("",))[0]
        node: dict[str, Any] = {"Name": tag_name(tag)}
        undecided = tag in _UNDECIDED_VRS or dictionary_vr in ("US or OW", "US or SS or OW")
        if not undecided and (vr in _BINARY_VRS or dictionary_vr == "OB or OW"):
            continue
        if undecided:
            node["Type"], node["Value"] = "Null", None
        elif vr == "SQ":
            items = ds[tag].value or []
            node["Type"] = "Sequence"
            node["Value"] = [_worklist_items(item, charset, target, False) for item in items]
        else:
            value = element_value(ds, tag, None, charset)
            if value is not None and target is not None:
                value = representable(value, target)
            node["Type"], node["Value"] = ("Null", None) if value is None else ("String", value)
        full[format_tag(tag)] = node
    return full


def representable(text: str, encoding: Encoding) -> str:
    """``text`` without the characters ``encoding`` cannot hold (Orthanc's conversion), nor
    the trailing spaces DCMTK strips from the value it is then put in."""
    from chalicelib.dicom.tag_values import to_ascii

    if encoding.codec is None:
        return to_ascii(text).rstrip(" ")
    return text.encode(encoding.codec, "ignore").decode(encoding.codec).rstrip(" ")
