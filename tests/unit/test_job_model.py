"""What GET /jobs/{id} derives from a job record: progress, runtime, timestamps."""

from __future__ import annotations

from chalicelib.errors import ErrorCode, error_text
from chalicelib.jobs.model import Job, JobState, job_time


def test_progress_is_whole_percent_and_100_only_at_success() -> None:
    job = Job(id="j", type="T", params={}, total=3, completed=2, failed=0)
    assert job.progress() == 66
    job.completed = 3
    assert job.progress() == 99  # every item handled, but not finished yet
    job.state = JobState.SUCCESS
    assert job.progress() == 100
    assert Job(id="j", type="T", params={}).progress() == 0


def test_effective_runtime_counts_only_running_stretches() -> None:
    job = Job(id="j", type="T", params={}, runtime=2.0, running_since=100.0)
    assert job.effective_runtime(now=103.5) == 5.5
    job.running_since = None
    assert job.effective_runtime(now=500.0) == 2.0


def test_times_and_error_texts_are_orthancs() -> None:
    assert job_time(0.25) == "19700101T000000.250000"
    assert error_text(0) == "Success"
    assert error_text(37) == "This job was canceled"
    assert error_text(9) == "Error in the network protocol"
    assert ErrorCode.of(12345) is ErrorCode.INTERNAL_ERROR
