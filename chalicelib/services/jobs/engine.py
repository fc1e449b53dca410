"""The API side of jobs: submitting them, showing them (``/jobs``), and controlling them.

A job is submitted by writing its record, then starting an execution of the jobs state
machine for its first run. Control requests change the record; a worker finds out at the
next item it records (see ``steps.py``). Resuming or resubmitting starts a new run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.errors import (
    ErrorCode,
    OrthancError,
    error_text,
    recorded_error,
    unknown_resource,
)
from chalicelib.jobs.launcher import JobLauncher
from chalicelib.jobs.model import ACTIVE, FINISHED, Job, JobOptions, JobState, job_time
from chalicelib.services.jobs.steps import JobKind
from chalicelib.storage.jobs import JobStore

WAIT_POLL_SECONDS = 0.1


class JobService:
    def __init__(
        self,
        store: JobStore,
        launcher: JobLauncher,
        kinds: Mapping[str, JobKind],
        history_size: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._launcher = launcher
        self._kinds = kinds
        self._history_size = history_size
        self._clock = clock

    # -- submitting --------------------------------------------------------------------------

    def submit(self, kind: str, params: dict[str, Any], priority: int, user_data: Any) -> Job:
        job = Job(
            id=str(uuid.uuid4()),
            type=kind,
            params=params,
            priority=priority,
            created=self._clock(),
            user_data=user_data,
        )
        self._store.create(job)
        self._launcher.start(job.id, job.run)
        return job

    def run(
        self,
        kind: str,
        params: dict[str, Any],
        options: JobOptions,
        wait_seconds: float,
        own_errors: bool = False,
    ) -> dict[str, Any]:
        """Submit a job and answer as Orthanc's job routes do: ``{"ID", "Path"}`` at once when
        asynchronous; otherwise the job's ``Content`` once it succeeded, or its error, which
        Orthanc reports by its code alone. With ``own_errors`` the error is raised as the
        job met it, for the routes Orthanc runs directly rather than as a job (a synchronous
        C-MOVE reports a modality's "unable to process" as such)."""
        job = self.submit(kind, params, options.priority, options.user_data)
        if options.asynchronous:
            return {"ID": job.id, "Path": f"/jobs/{job.id}"}
        finished = self.wait(job.id, wait_seconds)
        if finished.state is not JobState.SUCCESS:
            error_type = finished.error_type if own_errors else ""
            raise recorded_error(finished.error_code, finished.error_details, error_type)
        return self._kinds[kind].content(finished)

    def wait(self, job_id: str, seconds: float) -> Job:
        """The job once finished; a 504 error naming the job if it takes longer than
        ``seconds`` (the job goes on: the client can follow it at ``/jobs/{id}``)."""
        deadline = time.monotonic() + seconds
        while True:
            job = self.load(job_id)
            if job.state in FINISHED or job.state is JobState.PAUSED:
                return job
            if time.monotonic() >= deadline:
                raise OrthancError(
                    ErrorCode.TIMEOUT,
                    f"The job did not finish within {seconds:.0f} seconds, the longest a "
                    f"synchronous call can wait here; it goes on as job {job_id} "
                    f'(GET /jobs/{job_id}). Send "Asynchronous": true to get its ID at once.',
                )
            time.sleep(WAIT_POLL_SECONDS)

    # -- reading -----------------------------------------------------------------------------

    def load(self, job_id: str) -> Job:
        job = self._store.get(job_id)
        if job is None:
            raise unknown_resource()
        return job

    def output(self, job_id: str, key: str) -> Any:
        """``GET /jobs/{id}/{key}``: an output of a finished job (the ZIP of an archive or
        media job: its kind's ``output``); Orthanc's 404 for anything else (an unknown job,
        another key, a job not finished)."""
        job = self._store.get(job_id)
        answer = None
        if job is not None and job.state is JobState.SUCCESS:
            output = getattr(self._kinds.get(job.type), "output", None)
            answer = output(job, key) if output else None
        if answer is None:
            raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"Job has no such output: {key}")
        return answer

    def job_json(self, job_id: str) -> dict[str, Any]:
        return self.to_json(self.load(job_id))

    def list_jobs(self, expand: bool) -> list[Any]:
        """Every job not finished, and the newest ``JobsHistorySize`` finished ones (sorted by
        ID, as Orthanc lists them)."""
        ids = list(self._store.ids_newest_first())
        jobs = self._store.get_many(ids)
        shown: list[Job] = []
        finished = 0
        for job_id in ids:
            job = jobs.get(job_id)
            if job is None:
                continue
            if job.state in FINISHED:
                finished += 1
                if finished > self._history_size:
                    continue
            shown.append(job)
        shown.sort(key=lambda job: job.id)
        return [self.to_json(job) for job in shown] if expand else [job.id for job in shown]

    def to_json(self, job: Job) -> dict[str, Any]:
        now = self._clock()
        answer: dict[str, Any] = {
            "ID": job.id,
            "Type": job.type,
            "State": job.state.value,
            "Progress": job.progress(),
            "Priority": job.priority,
            "CreationTime": job_time(job.created),
            "EffectiveRuntime": round(job.effective_runtime(now), 3),
            "ErrorCode": job.error_code,
            "ErrorDescription": error_text(job.error_code),
            "ErrorDetails": job.error_details,
            "Content": self._kinds[job.type].content(job),
            "Timestamp": job_time(now),
        }
        if job.completed_at is not None:
            answer["CompletionTime"] = job_time(job.completed_at)
        if job.state is JobState.RUNNING and job.done and job.total:
            elapsed = job.effective_runtime(now)
            remaining = elapsed * (job.total - job.done) / job.done
            answer["EstimatedTimeOfArrival"] = job_time(now + remaining)
        if job.user_data is not None:
            answer["UserData"] = job.user_data
        return answer

    # -- control -----------------------------------------------------------------------------

    def _control(self, job_id: str, action: str) -> Job:
        """The job to act on; Orthanc answers 400 (not 404) to an action on an unknown job."""
        job = self._store.get(job_id)
        if job is None:
            raise OrthancError(ErrorCode.BAD_REQUEST, f"Cannot {action} unknown job {job_id}")
        return job

    def pause(self, job_id: str) -> None:
        job = self._control(job_id, "pause")
        if job.state is JobState.PAUSED or job.state in FINISHED:
            return
        now = self._clock()
        changes = {
            "State": JobState.PAUSED.value,
            "Runtime": job.effective_runtime(now),
            "RunningSince": None,
        }
        if not self._store.update(job_id, changes, states=ACTIVE, run=job.run):
            raise _bad_state(job_id, "pause", "pending or running")

    def resume(self, job_id: str) -> None:
        job = self._control(job_id, "resume")
        if job.state in ACTIVE:
            return
        changes = {"State": JobState.PENDING.value, "Run": job.run + 1}
        if not self._store.update(job_id, changes, states=[JobState.PAUSED], run=job.run):
            raise _bad_state(job_id, "resume", "paused")
        self._launcher.start(job_id, job.run + 1)

    def cancel(self, job_id: str) -> None:
        job = self._control(job_id, "cancel")
        if job.state in FINISHED:
            return
        now = self._clock()
        changes = {
            "State": JobState.FAILURE.value,
            "ErrorCode": ErrorCode.CANCELED_JOB.number,
            "ErrorDetails": "",
            "ErrorType": "",
            "CompletedAt": now,
            "Runtime": job.effective_runtime(now),
            "RunningSince": None,
        }
        states = [*ACTIVE, JobState.PAUSED]
        if not self._store.update(job_id, changes, states=states, run=job.run):
            raise _bad_state(job_id, "cancel", "pending, running or paused")

    def resubmit(self, job_id: str) -> None:
        """Run a failed job again from its start (Orthanc resets a resubmitted job)."""
        job = self._control(job_id, "resubmit")
        if job.state is not JobState.FAILURE:
            raise _bad_state(job_id, "resubmit", "failed")
        self._store.delete_batches(job_id)
        changes = {
            "State": JobState.PENDING.value,
            "Run": job.run + 1,
            "Planned": False,
            "Batches": 0,
            "Total": 0,
            "Completed": 0,
            "Failed": 0,
            "ErrorCode": 0,
            "ErrorDetails": "",
            "ErrorType": "",
            "CompletedAt": None,
        }
        if not self._store.update(job_id, changes, states=[JobState.FAILURE], run=job.run):
            raise _bad_state(job_id, "resubmit", "failed")
        self._launcher.start(job_id, job.run + 1)

    def delete(self, job_id: str) -> None:
        """Forget a finished job (``DELETE /jobs/{id}``)."""
        job = self.load(job_id)
        if job.state not in FINISHED:
            raise _bad_state(job_id, "delete", "finished (cancel it first)")
        self._store.delete(job_id)


def _bad_state(job_id: str, action: str, expected: str) -> OrthancError:
    return OrthancError(
        ErrorCode.BAD_REQUEST, f"Cannot {action} job {job_id}: it must be {expected}"
    )
