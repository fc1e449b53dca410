"""Metadata of a resource: the built-in ones the ingest records, read-only, and a site's own
(``UserMetadata``, numbers 1024-65535) that clients set and delete, with revisions.

Values live in the resource record's ``Meta`` map under their names (an undeclared number
under the number), revisions above 0 in ``MetaRev``. A write reads the record (GetItem) and
replaces both maps with one UpdateItem conditioned on them being as read, so of two
concurrent writers one wins and the other reads again: it then either applies its change on
top (no If-Match) or fails with 409 (its If-Match is stale).
"""

from __future__ import annotations

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.errors import ErrorCode, OrthancError, TooLarge, unknown_resource, write_conflicts
from chalicelib.model import Resource
from chalicelib.services.resources import revisions
from chalicelib.services.resources.browse import metadata_of
from chalicelib.services.resources.names import LAST_USER, Names, is_user_type
from chalicelib.services.resources.revisions import Revision
from chalicelib.storage.index import MAX_CONFLICT_RETRIES, ResourceIndex

# Values are kept in the resource's record, a DynamoDB item of at most 400 KB.
MAX_VALUE_BYTES = 64 * 1024


def forbidden() -> OrthancError:
    """Writing built-in metadata or attachments (Orthanc: a bare 403)."""
    return OrthancError(ErrorCode.FORBIDDEN_ACCESS)


class MetadataService:
    def __init__(self, index: ResourceIndex, names: Names, check_revisions: bool) -> None:
        self._index = index
        self._names = names
        self._check_revisions = check_revisions

    # -- reads -------------------------------------------------------------------------------

    def values(self, level: Level, resource_id: str) -> list[tuple[str, str]]:
        """(name, value) of every metadata of a resource, in Orthanc's order (by number)."""
        values = metadata_of(self._load(level, resource_id))
        return sorted(values.items(), key=lambda item: self._order(item[0]))

    def value(self, level: Level, resource_id: str, name: str) -> tuple[str, Revision]:
        """One value and its revision; 404 when the resource or the value is missing."""
        key = self._names.name(self._names.number(name))
        resource = self._load(level, resource_id)
        values = metadata_of(resource)
        if key not in values:
            raise OrthancError(ErrorCode.INEXISTENT_ITEM)
        return values[key], _revision(resource, key, values[key])

    # -- writes (any level in the URI, as Orthanc: the ID names the resource) ----------------

    def set(self, resource_id: str, name: str, body: bytes, if_match: str | None) -> Revision:
        """Create or replace user metadata; its new revision."""
        key = self._user_key(name)
        if len(body) > MAX_VALUE_BYTES:
            raise TooLarge(f"A metadata value is limited to {MAX_VALUE_BYTES} bytes")
        value = body.decode("utf-8", errors="replace")
        given = revisions.parse(revisions.IF_MATCH, if_match)
        if given is None and self._check_revisions:
            given = revisions.NO_REVISION
        for _ in range(MAX_CONFLICT_RETRIES):
            resource = self._load_any(resource_id)
            current = _current(resource, key)
            number = revisions.replacement(current, given)
            if self._write(resource, {**resource.metadata, key: value}, key, number):
                return Revision(number, revisions.md5_hex(value.encode()))
        raise write_conflicts()

    def delete(self, resource_id: str, name: str, if_match: str | None) -> None:
        key = self._user_key(name)
        given = revisions.parse(revisions.IF_MATCH, if_match)
        if given is None and self._check_revisions:
            raise revisions.missing_if_match()
        for _ in range(MAX_CONFLICT_RETRIES):
            resource = self._load_any(resource_id)
            current = _current(resource, key)
            if current is None:
                raise unknown_resource()
            revisions.replacement(current, given)
            remaining = {k: v for k, v in resource.metadata.items() if k != key}
            if self._write(resource, remaining, key, None):
                return
        raise write_conflicts()

    def _write(
        self, resource: Resource, metadata: dict[str, str], key: str, number: int | None
    ) -> bool:
        numbers = {k: v for k, v in resource.metadata_revisions.items() if k != key}
        if number:
            numbers[key] = number
        return self._index.replace_metadata(resource, metadata, numbers)

    # -- helpers -----------------------------------------------------------------------------

    def _user_key(self, name: str) -> str:
        """The ``Meta`` key of writable metadata (404 unknown name, 403 built-in)."""
        number = self._names.number(name)
        if not is_user_type(number):
            raise forbidden()
        return self._names.name(number)

    def _order(self, key: str) -> int:
        try:
            return self._names.number(key)
        except OrthancError:  # a name the configuration no longer declares
            return LAST_USER + 1

    def _load(self, level: Level, resource_id: str) -> Resource:
        resource = self._load_any(resource_id)
        if resource.level is not level:
            raise unknown_resource()
        return resource

    def _load_any(self, resource_id: str) -> Resource:
        resource = self._index.get(resource_id) if is_resource_id(resource_id) else None
        if resource is None:
            raise unknown_resource()
        return resource


def _current(resource: Resource, key: str) -> Revision | None:
    if key not in resource.metadata:
        return None
    return _revision(resource, key, resource.metadata[key])


def _revision(resource: Resource, key: str, value: str) -> Revision:
    return Revision(
        resource.metadata_revisions.get(key, 0), revisions.md5_hex(value.encode("utf-8"))
    )
