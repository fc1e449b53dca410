"""Archives and media built by a job (the ``Asynchronous`` form of the archive routes): the
``Archive`` and ``Media`` jobs, and their output at ``GET /jobs/{id}/archive``.

The ZIP is one stream (each entry's offset and checksum end up in the central directory), so
the job has one item, handled in one job step: the archive service's chunks are written to
S3 by a multipart upload (one part in memory), under ``downloads/job-outputs/``, named by
the job's creation time and ID, which the bucket's lifecycle expires as it does other
downloads. As Orthanc keeps the
outputs of its newest ``MediaArchiveSize`` archive and media jobs only, a job that has written
its ZIP removes the older ones beyond that number: their ``/jobs/{id}/archive`` then answers
404, as in Orthanc. One step is bounded by the job_step
Lambda's timeout (15 minutes at most): an archive that takes longer to build fails the job
after Step Functions' retries (docs/compatibility.md). A step run again after a crash first
looks for the object (``already_done``).

``InstancesCount`` and ``UncompressedSize`` are known at submission, as Orthanc knows them when
its job starts; ``ArchiveSize`` is the object's size once written (0 before, as in Orthanc).
"""

from __future__ import annotations

from typing import Any

from chalicelib.jobs.model import Job
from chalicelib.services.downloads.archive import ArchiveEntry, ArchiveService
from chalicelib.services.downloads.large_downloads import Download, DownloadService
from chalicelib.storage.transfers import DOWNLOADS, Transfers

ARCHIVE = "Archive"
MEDIA = "Media"
OUTPUT = "archive"
ZIP = "application/zip"
MEGA_BYTES = 1024 * 1024
# The single item starts in a fresh step and takes what the step's Lambda has left: a larger
# figure would make a step with a shorter Lambda timeout hand the item on forever.
ITEM_SECONDS = 0.0


OUTPUTS = f"{DOWNLOADS}job-outputs/"


def output_key(job: Job) -> str:
    """Named so that the newest job's output sorts first (S3's LastModified has seconds)."""
    return f"{OUTPUTS}{int(job.created * 1_000_000):017d}-{job.id}/archive.zip"


def job_params(
    entries: list[ArchiveEntry],
    resource_ids: list[str],
    extended: bool,
    transcode: str | None,
) -> dict[str, Any]:
    """What the job needs to build the archive again in its step (the resources, not the
    entries: a study's file list may not fit in the job record)."""
    return {
        "Resources": resource_ids,
        "Extended": extended,
        "Transcode": transcode,
        "InstancesCount": len(entries),
        "UncompressedSize": sum(entry.size for entry in entries),
    }


class ArchiveKind:
    """The ``Archive`` (``media=False``) or ``Media`` job."""

    def __init__(
        self,
        archive: ArchiveService,
        transfers: Transfers,
        downloads: DownloadService,
        media: bool,
        kept_outputs: int,
    ) -> None:
        self._archive = archive
        self._transfers = transfers
        self._downloads = downloads
        self._media = media
        self._kept_outputs = kept_outputs

    def plan(self, job: Job) -> list[Any]:
        return [OUTPUT]

    def worker(self, job: Job) -> ArchiveWriter:
        return ArchiveWriter(self._archive, self._transfers, self._media, job, self._kept_outputs)

    def content(self, job: Job) -> dict[str, Any]:
        uncompressed = int(job.params["UncompressedSize"])
        answer: dict[str, Any] = {
            "Description": "REST API",
            "InstancesCount": job.params["InstancesCount"],
            "UncompressedSizeMB": uncompressed // MEGA_BYTES,
            "ArchiveSizeMB": job.sent // MEGA_BYTES,
            "ArchiveSize": str(job.sent),
            "UncompressedSize": str(uncompressed),
        }
        if job.params.get("Transcode"):
            answer["Transcode"] = job.params["Transcode"]
        return answer

    def output(self, job: Job, key: str) -> Download | None:
        """The ZIP of the finished job, at ``GET /jobs/{id}/archive``; None for another key."""
        size = self._transfers.size(output_key(job)) if key == OUTPUT else None
        if size is None:
            return None
        return self._downloads.stored(output_key(job), size, ZIP, "archive.zip")


class ArchiveWriter:
    """Builds one job's ZIP into S3."""

    item_timeout = ITEM_SECONDS

    def __init__(
        self,
        archive: ArchiveService,
        transfers: Transfers,
        media: bool,
        job: Job,
        kept_outputs: int,
    ) -> None:
        self._archive = archive
        self._transfers = transfers
        self._media = media
        self._job = job
        self._kept_outputs = kept_outputs

    def run(self, item: Any) -> int:
        params = self._job.params
        # An OrthancError (a resource deleted since the job was submitted) fails the item.
        entries = self._archive.plan(params["Resources"], media=self._media)
        transcode = params.get("Transcode")
        if self._media:
            chunks = self._archive.stream_media(entries, bool(params["Extended"]), transcode)
        else:
            chunks = self._archive.stream(entries, transcode)
        written = self._transfers.write(output_key(self._job), chunks, ZIP)
        self._forget_older_outputs()
        return written

    def _forget_older_outputs(self) -> None:
        """Keep the newest ``MediaArchiveSize`` outputs, this one among them."""
        newest_first = sorted(self._transfers.keys(OUTPUTS), reverse=True)
        for key in newest_first[self._kept_outputs :]:
            if key != output_key(self._job):
                self._transfers.delete(key)

    def already_done(self, item: Any) -> bool:
        return self._transfers.size(output_key(self._job)) is not None

    def close(self) -> None:
        """Nothing held between items."""
