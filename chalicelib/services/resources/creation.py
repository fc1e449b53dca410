"""``POST /tools/create-dicom``: new instances built from a JSON request, stored through the
one ingest path as if uploaded (Origin ``RestApi``), answered as Orthanc 1.10.1 answers.

The DICOM building is ``chalicelib/dicom/creation.py``; this module reads the ``Parent`` from
the index (one of its instances gives the tags its new child inherits) and stores what is
built. A series is stored one instance at a time, as Orthanc does: when an item fails, the
instances the request already stored are deleted again, and the error answered is Orthanc's
(which, when nothing was stored yet, is the 404 of its failed lookup of the new series).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.dicom import orthanc_json
from chalicelib.dicom.creation import ParentTags, prepare
from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.services.resources.content import ContentService
from chalicelib.services.resources.delete import DeleteService
from chalicelib.services.resources.ingest import IngestService, Origin, StoreResult, StoreStatus
from chalicelib.services.resources.upload import store_answer
from chalicelib.storage.index import ResourceIndex


class CreationService:
    def __init__(
        self,
        index: ResourceIndex,
        content: ContentService,
        ingest: IngestService,
        delete: DeleteService,
        max_pixel_bytes: int,
        default_private_creator: str,
    ) -> None:
        self._index = index
        self._content = content
        self._ingest = ingest
        self._delete = delete
        self._max_pixel_bytes = max_pixel_bytes
        self._private_creator = default_private_creator

    def create(self, body: dict[str, Any], origin: Origin) -> dict[str, Any]:
        """Create and store what ``body`` asks for; Orthanc's answer for an instance, or for
        the series when ``Content`` is a list."""
        creation = prepare(
            body,
            self._parent,
            self._max_pixel_bytes,
            datetime.now(UTC),
            self._private_creator,
            self._content.default_encoding(),
        )
        if not creation.is_series:
            (data,) = creation.files()
            return store_answer(self._ingest.store(data, origin))
        stored: list[StoreResult] = []
        try:
            for data in creation.files():
                stored.append(self._ingest.store(data, origin))
        except Exception as error:
            for result in stored:
                if result.status is StoreStatus.SUCCESS:  # not one that was there before
                    self._delete.delete(Level.INSTANCE, result.ids.instance)
            if not stored and isinstance(error, OrthancError):
                raise unknown_resource() from error
            raise
        series = stored[-1].ids.series
        return {"ID": series, "Path": f"/series/{series}", "Status": "Success"}

    def _parent(self, parent_id: str) -> ParentTags:
        """The parent's level and the tags of its first instance (one Query per level)."""
        resource = self._index.get(parent_id) if is_resource_id(parent_id) else None
        if resource is None:
            raise OrthancError(ErrorCode.CREATE_DICOM_BAD_PARENT)
        if resource.level is Level.INSTANCE:
            raise OrthancError(ErrorCode.CREATE_DICOM_PARENT_IS_INSTANCE)
        instance_id = resource.id
        for _ in range(resource.level.depth, Level.INSTANCE.depth):
            children = self._index.children(instance_id, limit=1)
            if not children:
                raise OrthancError(ErrorCode.INTERNAL_ERROR)
            instance_id = children[0].child
        dataset = self._content.dataset(instance_id, with_pixels=False)
        full = orthanc_json.full_tags(dataset, default_encoding=self._content.default_encoding())
        return ParentTags(resource.level, full)
