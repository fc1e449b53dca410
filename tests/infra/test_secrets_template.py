"""Peers' passwords never travel in the deployment: synthesis refuses a configuration file
holding one, the functions and the DICOM service receive no secret in their environment or
layer, and only the functions that connect to peers may read the peers' secrets (the API
alone writes them, under the stack's prefix)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from chalicelib.settings.config import inline_peer_secrets, parse_config
from infra.functions import ACCESS
from infra.settings import load_settings
from tests.infra.conftest import Synthesized

PASSWORD = "Sup3r-secret"


def settings_with(tmp_path: Path, peers: dict[str, Any]) -> Any:
    path = tmp_path / "orthanc.json"
    options = {"RemoteAccessAllowed": True, "AuthenticationEnabled": False, "OrthancPeers": peers}
    path.write_text(json.dumps(options))
    return load_settings(cdk.App(context={"cirrus:orthancConfig": str(path)}))


@pytest.mark.parametrize(
    ("peer", "fields"),
    [
        ({"Url": "https://peer.example/", "Username": "bob", "Password": PASSWORD}, "Password"),
        (["https://peer.example/", "bob", PASSWORD], "Password"),
        (
            {
                "Url": "https://peer.example/",
                "CertificateFile": "/opt/c.pem",
                "CertificateKeyFile": "/opt/k.pem",
                "CertificateKeyPassword": PASSWORD,
            },
            "CertificateKeyPassword",
        ),
    ],
)
def test_synthesis_refuses_a_password_in_the_file(tmp_path: Path, peer: Any, fields: str) -> None:
    with pytest.raises(ValueError) as refused:
        settings_with(tmp_path, {"site": peer})
    message = str(refused.value)
    assert f"OrthancPeers 'site' holds {fields}" in message
    assert "configuration secret" in message and "put-secret-value" in message
    assert PASSWORD not in message


@pytest.mark.parametrize(
    "server",
    [
        {"Url": "https://pacs.example/dicom-web/", "Username": "bob", "Password": PASSWORD},
        ["https://pacs.example/dicom-web/", "bob", PASSWORD],
    ],
)
def test_synthesis_refuses_a_dicomweb_password_in_the_file(tmp_path: Path, server: Any) -> None:
    path = tmp_path / "orthanc.json"
    options = {"DicomWeb": {"Servers": {"pacs": server}}}
    path.write_text(json.dumps(options))
    with pytest.raises(ValueError) as refused:
        load_settings(cdk.App(context={"cirrus:orthancConfig": str(path)}))
    message = str(refused.value)
    assert "DicomWeb.Servers 'pacs' holds Password" in message
    assert '{"DicomWeb": {"Servers": {"pacs": {"Password": "..."}}}}' in message
    assert PASSWORD not in message


def test_a_peer_whose_password_is_in_the_configuration_secret_is_deployed(
    tmp_path: Path,
) -> None:
    peers = {
        "short": ["https://peer.example/", "bob", ""],
        "long": {"Url": "https://other.example/", "Username": "alice"},
    }
    settings = settings_with(tmp_path, peers)
    deployed = parse_config(settings.orthanc_config_text, "deployed")
    assert deployed.OrthancPeers == peers
    assert inline_peer_secrets(deployed) == {}


def _strings(value: Any) -> list[str]:
    """Every string of a template fragment (``Fn::Join`` parts included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_no_environment_or_layer_carries_a_secret(synthesized: Synthesized) -> None:
    functions = synthesized.resources("AWS::Lambda::Function")
    variables = [
        v for f in functions.values() for v in _strings(f["Properties"].get("Environment", {}))
    ]
    [task] = synthesized.resources("AWS::ECS::TaskDefinition").values()
    [container] = task["Properties"]["ContainerDefinitions"]
    assert "Secrets" not in container  # the DICOM service needs none
    variables += _strings(container["Environment"])
    layers = [
        path.read_text("utf-8")
        for path in synthesized.template_path.parent.glob("asset.*/cirrus/config.json")
    ]
    assert len(layers) == 1
    for text in [*variables, *layers]:
        if text.lstrip().startswith("{"):  # the Orthanc-style file, in the layer or the task
            assert inline_peer_secrets(parse_config(text, "deployed")) == {}
    # The configuration secret reaches the functions by its ARN; it starts empty.
    [secret] = [
        r
        for r in synthesized.resources("AWS::SecretsManager::Secret").values()
        if "configuration" in r["Properties"]["Description"].lower()
    ]
    assert secret["Properties"]["SecretString"] == "{}"
    assert "KmsKeyId" in secret["Properties"]


def _secret_grants(synthesized: Synthesized, function: str) -> dict[str, list[str]]:
    """Secrets Manager action -> the resources (as JSON) of the function's role."""
    role = synthesized.template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    grants: dict[str, list[str]] = {}
    for policy in synthesized.resources("AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            for action in actions if isinstance(actions, list) else [actions]:
                if action.startswith("secretsmanager:"):
                    grants.setdefault(action, []).append(json.dumps(statement["Resource"]))
    return grants


def test_only_the_functions_that_connect_to_peers_read_their_secrets(
    synthesized: Synthesized,
) -> None:
    prefix = f"secret:{synthesized.stack.stack_name}/remotes/*"
    readers = {name for name, access in ACCESS.items() if access.peer_secrets}
    assert readers == {"APIHandler", "JobStep"}
    for function in ACCESS:
        grants = _secret_grants(synthesized, function)
        variables = synthesized.template["Resources"][function]["Properties"]["Environment"]
        names = set(variables["Variables"])
        if function not in readers:
            assert grants == {}, function
            assert not names & {"CIRRUS_CONFIG_SECRET", "CIRRUS_SECRETS_PREFIX"}, function
            continue
        assert {"CIRRUS_CONFIG_SECRET", "CIRRUS_SECRETS_PREFIX", "CIRRUS_SECRETS_KEY"} <= names
        read = grants.pop("secretsmanager:GetSecretValue")
        assert len(read) == 2 and any(prefix in r for r in read), read
        # Writing: the API only, on the prefix only.
        for resources in grants.values():
            assert function == "APIHandler"
            assert [prefix in r for r in resources] == [True], resources
    assert set(_secret_grants(synthesized, "APIHandler")) == {
        "secretsmanager:GetSecretValue",
        "secretsmanager:CreateSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
    }
