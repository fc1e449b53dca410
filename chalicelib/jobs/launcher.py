"""Starting a job's execution on Step Functions (the adapter the job service uses)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.jobs.state_machine import execution_input


class JobLauncher:
    def __init__(self, client: Any, state_machine_arn: Callable[[], str]) -> None:
        self._client = client
        self._resolve = state_machine_arn

    @cached_property
    def _arn(self) -> str:
        return self._resolve()

    def start(self, job_id: str, run: int) -> None:
        """Start run ``run`` of a job. The execution's name is the job and run, so starting
        the same run twice (a retried request) does not start a second execution."""
        try:
            self._client.start_execution(
                stateMachineArn=self._arn,
                name=f"{job_id}-{run}",
                input=execution_input(job_id, run),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
