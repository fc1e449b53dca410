"""The orphan sweep: deleting the stored objects that no index record names.

A file or an attachment is written to S3 first and becomes visible when the index records
its key (storage/blobs.py). A process killed between the two (a Lambda timing out, the DICOM
service's task stopped), or an old object whose deletion failed after an overwrite or a
DELETE, leaves an object that nothing references: it is paid for forever, and the bucket
disagrees with ``/statistics`` (counted from the index). The scheduled ``orphan_sweeper``
function (app.py) runs :meth:`OrphanSweeper.run`.

Each run lists ``attachments/`` and ``dicom/`` (the prefixes the index names; ``downloads/``,
``uploads/`` and ``upload-answers/`` expire by lifecycle rules) a page of up to 1,000 keys at
a time and, for each page:

1. keeps every object younger than the grace period (below) without reading anything;
2. reads the records that would name the others (consistent BatchGetItem, 100 records a
   request: ``dicom/<instance>/…`` is named by the instance's ``BlobKey``,
   ``attachments/<resource>/<uuid>`` by the resource's ``Att``);
3. deletes those their record does not name (one DeleteObjects per page);
4. reads the records of what it deleted again (the re-check below);
5. saves its position (the prefix and the last key, ``storage/progress.py``), so the next run
   goes on from there: a bucket of any size is swept across runs within each run's time
   budget, and a run that fails part-way repeats at most one page.

Racing writers. An object can only become referenced by the writer that put it, whose index
write follows its put within one request: a Lambda lives at most 15 minutes, and the DICOM
service's ingest is bounded by its SDK timeouts and retries. The grace period (one hour)
exceeds both, so an object old enough to be judged has no writer left, and the consistent
read of step 2, made after the listing, sees every index write that landed before it.
The re-check of step 4 is for the one window that remains, a writer stalled beyond the grace
period whose index write lands between step 2 and step 3: it cannot undo the deletion, but
names the object in an error log while its data can still be recovered (below). Step 3 also
never needs the listing to be fresh: an object deleted or overwritten meanwhile is either
gone (DeleteObjects of a missing key succeeds) or a different key.

Versioning. The bucket keeps versions (infra/storage.py): a delete adds a delete marker and
the data becomes a noncurrent version, which the lifecycle rule ``noncurrent`` expires 30
days later (the storage cost stops then, not at once); within those 30 days a wrongly swept
object comes back by deleting its delete marker. Deleted keys are not listed again, so
running a page twice deletes nothing twice: the sweep is idempotent.

Requests per 1,000 objects listed, all older than the grace period, each record naming one
object and none an orphan: 1 ListObjectsV2, 10 BatchGetItem (consistent: one read unit per
record under 4 KB) and 1 PutItem of the position; for orphans, 1 DeleteObjects per page
holding any and a BatchGetItem per 100 deleted. Objects younger than the grace period cost
only their share of the listing. A run that finds the pass finished less than a day ago
makes one GetItem.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from chalicelib.services.resources.orphans import SweepPosition, advanced, begin, candidates
from chalicelib.storage.blobs import INDEXED_PREFIXES, BlobStore, owner_of, stored_objects
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.progress import ProgressStore

LOG = logging.getLogger(__name__)
TASK = "orphan-sweep"
# Longer than any writer between its S3 put and its index write (see above).
GRACE_PERIOD = timedelta(hours=1)
# A finished pass is not started again before this, counted from its start.
PASS_INTERVAL = timedelta(days=1)
PAGE_SIZE = 1000
# Seconds of sweeping when the caller has no deadline of its own (the local stack), and the
# seconds kept from a Lambda's remaining time for the last page and the position's write.
DEFAULT_BUDGET = 45.0
SAFETY_MARGIN = 15.0


@dataclass
class SweepReport:
    """What one run did: objects listed, orphans deleted, deleted keys that the re-check
    found referenced, and whether the pass reached its end."""

    listed: int = 0
    deleted: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    finished: bool = False


class OrphanSweeper:
    def __init__(
        self,
        index: ResourceIndex,
        blobs: BlobStore,
        progress: ProgressStore,
        *,
        grace: timedelta = GRACE_PERIOD,
        interval: timedelta = PASS_INTERVAL,
        page_size: int = PAGE_SIZE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """``clock``: the time objects' ages are measured at (public: tests move it)."""
        self._index = index
        self._blobs = blobs
        self._progress = progress
        self._grace = grace
        self._interval = interval
        self._page_size = page_size
        self.clock = clock

    def run(self, seconds_left: float | None = None) -> SweepReport:
        """Sweep pages until the time budget is spent (``seconds_left`` of the invocation,
        less a margin; at least one page per run, so every run makes progress) or the pass
        ends. Stops early, saving nothing more, when another run moved the position."""
        budget = DEFAULT_BUDGET if seconds_left is None else seconds_left - SAFETY_MARGIN
        deadline = time.monotonic() + budget
        report = SweepReport()
        values, step = self._progress.read(TASK)
        position = begin(
            SweepPosition.of(values), self.clock(), self._interval, len(INDEXED_PREFIXES)
        )
        while position is not None:
            prefix = INDEXED_PREFIXES[position.prefix]
            page, more = self._blobs.list_page(prefix, position.after, self._page_size)
            report.listed += len(page)
            self._sweep(candidates(page, self.clock(), self._grace), report)
            position = advanced(position, page[-1].key if page else None, more)
            if not self._progress.write(TASK, position.values(), step):
                LOG.info("Another orphan sweep moved the position: this one stops")
                break
            step += 1
            if position.prefix == len(INDEXED_PREFIXES):
                report.finished = True
                break
            if time.monotonic() >= deadline:
                break
        return report

    def _sweep(self, keys: list[str], report: SweepReport) -> None:
        """Delete the ``keys`` no record names, then look again at what was deleted."""
        if not keys:
            return
        referenced = self._referenced(keys)
        orphans = [key for key in keys if key not in referenced]
        if not orphans:
            return
        self._blobs.delete(orphans)
        report.deleted += orphans
        late = sorted(self._referenced(orphans).intersection(orphans))
        for key in late:
            LOG.error(
                "Swept %s while its index entry was being written: restore it by deleting "
                "its delete marker (the noncurrent version is kept 30 days)",
                key,
            )
        report.late += late
        LOG.info("Orphan sweep deleted %d unreferenced objects", len(orphans))

    def _referenced(self, keys: Iterable[str]) -> set[str]:
        """The objects the records owning ``keys`` name now (consistent reads)."""
        records = self._index.get_many(owner for owner in map(owner_of, keys) if owner)
        return set(stored_objects(list(records.values())))
