"""The CDK app's state machine is the runtime's definition file, wired to the job step."""

from __future__ import annotations

import json

from chalicelib.jobs.state_machine import DEFINITION_PATH


def test_state_machine_uses_the_tested_definition() -> None:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.app import CirrusStack

    template = Template.from_stack(CirrusStack(cdk.App(), "Test"))
    [machine] = template.find_resources("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    assert json.loads(props["DefinitionString"]) == json.loads(DEFINITION_PATH.read_text())
    substitution = json.dumps(props["DefinitionSubstitutions"]["JobStepArn"])
    assert "cirrus-dev-job_step" in substitution
    policies = template.find_resources("AWS::IAM::Policy")
    actions = [
        statement["Action"]
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert "lambda:InvokeFunction" in json.dumps(actions)
