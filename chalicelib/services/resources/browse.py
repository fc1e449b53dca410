"""Browsing the hierarchy: the JSON of GET /patients, /studies/{id}, /series/{id}/instances...

Each resource answer needs the record and its children; both live in the resource's own
DynamoDB partition, so one Query serves a GET /{level}/{id}. Lists of expanded resources cost
one Query per resource.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom.series_status import series_status
from chalicelib.errors import unknown_resource
from chalicelib.model import ChildLink, Resource
from chalicelib.storage.index import ResourceIndex

_CHILDREN_KEY = {
    Level.PATIENT: "Studies",
    Level.STUDY: "Series",
    Level.SERIES: "Instances",
}
# Metadata that Orthanc also shows in a resource's JSON.
DERIVATION_METADATA = ("AnonymizedFrom", "ModifiedFrom")
_PARENT_KEY = {
    Level.STUDY: "ParentPatient",
    Level.SERIES: "ParentStudy",
    Level.INSTANCE: "ParentSeries",
}


class BrowseService:
    def __init__(self, index: ResourceIndex) -> None:
        self._index = index

    # -- single resources --------------------------------------------------------------------

    def load(self, level: Level, resource_id: str) -> tuple[Resource, list[ChildLink]]:
        """The record and children of a resource of ``level``; 404 if there is none."""
        if not is_resource_id(resource_id):
            raise unknown_resource()
        if level is Level.INSTANCE:
            resource, links = self._index.get(resource_id), []
        else:
            resource, links = self._index.get_with_children(resource_id)
        if resource is None or resource.level is not level:
            raise unknown_resource()
        return resource, links

    def resource_json(self, level: Level, resource_id: str) -> dict[str, Any]:
        return self.to_json(*self.load(level, resource_id))

    def to_json(self, resource: Resource, links: list[ChildLink]) -> dict[str, Any]:
        """Orthanc's JSON for one resource (keys as in Orthanc 1.12, which adds ``Labels``)."""
        level = resource.level
        answer: dict[str, Any] = {
            "ID": resource.id,
            "Type": level.value,
            "MainDicomTags": resource.main_tags,
            "Labels": list(resource.labels),
        }
        if level in _PARENT_KEY:
            answer[_PARENT_KEY[level]] = resource.parent
        if level in _CHILDREN_KEY:
            answer[_CHILDREN_KEY[level]] = [link.child for link in links]
            # Cleared by the stability check (services/changes/stability.py) StableAge seconds after
            # the last arrival, as Orthanc does.
            answer["IsStable"] = not resource.unstable
            answer["LastUpdate"] = resource.last_update
        if level is Level.STUDY:
            answer["PatientMainDicomTags"] = resource.patient_main_tags
        if level is Level.SERIES:
            answer["ExpectedNumberOfInstances"] = resource.expected_instances
            answer["Status"] = series_status(
                resource.expected_instances, [link.index_in_series for link in links]
            )
        if level is Level.INSTANCE:
            answer["FileSize"] = resource.file_size
            answer["FileUuid"] = resource.file_uuid
            answer["IndexInSeries"] = resource.index_in_series
        # Resources made by modify/anonymize name their source, at every level, as Orthanc.
        for key in DERIVATION_METADATA:
            if key in resource.metadata:
                answer[key] = resource.metadata[key]
        return answer

    # -- lists -------------------------------------------------------------------------------

    def list_level(
        self, level: Level, expand: bool, since: int = 0, limit: int | None = None
    ) -> list[Any]:
        ids = self._index.list_ids(level, since, limit)
        return self.expand(level, ids) if expand else ids

    def expand(self, level: Level, ids: list[str]) -> list[dict[str, Any]]:
        """Full JSON of several resources of one level (skipping any deleted meanwhile)."""
        return [self.to_json(resource, links) for resource, links in self.load_many(level, ids)]

    def load_many(self, level: Level, ids: list[str]) -> list[tuple[Resource, list[ChildLink]]]:
        """The records of several resources of one level with their child links, in order,
        skipping any deleted meanwhile: one Query each (record and links share a partition),
        or one BatchGetItem per 100 instances (which have no children)."""
        if level is Level.INSTANCE:
            found = self._index.get_many(ids)
            return [(found[i], []) for i in ids if i in found]
        loaded = []
        for resource_id in ids:
            resource, links = self._index.get_with_children(resource_id)
            if resource is not None:
                loaded.append((resource, links))
        return loaded

    # -- walking the tree --------------------------------------------------------------------

    def descendants(self, level: Level, resource_id: str, target: Level) -> list[str]:
        """IDs of the descendants of ``target`` level of a resource (itself if same level)."""
        resource, links = self.load(level, resource_id)
        if target is level:
            return [resource.id]
        return [link.child for link in self.walk(resource, links)[target]]

    def walk(self, resource: Resource, links: list[ChildLink]) -> dict[Level, list[ChildLink]]:
        """The links to every descendant of ``resource``, by level: one Query per non-instance
        descendant (instances are known from their series' links without being read)."""
        by_level: dict[Level, list[ChildLink]] = {}
        level = resource.level.child
        current = links
        while level is not None:
            by_level[level] = current
            if level is Level.INSTANCE:
                break
            current = [
                grandchild for link in current for grandchild in self._index.children(link.child)
            ]
            level = level.child
        return by_level

    def ancestor(self, level: Level, resource_id: str, target: Level) -> Resource:
        """The ancestor of ``target`` level of a resource (one read per level climbed)."""
        resource, _ = self.load(level, resource_id)
        while resource.level is not target:
            parent = self._index.get(resource.parent or "")
            if parent is None:
                raise unknown_resource()
            resource = parent
        return resource


def metadata_of(resource: Resource) -> dict[str, str]:
    """A resource's metadata (GET /{level}/{id}/metadata?expand): what the ingest recorded
    (instances: their origin and file; any level: ModifiedFrom/AnonymizedFrom), and the
    LastUpdate of patients, studies and series."""
    if resource.level is Level.INSTANCE:
        return dict(resource.metadata)
    return {**resource.metadata, "LastUpdate": resource.last_update}
