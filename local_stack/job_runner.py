"""Runs the Step Functions executions that Cirrus starts in moto, which moto cannot run itself.

On AWS, starting a job starts an execution of ``chalicelib/jobs/state_machine.json`` and Step
Functions calls the job-step Lambda for every Task. moto records executions but never runs
them (and cannot run Lambda without Docker), so locally a ``JobRunner`` polls moto for RUNNING
executions and runs each one with ``local_stack.step_functions`` in a thread, calling the same
Chalice handler (``app.job_step``) with a ``LocalContext``.

moto has no API to make an execution SUCCEEDED or FAILED: a finished execution is ended with
``StopExecution``, so locally every finished execution shows as ABORTED, with error
``Cirrus.Succeeded`` (and the output as cause) or the failure's error and cause. That is only
bookkeeping: the job record in DynamoDB, written by the job steps, is what the API reports.

``python -m local_stack.job_runner`` runs a standalone runner; ``start_in_background()`` runs
one inside another process (the local REST server).
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.jobs.state_machine import LOCAL_STEP_ARN
from local_stack.step_functions import ExecutionFailed, execute

LOG = logging.getLogger("cirrus.jobs")

SUCCEEDED = "Cirrus.Succeeded"
RUNNER_ERROR = "Cirrus.RunnerError"
# StopExecution's limits on AWS; moto ignores both fields but botocore checks their types.
_MAX_ERROR = 256
_MAX_CAUSE = 32768

Task = Callable[[dict], Any]
# The state machines are listed again after this long (the stack creates its one at start):
# listing them at every poll doubled the runner's requests to the emulator, a cost paid
# all the time, jobs or not.
MACHINES_SECONDS = 30.0
# With nothing running, the wait between two polls doubles up to this. An execution started
# through the runner's own client (the REST server's, in the local stack) wakes it at once
# (``after-call`` of StartExecution), so only executions started by another process wait
# for a poll: an idle stack lists executions every 2 s instead of 5 times a second.
IDLE_POLL_SECONDS = 2.0
_WAKE_EVENT = "after-call.sfn.StartExecution"
_WAKE_ID = "cirrus-job-runner-wake"


class LocalContext:
    """The parts of Lambda's context object that Cirrus's handlers use.

    The remaining time counts down from Lambda's largest budget (15 minutes) as it would on
    AWS, so a job step that stops at a deadline behaves locally as it does there.
    """

    def __init__(
        self, function_name: str = "cirrus-local-job_step", budget_millis: int = 900_000
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = LOCAL_STEP_ARN
        self.memory_limit_in_mb = 1024
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + budget_millis / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class JobRunner:
    """Finds RUNNING executions in (moto's) Step Functions and runs each in its own thread.

    ``sleep`` receives the Retry intervals after scaling by ``retry_scale``: Step Functions
    waits ``IntervalSeconds`` (2 s, then 4 s, ... in Cirrus's definition) so that a transient
    AWS failure can clear; locally that only slows tests and demos, so by default a retry
    waits a tenth of it (0.2 s instead of 2 s).
    """

    def __init__(
        self,
        sfn_client: Any,
        tasks: Mapping[str, Task],
        poll_seconds: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        retry_scale: float = 0.1,
        idle_seconds: float = IDLE_POLL_SECONDS,
    ) -> None:
        self._sfn = sfn_client
        self._tasks = tasks
        self._poll_seconds = poll_seconds
        self._idle_seconds = idle_seconds
        self._sleep = sleep
        self._retry_scale = retry_scale
        self._definitions: dict[str, dict] = {}
        self._machines: list[str] = []
        self._machines_listed = -MACHINES_SECONDS
        self._threads: dict[str, threading.Thread] = {}
        # Executions this runner has run: if ending one in moto failed it would still be
        # RUNNING, and running it again and again would be worse than leaving it.
        self._started: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._poller: threading.Thread | None = None

    def run_pending(self) -> int:
        """Start a thread for every RUNNING execution not yet started; return how many."""
        started = 0
        for machine_arn in self._state_machines():
            try:
                running = self._running_executions(machine_arn)
            except Exception:
                self._machines = []  # deleted meanwhile? list them again at the next poll
                raise
            for execution_arn in running:
                with self._lock:
                    if execution_arn in self._started:
                        continue
                    self._started.add(execution_arn)
                    thread = threading.Thread(
                        target=self._run,
                        args=(machine_arn, execution_arn),
                        name=f"cirrus-job-{execution_arn.rsplit(':', 1)[-1]}",
                        daemon=True,
                    )
                    self._threads[execution_arn] = thread
                thread.start()
                started += 1
        return started

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until none of this runner's executions is running; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            alive = self._alive()
            if not alive:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            alive[0].join(min(remaining, 0.05))

    def start(self) -> threading.Thread:
        """Poll in a daemon thread until ``stop()``: every ``poll_seconds`` while executions
        run or appear, backing off to ``idle_seconds`` when idle, and at once when the client
        starts an execution."""
        self._stopping.clear()
        self._sfn.meta.events.register(_WAKE_EVENT, self._woken, unique_id=_WAKE_ID)
        self._poller = threading.Thread(target=self._poll, name="cirrus-job-runner", daemon=True)
        self._poller.start()
        return self._poller

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling; executions already running finish in their daemon threads."""
        self._sfn.meta.events.unregister(_WAKE_EVENT, unique_id=_WAKE_ID)
        self._stopping.set()
        self._wake.set()
        if self._poller is not None:
            self._poller.join(timeout)

    def _woken(self, **_: Any) -> None:
        self._wake.set()

    def _poll(self) -> None:
        wait = self._poll_seconds
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                started = self.run_pending()
            except Exception:  # e.g. the emulator restarting: try again at the next poll
                LOG.exception("listing Step Functions executions failed")
                started = 0
            wait = (
                self._poll_seconds
                if started or self._alive()
                else min(2 * wait, self._idle_seconds)
            )
            self._wake.wait(wait)

    def _alive(self) -> list[threading.Thread]:
        """The threads of executions still running."""
        with self._lock:
            return [thread for thread in self._threads.values() if thread.is_alive()]

    def _state_machines(self) -> list[str]:
        """The state machines' ARNs, listed again every MACHINES_SECONDS (at every call while
        there is none, so that a machine created after the runner starts is found at once)."""
        now = time.monotonic()
        if not self._machines or now - self._machines_listed >= MACHINES_SECONDS:
            pages = self._sfn.get_paginator("list_state_machines").paginate()
            self._machines = [
                machine["stateMachineArn"] for page in pages for machine in page["stateMachines"]
            ]
            self._machines_listed = now
        return self._machines

    def _running_executions(self, machine_arn: str) -> list[str]:
        pages = self._sfn.get_paginator("list_executions").paginate(
            stateMachineArn=machine_arn, statusFilter="RUNNING"
        )
        return [execution["executionArn"] for page in pages for execution in page["executions"]]

    def _definition(self, machine_arn: str) -> dict:
        with self._lock:
            cached = self._definitions.get(machine_arn)
        if cached is None:
            described = self._sfn.describe_state_machine(stateMachineArn=machine_arn)
            cached = json.loads(described["definition"])
            with self._lock:
                self._definitions[machine_arn] = cached
        return cached

    def _run(self, machine_arn: str, execution_arn: str) -> None:
        """Run one execution to its end and record that end in Step Functions."""
        try:
            error, cause = self._outcome(machine_arn, execution_arn)
            self._sfn.stop_execution(
                executionArn=execution_arn, error=error[:_MAX_ERROR], cause=cause[:_MAX_CAUSE]
            )
            LOG.info("execution %s ended: %s", execution_arn, error)
        except Exception:
            LOG.exception("ending execution %s failed", execution_arn)
        finally:
            with self._lock:
                self._threads.pop(execution_arn, None)

    def _outcome(self, machine_arn: str, execution_arn: str) -> tuple[str, str]:
        """The (error, cause) to stop the execution with; never raises for a failed run."""
        try:
            described = self._sfn.describe_execution(executionArn=execution_arn)
            output = execute(
                self._definition(machine_arn),
                json.loads(described.get("input") or "{}"),
                self._tasks,
                sleep=lambda seconds: self._sleep(seconds * self._retry_scale),
                execution_id=execution_arn,
            )
        except ExecutionFailed as failure:
            LOG.warning("execution %s failed: %s", execution_arn, failure)
            return failure.error or "States.Fail", failure.cause or ""
        except Exception as exc:
            LOG.exception("running execution %s failed", execution_arn)
            return RUNNER_ERROR, f"{type(exc).__name__}: {exc}"
        return SUCCEEDED, json.dumps(output)


def default_tasks() -> dict[str, Task]:
    """The task table of Cirrus's state machine: every Task calls ``app.job_step``."""
    import app  # lazily: importing the Chalice app builds its routes and reads settings

    return {LOCAL_STEP_ARN: lambda event: app.job_step(event, LocalContext())}


def start_in_background() -> JobRunner:
    """A runner polling the configured Step Functions endpoint from a daemon thread."""
    from chalicelib.storage import aws

    runner = JobRunner(aws.client("stepfunctions"), default_tasks())
    if LOG.level == logging.NOTSET:
        # Chalice sets its app's logger ("cirrus") to ERROR; executions' ends are worth INFO.
        LOG.setLevel(logging.INFO)
    runner.start()
    return runner


def main() -> None:
    """Run until SIGTERM or SIGINT (the local stack's supervisor stops it with SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    runner = start_in_background()
    LOG.info("job runner polling Step Functions")
    while not stopping.wait(1.0):
        pass
    runner.stop()
    LOG.info("job runner stopped")


if __name__ == "__main__":
    main()
