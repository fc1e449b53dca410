"""Which recorded requests the emulator's restart replays (``local_stack.recording``)."""

from __future__ import annotations

import pytest

from local_stack.recording import is_read_only


@pytest.mark.parametrize(
    ("operation", "read_only"),
    [
        # The local job runner's polling: not recorded, not replayed.
        ("ListStateMachines", True),
        ("ListExecutions", True),
        ("DescribeStateMachine", True),
        ("DescribeExecution", True),
        ("GetExecutionHistory", True),
        # Writes, and a Get that takes a task off an activity's queue.
        ("CreateStateMachine", False),
        ("StartExecution", False),
        ("StopExecution", False),
        ("GetActivityTask", False),
    ],
)
def test_step_functions_reads_are_left_out(operation: str, read_only: bool) -> None:
    entry = {"method": "POST", "headers": {"X-Amz-Target": f"AWSStepFunctions.{operation}"}}
    assert is_read_only(entry) is read_only
