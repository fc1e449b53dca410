"""A job as Orthanc shows it (``GET /jobs/{id}``), and the life cycle its states follow.

Plain data: the record in DynamoDB (``chalicelib.storage.jobs``) holds these fields, the
worker steps (``chalicelib.services.jobs.steps``) move them forward, and the API reads them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCESS = "Success"
    FAILURE = "Failure"
    PAUSED = "Paused"
    RETRY = "Retry"


# States in which a worker keeps going; anything else makes it stop at its next check.
ACTIVE = frozenset({JobState.PENDING, JobState.RUNNING, JobState.RETRY})
FINISHED = frozenset({JobState.SUCCESS, JobState.FAILURE})


def job_time(epoch: float) -> str:
    """Orthanc's job timestamps: ``20261128T015822.123456`` (UTC, microseconds)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%dT%H%M%S.%f")


@dataclass(frozen=True)
class JobOptions:
    """What every job-creating request says of its job (Orthanc's ``Asynchronous``,
    ``Priority``, ``Permissive``, ``UserData``)."""

    asynchronous: bool
    priority: int
    permissive: bool
    user_data: Any


@dataclass
class Job:
    """One job. ``run`` numbers the executions: pausing then resuming, or resubmitting, starts
    a new run, and steps of an older run stop as soon as they see the number change."""

    id: str
    type: str
    params: dict[str, Any]
    state: JobState = JobState.PENDING
    priority: int = 0
    created: float = field(default_factory=time.time)
    run: int = 1
    planned: bool = False
    batches: int = 0
    total: int = 0
    size: int = 0
    completed: int = 0
    failed: int = 0
    # Bytes sent so far, over every run (Orthanc's "Size" of a store job).
    sent: int = 0
    error_code: int = 0
    error_details: str = ""
    # The class of the error the job failed with, when it is more than its code says
    # (``chalicelib.errors.recorded_type``).
    error_type: str = ""
    completed_at: float | None = None
    # Seconds spent running before the current stretch, and when the current one began.
    runtime: float = 0.0
    running_since: float | None = None
    user_data: Any = None

    @property
    def done(self) -> int:
        return self.completed + self.failed

    def progress(self) -> int:
        """Percent of items handled (Orthanc rounds down, and shows 100 only at success)."""
        if self.state is JobState.SUCCESS:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    def effective_runtime(self, now: float) -> float:
        if self.running_since is None:
            return self.runtime
        return self.runtime + max(0.0, now - self.running_since)
