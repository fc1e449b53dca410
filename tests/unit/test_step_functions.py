"""The local interpreter of Cirrus's Amazon States Language subset, against the real job state
machine and small definitions that pin each feature's semantics."""

from __future__ import annotations

import copy
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from local_stack.step_functions import ExecutionFailed, execute, validate

DEFINITION_PATH = Path(__file__).resolve().parents[2] / "chalicelib/jobs/state_machine.json"
ARN = "${JobStepArn}"
INPUT = {"JobId": "j", "Run": 1}


@pytest.fixture
def definition() -> dict:
    return json.loads(DEFINITION_PATH.read_text())


class FakeJobStep:
    """The job-step Lambda: plans three batches, each done at its second call."""

    def __init__(self, fail_steps: dict[str, int] | None = None) -> None:
        self.calls: list[dict] = []
        self.fail_steps = dict(fail_steps or {})  # step -> failures left (-1: always)
        self._lock = threading.Lock()
        self._batches_seen: set[int] = set()

    def __call__(self, event: dict) -> Any:
        with self._lock:
            self.calls.append(event)
            left = self.fail_steps.get(event["Step"], 0)
            if left:
                self.fail_steps[event["Step"]] = left - 1
                raise RuntimeError(f"{event['Step']} broke")
            if event["Step"] == "plan":
                return {"Batches": [0, 1, 2]}
            if event["Step"] == "batch":
                done = event["Batch"] in self._batches_seen
                self._batches_seen.add(event["Batch"])
                return {"Done": done}
            return {"Finished": event["Step"]}

    def steps(self) -> list[str]:
        return [call["Step"] for call in self.calls]


def machine(states: dict, start: str | None = None) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states}


def run(definition: dict, data: Any = None, **tasks: Any) -> Any:
    return execute(definition, INPUT if data is None else data, tasks, sleep=lambda _: None)


# ---------------------------------------------------------------- validate


def test_validate_accepts_the_real_state_machine(definition: dict) -> None:
    validate(definition)


def _mutations() -> list[tuple[str, Any, str]]:
    def set_(path: str, value: Any) -> Any:
        def apply(d: dict) -> None:
            *parents, last = path.split("/")
            node = d
            for name in parents:
                node = node[int(name)] if isinstance(node, list) else node[name]
            key: Any = int(last) if isinstance(node, list) else last
            if value is KeyError:
                del node[key]
            else:
                node[key] = value

        return apply

    batch = "States/Batches/ItemProcessor/States"
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}
    return [
        ("unknown type", set_("States/Plan/Type", "Wait"), "Plan"),
        ("dangling next", set_("States/Plan/Next", "Nowhere"), "Nowhere"),
        ("missing resource", set_("States/Finish/Resource", KeyError), "Resource"),
        ("missing StartAt", set_("StartAt", KeyError), "StartAt"),
        ("unknown field", set_("States/Plan/HeartbeatSeconds", 60), "HeartbeatSeconds"),
        ("next and end", set_("States/Finish/Next", "Fail"), "Finish"),
        ("no next nor end", set_("States/Finish/End", KeyError), "Finish"),
        ("dangling catch", set_("States/Plan/Catch/0/Next", "Oops"), "Oops"),
        ("dangling default", set_(f"{batch}/BatchFinished/Default", "Plan"), "Plan"),
        ("distributed map", set_("States/Batches/ItemProcessor/ProcessorConfig/Mode", "X"), "Mode"),
        ("unsupported path", set_("States/Batches/ItemsPath", "$.Plan.Batches[0]"), "ItemsPath"),
        ("intrinsic", set_("States/Plan/Parameters/Run.$", "States.Format('{}', $.Run)"), "Run"),
        ("bad context", set_("States/Plan/Parameters/Run.$", "$$.Map.Item.Value"), "Plan"),
        ("bad operator", set_(f"{batch}/BatchFinished/Choices/0/StringMatches", "x"), "Choice"),
        ("empty choices", set_(f"{batch}/BatchFinished/Choices", []), "Choices"),
        ("bad retry", set_("States/Plan/Retry/0/BackoffRate", 0.5), "BackoffRate"),
        ("ALL not alone", set_("States/Plan/Catch/0/ErrorEquals", ["States.ALL", "X"]), "ALL"),
        ("unreachable", set_("States/Orphan", {"Type": "Succeed"}), "Orphan"),
        ("no end", set_("States/Batches/ItemProcessor", loop), "End"),
    ]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [(m, e) for _, m, e in _mutations()],
    ids=[name for name, _, _ in _mutations()],
)
def test_validate_refuses_broken_variants(definition: dict, mutate: Any, expected: str) -> None:
    broken = copy.deepcopy(definition)
    mutate(broken)
    with pytest.raises(ValueError, match=expected):
        validate(broken)


def test_execute_refuses_a_resource_without_task(definition: dict) -> None:
    with pytest.raises(ValueError, match="no task"):
        execute(definition, INPUT, {})


# ---------------------------------------------------------------- the real state machine


def test_real_definition_runs_plan_batches_and_finish(definition: dict) -> None:
    step = FakeJobStep()
    output = execute(definition, INPUT, {ARN: step}, sleep=lambda _: pytest.fail("no retry"))

    assert output == {"Finished": "finish"}  # Finish's ResultPath is "$"
    assert step.calls[0] == {"Step": "plan", "JobId": "j", "Run": 1}
    assert step.calls[-1] == {"Step": "finish", "JobId": "j", "Run": 1}
    batches = [call for call in step.calls if call["Step"] == "batch"]
    first = {"Step": "batch", "JobId": "j", "Run": 1}
    expected = [{**first, "Batch": b} for b in (0, 1, 2)] + [
        {**first, "Batch": b, "Result": {"Done": False}} for b in (0, 1, 2)
    ]
    assert sorted(batches, key=json.dumps) == sorted(expected, key=json.dumps)
    for b in (0, 1, 2):  # each batch loops through the Choice once: first call, then again
        mine = [call for call in batches if call["Batch"] == b]
        assert [("Result" in call) for call in mine] == [False, True]


def test_a_failing_step_is_retried_with_backoff(definition: dict) -> None:
    step = FakeJobStep(fail_steps={"plan": 2})
    sleeps: list[float] = []
    output = execute(definition, INPUT, {ARN: step}, sleep=sleeps.append)

    assert sleeps == [2, 4]
    assert step.steps()[:3] == ["plan", "plan", "plan"]
    assert output == {"Finished": "finish"}


def test_a_step_failing_for_good_goes_to_fail(definition: dict) -> None:
    step = FakeJobStep(fail_steps={"plan": -1})
    sleeps: list[float] = []
    output = execute(definition, INPUT, {ARN: step}, sleep=sleeps.append)

    assert sleeps == [2, 4, 8]
    assert step.steps() == ["plan"] * 4 + ["fail"]
    error = step.calls[-1]["Error"]
    assert error["Error"] == "RuntimeError"
    assert json.loads(error["Cause"]) == {"errorMessage": "plan broke", "errorType": "RuntimeError"}
    assert step.calls[-1] == {"Step": "fail", "JobId": "j", "Run": 1, "Error": error}
    assert output == {"Finished": "fail"}


def test_a_batch_failing_for_good_fails_the_map_then_the_job(definition: dict) -> None:
    step = FakeJobStep(fail_steps={"batch": -1})
    output = execute(definition, INPUT, {ARN: step}, sleep=lambda _: None)

    assert step.steps()[-1] == "fail"
    assert "finish" not in step.steps()
    assert step.calls[-1]["Error"]["Error"] == "RuntimeError"
    assert output == {"Finished": "fail"}


def test_the_fail_step_failing_fails_the_execution(definition: dict) -> None:
    step = FakeJobStep(fail_steps={"plan": -1, "fail": -1})
    with pytest.raises(ExecutionFailed) as failed:
        execute(definition, INPUT, {ARN: step}, sleep=lambda _: None)
    assert failed.value.error == "RuntimeError"
    assert json.loads(failed.value.cause or "")["errorMessage"] == "fail broke"
    assert step.steps().count("fail") == 6  # MaxAttempts 5 retries after the first call


# ---------------------------------------------------------------- Map


def _map(concurrency: int, items: list, **extra: Any) -> dict:
    processor = {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": "work", "End": True}},
    }
    state = {"Type": "Map", "MaxConcurrency": concurrency, "ItemProcessor": processor, "End": True}
    return machine(
        {"Items": {"Type": "Pass", "Result": items, "Next": "Each"}, "Each": {**state, **extra}}
    )


class Gauge:
    """Counts how many fake tasks run at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = self.peak = 0

    def __call__(self, event: Any) -> Any:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
        return event


def test_map_max_concurrency_bounds_parallel_iterations() -> None:
    gauge = Gauge()
    assert run(_map(2, list(range(8))), work=gauge) == list(range(8))
    assert gauge.peak == 2


def test_map_max_concurrency_zero_runs_all_at_once() -> None:
    barrier = threading.Barrier(5, timeout=2)  # breaks unless all five run together

    def work(event: Any) -> Any:
        barrier.wait()
        return event * 10

    assert run(_map(0, list(range(5))), work=work) == [0, 10, 20, 30, 40]


def test_map_stops_scheduling_after_a_failure() -> None:
    started: list[int] = []

    def work(event: int) -> int:
        started.append(event)
        if event == 1:
            raise KeyError("item 1")
        return event

    with pytest.raises(ExecutionFailed) as failed:
        run(_map(1, list(range(5))), work=work)
    assert started == [0, 1]
    assert failed.value.error == "KeyError"


def test_map_item_selector_and_legacy_iterator() -> None:
    selector = {"Value.$": "$$.Map.Item.Value", "Index.$": "$$.Map.Item.Index", "Tag.$": "$.Tag"}
    processor = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    modern = {"Type": "Map", "ItemsPath": "$.Items", "ItemSelector": selector, "End": True}
    data = {"Items": ["a", "b"], "Tag": "t"}
    expected = [{"Value": "a", "Index": 0, "Tag": "t"}, {"Value": "b", "Index": 1, "Tag": "t"}]
    assert run(machine({"M": {**modern, "ItemProcessor": processor}}), data) == expected

    legacy = {"Type": "Map", "ItemsPath": "$.Items", "Parameters": selector, "End": True}
    assert run(machine({"M": {**legacy, "Iterator": processor}}), data) == expected


def test_map_catches_a_fail_state_of_an_iteration_by_name() -> None:
    processor = machine({"Boom": {"Type": "Fail", "Error": "Job.Broken", "Cause": "why"}})
    catch = [{"ErrorEquals": ["Job.Broken"], "ResultPath": "$.Error", "Next": "Caught"}]
    states = {
        "M": {"Type": "Map", "ItemProcessor": processor, "Catch": catch, "Next": "Ok"},
        "Ok": {"Type": "Succeed"},
        "Caught": {"Type": "Pass", "End": True},
    }
    output = run(machine({**states, "M": {**states["M"], "ItemsPath": "$.Items"}}), {"Items": [1]})
    assert output == {"Items": [1], "Error": {"Error": "Job.Broken", "Cause": "why"}}


# ---------------------------------------------------------------- Choice, Pass, Succeed, Fail


def _choice(*choices: dict, default: bool = True) -> dict:
    state: dict[str, Any] = {"Type": "Choice", "Choices": list(choices)}
    states = {"Pick": state, "Yes": {"Type": "Pass", "Result": "yes", "End": True}}
    if default:
        state["Default"] = "Other"
        states["Other"] = {"Type": "Pass", "Result": "other", "End": True}
    return machine(states)


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"Variable": "$.a", "BooleanEquals": True}, {"a": True}, "yes"),
        ({"Variable": "$.a", "BooleanEquals": True}, {"a": "true"}, "other"),  # type mismatch
        ({"Variable": "$.a", "StringEquals": "x"}, {"a": "x"}, "yes"),
        ({"Variable": "$.a.b", "NumericEquals": 2}, {"a": {"b": 2.0}}, "yes"),
        ({"Variable": "$.a", "IsPresent": False}, {}, "yes"),
        ({"Variable": "$.a", "IsPresent": True}, {}, "other"),
        (
            {
                "And": [
                    {"Variable": "$.a", "NumericEquals": 1},
                    {"Not": {"Variable": "$.b", "StringEquals": "no"}},
                ]
            },
            {"a": 1, "b": "yes"},
            "yes",
        ),
        (
            {
                "Or": [
                    {"Variable": "$.a", "NumericEquals": 9},
                    {"Variable": "$.a", "IsPresent": True},
                ]
            },
            {"a": 1},
            "yes",
        ),
    ],
)
def test_choice_rules(rule: dict, data: dict, expected: str) -> None:
    assert run(_choice({**rule, "Next": "Yes"}), data) == expected


def test_choice_without_match_or_default_fails() -> None:
    with pytest.raises(ExecutionFailed) as failed:
        run(
            _choice({"Variable": "$.a", "BooleanEquals": True, "Next": "Yes"}, default=False),
            {"a": False},
        )
    assert failed.value.error == "States.NoChoiceMatched"


def test_choice_on_a_missing_variable_is_a_runtime_error() -> None:
    with pytest.raises(ExecutionFailed) as failed:
        run(_choice({"Variable": "$.a", "StringEquals": "x", "Next": "Yes"}), {})
    assert failed.value.error == "States.Runtime"


def test_pass_succeed_and_fail() -> None:
    states = {
        "Shape": {"Type": "Pass", "Parameters": {"id.$": "$.JobId", "fixed": 1}, "Next": "Keep"},
        "Keep": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.extra", "Next": "End"},
        "End": {"Type": "Succeed", "OutputPath": "$.extra"},
    }
    assert run(machine(states)) == {"x": 1}
    with pytest.raises(ExecutionFailed) as failed:
        run(machine({"Stop": {"Type": "Fail", "Error": "Job.Cancelled", "Cause": "asked"}}))
    assert (failed.value.error, failed.value.cause) == ("Job.Cancelled", "asked")


# ---------------------------------------------------------------- paths, retry and catch


def test_result_path_nesting_null_and_output_path() -> None:
    data = {"keep": 1, "a": {"other": 2}}
    task = {"Type": "Task", "Resource": "work", "End": True}
    assert run(machine({"T": {**task, "ResultPath": "$.a.b.c"}}), data, work=lambda _: 7) == {
        "keep": 1,
        "a": {"other": 2, "b": {"c": 7}},
    }
    assert data == {"keep": 1, "a": {"other": 2}}  # the input is never modified
    assert run(machine({"T": {**task, "ResultPath": None}}), data, work=lambda _: 7) == data
    assert run(machine({"T": task}), data, work=lambda _: {"r": 7}) == {"r": 7}
    both = {**task, "InputPath": "$.a", "ResultPath": "$.r", "OutputPath": "$.r"}
    assert run(machine({"T": both}), data, work=lambda event: event) == {"other": 2}


def test_a_missing_path_is_neither_retried_nor_caught() -> None:
    task = {
        "Type": "Task",
        "Resource": "work",
        "Parameters": {"x.$": "$.missing"},
        "Retry": [{"ErrorEquals": ["States.ALL"]}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
        "End": True,
    }
    definition = machine({"T": task, "Caught": {"Type": "Succeed"}})
    with pytest.raises(ExecutionFailed) as failed:
        execute(definition, {}, {"work": lambda _: pytest.fail("not called")}, sleep=pytest.fail)
    assert failed.value.error == "States.Runtime"
    assert "$.missing" in (failed.value.cause or "")


def test_retriers_match_by_name_task_failed_and_cap_the_delay() -> None:
    failures = iter([ValueError("a"), ValueError("b"), OSError("c"), OSError("d")])

    def work(_: Any) -> str:
        error = next(failures, None)
        if error:
            raise error
        return "ok"

    retry = [
        {"ErrorEquals": ["ValueError"], "IntervalSeconds": 1, "BackoffRate": 10},
        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 3, "MaxDelaySeconds": 5},
    ]
    task = {"Type": "Task", "Resource": "work", "Retry": retry, "End": True}
    sleeps: list[float] = []
    assert execute(machine({"T": task}), {}, {"work": work}, sleep=sleeps.append) == "ok"
    assert sleeps == [1, 10, 3, 5]


def test_a_non_json_result_is_a_marshal_error() -> None:
    with pytest.raises(ExecutionFailed) as failed:
        run(
            machine({"T": {"Type": "Task", "Resource": "work", "End": True}}), work=lambda _: {1, 2}
        )
    assert failed.value.error == "Runtime.MarshalError"
