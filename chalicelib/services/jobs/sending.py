"""What every job that sends stored instances somewhere shares (to an Orthanc peer, to a
DICOM modality): checking the resources asked for, planning the instances, reading each file.

The plan lists the instances of the resources (read from the index's links, no DICOM
parsed), each once, in request order: ``[instance ID, S3 key]`` items.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, unknown_resource
from chalicelib.jobs.model import Job
from chalicelib.model import Resource
from chalicelib.services.jobs.steps import ItemFailed
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex


class SendingKind:
    """The half of a sending job kind that does not depend on the destination."""

    def __init__(self, index: ResourceIndex, blobs: BlobStore, browse: BrowseService) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse

    def resources(self, resource_ids: list[str]) -> list[Resource]:
        """The records of the resources asked for, in order; 404 if one is unknown (Orthanc
        refuses the whole request rather than failing a job later)."""
        found = self._index.get_many(resource_ids)
        if any(r not in found for r in resource_ids):
            raise unknown_resource()
        return [found[r] for r in resource_ids]

    def plan(self, job: Job) -> list[Any]:
        items: dict[str, list[Any]] = {}
        for resource_id in job.params["Resources"]:
            resource, links = self._index.get_with_children(resource_id)
            if resource is None:
                raise unknown_resource(f"Resource {resource_id} was deleted before it was sent")
            if resource.level is Level.INSTANCE:
                items.setdefault(resource.id, [resource.id, resource.blob_key])
                continue
            for link in self._browse.walk(resource, links)[Level.INSTANCE]:
                items.setdefault(link.child, [link.child, link.blob_key])
        return list(items.values())


def read_file(blobs: BlobStore, item: Any) -> bytes:
    """The stored file of an item; a file deleted since the plan fails that item."""
    instance_id, key = item
    try:
        return blobs.get(key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
            raise
        raise ItemFailed(
            ErrorCode.UNKNOWN_RESOURCE, f"Instance {instance_id} was deleted before it was sent"
        ) from exc
