"""The jobs state machine: its definition file, and its name and ARN at run time.

``state_machine.json`` is read by the CDK app (which substitutes the job-step Lambda's ARN for
``${JobStepArn}``), by the local stack (which creates it in the emulator and runs it with
``local_stack.job_runner``), and by the tests.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from chalicelib.storage.schema import DEFAULT_PREFIX

DEFINITION_PATH = Path(__file__).with_name("state_machine.json")
STEP_ARN_PLACEHOLDER = "${JobStepArn}"
# For the emulator, which checks only their shape: the role, and the job-step "Lambda" that
# the local stack's job runner maps to app.job_step.
LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/cirrus-local-jobs"
LOCAL_STEP_ARN = "arn:aws:lambda:us-east-1:000000000000:function:cirrus-local-job_step"


def definition(step_arn: str) -> str:
    """The definition with the job-step Lambda's ARN filled in."""
    return DEFINITION_PATH.read_text(encoding="utf-8").replace(STEP_ARN_PLACEHOLDER, step_arn)


def state_machine_name() -> str:
    return f"{os.environ.get('CIRRUS_RESOURCE_PREFIX', DEFAULT_PREFIX)}-jobs"


def ensure_state_machine(client: Any, step_arn: str) -> str:
    """Create the state machine in the emulator if missing; returns its ARN (idempotent)."""
    name = state_machine_name()
    for machine in _machines(client):
        if machine["name"] == name:
            return str(machine["stateMachineArn"])
    answer = client.create_state_machine(
        name=name, definition=definition(step_arn), roleArn=LOCAL_ROLE_ARN
    )
    return str(answer["stateMachineArn"])


def find_state_machine(client: Any) -> str:
    """The ARN: ``CIRRUS_JOBS_STATE_MACHINE`` (set by CDK on AWS), else found by name."""
    explicit = os.environ.get("CIRRUS_JOBS_STATE_MACHINE")
    if explicit:
        return explicit
    name = state_machine_name()
    for machine in _machines(client):
        if machine["name"] == name:
            return str(machine["stateMachineArn"])
    raise LookupError(f"No state machine named {name!r}: is the stack deployed?")


def _machines(client: Any) -> list[dict[str, Any]]:
    machines: list[dict[str, Any]] = []
    for page in client.get_paginator("list_state_machines").paginate():
        machines += page["stateMachines"]
    return machines


def execution_input(job_id: str, run: int) -> str:
    return json.dumps({"JobId": job_id, "Run": run})


def failure_details(error: dict[str, Any]) -> str:
    """What a job shows of the error a step's ``Catch`` passed on: the error's type and message.

    On AWS the ``Cause`` of a failed Lambda step is Lambda's JSON error (``errorType``,
    ``errorMessage``, ``stackTrace``); the stack trace names files and lines of the deployed
    code, so ``GET /jobs/{id}`` must not show it (it goes to the logs only). Other causes
    (a timeout, a throttled invocation) are a sentence of Step Functions: its first line is kept.
    """
    name = str(error.get("Error") or "Error")
    cause = error.get("Cause") or ""
    try:
        lambda_error = json.loads(cause) if isinstance(cause, str) else None
    except json.JSONDecodeError:
        lambda_error = None
    if isinstance(lambda_error, dict):
        name = str(lambda_error.get("errorType") or name)
        message = str(lambda_error.get("errorMessage") or "")
    else:
        message = str(cause)
    first_line = message.strip().split("\n", 1)[0].strip()
    return f"{name}: {first_line}" if first_line else name
