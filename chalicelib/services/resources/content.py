"""What is inside an instance: its file, its tags in Orthanc's JSON forms, raw element values.
Every answer here reads the DICOM file from S3."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

from chalicelib.dicom import dicom_json, orthanc_json, raw_values, tag_dictionary
from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.dicom.tag_values import creator_of, is_sequence, private_creators
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.model import Resource
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex


def _inexistent() -> OrthancError:
    # Orthanc answers a bare 404 here; Cirrus adds the JSON body every error carries.
    return OrthancError(ErrorCode.INEXISTENT_ITEM)


def parse_tag(text: str) -> BaseTag:
    """A tag in the URI forms Orthanc accepts: ``0008-1250``, ``0042,0011``, ``00081250`` or
    a dictionary name (``PatientName``, a name of the ``Dictionary`` option)."""
    tag = tag_dictionary.parse_tag(text)
    if tag is None:
        raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG, f"Not a DICOM tag: {text}")
    return Tag(tag)


def _tag_name(tag: BaseTag) -> str:
    return f"{tag.group:04x}-{tag.element:04x}"


class ContentService:
    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        browse: BrowseService,
        default_encoding: Callable[[], str],
    ) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse
        # Orthanc's current DefaultEncoding (by name): how files without a Specific
        # Character Set read.
        self.default_encoding = default_encoding

    def instance(self, instance_id: str) -> Resource:
        resource = self._index.get(instance_id) if is_resource_id(instance_id) else None
        if resource is None or resource.level is not Level.INSTANCE:
            raise unknown_resource()
        return resource

    def file(self, instance_id: str) -> tuple[Resource, bytes]:
        resource = self.instance(instance_id)
        return resource, self._blobs.get(resource.blob_key)

    def dataset(self, instance_id: str, with_pixels: bool = True) -> Dataset:
        return self.dataset_of(self.instance(instance_id), with_pixels)

    def dataset_of(self, resource: Resource, with_pixels: bool = True) -> Dataset:
        """The dataset of an instance record already read (no second GetItem)."""
        return self._read(self._blobs.get(resource.blob_key), with_pixels)

    @staticmethod
    def _read(data: bytes, with_pixels: bool) -> Dataset:
        return pydicom.dcmread(io.BytesIO(data), force=True, stop_before_pixels=not with_pixels)

    def tags(
        self, instance_id: str, fmt: TagFormat, ignore_length: frozenset[int] = frozenset()
    ) -> dict[str, Any]:
        """``/tags``; values of the ``ignore_length`` tags are shown however long."""
        return orthanc_json.instance_tags(
            self.dataset(instance_id), fmt.value, ignore_length, self.default_encoding()
        )

    def dicom_json(self, instance_id: str) -> dict[str, Any]:
        """The instance in the DICOM JSON model (``/file`` asked as ``application/dicom+json``)."""
        return dicom_json.dataset_json(self.dataset(instance_id), self.default_encoding())

    def header(self, instance_id: str, fmt: TagFormat) -> dict[str, Any]:
        return orthanc_json.instance_header(self.dataset(instance_id, False), fmt.value)

    def instances_tags(
        self,
        level: Level,
        resource_id: str,
        fmt: TagFormat,
        ignore_length: frozenset[int] = frozenset(),
    ) -> dict[str, Any]:
        """``/{level}/{id}/instances-tags``: the tags of every instance below a resource."""
        ids = self._browse.descendants(level, resource_id, Level.INSTANCE)
        return {i: self.tags(i, fmt, ignore_length) for i in ids}

    def shared_tags(self, level: Level, resource_id: str, fmt: TagFormat) -> dict[str, Any]:
        """Top-level string tags whose value is the same in every instance of a resource."""
        ids = self._browse.descendants(level, resource_id, Level.INSTANCE)
        shared: dict[str, Any] | None = None
        encoding = self.default_encoding()
        for instance_id in ids:
            full = orthanc_json.full_tags(
                self.dataset(instance_id, False), default_encoding=encoding
            )
            strings = {k: v for k, v in full.items() if v.get("Type") == "String"}
            if shared is None:
                shared = strings
            else:
                shared = {k: v for k, v in shared.items() if strings.get(k) == v}
        return orthanc_json.reformat(shared or {}, fmt.value)

    def content(self, instance_id: str, path: list[str]) -> list[str] | bytes:
        """Navigate ``/content/{tag}/{index}/{tag}/...``: a list of tags or item indexes for
        a dataset or a sequence, the raw bytes of a leaf element.

        The top-level Pixel Data is a list too, as in Orthanc: its Basic Offset Table and
        fragments when encapsulated, else its one value (``["0"]``), frames or not.
        """
        node: Any = self.dataset(instance_id)
        for position, step in enumerate(path):
            if isinstance(node, Dataset):
                tag = parse_tag(step)
                if tag not in node:
                    raise _inexistent()
                if position == 0 and tag == raw_values.PIXEL_DATA:
                    return _pixel_data_content(node, path[1:])
                creator = creator_of(tag, private_creators(node))
                if is_sequence(node.get_item(tag), creator):
                    node = node[tag].value
                elif position == len(path) - 1:
                    return raw_values.leaf_bytes(node, tag, creator)
                else:
                    raise _inexistent()
            else:
                node = node[_index(step, len(node))]
        if isinstance(node, Dataset):
            return [_tag_name(element.tag) for element in node]
        return [str(i) for i in range(len(node))]


_ITEM_NUMBER = re.compile(r"[+-]?[0-9]+")


def _index(step: str, count: int) -> int:
    """An item number of ``/content``, read as Orthanc reads it (an unsigned integer, so
    ``+1``, ``01`` and ``-0`` are accepted); 404 if there is no such item. (Orthanc 1.10.1
    answers a sequence's ``-1``, read as 2**64 - 1, with an item: an overflow not copied.)"""
    number = int(step) if _ITEM_NUMBER.fullmatch(step) else -1
    if not 0 <= number < count:
        raise _inexistent()
    return number


def _pixel_data_content(ds: Dataset, rest: list[str]) -> list[str] | bytes:
    """``/content/7fe0-0010`` (the items' numbers) or ``/content/7fe0-0010/{n}`` (its bytes)."""
    items = raw_values.pixel_data_items(ds)
    if not rest:
        return [str(i) for i in range(len(items))]
    if len(rest) > 1:
        raise _inexistent()
    return items[_index(rest[0], len(items))]
