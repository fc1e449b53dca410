"""The stack without NAT gateways (``cirrus:natGateways`` 0): an isolated VPC whose
components still reach the AWS APIs they call, through interface endpoints.

The app is synthesized once more, through ``build`` (so cdk-nag runs), with that one setting.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.functions import ACCESS
from infra.network import INTERFACE_ENDPOINTS, VPC_CIDR
from tests.infra.conftest import Synthesized, synthesize
from tests.infra.test_policy_checks import test_cfn_lint_is_clean as _cfn_lint_is_clean
from tests.infra.test_policy_checks import test_nag_pack_passes as _nag_pack_passes

REPO_ROOT = Path(__file__).resolve().parents[2]
# The endpoints' service names (com.amazonaws.<region>.<name>), and boto3's name of each
# service the code calls from the VPC.
ENDPOINT_NAMES = {"ecr.api", "ecr.dkr", "logs", "states", "secretsmanager"}
GATEWAY_NAMES = {"s3", "dynamodb"}
BOTO3_TO_ENDPOINT = {
    "stepfunctions": "states",
    "s3": "s3",
    "dynamodb": "dynamodb",
    "secretsmanager": "secretsmanager",
}


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesize(tmp_path_factory.mktemp("cdk-isolated"), {"cirrus:natGateways": 0})


def _service_name(endpoint: dict[str, Any]) -> str:
    """``ecr.api`` of ``com.amazonaws.<region>.ecr.api`` (CDK joins it with the region)."""
    text = json.dumps(endpoint["Properties"]["ServiceName"])
    return re.search(r'\.([a-z0-9.-]+)"\]\]', text).group(1)  # type: ignore[union-attr]


def _endpoints(synthesized: Synthesized, kind: str) -> dict[str, dict[str, Any]]:
    return {
        _service_name(e): e["Properties"]
        for e in synthesized.resources("AWS::EC2::VPCEndpoint").values()
        if e["Properties"]["VpcEndpointType"] == kind
    }


def _refs(items: list[dict[str, str]]) -> set[str]:
    return {item["Ref"] for item in items}


def test_nothing_reaches_the_internet(isolated: Synthesized) -> None:
    for kind in ("NatGateway", "InternetGateway", "VPCGatewayAttachment", "EIP"):
        assert not isolated.resources(f"AWS::EC2::{kind}")
    subnets = isolated.resources("AWS::EC2::Subnet")
    assert len(subnets) == 2  # cirrus:maxAzs
    for subnet in subnets.values():
        tags = {t["Key"]: t["Value"] for t in subnet["Properties"]["Tags"]}
        assert tags["aws-cdk:subnet-type"] == "Isolated"
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False
    for route in isolated.resources("AWS::EC2::Route").values():
        assert "GatewayId" not in route["Properties"]
        assert "NatGatewayId" not in route["Properties"]


def test_interface_endpoints_serve_the_private_subnets_with_private_dns(
    isolated: Synthesized,
) -> None:
    assert set(_endpoints(isolated, "Gateway")) == GATEWAY_NAMES
    interfaces = _endpoints(isolated, "Interface")
    assert set(interfaces) == ENDPOINT_NAMES
    assert len(INTERFACE_ENDPOINTS) == len(ENDPOINT_NAMES)
    subnets = set(isolated.resources("AWS::EC2::Subnet"))
    for props in interfaces.values():
        assert props["PrivateDnsEnabled"] is True
        assert _refs(props["SubnetIds"]) == subnets


def test_the_endpoints_admit_only_https_from_the_vpc(isolated: Synthesized) -> None:
    [vpc] = isolated.resources("AWS::EC2::VPC").values()
    assert vpc["Properties"]["CidrBlock"] == VPC_CIDR
    groups = {
        json.dumps(props["SecurityGroupIds"])
        for props in _endpoints(isolated, "Interface").values()
    }
    [group_ids] = groups  # one group for all of them
    [group_id] = json.loads(group_ids)
    group = isolated.template["Resources"][group_id["Fn::GetAtt"][0]]["Properties"]
    assert group["SecurityGroupIngress"] == [
        {
            "CidrIp": VPC_CIDR,
            "Description": "HTTPS from the VPC",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    # CDK's stand-in rule for "no egress" (an address that cannot be routed).
    [egress] = group["SecurityGroupEgress"]
    assert egress["CidrIp"] == "255.255.255.255/32"


def test_the_vpc_components_run_in_the_isolated_subnets(isolated: Synthesized) -> None:
    subnets = set(isolated.resources("AWS::EC2::Subnet"))
    [service] = isolated.resources("AWS::ECS::Service").values()
    network = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert _refs(network["Subnets"]) == subnets
    for logical, access in ACCESS.items():
        if access.in_vpc:
            config = isolated.template["Resources"][logical]["Properties"]["VpcConfig"]
            assert _refs(config["SubnetIds"]) == subnets


def test_every_aws_client_of_the_code_has_an_endpoint() -> None:
    """A new boto3 client in the code run from the VPC (the API, the job steps, the DICOM
    service) needs its endpoint here, or the isolated deployment breaks at run time."""
    sources = [
        *(REPO_ROOT / "chalicelib").rglob("*.py"),
        *(REPO_ROOT / "scp_container").rglob("*.py"),
    ]
    called = {
        name
        for path in sources
        for name in re.findall(r'\bclient\(\s*"([a-z0-9-]+)"', path.read_text("utf-8"))
    }
    assert called  # the pattern still finds the clients
    assert {BOTO3_TO_ENDPOINT[name] for name in called} <= ENDPOINT_NAMES | GATEWAY_NAMES


@pytest.mark.parametrize("pack", ["AwsSolutions", "HIPAA.Security"])
def test_nag_pack_passes(isolated: Synthesized, pack: str) -> None:
    _nag_pack_passes(isolated, pack)


def test_cfn_lint_is_clean(isolated: Synthesized) -> None:
    _cfn_lint_is_clean(isolated)
