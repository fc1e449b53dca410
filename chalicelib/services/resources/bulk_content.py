"""``POST /tools/bulk-content``: the JSON of many resources in one call, as Orthanc 1.10.1.

Without ``Level``, each resource asked for is described at its own level, in request order
(an ID given twice is described twice). With ``Level``, each is first moved to that level:
its descendants of that level, or its ancestor; the answer lists the distinct resources so
found in ID order. Unknown IDs are skipped. Each description is the resource's JSON of
``GET /{level}/{id}`` (``BrowseService.to_json``, the one home of it), its main tags in the
requested format, with its metadata unless ``Metadata`` is false.

Requests: one BatchGetItem per 100 IDs asked for, a Query per resource and per level walked
down to reach ``Level``, a GetItem to climb from a series to its patient, a BatchGetItem per
100 instances not read yet, and a Query per patient, study or series described (its links).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.dicom.tag_format import TagFormat
from chalicelib.model import ChildLink, Resource
from chalicelib.services.resources.browse import BrowseService, metadata_of
from chalicelib.services.search.find import format_tags
from chalicelib.storage.index import ResourceIndex

_ANCESTOR_LEVELS = (Level.SERIES, Level.STUDY, Level.PATIENT)  # an instance's ``ancestors``


@dataclass(frozen=True)
class BulkContentRequest:
    """The body of ``/tools/bulk-content``, read by ``api/requests/bulk_content.py``."""

    resources: list[str]
    level: Level | None
    metadata: bool
    tag_format: TagFormat


class BulkContentService:
    def __init__(self, index: ResourceIndex, browse: BrowseService) -> None:
        self._index = index
        self._browse = browse

    def describe(self, request: BulkContentRequest) -> list[dict[str, Any]]:
        asked = [r for r in request.resources if is_resource_id(r)]
        read = self._index.get_many(asked)
        if request.level is None:
            ids = [r for r in asked if r in read]
        else:
            ids = sorted(self._at_level(read.values(), request.level))
        return self._describe(ids, read, request)

    def _at_level(self, records: Iterable[Resource], level: Level) -> set[str]:
        """The resources of ``level`` that the given ones lead to (Orthanc's walk)."""
        found: set[str] = set()
        for record in records:
            if record.level is level:
                found.add(record.id)
            elif record.level.depth < level.depth:
                found.update(self._descendants(record, level))
            elif (ancestor := self._ancestor(record, level)) is not None:
                found.add(ancestor)
        return found

    def _descendants(self, record: Resource, level: Level) -> list[str]:
        current, depth = [record.id], record.level
        while depth is not level and depth.child is not None:
            current = [link.child for parent in current for link in self._index.children(parent)]
            depth = depth.child
        return current

    def _ancestor(self, record: Resource, level: Level) -> str | None:
        """The ancestor of ``level`` (an instance names all three; a series' patient costs a
        read of its study); None if deleted meanwhile."""
        if record.level is Level.INSTANCE:
            return dict(zip(_ANCESTOR_LEVELS, record.ancestors, strict=False)).get(level)
        current: Resource | None = record
        while current is not None and current.level.parent is not level:
            current = self._index.get(current.parent or "")
        return current.parent if current is not None else None

    def _describe(
        self, ids: list[str], read: dict[str, Resource], request: BulkContentRequest
    ) -> list[dict[str, Any]]:
        missing = [i for i in dict.fromkeys(ids) if i not in read]
        read = {**read, **self._index.get_many(missing)} if missing else read
        links: dict[str, list[ChildLink]] = {}
        answers = []
        for resource_id in ids:
            record = read.get(resource_id)
            if record is None:
                continue  # deleted meanwhile
            if record.level is not Level.INSTANCE and resource_id not in links:
                links[resource_id] = self._index.children(resource_id)
            answer = self._browse.to_json(record, links.get(resource_id, []))
            for key in ("MainDicomTags", "PatientMainDicomTags"):
                if key in answer:
                    answer[key] = format_tags(answer[key], request.tag_format)
            if request.metadata:
                answer["Metadata"] = metadata_of(record)
            answers.append(answer)
        return answers
