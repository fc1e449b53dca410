"""A pydicom Dataset as Orthanc 1.10.1 shows it in JSON (``/instances/{id}/tags``, ``/header``).

This module builds the trees: the full format (``{"gggg,eeee": {"Name", "Type", "Value"}}``,
sequences as lists of items) and its ``?simplify``/``?short`` flavours. Names come from
``tag_dictionary``, leaf values from ``tag_values``; what is left is Orthanc's layout:

* values longer than 256 UTF-8 bytes are ``TooLong`` (unless their tag is one of
  ``?ignore-length``), those without text ``Null``;
* top-level elements after Pixel Data are dropped and Pixel Data itself is a ``Null`` (Orthanc
  parses the file truncated at Pixel Data, then puts an empty Pixel Data back);
* sequence items are decoded with the top-level character set.
"""

from __future__ import annotations

from typing import Any, Literal

from pydicom.dataset import Dataset

from chalicelib.dicom.charsets import DEFAULT
from chalicelib.dicom.tag_dictionary import format_tag, parse_tag, public_entry, tag_name
from chalicelib.dicom.tag_values import (
    ASCII,
    MAXIMUM_TAG_LENGTH,
    PIXEL_DATA,
    Charset,
    creator_of,
    element_value,
    element_vr,
    is_sequence,
    private_creators,
)
from chalicelib.errors import ErrorCode, OrthancError

JsonTags = dict[str, Any]
TagsFormat = Literal["full", "simplify", "short"]
NO_TAGS: frozenset[int] = frozenset()


def ignored_lengths(option: str | None) -> frozenset[int]:
    """The tags of ``?ignore-length=``, whose values are shown whatever their length.

    As Orthanc 1.10.1: a comma-separated list of ``gggg-eeee``, ``ggggeeee`` or dictionary
    names (so ``gggg,eeee`` is two bad tags); one bad item, an empty one included, fails the
    whole request with ``UnknownDicomTag`` (Orthanc answers it with 500, Cirrus with 400:
    the client's mistake). When the option is repeated the last one counts, as for every
    Orthanc option.
    """
    if option is None:
        return NO_TAGS
    tags = set()
    for item in option.split(","):
        tag = parse_tag(item)
        if tag is None:
            raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG, f"Unknown DICOM tag: {item!r}")
        tags.add(tag)
    return frozenset(tags)


def _leaf_node(
    name: str, creator: str | None, value: str | None, full_length: bool
) -> dict[str, Any]:
    node: dict[str, Any] = {"Name": name}
    if creator is not None:
        node["PrivateCreator"] = creator
    if value is None:
        node["Type"], node["Value"] = "Null", None
    elif not full_length and len(value.encode("utf-8")) > MAXIMUM_TAG_LENGTH:
        node["Type"], node["Value"] = "TooLong", None
    else:
        node["Type"], node["Value"] = "String", value
    return node


def _dataset_to_full(
    ds: Dataset, charset: Charset, top_level: bool, ignore_length: frozenset[int]
) -> JsonTags:
    creators = private_creators(ds)
    result: JsonTags = {}
    for tag in sorted(ds.keys()):
        tag = int(tag)
        if top_level and tag >= PIXEL_DATA:
            if tag == PIXEL_DATA:
                result["7fe0,0010"] = {"Name": "PixelData", "Type": "Null", "Value": None}
            break  # Orthanc parses the file truncated where Pixel Data starts
        creator = creator_of(tag, creators)
        raw = ds.get_item(tag)
        if is_sequence(raw, creator):
            items = ds[tag].value or []
            result[format_tag(tag)] = {
                "Name": tag_name(tag, creator),
                "Type": "Sequence",
                "Value": [_dataset_to_full(item, charset, False, ignore_length) for item in items],
            }
        else:
            value = element_value(ds, tag, creator, charset)
            result[format_tag(tag)] = _leaf_node(
                tag_name(tag, creator), creator, value, tag in ignore_length
            )
    return result


def full_tags(
    ds: Dataset, ignore_length: frozenset[int] = NO_TAGS, default_encoding: str = DEFAULT
) -> JsonTags:
    """``GET /instances/{id}/tags``: ``{"0010,0010": {"Name", "Type", "Value"}, ...}``.

    Sequence items use the top-level character set, as Orthanc does; without one, the
    default encoding (an Orthanc name) applies. Values of the tags in ``ignore_length`` are
    never ``TooLong``, wherever they are (sequence items included).
    """
    return _dataset_to_full(ds, Charset.of(ds, default_encoding), True, ignore_length)


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


def instance_tags(
    ds: Dataset,
    fmt: TagsFormat = "full",
    ignore_length: frozenset[int] = NO_TAGS,
    default_encoding: str = DEFAULT,
) -> JsonTags:
    """``/instances/{id}/tags`` in the requested flavour (``simplified-tags`` = ``simplify``)."""
    return reformat(full_tags(ds, ignore_length, default_encoding), fmt)


def instance_header(ds: Dataset, fmt: TagsFormat = "full") -> JsonTags:
    """``/instances/{id}/header`` in the requested flavour."""
    return reformat(header_full_tags(ds), fmt)
