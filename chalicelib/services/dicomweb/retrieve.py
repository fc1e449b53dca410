"""WADO-RS retrieval (PS3.18 10.4): the instances of a study, a series or one instance as
``multipart/related; type="application/dicom"``, and the bulk data a metadata answer's
``BulkDataURI`` names, as Orthanc's DICOMweb plugin 1.7 serves them.

The URLs name resources by DICOM UIDs; each is resolved through the index's ``ByUid`` index
(one Query, never a scan), then checked against the UIDs of the URL above it, as the plugin
checks them with ``/tools/find``: a series under another study is unknown (404), and so is a
UID two resources share (two patients with the same study UID).

The body is produced as chunks, one file read from S3 at a time (and transcoded when asked),
so the caller can hand them to ``DownloadService.generated``: small answers are the body, the
others go to S3 a part at a time and the client is redirected, never a study in memory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from botocore.exceptions import ClientError

from chalicelib.dicom import raw_values
from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.multipart_related import PartToSend
from chalicelib.errors import ErrorCode, OrthancError, bad_request
from chalicelib.model import ChildLink, Resource
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.content import ContentService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

LOG = logging.getLogger(__name__)

DICOM = "application/dicom"
OCTET_STREAM = "application/octet-stream"
# What an instance is written in when the client names no transfer syntax (PS3.18 since
# 2016c, and the plugin since 1.5); ``*`` asks for the stored bytes.
DEFAULT_SYNTAX = "1.2.840.10008.1.2.1"
STORED = "*"
_UID_TAGS = {
    Level.STUDY: "StudyInstanceUID",
    Level.SERIES: "SeriesInstanceUID",
    Level.INSTANCE: "SOPInstanceUID",
}
_HEX_TAG = re.compile(r"[0-9A-Fa-f]{8}")


def unknown(level: Level, uid: str) -> OrthancError:
    """The plugin's 404 for a UID that names nothing (or more than one resource)."""
    return OrthancError(
        ErrorCode.INEXISTENT_ITEM,
        f"Accessing an inexistent {level.value.lower()} with WADO-RS: {uid}",
    )


@dataclass(frozen=True)
class Located:
    """A resource a WADO-RS URL names, with its child links (none for an instance)."""

    resource: Resource
    links: list[ChildLink]


class WadoResources:
    """Resolves the UIDs of WADO-RS URLs to index records."""

    def __init__(self, index: ResourceIndex) -> None:
        self._index = index

    def study(self, study_uid: str) -> Located:
        """The study and its series links: a ByUid Query and one of its partition."""
        for study_id in self._index.ids_by_identifier(Level.STUDY, study_uid):
            resource, links = self._index.get_with_children(study_id)
            if resource is not None and _names(resource, study_uid):
                return Located(resource, links)
        raise unknown(Level.STUDY, study_uid)

    def series(self, study_uid: str, series_uid: str) -> Located:
        """The series and its instance links, if it is in that study: a ByUid Query, one of
        the series' partition, a GetItem of its study."""
        for series_id in self._index.ids_by_identifier(Level.SERIES, series_uid):
            resource, links = self._index.get_with_children(series_id)
            if resource is None or not _names(resource, series_uid):
                continue
            study = self._index.get(resource.parent or "")
            if study is not None and _names(study, study_uid):
                return Located(resource, links)
        raise unknown(Level.SERIES, series_uid)

    def instance(self, study_uid: str, series_uid: str, sop_uid: str) -> Resource:
        """The instance, if it is in that series of that study: a ByUid Query, a GetItem, a
        BatchGetItem of its series and study."""
        for instance_id in self._index.ids_by_identifier(Level.INSTANCE, sop_uid):
            resource = self._index.get(instance_id)
            if resource is None or not _names(resource, sop_uid) or len(resource.ancestors) < 2:
                continue
            series_id, study_id = resource.ancestors[:2]
            parents = self._index.get_many([series_id, study_id])
            if (
                series_id in parents
                and study_id in parents
                and _names(parents[series_id], series_uid)
                and _names(parents[study_id], study_uid)
            ):
                return resource
        raise unknown(Level.INSTANCE, sop_uid)


def _names(resource: Resource, uid: str) -> bool:
    """Whether ``resource`` has exactly this UID (ByUid matches case-insensitively; the
    plugin's lookup does not)."""
    return resource.main_tags.get(_UID_TAGS[resource.level]) == uid


def in_series_order(links: list[ChildLink]) -> list[ChildLink]:
    """Instances by InstanceNumber, then by ID (the plugin lists them in Orthanc's storage
    order, which the index does not keep)."""
    return sorted(
        links,
        key=lambda link: (link.index_in_series is None, link.index_in_series or 0, link.child),
    )


class WadoRetrieve:
    def __init__(
        self,
        resources: WadoResources,
        browse: BrowseService,
        blobs: BlobStore,
        content: ContentService,
    ) -> None:
        self._resources = resources
        self._browse = browse
        self._blobs = blobs
        self._content = content

    # -- instances ---------------------------------------------------------------------------

    def instances(
        self, study_uid: str, series_uid: str | None = None, sop_uid: str | None = None
    ) -> list[ChildLink]:
        """The instances a retrieval URL names, in answer order: series by Orthanc ID,
        instances in series order. Raises 404 before anything is read from S3."""
        if sop_uid is not None and series_uid is not None:
            instance = self._resources.instance(study_uid, series_uid, sop_uid)
            return [
                ChildLink(
                    instance.parent or "", instance.id, Level.INSTANCE, instance.file_size,
                    instance.blob_key, instance.index_in_series,
                )
            ]  # fmt: skip
        if series_uid is not None:
            return in_series_order(self._resources.series(study_uid, series_uid).links)
        study = self._resources.study(study_uid)
        walked = self._browse.walk(study.resource, study.links)
        by_series: dict[str, list[ChildLink]] = {}
        for link in walked[Level.INSTANCE]:
            by_series.setdefault(link.parent, []).append(link)
        return [link for series in sorted(by_series) for link in in_series_order(by_series[series])]

    def parts(self, links: list[ChildLink], transfer_syntax: str) -> Iterator[PartToSend]:
        """One ``application/dicom`` part per instance, read one at a time: the stored bytes
        for ``*``, else the file in ``transfer_syntax`` (406 when it cannot be written in
        it; the plugin answers 500). A file deleted since the listing is skipped."""
        from chalicelib.dicom.transcoding import transcode

        for link in links:
            try:
                data = self._blobs.get(link.blob_key)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                    raise
                LOG.warning("An instance was deleted during a WADO-RS retrieval: %s", link.child)
                continue
            if transfer_syntax != STORED:
                converted = transcode(data, transfer_syntax)
                if converted is None:
                    raise OrthancError(
                        ErrorCode.NOT_ACCEPTABLE,
                        f"Instance {link.child} cannot be written in {transfer_syntax}",
                    )
                data = converted
            yield PartToSend(DICOM, data)

    # -- bulk data ---------------------------------------------------------------------------

    def bulk(self, study_uid: str, series_uid: str, sop_uid: str, path: list[str]) -> list[bytes]:
        """The parts of ``/bulk/{path}``: the value of the element a BulkDataURI names
        (``tag``, or ``sequence/item number from 1/.../tag``); for the top-level Pixel Data,
        as the plugin does, each item ``/content`` lists (the whole native value, or the
        Basic Offset Table and the fragments). 400 for a malformed path, 404 when the file
        has no such element."""
        if len(path) % 2 != 1:
            raise bad_request(
                f"Bulk data URI in WADO-RS should have an odd number of items: {path}"
            )
        steps: list[str] = []
        for position, step in enumerate(path):
            if position % 2 == 0:
                if not _HEX_TAG.fullmatch(step):
                    raise bad_request(f"Bad tag in bulk data URI: {step}")
                steps.append(step)
            elif not step.isascii() or not step.isdigit():
                raise bad_request(f"Bad sequence index in bulk data URI: {step}")
            elif int(step) < 1:
                raise OrthancError(ErrorCode.INEXISTENT_ITEM)
            else:
                steps.append(str(int(step) - 1))
        instance = self._resources.instance(study_uid, series_uid, sop_uid)
        if len(steps) == 1 and int(steps[0], 16) == raw_values.PIXEL_DATA:
            dataset = self._content.dataset_of(instance)
            if raw_values.PIXEL_DATA not in dataset:
                raise OrthancError(ErrorCode.INEXISTENT_ITEM)
            return raw_values.pixel_data_items(dataset)
        value = self._content.content(instance.id, steps)
        if not isinstance(value, bytes):
            raise OrthancError(ErrorCode.INEXISTENT_ITEM, "Not bulk data: a sequence or an item")
        return [value]
