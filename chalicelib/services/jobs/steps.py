"""The worker side of jobs: the steps the state machine (chalicelib/jobs/state_machine.json)
calls, on AWS as the ``job_step`` Lambda and locally through the local stack's job runner.

Four steps: ``plan`` (list the job's items once, in batches), ``batch`` (handle the items of
one batch), ``finish`` (Success) and ``fail`` (an unexpected error, after Step Functions'
retries). The job record is the source of truth, and every step is safe to run twice:

- handled items are marked in the same transaction that counts them, so a retried batch skips
  what was done and never counts twice. Marks are grouped (RECORD_EVERY items or
  RECORD_SECONDS) to spare a write per item;
- a worker may read ahead: it is told the items it is about to handle (``expect``), so that
  it can fetch the next file while sending the current one;
- items are handled in order, so the items a killed worker may have sent without marking them
  are the first unmarked items of a batch started more than once: the job kind is asked
  whether each reached its destination (``already_done``) until one did not;
- marking is conditional on the job being active at the worker's run, so a worker stops at
  its next group of marks when the job is paused, cancelled, or moved to a newer run
  (resumed, resubmitted): a cancelled job stops within a group of items.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import observability
from chalicelib.errors import ErrorCode, OrthancError, recorded_type
from chalicelib.jobs.model import ACTIVE, FINISHED, Job, JobState
from chalicelib.jobs.state_machine import failure_details
from chalicelib.storage.jobs import Batch, Handled, JobStore, Mark

LOG = logging.getLogger(__name__)

BATCH_SIZE = 50
# The Map of the state machine runs this many batches at a time (its MaxConcurrency, which a
# test holds equal): a job of more than one batch gets a multiple of it, all of about the same
# size, so that no worker is left with a last batch while the others have nothing to do.
MAP_CONCURRENCY = 4
# Handled items are recorded in groups, one transaction per RECORD_EVERY items or per
# RECORD_SECONDS, whichever comes first: a worker learns within that much that its job was
# paused or cancelled, and a killed worker leaves at most that many items to verify. Each
# transaction moves the batch's ``handled`` count, which rewrites the batch item (its 50
# items: ~7 KB, 14 write units as a transaction), and the record: at 25 items a group costs
# about 0.6 write unit per item, and two groups make a batch. The time limit only matters
# for slow items (large files, a slow peer): a shorter one made a group of every item or two
# whenever items took over 0.1 s each.
RECORD_EVERY = 25
RECORD_SECONDS = 1.0
# A batch step stops taking new items when less than this is left of its Lambda's time
# (plus the item timeout); the state machine then runs the batch again in a fresh call.
SAFETY_MARGIN_MS = 10_000


class ItemWorker(Protocol):
    """Handles the items of one job inside one step (holding its connections). A worker may
    also have ``expect(items)``, called once with the items the step is about to handle, in
    order, before the first ``run``: a worker reading files can fetch the next while it sends
    the current (some of them may be skipped: a killed worker's items found done)."""

    #: The longest one item may take (its network timeout), in seconds.
    item_timeout: float

    def run(self, item: Any) -> int:
        """Handle one item and return the bytes it sent. An OrthancError (a RemoteError:
        the peer refused it; the file was deleted meanwhile...) fails the item; any other
        exception is a fault of the step, which the state machine retries."""

    def already_done(self, item: Any) -> bool:
        """Whether an item a killed worker may have handled did reach its destination."""

    def close(self) -> None:
        """Release what the step held (a DICOM association...)."""


class JobKind(Protocol):
    """What one type of job does (``OrthancPeerStore``...). A kind may also have
    ``conclude(job)``, run once every item is handled (the storage commitment request of a
    C-STORE job), and ``output(job, key)``, what ``GET /jobs/{id}/{key}`` answers (the ZIP of
    an archive job)."""

    def plan(self, job: Job) -> list[Any]:
        """The job's items (JSON values), in order; raise OrthancError if impossible."""

    def worker(self, job: Job) -> ItemWorker: ...

    def content(self, job: Job) -> dict[str, Any]:
        """Orthanc's ``Content`` of the job."""


class StorageUnavailable(Exception):
    """A step's AWS call failed beyond the SDK's retries (throttled, unreachable): the
    name under which Step Functions sees the step fail (the Cause's ``errorType``)."""


class JobSteps:
    def __init__(
        self,
        store: JobStore,
        kinds: Mapping[str, JobKind],
        history_size: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._kinds = kinds
        self._history_size = history_size
        self._clock = clock

    def handle(self, event: dict[str, Any], remaining_ms: Callable[[], int]) -> dict[str, Any]:
        """Run the step an event of the state machine names. An AWS call failing beyond the
        SDK's retries fails the step as ``StorageUnavailable``: Step Functions retries it,
        and if it keeps failing the job names the database (503's code), not a bug."""
        try:
            return self._step(event, remaining_ms)
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(str(error)) from error

    def _step(self, event: dict[str, Any], remaining_ms: Callable[[], int]) -> dict[str, Any]:
        step, job_id, run = event["Step"], event["JobId"], int(event["Run"])
        if step == "plan":
            return self.plan(job_id, run)
        if step == "batch":
            return self.batch(job_id, run, int(event["Batch"]), remaining_ms)
        if step == "finish":
            self.finish(job_id, run)
            return {}
        if step == "fail":
            self.fail(job_id, run, event.get("Error") or {})
            return {}
        raise ValueError(f"Unknown job step {step!r}")

    # -- steps -------------------------------------------------------------------------------

    def plan(self, job_id: str, run: int) -> dict[str, Any]:
        job = self._store.get(job_id)
        if job is None or job.run != run or job.state not in ACTIVE:
            return {"Batches": []}
        changes: dict[str, Any] = {}
        if not job.planned:
            try:
                items = self._kinds[job.type].plan(job)
            except OrthancError as error:
                self._complete(job, JobState.FAILURE, error)
                return {"Batches": []}
            batches = split_in_batches(items)
            # Batches first: the record says "planned" only once they are all written.
            self._store.write_batches(job_id, batches)
            job.batches = len(batches)
            changes.update(Planned=True, Batches=job.batches, Total=len(items))
        if job.state is not JobState.RUNNING:
            changes.update(State=JobState.RUNNING.value, RunningSince=self._clock())
        if changes and not self._store.update(job_id, changes, states=ACTIVE, run=run):
            return {"Batches": []}
        return {"Batches": list(range(job.batches))}

    def batch(
        self, job_id: str, run: int, number: int, remaining_ms: Callable[[], int]
    ) -> dict[str, Any]:
        """Handle the unmarked items of a batch; ``{"Done": False}`` asks to be called again
        (the Lambda's time is nearly used up)."""
        job = self._active(job_id, run)
        if job is None:
            return {"Done": True}
        batch = self._store.start_batch(job_id, number)
        worker = self._kinds[job.type].worker(job)
        try:
            return self._handle_items(job, run, number, batch, worker, remaining_ms)
        finally:
            worker.close()

    def _handle_items(
        self,
        job: Job,
        run: int,
        number: int,
        batch: Batch,
        worker: ItemWorker,
        remaining_ms: Callable[[], int],
    ) -> dict[str, Any]:
        permissive = bool(job.params.get("Permissive"))
        budget_ms = SAFETY_MARGIN_MS + 1000 * worker.item_timeout
        recorder = _Recorder(self._store, job.id, run, number)
        # Items a killed worker sent without recording them are the first unmarked ones.
        verifying = batch.attempts > 1
        todo = list(enumerate(batch.items))[batch.handled :]
        expect = getattr(worker, "expect", None)
        if expect is not None:
            expect([item for _, item in todo])
        for position, item in todo:
            if remaining_ms() < budget_ms:
                return {"Done": not recorder.flush()}
            if verifying:
                if worker.already_done(item):
                    if not recorder.add(Handled(position, True)):
                        return {"Done": True}
                    continue
                verifying = False
            try:
                sent = worker.run(item)
            except OrthancError as failure:
                # Recorded at once, so that unrecorded items only ever follow recorded ones.
                if not recorder.add(Handled(position, False), now=True):
                    return {"Done": True}
                if not permissive:
                    self._complete(job, JobState.FAILURE, failure)
                    return {"Done": True}
                LOG.warning("Job %s: item failed, going on (Permissive): %s", job.id, failure)
                continue
            if not recorder.add(Handled(position, True, sent)):
                return {"Done": True}
        recorder.flush()
        return {"Done": True}

    def finish(self, job_id: str, run: int) -> None:
        job = self._store.get(job_id)
        if job is None or job.run != run or job.state is not JobState.RUNNING:
            return  # paused, cancelled or failed meanwhile: the record already says so
        # A kind may have a last thing to do once every item is handled (the storage
        # commitment request of a C-STORE job); the job fails if it cannot be done.
        conclude = getattr(self._kinds[job.type], "conclude", None)
        if conclude is not None:
            try:
                conclude(job)
            except OrthancError as error:
                self._complete(job, JobState.FAILURE, error)
                return
        self._complete(job, JobState.SUCCESS)

    def fail(self, job_id: str, run: int, error: dict[str, Any]) -> None:
        """An unexpected error survived Step Functions' retries: the job fails with it."""
        job = self._store.get(job_id)
        if job is None or job.run != run or job.state not in ACTIVE:
            return
        LOG.error("Job %s failed: %s", job_id, error)
        details = failure_details(error)
        unavailable = details.startswith(f"{StorageUnavailable.__name__}:")
        code = ErrorCode.DATABASE_UNAVAILABLE if unavailable else ErrorCode.INTERNAL_ERROR
        self._complete(job, JobState.FAILURE, OrthancError(code, details))

    # -- helpers -----------------------------------------------------------------------------

    def _active(self, job_id: str, run: int) -> Job | None:
        job = self._store.get(job_id)
        if job is None or job.run != run or job.state not in ACTIVE:
            return None
        return job

    def _complete(self, job: Job, state: JobState, error: OrthancError | None = None) -> None:
        """Move a job of an active state to Success or Failure (with ``error``), then trim
        the history."""
        now = self._clock()
        changes = {
            "State": state.value,
            "ErrorCode": error.code.number if error else 0,
            "ErrorDetails": str(error) if error else "",
            "ErrorType": recorded_type(error) if error else "",
            "CompletedAt": now,
            "Runtime": job.effective_runtime(now),
            # The running stretch is over: it now counts in Runtime.
            "RunningSince": None,
        }
        if self._store.update(job.id, changes, states=ACTIVE, run=job.run):
            observability.count("JobsSucceeded" if state is JobState.SUCCESS else "JobsFailed")
            self.trim_history()

    def trim_history(self) -> None:
        """Forget finished jobs beyond ``JobsHistorySize``, oldest first, as Orthanc does."""
        ids = list(self._store.ids_newest_first())
        jobs = self._store.get_many(ids)
        finished = [i for i in ids if i in jobs and jobs[i].state in FINISHED]
        for job_id in finished[self._history_size :]:
            self._store.delete(job_id)


def split_in_batches(items: list[Any]) -> list[list[Any]]:
    """The items, in order, in the fewest batches of at most BATCH_SIZE, made a multiple of
    MAP_CONCURRENCY when there is more than one, of sizes differing by one at most.

    500 items make 12 batches of 41-42 rather than 10 of 50: with four batches at a time, the
    last two of ten ran while two workers idled, a sixth of the job's time.
    """
    count = -(-len(items) // BATCH_SIZE)
    if count > 1:
        count = -(-count // MAP_CONCURRENCY) * MAP_CONCURRENCY
    batches, start = [], 0
    for number in range(count):
        end = start + len(items) // count + (number < len(items) % count)
        batches.append(items[start:end])
        start = end
    return batches


class _Recorder:
    """Records a batch's handled items in groups (see RECORD_EVERY)."""

    def __init__(self, store: JobStore, job_id: str, run: int, number: int) -> None:
        self._store = store
        self._key = (job_id, run, number)
        self._pending: list[Handled] = []
        self._since = time.monotonic()

    def add(self, handled: Handled, now: bool = False) -> bool:
        """Note an item; False once the job is no longer active at this run (stop)."""
        self._pending.append(handled)
        due = time.monotonic() - self._since >= RECORD_SECONDS
        if now or due or len(self._pending) >= RECORD_EVERY:
            return self.flush()
        return True

    def flush(self) -> bool:
        """Record what is pending; False if the job is no longer active at this run."""
        self._since = time.monotonic()
        if not self._pending:
            return True
        pending, self._pending = self._pending, []
        return self._store.mark(*self._key, pending) is not Mark.STOPPED
