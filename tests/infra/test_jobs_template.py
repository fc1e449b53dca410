"""The CDK app's state machine is the runtime's definition file, wired to the job step."""

from __future__ import annotations

import json

from chalicelib.jobs.state_machine import DEFINITION_PATH


def test_state_machine_uses_the_tested_definition(synthesized) -> None:
    [machine] = synthesized.resources("AWS::StepFunctions::StateMachine").values()
    props = machine["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    assert json.loads(props["DefinitionString"]) == json.loads(DEFINITION_PATH.read_text())
    # The job step of the Chalice package, not a function found by name.
    assert props["DefinitionSubstitutions"]["JobStepArn"] == {"Fn::GetAtt": ["JobStep", "Arn"]}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["TracingConfiguration"] == {"Enabled": True}
    role = props["RoleArn"]["Fn::GetAtt"][0]
    [policy] = [
        p["Properties"]["PolicyDocument"]
        for p in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
    ]
    invoke = [s for s in policy["Statement"] if s["Action"] == "lambda:InvokeFunction"]
    assert {"Fn::GetAtt": ["JobStep", "Arn"]} in invoke[0]["Resource"]


def test_functions_know_the_state_machine(synthesized) -> None:
    """The functions get the ARN built from the machine's fixed name (a reference would
    make a cycle: the machine refers to the job step)."""
    [machine] = synthesized.resources("AWS::StepFunctions::StateMachine").values()
    name = machine["Properties"]["StateMachineName"]
    api = synthesized.template["Resources"]["APIHandler"]["Properties"]
    arn = json.dumps(api["Environment"]["Variables"]["CIRRUS_JOBS_STATE_MACHINE"])
    assert f"stateMachine:{name}" in arn
