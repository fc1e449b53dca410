"""A remote server's QIDO-RS answer (DICOM JSON) in the shape Orthanc's DICOMweb plugin
answers ``POST /dicom-web/servers/{name}/qido``: one object per match, and per tag whose key
is a tag in hexadecimal (``ggggeeee``, or ``gggg,eeee`` as Orthanc also reads), its
``Group`` and ``Element`` (numbers), DCMTK's ``Name``, its ``vr``, and its first value as
``Value`` when that value is a string or a person name (its ``Alphabetic`` part). Other
values (numbers, sequences, bulk data) and further values are left out, as plugin 1.7 leaves
them out (later versions also copy integers): the answer is meant for a quick listing
(Orthanc Explorer), the ``/get`` proxy gives the whole DICOM JSON.
"""

from __future__ import annotations

from typing import Any

from chalicelib.errors import RemoteError


def orthanc_qido_answer(matches: Any) -> list[dict[str, Any]]:
    """The plugin's listing of a DICOM JSON array of matches; RemoteError when the answer is
    not one (the server's fault, as the plugin reports it)."""
    from chalicelib.dicom.tag_dictionary import parse_hexadecimal, tag_name

    if not isinstance(matches, list):
        raise _not_qido("is not a JSON array")
    listing = []
    for match in matches:
        if not isinstance(match, dict):
            raise _not_qido("holds a match that is not a JSON object")
        item = {}
        for key, attribute in match.items():
            tag = parse_hexadecimal(key)
            if tag is None:
                continue
            if not isinstance(attribute, dict) or not isinstance(attribute.get("vr"), str):
                raise _not_qido(f"has no VR for the tag {key}")
            entry: dict[str, Any] = {
                "Group": tag >> 16,
                "Element": tag & 0xFFFF,
                "Name": tag_name(tag),
                "vr": attribute["vr"],
            }
            value = _first_value(attribute.get("Value"))
            if value is not None:
                entry["Value"] = value
            item[key] = entry
        listing.append(item)
    return listing


def _first_value(values: Any) -> str | None:
    """The first value, when it is one the plugin shows."""
    if not isinstance(values, list) or not values:
        return None
    first = values[0]
    if isinstance(first, str):
        return first
    if isinstance(first, dict) and isinstance(first.get("Alphabetic"), str):
        return str(first["Alphabetic"])
    return None


def _not_qido(what: str) -> RemoteError:
    return RemoteError(f"The QIDO-RS answer of the DICOMweb server {what}")
