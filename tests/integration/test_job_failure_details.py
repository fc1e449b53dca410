"""A job failed by the state machine shows the error's type and message, never the stack trace
Lambda puts in the ``Cause`` on AWS (issue 19, item 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.jobs.state_machine import failure_details
from tests.integration.helpers import body, upload
from tests.support.dicom_factory import make_instance

# The Error output of a Lambda task caught by Step Functions, as AWS writes it.
TRACE = ['  File "/var/task/chalicelib/services/jobs/steps.py", line 120, in batch\n']
LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "'Rows'",
        "errorType": "KeyError",
        "requestId": "1f0c2f4e-0d1e-4b7e-9a4e-2a1c6b0d9c11",
        "stackTrace": TRACE,
    }
)


class _Context:
    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


def test_get_job_shows_type_and_message_only(client: Any) -> None:
    from app import job_step

    patient = upload(client, make_instance("F1"))["ParentPatient"]
    answer = client.http.post(
        f"/patients/{patient}/archive", body=json.dumps({"Asynchronous": True})
    )
    job_id = body(answer)["ID"]
    error = {"Error": "KeyError", "Cause": LAMBDA_CAUSE}
    job_step({"Step": "fail", "JobId": job_id, "Run": 1, "Error": error}, _Context())

    job = body(client.http.get(f"/jobs/{job_id}"))
    assert job["State"] == "Failure"
    assert job["ErrorDetails"] == "KeyError: 'Rows'"
    assert "steps.py" not in json.dumps(job) and "requestId" not in json.dumps(job)


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        ({"Error": "States.Timeout", "Cause": ""}, "States.Timeout"),
        ({"Error": "States.Timeout"}, "States.Timeout"),
        (
            {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded\nmore"},
            "Lambda.TooManyRequestsException: Rate exceeded",
        ),
        ({"Error": "E", "Cause": json.dumps({"errorType": "X", "errorMessage": "a\nb"})}, "X: a"),
        ({"Error": "E", "Cause": json.dumps({"stackTrace": TRACE})}, "E"),
        ({"Error": "E", "Cause": "[1, 2]"}, "E: [1, 2]"),
        ({}, "Error"),
    ],
)
def test_failure_details_of_other_causes(error: dict[str, Any], shown: str) -> None:
    assert failure_details(error) == shown
