"""Deleting a resource, its descendants, and the ancestors it leaves empty (as Orthanc does).

Records are deleted children first and the target's own record last, so a DELETE that dies
half-way leaves a consistent tree and answers the same when retried. Files are removed from
S3 only after the index no longer points at them: a crash in between leaves unreferenced
objects (invisible, and collectable), never an index entry without its file.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.errors import unknown_resource
from chalicelib.model import ChildLink, Resource
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore, stored_objects
from chalicelib.storage.index import ResourceIndex


class DeleteService:
    def __init__(self, index: ResourceIndex, blobs: BlobStore, browse: BrowseService) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse

    def delete(self, level: Level, resource_id: str) -> dict[str, Any]:
        """Delete and answer Orthanc's ``{"RemainingAncestor": ...}``."""
        resource = self._index.get(resource_id) if is_resource_id(resource_id) else None
        if resource is None or resource.level is not level:
            raise unknown_resource()
        remaining = self._delete(resource)
        if remaining is None:
            return {"RemainingAncestor": None}
        return {
            "RemainingAncestor": {
                "ID": remaining.id,
                "Path": f"/{remaining.level.collection}/{remaining.id}",
                "Type": remaining.level.value,
            }
        }

    def delete_many(self, resource_ids: list[str]) -> None:
        """POST /tools/bulk-delete: resources of any levels; unknown IDs are skipped, as
        Orthanc does (one BatchGetItem tells the levels)."""
        found = self._index.get_many(i for i in resource_ids if is_resource_id(i))
        for resource_id in dict.fromkeys(resource_ids):
            if resource_id in found:
                self._delete(found[resource_id])

    def _delete(self, resource: Resource) -> Resource | None:
        """Delete a resource, its subtree and the ancestors it empties; returns the nearest
        ancestor that remains. The emptied ancestors go last in the same index delete, so a
        failure leaves either the resource (a retried DELETE finishes the work) or nothing
        to do, never an ancestor without children that no retry could reach."""
        emptied, remaining = self._emptied_ancestors(resource)
        doomed = [*self._subtree(resource), *emptied]
        self._index.delete(doomed)
        self._blobs.discard(stored_objects(doomed))
        return remaining

    def _subtree(self, resource: Resource) -> list[Resource]:
        """The resource and all its descendants, deepest first.

        Descendants are rebuilt from the links (which carry size and file key) rather than
        read one by one: deleting a study of 1,000 instances costs a Query per series, not
        1,000 reads.
        """
        links = self._index.children(resource.id) if resource.level is not Level.INSTANCE else []
        by_level = self._browse.walk(resource, links)
        doomed = [_stub(link) for level in reversed(list(by_level)) for link in by_level[level]]
        return [*doomed, resource]

    def _emptied_ancestors(self, resource: Resource) -> tuple[list[Resource], Resource | None]:
        """The ancestors that deleting ``resource`` leaves without children (nearest first),
        and the first one that remains."""
        emptied: list[Resource] = []
        child, parent_id = resource.id, resource.parent
        while parent_id:
            parent = self._index.get(parent_id)
            if parent is None:
                return emptied, None
            if any(link.child != child for link in self._index.children(parent.id, limit=2)):
                return emptied, parent
            emptied.append(parent)
            child, parent_id = parent.id, parent.parent
        return emptied, None


def _stub(link: ChildLink) -> Resource:
    """Enough of a child's record to delete it and update the counters."""
    return Resource(
        id=link.child,
        level=link.level,
        parent=link.parent,
        main_tags={},
        last_update="",
        file_size=link.file_size,
        blob_key=link.blob_key,
        attachments=dict(link.attachments),
    )
