"""Sending stored resources somewhere as a job (to an Orthanc peer, to a DICOM modality): the
one use case behind ``POST /peers/{id}/store`` and ``POST /modalities/{id}/store``, and what
their job kinds share: checking the resources asked for, planning the instances, reading each
file.

The plan lists the instances of the resources (read from the index's links, no DICOM
parsed), each once, in request order: ``[instance ID, S3 key]`` items.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from botocore.exceptions import ClientError

from chalicelib.dicom.identifiers import Level
from chalicelib.errors import unknown_resource
from chalicelib.jobs.model import Job, JobOptions
from chalicelib.model import Resource
from chalicelib.services.resources.browse import BrowseService
from chalicelib.storage.blobs import BlobStore
from chalicelib.storage.index import ResourceIndex

if TYPE_CHECKING:
    from chalicelib.services.changes.exports import ExportLog
    from chalicelib.services.jobs.engine import JobService

# What a kind reads of the request besides the resources (PeerStoreOptions...).
Options = TypeVar("Options")


@dataclass(frozen=True)
class SendRequest(Generic[Options]):
    """What a store route asks: the resources (Orthanc IDs, checked in form), the job's
    options, and the destination kind's own options."""

    resources: list[str]
    job: JobOptions
    options: Options


class SendingKind(ABC, Generic[Options]):
    """A sending job kind; this half does not depend on the destination."""

    #: The job's type, as Orthanc names it.
    KIND: str

    def __init__(self, index: ResourceIndex, blobs: BlobStore, browse: BrowseService) -> None:
        self._index = index
        self._blobs = blobs
        self._browse = browse

    @abstractmethod
    def params(self, destination: str, request: SendRequest[Options]) -> dict[str, Any]:
        """The job's parameters; Orthanc's 404 if ``destination`` is unknown."""

    def resources(self, resource_ids: list[str]) -> list[Resource]:
        """The records of the resources asked for, in order; 404 if one is unknown (Orthanc
        refuses the whole request rather than failing a job later)."""
        found = self._index.get_many(resource_ids)
        if any(r not in found for r in resource_ids):
            raise unknown_resource()
        return [found[r] for r in resource_ids]

    def plan(self, job: Job) -> list[Any]:
        return instance_items(self._index, self._browse, job.params["Resources"], "sent")


def instance_items(
    index: ResourceIndex, browse: BrowseService, resource_ids: list[str], action: str
) -> list[Any]:
    """The plan of a job over stored resources: each instance of theirs once, in request
    order, as ``[instance ID, S3 key]``; a resource deleted since the request fails the job
    ("... was deleted before it was ``action``")."""
    items: dict[str, list[Any]] = {}
    for resource_id in resource_ids:
        resource, links = index.get_with_children(resource_id)
        if resource is None:
            raise unknown_resource(f"Resource {resource_id} was deleted before it was {action}")
        if resource.level is Level.INSTANCE:
            items.setdefault(resource.id, [resource.id, resource.blob_key])
            continue
        for link in browse.walk(resource, links)[Level.INSTANCE]:
            items.setdefault(link.child, [link.child, link.blob_key])
    return list(items.values())


def read_file(blobs: BlobStore, item: Any, action: str = "sent") -> bytes:
    """The stored file of an item; a file deleted since the plan fails that item."""
    instance_id, key = item[0], item[1]
    try:
        return blobs.get(key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("NoSuchKey", "404"):
            raise
        raise unknown_resource(
            f"Instance {instance_id} was deleted before it was {action}"
        ) from exc


# A file is read ahead only while the last one read was at most this large: a step then
# holds at most one file besides the one it sends, and reads one at a time once it meets
# large files (whose transfer dwarfs a GetObject's round trip anyway).
READ_AHEAD_LIMIT = 16 * 1024 * 1024


class ReadAhead:
    """The files of a step's items, each read from S3 while the one before it is sent.

    Sending is a GetObject then a request to the destination, item after item; on AWS both
    are round trips (S3 answers a small object in 10-30 ms), so reading the next file in a
    background thread during the current send takes S3's latency off each item. One file
    at most is read ahead; an item skipped (found done at the destination) drops its file.
    A failure to read surfaces when that item is taken, as if it had been read then.
    """

    def __init__(self, blobs: BlobStore, action: str = "sent") -> None:
        self._blobs = blobs
        self._action = action
        self._upcoming: Iterator[Any] = iter(())
        self._ahead: tuple[Any, Future[bytes]] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._small = True

    def expect(self, items: list[Any]) -> None:
        """The items about to be read, in order: start reading the first."""
        self._upcoming = iter(items)
        self._read_next()

    def read(self, item: Any) -> bytes:
        """The file of ``item``: read ahead, or read now (then the next one is read ahead)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0][0] == item[0]:
            data = ahead[1].result()
        else:
            if ahead is not None:
                ahead[1].cancel()  # an item skipped: its file (or failure to read it) unused
            self._skip_to(item)
            data = read_file(self._blobs, item, self._action)
        self._small = len(data) <= READ_AHEAD_LIMIT
        self._read_next()
        return data

    def close(self) -> None:
        """Drop what was read ahead; wait for a read in flight (bounded by the SDK's
        timeouts), so that no thread outlives the step."""
        if self._ahead is not None:
            self._ahead[1].cancel()
            self._ahead = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _skip_to(self, item: Any) -> None:
        """Move past ``item`` in the expected order, reading none of the items before it."""
        for upcoming in self._upcoming:
            if upcoming[0] == item[0]:
                return

    def _read_next(self) -> None:
        item = next(self._upcoming, None) if self._small else None
        if item is None:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="cirrus-read-ahead")
        self._ahead = (item, self._pool.submit(read_file, self._blobs, item, self._action))


class SendService:
    """Sending resources as a job, in Orthanc's order: the resources must exist, the export
    is logged (``LogExportedResources``) even if the destination or an option is refused
    afterwards, then the job is submitted."""

    def __init__(self, jobs: JobService, exports: ExportLog, wait_seconds: float) -> None:
        """``wait_seconds``: how long a synchronous request waits for its job
        (``SynchronousJobTimeout``)."""
        self._jobs = jobs
        self._exports = exports
        self._wait = wait_seconds

    def log_export(self, kind: SendingKind[Any], resource_ids: list[str], destination: str) -> None:
        """Check that the resources exist (404 otherwise) and log their export."""
        self._exports.record(kind.resources(resource_ids), destination)

    def send(
        self, kind: SendingKind[Options], destination: str, request: SendRequest[Options]
    ) -> dict[str, Any]:
        """Submit the job; its ID at once when asynchronous, else its Content once done."""
        params = kind.params(destination, request)
        return self._jobs.run(kind.KIND, params, request.job, self._wait)
