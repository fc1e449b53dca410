"""What is inside an instance: its file, its tags in Orthanc's JSON forms, raw element values,
and its metadata. Every answer here reads the DICOM file from S3 (except metadata)."""

from __future__ import annotations

import io
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

from chalicelib.dicom import orthanc_json
from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.model import Resource
from chalicelib.services.resources.browse import BrowseService, metadata_of
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex


def _inexistent() -> OrthancError:
    # Orthanc answers a bare 404 here; Cirrus adds the JSON body every error carries.
    return OrthancError(ErrorCode.INEXISTENT_ITEM)


def parse_tag(text: str) -> BaseTag:
    """A tag in the URI forms Orthanc accepts: ``0008-1250`` or ``0042,0011``."""
    cleaned = text.replace("-", ",")
    group, sep, element = cleaned.partition(",")
    if not sep or len(group) != 4 or len(element) != 4:
        raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG, f"Not a DICOM tag: {text}")
    try:
        return Tag(int(group, 16), int(element, 16))
    except ValueError as exc:
        raise OrthancError(ErrorCode.UNKNOWN_DICOM_TAG, f"Not a DICOM tag: {text}") from exc


def _tag_name(tag: BaseTag) -> str:
    return f"{tag.group:04x}-{tag.element:04x}"


class ContentService:
    def __init__(self, index: ResourceIndex, blobs: BlobStore, browse: BrowseService) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse

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

    def tags(self, instance_id: str, fmt: TagFormat) -> dict[str, Any]:
        return orthanc_json.instance_tags(self.dataset(instance_id), fmt.value)

    def header(self, instance_id: str, fmt: TagFormat) -> dict[str, Any]:
        return orthanc_json.instance_header(self.dataset(instance_id, False), fmt.value)

    def instances_tags(self, level: Level, resource_id: str, fmt: TagFormat) -> dict[str, Any]:
        """``/{level}/{id}/instances-tags``: the tags of every instance below a resource."""
        ids = self._browse.descendants(level, resource_id, Level.INSTANCE)
        return {i: self.tags(i, fmt) for i in ids}

    def shared_tags(self, level: Level, resource_id: str, fmt: TagFormat) -> dict[str, Any]:
        """Top-level string tags whose value is the same in every instance of a resource."""
        ids = self._browse.descendants(level, resource_id, Level.INSTANCE)
        shared: dict[str, Any] | None = None
        for instance_id in ids:
            full = orthanc_json.full_tags(self.dataset(instance_id, False))
            strings = {k: v for k, v in full.items() if v.get("Type") == "String"}
            if shared is None:
                shared = strings
            else:
                shared = {k: v for k, v in shared.items() if strings.get(k) == v}
        return orthanc_json.reformat(shared or {}, fmt.value)

    def content(self, instance_id: str, path: list[str]) -> list[str] | bytes:
        """Navigate ``/content/{tag}/{index}/{tag}/...``: a list of tags or item indexes for
        a dataset or a sequence, the raw bytes of a leaf element."""
        node: Any = self.dataset(instance_id)
        for position, step in enumerate(path):
            if isinstance(node, Dataset):
                tag = parse_tag(step)
                if tag not in node:
                    raise _inexistent()
                raw = node.get_item(tag)
                element = node[tag]
                if element.VR == "SQ":
                    node = element.value
                elif position == len(path) - 1:
                    return _raw_value(raw, element)
                else:
                    raise _inexistent()
            else:
                if not step.isdigit() or int(step) >= len(node):
                    raise _inexistent()
                node = node[int(step)]
        if isinstance(node, Dataset):
            return [_tag_name(element.tag) for element in node]
        return [str(i) for i in range(len(node))]

    def metadata(self, level: Level, resource_id: str) -> dict[str, str]:
        if level is Level.INSTANCE:
            return metadata_of(self.instance(resource_id))
        return metadata_of(self._browse.load(level, resource_id)[0])


def _raw_value(raw: Any, element: Any) -> bytes:
    """The element's value bytes as stored in the file (Orthanc's ``/content`` leaf)."""
    value = getattr(raw, "value", None)
    if isinstance(value, bytes):
        return value
    if isinstance(element.value, bytes):
        return element.value
    # Already decoded by pydicom: re-encode the textual form.
    if element.VM > 1:
        return "\\".join(str(v) for v in element.value).encode("utf-8")
    return str(element.value).encode("utf-8")
