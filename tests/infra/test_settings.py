"""Deployment settings: CDK context, with the Orthanc-style file checked at synthesis."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from infra.settings import load_settings


def settings_for(context: dict):
    return load_settings(cdk.App(context=context))


def test_defaults_come_from_the_deployment_configuration() -> None:
    settings = settings_for({})
    assert settings.orthanc_config_path.name == "orthanc.json"
    assert (settings.dicom_aet, settings.dicom_port) == ("CIRRUS", 4242)
    assert settings.retain is True
    assert settings.intelligent_tiering is False
    assert settings.dicom_client_cidrs == ("10.0.0.0/8",)
    assert (settings.user_pool, settings.user_pool_client_ids) == ("create", ())


def test_an_existing_user_pool_names_its_app_clients() -> None:
    settings = settings_for(
        {"cirrus:userPool": "eu-west-1_AbC", "cirrus:userPoolClientIds": "one,two"}
    )
    assert (settings.user_pool, settings.user_pool_client_ids) == ("eu-west-1_AbC", ("one", "two"))


def test_command_line_context_is_parsed() -> None:
    settings = settings_for(
        {
            "cirrus:intelligentTiering": "true",
            "cirrus:dicomClientCidrs": "10.1.0.0/16,192.168.0.0/24",
            "cirrus:removalPolicy": "destroy",
            "cirrus:natGateways": "0",
        }
    )
    assert settings.intelligent_tiering is True
    assert settings.dicom_client_cidrs == ("10.1.0.0/16", "192.168.0.0/24")
    assert settings.retain is False
    assert settings.nat_gateways == 0


def test_a_malformed_orthanc_configuration_fails_the_synthesis(tmp_path) -> None:
    from chalicelib.settings.config import ConfigError

    bad = tmp_path / "orthanc.json"
    bad.write_text('{ "DicomPort" : "not a number" }')
    with pytest.raises(ConfigError):
        settings_for({"cirrus:orthancConfig": str(bad)})


@pytest.mark.parametrize(
    "context",
    [
        {"cirrus:removalPolicy": "snapshot"},
        {"cirrus:logRetentionDays": 10},
        # Whose tokens would the API accept?
        {"cirrus:userPool": "eu-west-1_AbC"},
        # Loopback callers only: API Gateway's requests would all answer 403.
        {"cirrus:orthancConfig": "chalicelib/settings/default.json"},
    ],
)
def test_invalid_settings_are_refused(context: dict) -> None:
    with pytest.raises(ValueError):
        settings_for(context)
