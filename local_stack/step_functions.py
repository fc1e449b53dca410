"""A small interpreter of the subset of the Amazon States Language that Cirrus's jobs use.

On AWS a job is an execution of ``chalicelib/jobs/state_machine.json``; locally there is no
Lambda and moto does not run executions, so the local stack runs them with this module
(see ``local_stack.job_runner``). It is deliberately a *subset*: ``validate`` refuses anything
it does not implement, so the real definition cannot drift into something that only works on
AWS without a test noticing.

Supported: Task, Map (inline), Choice, Pass, Succeed, Fail; InputPath, Parameters /
ItemSelector with ``"key.$"`` paths, ResultPath, OutputPath, Retry and Catch. Paths are
``$``, ``$.a.b`` and the context paths ``$$.Map.Item.Value``, ``$$.Map.Item.Index`` and
``$$.Execution.Id``.

Errors follow the Step Functions documentation: a task error is named after the exception
class with a Lambda-like JSON Cause; ``States.ALL`` matches every error and
``States.TaskFailed`` every error but ``States.Timeout``; a path that selects nothing (or an
``ItemsPath`` that is not a list) is a ``States.Runtime`` error, which no Retry or Catch
handles: it fails the whole execution, as on AWS.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

Task = Callable[[dict], Any]
RUNTIME = "States.Runtime"
_MISSING = object()

_COMMON = {"Type", "Comment", "InputPath", "OutputPath", "Next", "End"}
_FIELDS = {
    "Task": _COMMON | {"Resource", "Parameters", "ResultPath", "TimeoutSeconds", "Retry", "Catch"},
    "Map": _COMMON
    | {"ItemsPath", "ItemSelector", "Parameters", "Iterator", "ItemProcessor"}
    | {"MaxConcurrency", "ResultPath", "Retry", "Catch"},
    "Pass": _COMMON | {"Result", "Parameters", "ResultPath"},
    "Choice": {"Type", "Comment", "InputPath", "OutputPath", "Choices", "Default"},
    "Succeed": {"Type", "Comment", "InputPath", "OutputPath"},
    "Fail": {"Type", "Comment", "Error", "Cause"},
}
_RETRIER = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds"}
_CATCHER = {"ErrorEquals", "ResultPath", "Next"}
_COMPARISONS: dict[str, tuple[type, ...]] = {
    "BooleanEquals": (bool,),
    "StringEquals": (str,),
    "NumericEquals": (int, float),
    "IsPresent": (bool,),
}
_DATA_PATH = re.compile(r"^\$(\.[A-Za-z0-9_-]+)*$")
_CONTEXT_PATHS = {"$$.Execution.Id", "$$.Map.Item.Value", "$$.Map.Item.Index"}


class ExecutionFailed(Exception):
    """The execution ended in failure: the ``error`` and ``cause`` Step Functions reports."""

    def __init__(self, error: str | None, cause: str | None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class _StateError(Exception):
    """An error raised by a state, which Retry and Catch may handle."""

    def __init__(self, error: str | None, cause: str | None) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class _Aborted(Exception):
    """A Map iteration stopped because a sibling failed (Step Functions aborts it too)."""


# ---------------------------------------------------------------- validation


def validate(definition: dict) -> None:
    """Raise ``ValueError`` naming the state and field for anything outside the subset."""
    _check_fields("state machine", definition, {"Comment", "StartAt", "States", "TimeoutSeconds"})
    _validate_machine(definition, "state machine")


def _validate_machine(machine: dict, where: str) -> None:
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        raise ValueError(f"{where}: States must be a non-empty object")
    if machine.get("StartAt") not in states:
        raise ValueError(f"{where}: StartAt {machine.get('StartAt')!r} is not a state")
    checked = {name: _validate_state(name, state, states) for name, state in states.items()}
    edges = {name: targets for name, (targets, _) in checked.items()}
    reachable = _closure({machine["StartAt"]}, edges)
    if unreachable := sorted(set(states) - reachable):
        raise ValueError(f"{where}: state {unreachable[0]} is unreachable from StartAt")
    for name in reachable:  # a state that cannot reach an end would loop forever
        if not any(checked[other][1] for other in _closure({name}, edges)):
            raise ValueError(f"state {name}: no path from it reaches an End")


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for target in edges[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _validate_state(name: str, state: Any, states: dict) -> tuple[set[str], bool]:
    """Check one state; return its transition targets and whether it can end the machine."""
    where = f"state {name}"
    kind = state.get("Type") if isinstance(state, dict) else None
    if kind not in _FIELDS:
        raise ValueError(f"{where}: field Type {kind!r} is not supported")
    _check_fields(where, state, _FIELDS[kind])
    for field in ("InputPath", "OutputPath", "ItemsPath"):
        if field in state and state[field] is not None:
            _check_path(where, field, state[field])
    if state.get("ResultPath") is not None:
        _check_path(where, "ResultPath", state["ResultPath"])
    for field in ("Parameters", "ItemSelector"):
        if field in state:
            _check_template(where, field, state[field], in_map=kind == "Map")
    targets: set[str] = set()
    if kind == "Task":
        if not isinstance(state.get("Resource"), str):
            raise ValueError(f"{where}: field Resource is required")
    elif kind == "Map":
        _validate_map(where, state)
    elif kind == "Choice":
        targets |= _validate_choice(where, state)
    for catcher in _validate_handlers(where, state):
        targets.add(catcher["Next"])
    if kind in ("Task", "Map", "Pass"):
        if ("Next" in state) == (state.get("End") is True):
            raise ValueError(f"{where}: exactly one of Next and End: true is required")
        if "Next" in state:
            targets.add(state["Next"])
    if dangling := sorted(targets - set(states)):
        raise ValueError(f"{where}: Next {dangling[0]!r} is not a state")
    return targets, kind in ("Succeed", "Fail") or state.get("End") is True


def _validate_map(where: str, state: dict) -> None:
    if ("ItemProcessor" in state) == ("Iterator" in state):
        raise ValueError(f"{where}: exactly one of ItemProcessor and Iterator is required")
    if "ItemSelector" in state and "Parameters" in state:
        raise ValueError(f"{where}: ItemSelector and Parameters are exclusive")
    concurrency = state.get("MaxConcurrency", 0)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or concurrency < 0:
        raise ValueError(f"{where}: field MaxConcurrency must be an integer >= 0")
    processor = state.get("ItemProcessor") or state.get("Iterator")
    if not isinstance(processor, dict):
        raise ValueError(f"{where}: ItemProcessor must be an object")
    _check_fields(f"{where} ItemProcessor", processor, {"StartAt", "States", "ProcessorConfig"})
    if "ItemProcessor" in state:
        config = processor.get("ProcessorConfig", {})
        _check_fields(f"{where} ProcessorConfig", config, {"Mode"})
        if config.get("Mode", "INLINE") != "INLINE":
            raise ValueError(f"{where}: field ProcessorConfig.Mode must be INLINE")
    elif "ProcessorConfig" in processor:
        raise ValueError(f"{where}: field Iterator.ProcessorConfig is not supported")
    _validate_machine(processor, f"{where} ItemProcessor")


def _validate_choice(where: str, state: dict) -> set[str]:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        raise ValueError(f"{where}: field Choices must be a non-empty list")
    for rule in choices:
        if "Next" not in rule:
            raise ValueError(f"{where}: every rule in Choices needs Next")
        _validate_rule(where, rule, top=True)
    targets = {rule["Next"] for rule in choices}
    return targets | ({state["Default"]} if "Default" in state else set())


def _validate_rule(where: str, rule: Any, top: bool) -> None:
    if not isinstance(rule, dict):
        raise ValueError(f"{where}: a Choices rule must be an object")
    body = {key: value for key, value in rule.items() if key not in ("Next", "Comment")}
    if not top and "Next" in rule:
        raise ValueError(f"{where}: field Next is only allowed on top-level Choices rules")
    if set(body) in ({"And"}, {"Or"}):
        operands = next(iter(body.values()))
        if not isinstance(operands, list) or not operands:
            raise ValueError(f"{where}: field {next(iter(body))} must be a non-empty list")
        for operand in operands:
            _validate_rule(where, operand, top=False)
    elif set(body) == {"Not"}:
        _validate_rule(where, body["Not"], top=False)
    elif "Variable" in body and len(body) == 2:
        _check_path(where, "Variable", body["Variable"])
        operator = next(key for key in body if key != "Variable")
        allowed = _COMPARISONS.get(operator)
        value = body[operator]
        if allowed is None or not isinstance(value, allowed):
            raise ValueError(f"{where}: Choices field {operator} is not supported")
        if operator == "NumericEquals" and isinstance(value, bool):
            raise ValueError(f"{where}: field NumericEquals must be a number")
    else:
        raise ValueError(f"{where}: Choices rule {sorted(body)} is not supported")


def _validate_handlers(where: str, state: dict) -> list[dict]:
    """Check Retry and Catch; return the catchers."""
    for field, allowed in (("Retry", _RETRIER), ("Catch", _CATCHER)):
        handlers = state.get(field, [])
        if not isinstance(handlers, list):
            raise ValueError(f"{where}: field {field} must be a list")
        for index, handler in enumerate(handlers):
            _check_fields(f"{where} {field}[{index}]", handler, allowed)
            errors = handler.get("ErrorEquals")
            if (
                not isinstance(errors, list)
                or not errors
                or not all(isinstance(e, str) for e in errors)
            ):
                raise ValueError(f"{where}: field {field}[{index}].ErrorEquals is required")
            if "States.ALL" in errors and (len(errors) > 1 or index < len(handlers) - 1):
                raise ValueError(f"{where}: States.ALL must be alone and in the last {field}")
        for handler in handlers if field == "Retry" else ():
            _check_retrier(where, handler)
        for handler in handlers if field == "Catch" else ():
            if not isinstance(handler.get("Next"), str):
                raise ValueError(f"{where}: field Catch.Next is required")
            if handler.get("ResultPath") is not None:
                _check_path(where, "Catch.ResultPath", handler["ResultPath"])
    return state.get("Catch", [])


def _check_retrier(where: str, retrier: dict) -> None:
    for field, low in (("IntervalSeconds", 1), ("MaxAttempts", 0), ("MaxDelaySeconds", 1)):
        value = retrier.get(field, low)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ValueError(f"{where}: field Retry.{field} must be an integer >= {low}")
    rate = retrier.get("BackoffRate", 2.0)
    if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 1.0:
        raise ValueError(f"{where}: field Retry.BackoffRate must be a number >= 1.0")


def _check_fields(where: str, obj: Any, allowed: set[str]) -> None:
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: must be an object")
    if unknown := sorted(set(obj) - allowed):
        raise ValueError(f"{where}: field {unknown[0]} is not supported")


def _check_path(where: str, field: str, path: Any) -> None:
    if not isinstance(path, str) or not _DATA_PATH.match(path):
        raise ValueError(f"{where}: field {field} path {path!r} is not supported")


def _check_template(where: str, field: str, template: Any, in_map: bool) -> None:
    if isinstance(template, list):
        for item in template:
            _check_template(where, field, item, in_map)
    if not isinstance(template, dict):
        return
    for key, value in template.items():
        if not key.endswith(".$"):
            _check_template(where, field, value, in_map)
        elif not isinstance(value, str):
            raise ValueError(f"{where}: field {field}.{key} must be a path")
        elif value.startswith("$$"):
            if value not in _CONTEXT_PATHS or (value.startswith("$$.Map") and not in_map):
                raise ValueError(f"{where}: field {field}.{key} context {value!r} unsupported")
        else:
            _check_path(where, f"{field}.{key}", value)


# ---------------------------------------------------------------- paths


def _read(path: str | None, data: Any, context: dict) -> Any:
    """Select ``path`` in ``data`` (or the context object for ``$$``); missing is States.Runtime."""
    if path is None:
        return {}
    root, rest = (context, path[3:]) if path.startswith("$$.") else (data, path[2:])
    value = root
    for name in rest.split(".") if rest else ():
        value = value.get(name, _MISSING) if isinstance(value, dict) else _MISSING
        if value is _MISSING:
            raise _StateError(RUNTIME, f"Invalid path '{path}': the path selects nothing")
    return value


def _write(data: Any, path: str | None, result: Any) -> Any:
    """Apply ResultPath: None keeps ``data``, ``$`` replaces it, ``$.a.b`` sets a copy's field."""
    if path is None:
        return data
    names = path[2:].split(".") if path != "$" else []
    if not names:
        return result
    if not isinstance(data, dict):
        raise _StateError(RUNTIME, f"Invalid ResultPath '{path}': the input is not an object")
    top = dict(data)
    node = top
    for name in names[:-1]:
        child = node.get(name, {})
        if not isinstance(child, dict):
            raise _StateError(RUNTIME, f"Invalid ResultPath '{path}': {name} is not an object")
        node[name] = node = dict(child)  # copies along the path: the input stays untouched
    node[names[-1]] = result
    return top


def _render(template: Any, data: Any, context: dict) -> Any:
    """Evaluate a Parameters / ItemSelector template: ``"key.$"`` fields are paths."""
    if isinstance(template, list):
        return [_render(item, data, context) for item in template]
    if not isinstance(template, dict):
        return template
    return {
        key[:-2] if key.endswith(".$") else key: (
            _read(value, data, context) if key.endswith(".$") else _render(value, data, context)
        )
        for key, value in template.items()
    }


# ---------------------------------------------------------------- execution


class _Run:
    """What every state of one execution (and of its Map iterations) shares."""

    def __init__(
        self,
        tasks: Mapping[str, Task],
        sleep: Callable[[float], None],
        context: dict,
        aborts: tuple[threading.Event, ...] = (),
    ) -> None:
        self.tasks, self.sleep, self.context, self.aborts = tasks, sleep, context, aborts

    def child(self, context: dict, abort: threading.Event) -> _Run:
        return _Run(self.tasks, self.sleep, context, (*self.aborts, abort))


def execute(
    definition: dict,
    input: dict,
    tasks: Mapping[str, Task],
    *,
    sleep: Callable[[float], None] = time.sleep,
    execution_id: str = "local-execution",
) -> Any:
    """Run one execution and return its output, or raise ``ExecutionFailed``.

    Task ``TimeoutSeconds`` is accepted but not enforced: a Python call cannot be interrupted
    safely, and Cirrus's job steps bound their own work with the Lambda context's remaining
    time. ``sleep`` receives every Retry interval, so tests and the local runner can shorten it.
    """
    validate(definition)
    resources = {state["Resource"] for state in _all_states(definition) if "Resource" in state}
    if missing := sorted(resources - set(tasks)):
        raise ValueError(f"no task for Resource {missing[0]!r}")
    run = _Run(tasks, sleep, {"Execution": {"Id": execution_id}})
    try:
        return _run_machine(definition, _json_copy(input), run)
    except _StateError as failure:
        raise ExecutionFailed(failure.error, failure.cause) from None


def _all_states(machine: dict) -> list[dict]:
    found = []
    for state in machine["States"].values():
        found.append(state)
        if processor := state.get("ItemProcessor") or state.get("Iterator"):
            found.extend(_all_states(processor))
    return found


def _run_machine(machine: dict, data: Any, run: _Run) -> Any:
    name = machine["StartAt"]
    while True:
        if any(abort.is_set() for abort in run.aborts):
            raise _Aborted
        state = machine["States"][name]
        data, following = _run_state(state, data, run)
        if following is None:
            return data
        name = following


def _run_state(state: dict, raw: Any, run: _Run) -> tuple[Any, str | None]:
    """Run one state on its input; return its output and the next state's name (None: end)."""
    kind = state["Type"]
    if kind == "Fail":
        raise _StateError(state.get("Error"), state.get("Cause"))
    data = _read(state.get("InputPath", "$"), raw, run.context)
    if kind == "Choice":
        return _read(state.get("OutputPath", "$"), data, run.context), _choose(state, data, run)
    if kind == "Succeed":
        return _read(state.get("OutputPath", "$"), data, run.context), None
    try:
        result = _with_retry(state, lambda: _produce(kind, state, data, run), run)
    except _StateError as error:
        catcher = _catcher(state, error)
        if catcher is None:
            raise
        failure = {"Error": error.error, "Cause": error.cause}
        return _write(raw, catcher.get("ResultPath", "$"), failure), catcher["Next"]
    output = _write(raw, state.get("ResultPath", "$"), result)
    return _read(state.get("OutputPath", "$"), output, run.context), state.get("Next")


def _produce(kind: str, state: dict, data: Any, run: _Run) -> Any:
    """The result of a Task, Map or Pass state, before ResultPath."""
    if kind == "Pass":
        if "Parameters" in state:
            data = _render(state["Parameters"], data, run.context)
        return state.get("Result", data)
    if kind == "Map":
        return _run_map(state, data, run)
    payload = _render(state["Parameters"], data, run.context) if "Parameters" in state else data
    return _invoke(run.tasks[state["Resource"]], payload)


def _invoke(task: Task, payload: Any) -> Any:
    """Call a task as Lambda would: JSON in, JSON out, an exception becomes a named error."""
    try:
        result = task(_json_copy(payload))
    except Exception as exc:
        name = type(exc).__name__
        raise _StateError(name, json.dumps({"errorMessage": str(exc), "errorType": name})) from exc
    try:
        return _json_copy(result)
    except (TypeError, ValueError) as exc:
        cause = json.dumps({"errorMessage": str(exc), "errorType": "Runtime.MarshalError"})
        raise _StateError("Runtime.MarshalError", cause) from exc


def _json_copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _matches(patterns: list[str], error: str | None) -> bool:
    if error == RUNTIME:  # never retried nor caught, per the Step Functions documentation
        return False
    if "States.ALL" in patterns or error in patterns:
        return True
    return "States.TaskFailed" in patterns and error != "States.Timeout"


def _with_retry(state: dict, action: Callable[[], Any], run: _Run) -> Any:
    """Run ``action``, retrying as the first matching retrier says (each counts its own)."""
    attempts = [0] * len(state.get("Retry", []))
    while True:
        try:
            return action()
        except _StateError as error:
            retriers = state.get("Retry", [])
            index = next(
                (i for i, r in enumerate(retriers) if _matches(r["ErrorEquals"], error.error)),
                None,
            )
            if index is None or attempts[index] >= retriers[index].get("MaxAttempts", 3):
                raise
            run.sleep(_delay(retriers[index], attempts[index]))
            attempts[index] += 1


def _delay(retrier: dict, retries_so_far: int) -> float:
    """IntervalSeconds grown by BackoffRate per retry already made, capped by MaxDelaySeconds."""
    delay = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** retries_so_far
    return min(delay, retrier.get("MaxDelaySeconds", delay))


def _catcher(state: dict, error: _StateError) -> dict | None:
    catchers = state.get("Catch", [])
    return next((c for c in catchers if _matches(c["ErrorEquals"], error.error)), None)


def _choose(state: dict, data: Any, run: _Run) -> str:
    for rule in state["Choices"]:
        if _holds(rule, data, run):
            return rule["Next"]
    if "Default" in state:
        return state["Default"]
    raise _StateError("States.NoChoiceMatched", "No Choices rule matched and there is no Default")


def _holds(rule: dict, data: Any, run: _Run) -> bool:
    if "And" in rule:
        return all(_holds(operand, data, run) for operand in rule["And"])
    if "Or" in rule:
        return any(_holds(operand, data, run) for operand in rule["Or"])
    if "Not" in rule:
        return not _holds(rule["Not"], data, run)
    if "IsPresent" in rule:
        try:
            _read(rule["Variable"], data, run.context)
        except _StateError:
            return not rule["IsPresent"]
        return rule["IsPresent"]
    value = _read(rule["Variable"], data, run.context)  # missing: States.Runtime, as on AWS
    operator = next(key for key in rule if key in _COMPARISONS)
    if not isinstance(value, _COMPARISONS[operator]) or (
        operator == "NumericEquals" and isinstance(value, bool)
    ):
        return False  # a comparison across types is false, not an error
    return value == rule[operator]


def _run_map(state: dict, data: Any, run: _Run) -> list[Any]:
    """Run the iterations, at most MaxConcurrency at a time (0: all at once).

    When an iteration fails no further one is started, the running ones are asked to stop
    at their next transition, and the Map fails with the first failure, as on AWS.
    """
    items = _read(state.get("ItemsPath", "$"), data, run.context)
    if not isinstance(items, list):
        raise _StateError(RUNTIME, f"ItemsPath of the Map selects {type(items).__name__}")
    selector = state.get("ItemSelector", state.get("Parameters"))
    processor = state.get("ItemProcessor") or state["Iterator"]
    abort = threading.Event()

    def iteration(index: int) -> Any:
        item = {"Value": items[index], "Index": index}
        context = {**run.context, "Map": {"Item": item}}
        payload = items[index] if selector is None else _render(selector, data, context)
        return _run_machine(processor, payload, run.child(context, abort))

    if not items:
        return []
    workers = state.get("MaxConcurrency", 0) or len(items)
    results: list[Any] = [None] * len(items)
    failure: BaseException | None = None
    aborted = False
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        pending: dict[Future, int] = {}
        queue = iter(range(len(items)))
        while True:
            while failure is None and len(pending) < workers:
                index = next(queue, None)
                if index is None:
                    break
                pending[pool.submit(iteration, index)] = index
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                error = future.exception()
                if error is None:
                    results[index] = future.result()
                elif isinstance(error, _Aborted):
                    aborted = True  # an enclosing Map is stopping this one
                elif failure is None:
                    failure = error
                    abort.set()
    if failure is not None:
        raise failure
    if aborted:
        raise _Aborted
    return results
