"""What the deployment exposes, and to whom (issue 19, items 3 and 8): the DICOM service's
defaults and client ranges, and what stands in front of the API (stage throttling, the WAF's
rate-based rule, the API function's reserved concurrency, the failed-logins alarm)."""

from __future__ import annotations

import base64
import json
import logging
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from chalicelib.settings.config import Config, parse_config
from infra.api_auth import DENIED_MESSAGE, FAILED_LOGINS_METRIC
from infra.authorizer.api_authorizer import handler
from infra.settings import AWS_DICOM_DEFAULTS, DEFAULTS, load_settings
from tests.infra.conftest import Synthesized, synthesize

# What a deployment's file needs (API Gateway's authorizer checks the callers).
BEHIND_THE_AUTHORIZER = '"RemoteAccessAllowed" : true, "AuthenticationEnabled" : false'
METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/api/GET/patients"


def settings_for(context: dict[str, Any]):
    return load_settings(cdk.App(context=context))


def _props(synthesized: Synthesized, logical: str) -> dict[str, Any]:
    return synthesized.template["Resources"][logical]["Properties"]


@pytest.fixture(scope="module")
def without_waf(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk-no-waf"), {"cirrus:waf": "false"})


# -- item 3: the DICOM service -------------------------------------------------------------


def test_a_deployment_requires_declared_modalities_from_their_hosts(tmp_path: Path) -> None:
    """A site's own file that says nothing of them gets the AWS defaults; locally the
    defaults stay Orthanc's."""
    own = tmp_path / "orthanc.json"
    own.write_text(f'{{ {BEHIND_THE_AUTHORIZER}, // a comment\n "DicomAet" : "SITE" }}')
    deployed = parse_config(settings_for({"cirrus:orthancConfig": str(own)}).orthanc_config_text)
    assert deployed.DicomAet == "SITE"
    assert (deployed.DicomCheckModalityHost, deployed.DicomAlwaysAllowStore) == (True, False)
    local = Config()
    assert (local.DicomCheckModalityHost, local.DicomAlwaysAllowStore) == (False, True)
    assert AWS_DICOM_DEFAULTS == {"DicomCheckModalityHost": True, "DicomAlwaysAllowStore": False}


def test_a_deployment_that_sets_them_keeps_its_choice(tmp_path: Path) -> None:
    own = tmp_path / "orthanc.json"
    own.write_text(f'{{ {BEHIND_THE_AUTHORIZER}, "DicomAlwaysAllowStore" : true }}')
    deployed = parse_config(settings_for({"cirrus:orthancConfig": str(own)}).orthanc_config_text)
    assert deployed.DicomAlwaysAllowStore is True
    assert deployed.DicomCheckModalityHost is True


def test_the_functions_and_the_service_receive_the_aws_defaults(synthesized) -> None:
    [task] = synthesized.resources("AWS::ECS::TaskDefinition").values()
    [container] = task["Properties"]["ContainerDefinitions"]
    variables = {v["Name"]: v["Value"] for v in container["Environment"]}
    shipped = parse_config(variables["CIRRUS_CONFIG_TEXT"])
    assert (shipped.DicomCheckModalityHost, shipped.DicomAlwaysAllowStore) == (True, False)
    layer_text = synthesized.stack.settings.orthanc_config_text
    assert layer_text == variables["CIRRUS_CONFIG_TEXT"]


def test_outbound_connections_know_the_vpc_and_the_allowed_networks(synthesized) -> None:
    """Every function and the DICOM service get the VPC's range (refused as a destination
    unless listed), and the deployed file lists private networks only (issue 19, item 2)."""
    [vpc] = synthesized.resources("AWS::EC2::VPC")
    vpc_range = {"Fn::GetAtt": [vpc, "CidrBlock"]}
    functions = synthesized.resources("AWS::Serverless::Function")
    assert functions
    for function in functions.values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["CIRRUS_VPC_CIDRS"] == vpc_range
    [task] = synthesized.resources("AWS::ECS::TaskDefinition").values()
    [container] = task["Properties"]["ContainerDefinitions"]
    variables = {v["Name"]: v["Value"] for v in container["Environment"]}
    assert variables["CIRRUS_VPC_CIDRS"] == vpc_range
    shipped = parse_config(variables["CIRRUS_CONFIG_TEXT"])
    assert shipped.RemoteNetworksAllowed == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


@pytest.mark.parametrize(
    "cidrs",
    ["0.0.0.0/0", "10.0.0.0/8,0.0.0.0/0", "8.0.0.0/7", "::/0", "10.0.0.1/8", "site", ""],
)
def test_dicom_clients_must_be_the_sites_ranges(cidrs: str) -> None:
    with pytest.raises(ValueError, match="dicomClientCidrs"):
        settings_for({"cirrus:dicomClientCidrs": cidrs})


def test_the_default_client_range_is_private() -> None:
    assert DEFAULTS["cirrus:dicomClientCidrs"] == ["10.0.0.0/8"]
    assert settings_for({"cirrus:dicomClientCidrs": "10.20.0.0/16"}).dicom_client_cidrs == (
        "10.20.0.0/16",
    )


def test_the_dicom_port_admits_only_the_configured_ranges(tmp_path: Path) -> None:
    narrowed = synthesize(tmp_path, {"cirrus:dicomClientCidrs": "10.20.0.0/16,192.168.5.0/24"})
    cidrs = {
        rule["CidrIp"]
        for group in narrowed.resources("AWS::EC2::SecurityGroup").values()
        for rule in group["Properties"].get("SecurityGroupIngress", [])
        if "CidrIp" in rule and rule.get("FromPort") == 4242
    }
    assert cidrs == {"10.20.0.0/16", "192.168.5.0/24"}


# -- item 8: in front of the API ------------------------------------------------------------


def test_the_stage_is_throttled(synthesized) -> None:
    [settings] = _props(synthesized, "RestAPI")["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["ThrottlingRateLimit"] == DEFAULTS["cirrus:apiRateLimit"]
    assert settings["ThrottlingBurstLimit"] == DEFAULTS["cirrus:apiBurstLimit"]


def test_the_api_function_has_reserved_concurrency(synthesized) -> None:
    reserved = _props(synthesized, "APIHandler")["ReservedConcurrentExecutions"]
    assert reserved == DEFAULTS["cirrus:apiConcurrency"]


def test_a_waf_rate_rule_guards_the_api_stage(synthesized) -> None:
    [(acl_id, acl)] = synthesized.resources("AWS::WAFv2::WebACL").items()
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    assert props["DefaultAction"] == {"Allow": {}}
    [rule] = props["Rules"]
    assert rule["Action"] == {"Block": {}}
    statement = rule["Statement"]["RateBasedStatement"]
    assert statement == {
        "AggregateKeyType": "IP",
        "EvaluationWindowSec": 300,
        "Limit": DEFAULTS["cirrus:wafRateLimit"],
    }
    [association] = synthesized.resources("AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    arn = json.dumps(association["Properties"]["ResourceArn"])
    assert '{"Ref": "RestAPI"}, "/stages/", {"Ref": "RestAPI.Stage"}' in arn
    [logging_config] = synthesized.resources("AWS::WAFv2::LoggingConfiguration").values()
    assert logging_config["Properties"]["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    # Basic credentials never reach the WAF's logs.
    assert logging_config["Properties"]["RedactedFields"] == [
        {"SingleHeader": {"Name": "authorization"}}
    ]
    assert "log-group:aws-waf-logs-" in json.dumps(logging_config["Properties"])


def test_the_waf_is_optional(without_waf: Synthesized) -> None:
    for kind in ("WebACL", "WebACLAssociation", "LoggingConfiguration"):
        assert not without_waf.resources(f"AWS::WAFv2::{kind}")
    # Throttling and concurrency stay.
    assert _props(without_waf, "RestAPI")["MethodSettings"][0]["ThrottlingRateLimit"]
    assert _props(without_waf, "APIHandler")["ReservedConcurrentExecutions"]


def test_the_stack_without_waf_stays_nag_clean(without_waf: Synthesized) -> None:
    from infra.app import nag_packs

    for checks in nag_packs(without_waf.stack):
        assert checks.validate_scope(without_waf.stack).violations == []


# -- failed logins ---------------------------------------------------------------------------


def _matches(pattern: str, event: dict[str, Any]) -> bool:
    """CloudWatch Logs' JSON filter ``{ $.key = "value" }``, the one form the stack uses."""
    found = re.fullmatch(r'\{ \$\.(\w+) = "([^"]*)" \}', pattern)
    assert found, f"not a single-equality JSON pattern: {pattern}"
    return event.get(found.group(1)) == found.group(2)


def _lambda_json_lines(caplog: pytest.LogCaptureFixture, header: str) -> list[dict[str, Any]]:
    """The authorizer's records as Lambda's JSON log format writes them."""
    caplog.clear()
    with caplog.at_level(logging.INFO):
        try:
            handler.handler({"authorizationToken": header, "methodArn": METHOD_ARN}, None)
        except Exception as error:  # noqa: BLE001 - API Gateway's "Unauthorized"
            assert str(error) == "Unauthorized"
    return [{"level": r.levelname, "message": r.getMessage()} for r in caplog.records]


def test_failed_logins_are_counted_and_raise_an_alarm(
    synthesized, users_secret, caplog: pytest.LogCaptureFixture
) -> None:
    [metric_filter] = synthesized.resources("AWS::Logs::MetricFilter").values()
    props = metric_filter["Properties"]
    assert props["LogGroupName"]["Ref"].startswith("AuthAuthorizerLogs")
    [transformation] = props["MetricTransformations"]
    assert (transformation["MetricName"], transformation["MetricValue"]) == (
        FAILED_LOGINS_METRIC,
        "1",
    )
    pattern = props["FilterPattern"]

    def counted(user: str, password: str) -> int:
        header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return sum(_matches(pattern, line) for line in _lambda_json_lines(caplog, header))

    assert counted("alice", "wrong") == 1
    assert counted("mallory", "guess") == 1
    assert counted("alice", "s3cret:with colon") == 0
    assert DENIED_MESSAGE in pattern
    [alarm] = [
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == FAILED_LOGINS_METRIC
    ]
    assert alarm["Namespace"] == transformation["MetricNamespace"]
    assert alarm["Threshold"] == DEFAULTS["cirrus:failedLoginAlarm"]
    assert alarm["AlarmActions"]
