"""The jobs table adapter against moto: marks count each item once and see a stopped job."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import bootstrap
from chalicelib.jobs.model import Job, JobState
from chalicelib.storage.jobs import Handled, Mark


def test_marks_count_each_item_once_and_stop_with_the_job(aws: Any) -> None:
    store = bootstrap.job_store()
    store.create(Job(id="j", type="T", params={}, state=JobState.RUNNING))
    store.write_batches("j", [["a", "b", "c", "d"]])
    assert store.start_batch("j", 0).attempts == 1
    assert store.mark("j", 1, 0, [Handled(0, True, 10), Handled(1, False)]) is Mark.MARKED
    # A retried group overlapping what was recorded: only the new position counts.
    assert store.mark("j", 1, 0, [Handled(1, False), Handled(2, True, 5)]) is Mark.MARKED
    assert store.mark("j", 1, 0, [Handled(2, True, 5)]) is Mark.ALREADY
    job = store.get("j")
    assert (job.completed, job.failed, job.sent) == (2, 1, 15)
    batch = store.start_batch("j", 0)
    assert (batch.handled, batch.attempts) == (3, 2)
    # Paused, or moved to a newer run: the worker is told to stop, nothing is counted.
    assert store.update("j", {"State": JobState.PAUSED.value})
    assert store.mark("j", 1, 0, [Handled(3, True, 1)]) is Mark.STOPPED
    assert store.update("j", {"State": JobState.RUNNING.value, "Run": 2})
    assert store.mark("j", 1, 0, [Handled(3, True, 1)]) is Mark.STOPPED
    assert store.get("j").completed == 2
    assert store.mark("j", 2, 0, [Handled(3, True, 1)]) is Mark.MARKED


def test_marks_are_consecutive_from_where_the_batch_stands(aws: Any) -> None:
    """The batch counts its first items handled: a group that skips an item, or starts past
    the count (nothing recorded the items before it), is refused; nothing is counted."""
    store = bootstrap.job_store()
    store.create(Job(id="j", type="T", params={}, state=JobState.RUNNING))
    store.write_batches("j", [["a", "b", "c", "d"]])
    with pytest.raises(ValueError):
        store.mark("j", 1, 0, [Handled(0, True), Handled(2, True)])
    with pytest.raises(ClientError):
        store.mark("j", 1, 0, [Handled(1, True)])
    assert store.get("j").completed == 0
    assert store.mark("j", 1, 0, [Handled(0, True), Handled(1, True)]) is Mark.MARKED
    # A worker behind another one on the same batch: only what it adds is counted.
    assert store.mark("j", 1, 0, [Handled(0, True), Handled(1, True)]) is Mark.ALREADY
    assert store.mark("j", 1, 0, [Handled(1, True), Handled(2, True, 7)]) is Mark.MARKED
    job = store.get("j")
    assert (job.completed, job.sent) == (3, 7)
    assert store.start_batch("j", 0).handled == 3
