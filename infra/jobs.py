"""The jobs state machine, built from ``chalicelib/jobs/state_machine.json``.

As with the storage schema, the infra app reads the runtime's definition file rather than
importing runtime code: the same JSON is what the local job runner executes and what the tests
check, so the deployed orchestration cannot drift from the tested one. Every Task state calls
the job-step Lambda (``app.job_step``), whose ARN replaces ``${JobStepArn}``.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.log_groups import log_group

DEFINITION_PATH = (
    Path(__file__).resolve().parent.parent / "chalicelib" / "jobs" / "state_machine.json"
)


class JobsOrchestration(Construct):
    """A Standard state machine (executions outlive any Lambda, and are exactly-once)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        step: lambda_.IFunction,
        *,
        name: str | None = None,
        key: kms.IKey | None = None,
    ) -> None:
        """``name``: a fixed name lets the functions know the ARN without referring to the
        state machine, which refers to one of them (the job step)."""
        super().__init__(scope, construct_id)
        self.state_machine = sfn.StateMachine(
            self,
            "Jobs",
            state_machine_name=name,
            tracing_enabled=True,
            definition_body=sfn.DefinitionBody.from_string(DEFINITION_PATH.read_text("utf-8")),
            definition_substitutions={"JobStepArn": step.function_arn},
            state_machine_type=sfn.StateMachineType.STANDARD,
            timeout=Duration.days(7),
            logs=sfn.LogOptions(
                destination=log_group(self, "Executions", key, logs.RetentionDays.ONE_MONTH),
                level=sfn.LogLevel.ALL,
            ),
        )
        step.grant_invoke(self.state_machine)

    def environment(self) -> dict[str, str]:
        """How the API functions find the state machine (``chalicelib.jobs.state_machine``)."""
        return {"CIRRUS_JOBS_STATE_MACHINE": self.state_machine.state_machine_arn}
