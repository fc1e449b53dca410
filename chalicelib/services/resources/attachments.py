"""Attachments of a resource: the ``dicom`` file of an instance (read-only) and a site's own
files (``UserContentType``, numbers 1024-65535) at any level, with revisions.

A user attachment is an S3 object under a new key per write (``attachments/<id>/<uuid>``)
indexed in the resource record's ``Att`` map (UUID, size, MD5, revision) and in a copy on the
link from its parent, so that statistics and deletes of an ancestor know it without reading
the record. A write is: GetItem, PutObject, then one transaction conditioned on ``Att`` being
as read (record, link, the disk size counter), then DeleteObject of the replaced object.

Cirrus stores attachments as they come (Orthanc's ``StorageCompression`` off): ``compress``
and ``uncompress`` leave them so and answer as Orthanc does for an attachment already in the
asked state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.model import Attachment, Resource
from chalicelib.services.resources import revisions
from chalicelib.services.resources.metadata import forbidden, write_conflicts
from chalicelib.services.resources.names import BINARY_MIME, DICOM, Names, is_user_type
from chalicelib.services.resources.revisions import Revision
from chalicelib.storage.blobs import BlobStore, attachment_key
from chalicelib.storage.index import MAX_CONFLICT_RETRIES, ResourceIndex

# The summary Orthanc may keep and lets clients delete (it rebuilds it when needed); Cirrus
# never has one.
DICOM_AS_JSON = 2


@dataclass(frozen=True)
class StoredAttachment:
    """What Orthanc says of an attachment (``/info``), with where its bytes are."""

    content_type: int
    uuid: str
    size: int
    md5: str
    revision: int
    key: str
    mime_type: str

    @property
    def is_dicom_file(self) -> bool:
        """The instance's DICOM file (may be large: its answers may redirect to S3)."""
        return self.content_type == DICOM

    @property
    def revision_tag(self) -> Revision:
        return Revision(self.revision, self.md5)

    def info(self) -> dict[str, object]:
        """``/info``: stored uncompressed, so both sizes and MD5s are the same."""
        return {
            "Uuid": self.uuid,
            "ContentType": self.content_type,
            "UncompressedSize": self.size,
            "CompressedSize": self.size,
            "UncompressedMD5": self.md5,
            "CompressedMD5": self.md5,
        }


class AttachmentService:
    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        names: Names,
        check_revisions: bool,
        max_size: int,
    ) -> None:
        self._index = index
        self._blobs = blobs
        self._names = names
        self._check_revisions = check_revisions
        self._max_size = max_size

    # -- reads -------------------------------------------------------------------------------

    def listing(self, level: Level, resource_id: str) -> list[tuple[str, int]]:
        """(name, number) of a resource's attachments, by number."""
        resource = self._load(resource_id)
        if resource.level is not level:
            raise unknown_resource()
        numbers = sorted(resource.attachments)
        if resource.level is Level.INSTANCE:
            numbers.insert(0, DICOM)
        return [(self._names.name(n), n) for n in numbers]

    def get(self, resource_id: str, name: str) -> StoredAttachment:
        """One attachment (any level in the URI, as Orthanc: the ID names the resource);
        404 when the resource or the attachment is missing."""
        number = self._names.number(name)
        found = self._stored(self._load(resource_id), number)
        if found is None:
            raise unknown_resource()
        return found

    def data(self, attachment: StoredAttachment) -> bytes:
        return self._blobs.get(attachment.key)

    def verify(self, attachment: StoredAttachment) -> None:
        """``verify-md5``: the stored bytes still have the MD5 recorded at the write."""
        if revisions.md5_hex(self.data(attachment)) != attachment.md5:
            raise OrthancError(ErrorCode.INEXISTENT_ITEM, "The attachment has a bad MD5")

    def keep_uncompressed(self, resource_id: str, name: str) -> None:
        """``compress``/``uncompress``: the attachment must exist; it stays uncompressed."""
        self.get(resource_id, name)

    # -- writes ------------------------------------------------------------------------------

    def put(self, resource_id: str, name: str, data: bytes, if_match: str | None) -> Revision:
        """Create or replace a user attachment; its new revision."""
        number = self._names.number(name)
        if not is_user_type(number):
            raise forbidden()
        given = revisions.parse(revisions.IF_MATCH, if_match)
        if given is None and self._check_revisions:
            given = revisions.NO_REVISION
        md5 = revisions.md5_hex(data)
        new_uuid = str(uuid.uuid4())
        key = attachment_key(resource_id, new_uuid)
        written = False
        try:
            for _ in range(MAX_CONFLICT_RETRIES):
                resource = self._load(resource_id)
                current = resource.attachments.get(number)
                revision = revisions.replacement(
                    Revision(current.revision, current.md5) if current else None, given
                )
                if not written:
                    self._blobs.put(key, data, BINARY_MIME)
                    written = True
                attachment = Attachment(new_uuid, len(data), md5, revision)
                delta = len(data) - (current.size if current else 0)
                if self._index.replace_attachments(
                    resource, {**resource.attachments, number: attachment}, delta
                ):
                    written = False
                    if current is not None:
                        self._blobs.discard([attachment_key(resource_id, current.uuid)])
                    return Revision(revision, md5)
            raise write_conflicts()
        finally:
            if written:  # nothing points at the new object
                self._blobs.delete([key])

    def delete(self, resource_id: str, name: str, if_match: str | None) -> None:
        number = self._names.number(name)
        if not (is_user_type(number) or number == DICOM_AS_JSON):
            raise forbidden()
        given = revisions.parse(revisions.IF_MATCH, if_match)
        if given is None and self._check_revisions:
            raise revisions.missing_if_match()
        for _ in range(MAX_CONFLICT_RETRIES):
            resource = self._load(resource_id)
            current = resource.attachments.get(number)
            if current is None:
                raise unknown_resource()
            revisions.replacement(Revision(current.revision, current.md5), given)
            remaining = {n: a for n, a in resource.attachments.items() if n != number}
            if self._index.replace_attachments(resource, remaining, -current.size):
                self._blobs.discard([attachment_key(resource_id, current.uuid)])
                return
        raise write_conflicts()

    # -- helpers -----------------------------------------------------------------------------

    def _load(self, resource_id: str) -> Resource:
        resource = self._index.get(resource_id) if is_resource_id(resource_id) else None
        if resource is None:
            raise unknown_resource()
        return resource

    def _stored(self, resource: Resource, number: int) -> StoredAttachment | None:
        if number == DICOM and resource.level is Level.INSTANCE:
            # Instances stored before Cirrus recorded MD5s: computed from the file.
            md5 = resource.file_md5 or revisions.md5_hex(self._blobs.get(resource.blob_key))
            return StoredAttachment(
                DICOM,
                resource.file_uuid,
                resource.file_size,
                md5,
                0,
                resource.blob_key,
                "application/dicom",
            )
        found = resource.attachments.get(number)
        if found is None:
            return None
        return StoredAttachment(
            number,
            found.uuid,
            found.size,
            found.md5,
            found.revision,
            attachment_key(resource.id, found.uuid),
            self._names.mime_type(number),
        )
