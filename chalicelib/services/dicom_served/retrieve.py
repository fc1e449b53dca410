"""Which stored instances a C-MOVE or a C-GET asks for (Patient and Study Root
Query/Retrieve - MOVE and GET), read from the index: no network, no DICOM file opened.

The rules, probed on Orthanc 1.10.1 (docs/notes/orthanc-dicom-observed.md):

* ``QueryRetrieveLevel`` PATIENT/STUDY/SERIES/IMAGE (any case) names the level, and only the
  unique key of that level is read: PatientID, StudyInstanceUID, SeriesInstanceUID,
  SOPInstanceUID. Keys of other levels are ignored (a series is retrieved even when the
  request gives it another study). Without ``QueryRetrieveLevel`` (not standard, but some
  modalities do it), the level is the deepest one whose unique key has a value.
* The key holds one value or a ``\\`` list. A missing or empty key, or a wildcard in it, fails
  the request. Values that match nothing are skipped.

Resolution costs one ``ByUid`` query per value, one query per matched resource and per
series below it (``BrowseService.walk``), and one BatchGetItem per 100 instances (their
SOP class and transfer syntax, which the sub-association must propose).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib.dicom.identifiers import QUERY_RETRIEVE_LEVEL, QUERY_RETRIEVE_LEVELS, Level
from chalicelib.errors import bad_request
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

if TYPE_CHECKING:
    from pydicom.dataset import Dataset

UNIQUE_KEYS = {
    Level.PATIENT: "PatientID",
    Level.STUDY: "StudyInstanceUID",
    Level.SERIES: "SeriesInstanceUID",
    Level.INSTANCE: "SOPInstanceUID",
}


@dataclass(frozen=True)
class RetrieveRequest:
    """A C-MOVE or C-GET identifier, read: the level and the values of its unique key."""

    level: Level
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class StoredInstance:
    """One sub-operation: the file to send as stored, and what its context must be."""

    instance_id: str
    blob_key: str
    sop_class_uid: str
    sop_instance_uid: str
    transfer_syntax: str


def parse_identifier(identifier: Dataset) -> RetrieveRequest:
    """The resources an identifier names; an ``OrthancError`` when it names none the way
    Orthanc requires (no usable level, no value, a wildcard), answered as a failure."""
    level_text = " ".join(_values(identifier, QUERY_RETRIEVE_LEVEL))
    if level_text:
        level = QUERY_RETRIEVE_LEVELS.get(level_text.upper())
        if level is None:
            raise bad_request(f"Unknown QueryRetrieveLevel in a retrieve request: {level_text!r}")
    else:
        present = [lvl for lvl in Level if _values(identifier, UNIQUE_KEYS[lvl])]
        if not present:
            raise bad_request("A retrieve request without QueryRetrieveLevel nor unique key")
        level = present[-1]
    keyword = UNIQUE_KEYS[level]
    values = _values(identifier, keyword)
    if not values:
        raise bad_request(f"A retrieve request at level {level.value} needs {keyword}")
    if any("*" in v or "?" in v for v in values):
        raise bad_request(f"Wildcards are not allowed on {keyword} in a retrieve request")
    return RetrieveRequest(level, tuple(dict.fromkeys(values)))


def _values(identifier: Dataset, tag: int | str) -> list[str]:
    """The non-empty values of an element (a ``\\`` list gives several)."""
    from pydicom.tag import Tag

    element = identifier.get(Tag(tag))
    if element is None or element.value is None:
        return []
    value = element.value
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    parts = value.split("\\") if isinstance(value, str) else [str(v) for v in value]
    return [p.strip() for p in parts if p and p.strip()]


class RetrieveService:
    def __init__(self, index: ResourceIndex, browse: BrowseService, blobs: BlobStore) -> None:
        self._index = index
        self._browse = browse
        self._blobs = blobs

    def read(self, instance: StoredInstance) -> bytes:
        """The stored file of a sub-operation (read just before it is sent: one file in
        memory at a time)."""
        return self._blobs.get(instance.blob_key)

    def instances(self, request: RetrieveRequest) -> list[StoredInstance]:
        """The instances below the requested resources, each once, in request order."""
        keyword = UNIQUE_KEYS[request.level]
        wanted = set(request.identifiers)
        # The index matches identifiers ignoring case; the key itself is compared exactly.
        found = dict.fromkeys(
            resource_id
            for value in request.identifiers
            for resource_id in self._index.ids_by_identifier(request.level, value)
        )
        instance_ids: dict[str, None] = {}
        if request.level is Level.INSTANCE:
            instance_ids = found
        else:
            for resource_id in found:
                resource, links = self._index.get_with_children(resource_id)
                if resource is None or resource.main_tags.get(keyword) not in wanted:
                    continue  # deleted meanwhile, or another case of the same identifier
                for link in self._browse.walk(resource, links)[Level.INSTANCE]:
                    instance_ids.setdefault(link.child)
        records = self._index.get_many(instance_ids)
        return [
            StoredInstance(
                instance_id=record.id,
                blob_key=record.blob_key,
                sop_class_uid=record.metadata.get("SopClassUid", ""),
                sop_instance_uid=record.main_tags.get("SOPInstanceUID", ""),
                transfer_syntax=record.metadata.get("TransferSyntax", ""),
            )
            for record in (records[i] for i in instance_ids if i in records)
            if request.level is not Level.INSTANCE or record.main_tags.get(keyword) in wanted
        ]

    def by_sop_instance_uid(self, uids: Iterable[str]) -> dict[str, StoredInstance]:
        """The stored instances of these SOP Instance UIDs, by UID (storage commitment asks
        by UID, in both directions)."""
        wanted = tuple(dict.fromkeys(uid for uid in uids if uid))
        if not wanted:
            return {}
        found = self.instances(RetrieveRequest(Level.INSTANCE, wanted))
        return {instance.sop_instance_uid: instance for instance in found}
