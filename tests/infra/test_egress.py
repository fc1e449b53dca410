"""Where the VPC's components may connect (issue 19, item 2's last clause), and the data key's
grant to CloudWatch Logs (item 12).

The functions in the VPC and the DICOM service connect to peers and modalities only in the
IPv4 networks of ``RemoteNetworksAllowed``, on the ports of ``cirrus:remotePorts`` and of the
file's remotes, and to the AWS APIs over HTTPS (infra/egress.py). The default synthesis
(NAT gateway) is the session's; the isolated variant is synthesized once here, with a site's
own file, ports and networks.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from chalicelib.settings.config import parse_config
from infra.egress import MAX_EGRESS_RULES, restrict_egress
from infra.network import VPC_CIDR
from infra.settings import AWS_REMOTE_DEFAULTS, DEFAULTS, load_settings
from tests.infra.conftest import Synthesized, synthesize
from tests.infra.test_policy_checks import test_nag_pack_passes as _nag_pack_passes

BEHIND_THE_AUTHORIZER = '"RemoteAccessAllowed" : true, "AuthenticationEnabled" : false'
# The groups whose egress this module checks, by their descriptions (infra/functions.py,
# infra/scp.py).
GROUPS = ("Cirrus functions in the VPC", "Cirrus DICOM service tasks")
# A site's file, remotes in both of Orthanc's forms: modalities on ports of their own, a peer
# by HTTPS without a port and one with a port, DICOMweb servers (the plugin's short and object
# forms) on ports of their own, an IPv6 range (no rule: the VPC has no IPv6) and a single
# host.
SITE_FILE = f"""{{ {BEHIND_THE_AUTHORIZER},
  "RemoteNetworksAllowed" : [ "10.20.0.0/16", "192.168.7.10/32", "fd00::/8" ],
  "DicomModalities" : {{
    "ct" : [ "CT", "10.20.1.5", 11113 ],
    "mr" : {{ "AET" : "MR", "Host" : "10.20.1.6", "Port" : "11114" }}
  }},
  "OrthancPeers" : {{
    "remote" : [ "https://192.168.7.10/orthanc/" ],
    "lab" : {{ "Url" : "http://10.20.3.3:8043/" }}
  }},
  "DicomWeb" : {{ "Servers" : {{
    "archive" : [ "https://10.20.4.4:8443/dicom-web/" ],
    "cloud" : {{ "Url" : "http://192.168.7.10:8081/dicomWeb/", "HasDelete" : true }}
  }} }}
}}"""
SITE_CONTEXT = {"cirrus:natGateways": 0, "cirrus:remotePorts": "104,2762"}
# What the site's deployment opens: its networks x its ports, the modalities', the peers' and
# the DICOMweb servers'.
SITE_RULES = {
    (cidr, port)
    for cidr in ("10.20.0.0/16", "192.168.7.10/32")
    for port in (104, 443, 2762, 8043, 8081, 8443, 11113, 11114)
}
# How the template names the account's values, and values to resolve them with.
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012"}


def settings_for(context: dict[str, Any]):
    return load_settings(cdk.App(context=context))


def site_file(directory: Path, text: str = SITE_FILE) -> str:
    path = directory / "orthanc.json"
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    root = tmp_path_factory.mktemp("cdk-egress")
    return synthesize(root, {**SITE_CONTEXT, "cirrus:orthancConfig": site_file(root)})


def _group_ids(synthesized: Synthesized) -> dict[str, str]:
    """Logical id of each security group of :data:`GROUPS`, by description."""
    return {
        group["Properties"]["GroupDescription"]: logical
        for logical, group in synthesized.resources("AWS::EC2::SecurityGroup").items()
        if group["Properties"]["GroupDescription"] in GROUPS
    }


def egress(synthesized: Synthesized, logical: str) -> list[dict[str, Any]]:
    """Every egress rule of a security group: those written in the group and those written
    as resources of their own (CDK does so when the destination is a reference)."""
    group = synthesized.template["Resources"][logical]["Properties"]
    separate = [
        rule["Properties"]
        for rule in synthesized.resources("AWS::EC2::SecurityGroupEgress").values()
        if rule["Properties"]["GroupId"] == {"Fn::GetAtt": [logical, "GroupId"]}
    ]
    return [*group.get("SecurityGroupEgress", []), *separate]


def remote_rules(rules: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """(network, port) of the TCP rules of single ports to peers and modalities."""
    found = set()
    for rule in rules:
        if rule["Description"].startswith("Peers and modalities"):
            assert (rule["IpProtocol"], rule["FromPort"]) == ("tcp", rule["ToPort"])
            found.add((rule["CidrIp"], rule["FromPort"]))
    return found


def aws_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rules if not r["Description"].startswith("Peers and modalities")]


def _resolve(value: Any) -> str:
    """A string of the template with the account's pseudo parameters replaced."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return PSEUDO[value["Ref"]]
    separator, parts = value["Fn::Join"]
    return separator.join(_resolve(part) for part in parts)


# -- egress ---------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["synthesized", "site"])
def test_no_security_group_lets_everything_out(variant: str, request) -> None:
    synthesized: Synthesized = request.getfixturevalue(variant)
    groups = synthesized.resources("AWS::EC2::SecurityGroup")
    assert set(_group_ids(synthesized)) == set(GROUPS)
    for logical in groups:
        for rule in egress(synthesized, logical):
            assert rule["IpProtocol"] != "-1", (logical, rule)
            if rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
                # HTTPS to the AWS APIs through the NAT gateway, nothing else.
                assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)


def test_each_remote_network_is_open_on_each_port(synthesized: Synthesized) -> None:
    """The deployment's file (infra/orthanc.json): its networks, the default ports."""
    [task] = synthesized.resources("AWS::ECS::TaskDefinition").values()
    [container] = task["Properties"]["ContainerDefinitions"]
    variables = {v["Name"]: v["Value"] for v in container["Environment"]}
    shipped = parse_config(variables["CIRRUS_CONFIG_TEXT"])
    expected = {
        (cidr, port)
        for cidr in shipped.RemoteNetworksAllowed
        for port in DEFAULTS["cirrus:remotePorts"]
    }
    assert len(expected) == 18
    for logical in _group_ids(synthesized).values():
        assert remote_rules(egress(synthesized, logical)) == expected


def test_with_a_nat_gateway_the_aws_apis_are_https_anywhere(synthesized: Synthesized) -> None:
    for logical in _group_ids(synthesized).values():
        [rule] = aws_rules(egress(synthesized, logical))
        assert (rule["CidrIp"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == (
            "0.0.0.0/0",
            "tcp",
            443,
            443,
        )


def test_a_sites_networks_and_ports(site: Synthesized) -> None:
    """cirrus:remotePorts, the modality's port, the peer's scheme port and the DICOMweb
    servers' ports, to each IPv4 network of the file; the IPv6 range opens nothing."""
    for logical in _group_ids(site).values():
        rules = egress(site, logical)
        assert remote_rules(rules) == SITE_RULES
        assert not [rule for rule in rules if "CidrIpv6" in rule]


def test_without_nat_the_aws_apis_are_the_endpoints_only(site: Synthesized) -> None:
    lookups = {
        logical: json.loads(_resolve(resource["Properties"]["Create"]))
        for logical, resource in site.resources("Custom::AWS").items()
    }
    names = {
        logical: call["parameters"]["Filters"][0]["Values"][0] for logical, call in lookups.items()
    }
    assert sorted(names.values()) == [
        "com.amazonaws.eu-west-1.dynamodb",
        "com.amazonaws.eu-west-1.s3",
    ]
    for call in lookups.values():
        assert (call["service"], call["action"]) == ("EC2", "describePrefixLists")
    for logical in _group_ids(site).values():
        rules = aws_rules(egress(site, logical))
        for rule in rules:
            assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)
        assert [r["CidrIp"] for r in rules if "CidrIp" in r] == [VPC_CIDR]
        prefix_lists = [
            r["DestinationPrefixListId"]["Fn::GetAtt"] for r in rules if "CidrIp" not in r
        ]
        assert sorted(prefix_lists) == sorted(
            [logical, "PrefixLists.0.PrefixListId"] for logical in names
        )


@pytest.mark.parametrize("pack", ["AwsSolutions", "HIPAA.Security"])
def test_nag_pack_passes_with_the_lookups(site: Synthesized, pack: str) -> None:
    _nag_pack_passes(site, pack)


# -- settings refused or defaulted at synthesis -------------------------------------------


@pytest.mark.parametrize("networks", ['"0.0.0.0/0"', '"10.0.0.0/8", "8.0.0.0/7"'])
def test_a_network_wider_than_a_slash_8_is_refused(tmp_path: Path, networks: str) -> None:
    text = f'{{ {BEHIND_THE_AUTHORIZER}, "RemoteNetworksAllowed" : [ {networks} ] }}'
    with pytest.raises(ValueError, match="RemoteNetworksAllowed"):
        settings_for({"cirrus:orthancConfig": site_file(tmp_path, text)})


@pytest.mark.parametrize("ports", ["0", "104,65536", "http", "\u00b2", "104,-1"])
def test_bad_ports_are_refused(ports: str) -> None:
    with pytest.raises(ValueError, match="cirrus:remotePorts"):
        settings_for({"cirrus:remotePorts": ports})


def test_a_file_without_networks_gets_the_private_ranges(tmp_path: Path) -> None:
    """Locally Cirrus allows everywhere by default, which a deployment refuses: a file that
    does not say takes the private ranges, and ships them to the code's own check."""
    path = site_file(tmp_path, f"{{ {BEHIND_THE_AUTHORIZER} }}")
    settings = settings_for({"cirrus:orthancConfig": path})
    private = AWS_REMOTE_DEFAULTS["RemoteNetworksAllowed"]
    assert private == ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
    assert settings.remote_networks == tuple(private)
    assert parse_config(settings.orthanc_config_text).RemoteNetworksAllowed == private


def test_more_rules_than_a_group_holds_are_refused() -> None:
    """Refused at synthesis rather than by CloudFormation in the middle of an update."""
    settings = settings_for({})
    stack = cdk.Stack(cdk.App())
    vpc = ec2.Vpc(stack, "Vpc", nat_gateways=1)

    def group(networks: int) -> None:
        many = dataclasses.replace(
            settings, remote_networks=tuple(f"10.{n}.0.0/16" for n in range(networks))
        )
        security_group = ec2.SecurityGroup(
            stack, f"Sg{networks}", vpc=vpc, allow_all_outbound=False
        )
        restrict_egress(security_group, many)

    ports = len(settings.remote_ports)
    fitting = (MAX_EGRESS_RULES - 1) // ports  # one rule for the AWS APIs (NAT)
    group(fitting)
    with pytest.raises(ValueError, match="egress rules"):
        group(fitting + 1)


# -- the data key and CloudWatch Logs -------------------------------------------------------


def test_logs_may_use_the_key_for_this_accounts_log_groups_only(synthesized) -> None:
    [key] = synthesized.resources("AWS::KMS::Key").values()
    statements = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if "Service" in s["Principal"] and _resolve(s["Principal"]["Service"]).startswith("logs.")
    ]
    [statement] = statements
    assert _resolve(statement["Principal"]["Service"]) == "logs.eu-west-1.amazonaws.com"
    [(operator, condition)] = statement["Condition"].items()
    assert operator == "ArnLike"
    [(context_key, pattern)] = condition.items()
    assert context_key == "kms:EncryptionContext:aws:logs:arn"
    pattern = _resolve(pattern)
    assert pattern == "arn:aws:logs:eu-west-1:123456789012:log-group:*"
    own = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/Cirrus-APIHandler"
    assert fnmatch.fnmatchcase(own, pattern)
    for other in (
        "arn:aws:logs:eu-west-1:210987654321:log-group:/aws/lambda/x",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x",
    ):
        assert not fnmatch.fnmatchcase(other, pattern)
