"""Queries and C-FIND answers (``gggg,eeee`` -> text) in the JSON flavours of Orthanc's tag
routes, as ``/queries/{id}/query`` and ``/queries/{id}/answers/...`` show them."""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.tag_format import TagFormat


def tags_json(values: dict[str, str], fmt: TagFormat) -> dict[str, Any]:
    """``values`` as ``/tags`` would show a dataset holding them."""
    from chalicelib.dicom.orthanc_json import reformat, tag_name

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
