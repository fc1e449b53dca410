"""The local job runner runs the executions started in moto's Step Functions with the real
state machine definition and ends them, since moto never runs them itself."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.jobs.state_machine import LOCAL_STEP_ARN
from local_stack.job_runner import JobRunner, LocalContext

DEFINITION_PATH = Path(__file__).resolve().parents[2] / "chalicelib/jobs/state_machine.json"
ROLE = "arn:aws:iam::123456789012:role/test"


@pytest.fixture
def sfn() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("stepfunctions", region_name="us-east-1")


@pytest.fixture
def machine_arn(sfn: Any) -> str:
    definition = DEFINITION_PATH.read_text().replace("${JobStepArn}", LOCAL_STEP_ARN)
    created = sfn.create_state_machine(name="cirrus-jobs", definition=definition, roleArn=ROLE)
    return created["stateMachineArn"]


class FakeJobStep:
    """Plans two batches, each done at once; fails every call of ``failing`` steps."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.failing = failing
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def __call__(self, event: dict) -> Any:
        with self._lock:
            self.calls.append(event)
        if event["Step"] in self.failing:
            raise RuntimeError(f"{event['Step']} broke")
        return {"Batches": [0, 1]} if event["Step"] == "plan" else {"Done": True}

    def steps(self) -> list[str]:
        return sorted(call["Step"] for call in self.calls)


def start(sfn: Any, machine_arn: str) -> str:
    answer = sfn.start_execution(
        stateMachineArn=machine_arn, input=json.dumps({"JobId": "j", "Run": 1})
    )
    return answer["executionArn"]


def test_runner_runs_a_pending_execution_once(sfn: Any, machine_arn: str) -> None:
    execution_arn = start(sfn, machine_arn)
    step = FakeJobStep()
    runner = JobRunner(sfn, {LOCAL_STEP_ARN: step}, sleep=lambda _: None)

    assert runner.run_pending() == 1
    assert runner.wait_idle(5)

    assert step.steps() == ["batch", "batch", "finish", "plan"]
    assert {call["Batch"] for call in step.calls if call["Step"] == "batch"} == {0, 1}
    assert sfn.describe_execution(executionArn=execution_arn)["status"] != "RUNNING"
    assert runner.run_pending() == 0


def test_a_failing_execution_ends_with_the_fail_task(sfn: Any, machine_arn: str) -> None:
    execution_arn = start(sfn, machine_arn)
    step = FakeJobStep(failing=("plan",))
    sleeps: list[float] = []
    runner = JobRunner(sfn, {LOCAL_STEP_ARN: step}, sleep=sleeps.append)

    assert runner.run_pending() == 1
    assert runner.wait_idle(5)

    assert step.steps() == ["fail"] + ["plan"] * 4
    assert step.calls[-1]["Error"]["Error"] == "RuntimeError"
    assert sleeps == pytest.approx([0.2, 0.4, 0.8])  # Step Functions' 2, 4, 8 s, scaled
    assert sfn.describe_execution(executionArn=execution_arn)["status"] != "RUNNING"


def test_a_broken_runner_task_table_does_not_kill_the_runner(sfn: Any, machine_arn: str) -> None:
    execution_arn = start(sfn, machine_arn)
    runner = JobRunner(sfn, {}, sleep=lambda _: None)  # no task for the Resource

    assert runner.run_pending() == 1
    assert runner.wait_idle(5)
    assert sfn.describe_execution(executionArn=execution_arn)["status"] != "RUNNING"


def test_the_polling_thread_picks_up_new_executions(sfn: Any, machine_arn: str) -> None:
    step = FakeJobStep()
    runner = JobRunner(sfn, {LOCAL_STEP_ARN: step}, poll_seconds=0.01, sleep=lambda _: None)
    poller = runner.start()
    try:
        execution_arn = start(sfn, machine_arn)
        for _ in range(200):
            if "finish" in step.steps():
                break
            threading.Event().wait(0.01)
        assert runner.wait_idle(5)
    finally:
        runner.stop()
    assert not poller.is_alive()
    assert step.steps() == ["batch", "batch", "finish", "plan"]
    assert sfn.describe_execution(executionArn=execution_arn)["status"] != "RUNNING"


def test_state_machines_are_listed_once_per_while(sfn: Any, machine_arn: str) -> None:
    """Each poll lists the RUNNING executions; the state machines only every
    MACHINES_SECONDS, or at every poll while there is none (a stack creating its machine
    after the runner started)."""
    listed: list[str] = []
    sfn.meta.events.register(
        "before-parameter-build.sfn.*", lambda model, **_: listed.append(model.name)
    )
    runner = JobRunner(sfn, {LOCAL_STEP_ARN: FakeJobStep()}, sleep=lambda _: None)
    for _ in range(3):
        assert runner.run_pending() == 0
    assert listed == ["ListStateMachines"] + ["ListExecutions"] * 3


def test_a_state_machine_created_after_the_runner_is_found_at_once(sfn: Any) -> None:
    step = FakeJobStep()
    runner = JobRunner(sfn, {LOCAL_STEP_ARN: step}, sleep=lambda _: None)
    assert runner.run_pending() == 0  # no state machine yet
    definition = DEFINITION_PATH.read_text().replace("${JobStepArn}", LOCAL_STEP_ARN)
    created = sfn.create_state_machine(name="cirrus-jobs", definition=definition, roleArn=ROLE)
    start(sfn, created["stateMachineArn"])
    assert runner.run_pending() == 1
    assert runner.wait_idle(5)
    assert "finish" in step.steps()


def test_local_context_counts_down_from_lambdas_budget() -> None:
    context = LocalContext()
    assert 899_000 < context.get_remaining_time_in_millis() <= 900_000
    assert context.function_name == "cirrus-local-job_step"
    assert context.aws_request_id != LocalContext().aws_request_id


def test_an_idle_runner_backs_off(sfn: Any, machine_arn: str) -> None:
    """With nothing running, the wait between two polls doubles from ``poll_seconds``."""
    listed: list[float] = []
    sfn.meta.events.register(
        "before-parameter-build.sfn.ListExecutions", lambda **_: listed.append(time.monotonic())
    )
    runner = JobRunner(sfn, {LOCAL_STEP_ARN: FakeJobStep()}, poll_seconds=0.05, idle_seconds=2)
    runner.start()
    threading.Event().wait(1.6)
    runner.stop()
    # At 0, 0.1, 0.3, 0.7 and 1.5 s: not the 32 polls of a fixed 0.05 s.
    assert 2 <= len(listed) <= 6
    gaps = [later - earlier for earlier, later in itertools.pairwise(listed)]
    assert all(later > earlier for earlier, later in itertools.pairwise(gaps))


def test_an_execution_started_through_the_runners_client_wakes_it(
    sfn: Any, machine_arn: str
) -> None:
    """The local REST server starts its jobs through the runner's client: they run at once,
    not at the next poll (10 s away here)."""
    step = FakeJobStep()
    runner = JobRunner(sfn, {LOCAL_STEP_ARN: step}, poll_seconds=10, idle_seconds=10)
    runner.start()
    try:
        threading.Event().wait(0.2)  # the first poll is done; the next is 10 s away
        started = time.monotonic()
        start(sfn, machine_arn)
        while not step.steps() and time.monotonic() - started < 5:
            threading.Event().wait(0.01)
        assert runner.wait_idle(5)
    finally:
        runner.stop()
    assert step.steps() == ["batch", "batch", "finish", "plan"]
    assert time.monotonic() - started < 5
