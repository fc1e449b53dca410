"""Reconstructing the index from the stored files: ``POST /{level}/{id}/reconstruct`` and
``POST /tools/reconstruct``, the upgrade path when what the index derives from a file (its
main DICOM tags, and the keys built from them) changes.

As Orthanc 1.10.1, each instance's file is parsed again (``ingest.parse_file``, the very
code that indexed it) and its values replace, on the instance and on its series, study and
patient, the main tags (a study's copy of the patient's tags too) and the keys derived from
them (``uid``; a study's ``acc`` and ``sdate``); the instance's ``TransferSyntax`` and
``SopClassUid`` metadata are read again. Nothing else changes: not the other metadata
(``ReceptionDate``...), not ``LastUpdate``, and no change is logged. An ancestor takes the
values of the last of its instances read, as in Orthanc, which is what makes
``/{level}/{id}/reconstruct`` force the values of the resource of interest upon inconsistent
ancestors.

Requests for one resource (it runs in the request, as in Orthanc): a Query per non-instance
resource of the subtree (``BrowseService.walk``), a BatchGetItem per 100 instances and one
for the ancestors, a GetObject per instance (``READERS`` at a time), and a TransactWriteItems
per 100 records written. Every write holds only if the instance it was read from still holds
that file (``ResourceIndex.rewrite_tags``); if one was overwritten or deleted meanwhile, the
resource is read and written again.

``/tools/reconstruct`` on the whole archive cannot run in one Lambda call, so it is the
``Reconstruct`` job: its items are the studies (as Orthanc loops over them), each
reconstructed as above by a job step, and the route waits for it as Orthanc's synchronous
job routes do.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource, write_conflicts
from chalicelib.jobs.model import Job, JobOptions
from chalicelib.model import Resource
from chalicelib.services.jobs.engine import JobService
from chalicelib.services.resources.browse import BrowseService
from chalicelib.services.resources.ingest import ParsedFile, parse_file
from chalicelib.services.resources.recycling import recycling_position
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import (
    MAX_CONFLICT_RETRIES,
    ResourceIndex,
    TagRewrite,
    TransactionConflict,
)

KIND = "Reconstruct"
# Files read and parsed at the same time: S3 latency, not the CPU, bounds a reconstruction.
READERS = 8
# The metadata Orthanc reads again from the file (the others describe its arrival).
FILE_METADATA = ("TransferSyntax", "SopClassUid")


class _Moved(Exception):
    """A file was overwritten or deleted while the resource was being reconstructed."""


class ReconstructService:
    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        browse: BrowseService,
        default_encoding: Callable[[], str],
    ) -> None:
        """``default_encoding`` reads the current default encoding, in which the files
        without SpecificCharacterSet are read again, as Orthanc does."""
        self._index = index
        self._blobs = blobs
        self._browse = browse
        self._default_encoding = default_encoding

    def reconstruct(self, resource_id: str) -> None:
        """Reconstruct a resource of any level: Orthanc ignores the level of the URI (the ID
        names the resource). 404 for an unknown ID."""
        if not is_resource_id(resource_id):
            raise unknown_resource()
        for _ in range(MAX_CONFLICT_RETRIES):
            resource, links = self._index.get_with_children(resource_id)
            if resource is None:
                raise unknown_resource()
            if resource.level is Level.INSTANCE:
                instance_ids = [resource.id]
            else:
                instance_ids = [
                    link.child for link in self._browse.walk(resource, links)[Level.INSTANCE]
                ]
            try:
                self._index.rewrite_tags(self._rewrites(instance_ids))
                return
            except (TransactionConflict, _Moved):
                continue  # read the subtree again: the files it holds now
        raise write_conflicts()

    def _rewrites(self, instance_ids: list[str]) -> list[TagRewrite]:
        instances = self._index.get_many(instance_ids)
        if len(instances) < len(set(instance_ids)):
            raise _Moved()
        records = [instances[i] for i in instance_ids]
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            parsed = list(pool.map(self._read, records))
        ancestors = self._index.get_many(a for record in records for a in record.ancestors)
        rewrites: list[TagRewrite] = []
        # Each ancestor takes the values of the last of its instances, as in Orthanc.
        last: dict[str, tuple[Resource, ParsedFile]] = {}
        for record, values in zip(records, parsed, strict=True):
            metadata = {
                k: values.file_metadata[k] for k in FILE_METADATA if k in values.file_metadata
            }
            rewrites.append(_rewrite(record, record, values, metadata))
            for ancestor_id in record.ancestors:
                if ancestor_id not in ancestors:
                    raise _Moved()
                last[ancestor_id] = (record, values)
        for ancestor_id, (source, values) in last.items():
            rewrites.append(_rewrite(ancestors[ancestor_id], source, values, {}))
        return rewrites

    def _read(self, record: Resource) -> ParsedFile:
        """The file of an instance, parsed (in the current default encoding without
        Specific Character Set); a file that is not the instance's any more (its IDs differ:
        the index is corrupt, or the default encoding changed how its patient ID reads) is
        Orthanc's internal error."""
        try:
            data = self._blobs.get(record.blob_key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
            raise _Moved() from exc
        values = parse_file(data, self._default_encoding())
        if values.ids.instance != record.id:
            raise OrthancError(
                ErrorCode.INTERNAL_ERROR, f"The file of instance {record.id} names another one"
            )
        return values


def _rewrite(
    record: Resource, source: Resource, values: ParsedFile, metadata: dict[str, str]
) -> TagRewrite:
    level = record.level
    new = replace(record, main_tags=values.tags[level.value], dicom_uid=values.identifier(level))
    if level is Level.STUDY:
        new.patient_main_tags = values.tags[Level.PATIENT.value]
    if level is Level.PATIENT and not new.recycling_position:
        # Stored before recycling existed: it enters the order at its last update.
        new.recycling_position = recycling_position(new.id, _moment(new.last_update))
    return TagRewrite(new, source.id, source.file_uuid, metadata)


def _moment(orthanc_time: str) -> datetime | None:
    """An Orthanc timestamp (``20261207T085112``, UTC) as a datetime; None if unreadable."""
    try:
        return datetime.strptime(orthanc_time, "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


# -- /tools/reconstruct: the whole archive, as a job ------------------------------------------


class ReconstructKind:
    """The ``Reconstruct`` job (see ``chalicelib.services.jobs.steps.JobKind``): one item
    per study, reconstructed by a job step."""

    KIND = KIND

    def __init__(self, index: ResourceIndex, service: ReconstructService) -> None:
        self._index = index
        self._service = service

    def plan(self, job: Job) -> list[Any]:
        """Every study, in ID order: 16 Queries on ``ByLevel`` (keys only)."""
        return list(self._index.iter_ids(Level.STUDY))

    def worker(self, job: Job) -> ReconstructWorker:
        return ReconstructWorker(self._service)

    def content(self, job: Job) -> dict[str, Any]:
        return {
            "Description": "REST API",
            "StudiesCount": job.total,
            "FailedStudiesCount": job.failed,
        }


class ReconstructWorker:
    """Reconstructs the studies of one job step. A study of a few thousand files takes a
    minute at most (``READERS`` files at a time)."""

    item_timeout = 120.0

    def __init__(self, service: ReconstructService) -> None:
        self._service = service

    def run(self, item: Any) -> int:
        try:
            self._service.reconstruct(item)
        except OrthancError as error:
            if error.code is not ErrorCode.UNKNOWN_RESOURCE:
                raise
            # Deleted since the plan: nothing left to reconstruct.
        return 0

    def already_done(self, item: Any) -> bool:
        """A reconstruction is idempotent: a study a killed worker may have done is done
        again."""
        return False

    def close(self) -> None:
        """Nothing is held between items."""


class ReconstructJobs:
    """Submits the ``Reconstruct`` job and answers as Orthanc: an empty answer once done (a
    504 naming the job when it takes longer than ``SynchronousJobTimeout``), or, with
    ``"Asynchronous": true`` (a Cirrus extension), the job at once."""

    def __init__(self, jobs: JobService, wait_seconds: float) -> None:
        self._jobs = jobs
        self._wait = wait_seconds

    def reconstruct_all(self, options: JobOptions) -> dict[str, Any] | None:
        params = {"Permissive": options.permissive}
        answer = self._jobs.run(KIND, params, options, self._wait)
        return answer if options.asynchronous else None
