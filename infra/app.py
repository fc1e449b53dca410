"""CDK entry point: ``python infra/app.py`` (or ``cdk synth``) synthesizes offline.

For now the stack holds the storage defined by the shared schema and the jobs state machine.
The API, the stream handler, the SCP service and the rest arrive with the infrastructure issue;
until Chalice's package is part of this app, the state machine calls the job-step function that
``chalice deploy`` creates, by its name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.jobs import JobsOrchestration  # noqa: E402
from infra.storage import Storage  # noqa: E402

# The name Chalice gives the ``job_step`` function of app.py (stage "dev").
JOB_STEP_FUNCTION = "cirrus-dev-job_step"


class CirrusStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.storage = Storage(self, "Storage")
        step = lambda_.Function.from_function_name(self, "JobStep", JOB_STEP_FUNCTION)
        self.jobs = JobsOrchestration(self, "Jobs", step)


def main() -> None:
    app = cdk.App()
    CirrusStack(app, "Cirrus")
    app.synth()


if __name__ == "__main__":
    main()
