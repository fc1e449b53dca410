"""Remote access and authentication (issue 19, item 9), following Orthanc 1.10.1's start-up:
a file allowing remote access without mentioning ``AuthenticationEnabled`` gets
authentication; remote access with authentication and no user stops start-up (where Orthanc
creates ``orthanc``/``orthanc``); the local stack, which listens on every interface with
remote access, also refuses an explicit ``AuthenticationEnabled: false``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.settings.config import ConfigError, load_config, parse_config
from local_stack.settings import SettingsError, StackSettings

USERS = {"RegisteredUsers": {"alice": "s3cret"}}
INFRA_CONFIG = Path(__file__).resolve().parents[2] / "infra" / "orthanc.json"


@pytest.mark.parametrize(
    ("options", "authentication"),
    [
        ({}, False),
        ({"RemoteAccessAllowed": False}, False),
        ({"RemoteAccessAllowed": True, **USERS}, True),
        ({"RemoteAccessAllowed": True, "AuthenticationEnabled": False}, False),
        ({"RemoteAccessAllowed": False, "AuthenticationEnabled": True}, True),
    ],
)
def test_authentication_defaults_to_remote_access(
    options: dict[str, object], authentication: bool
) -> None:
    assert parse_config(json.dumps(options)).AuthenticationEnabled is authentication


@pytest.mark.parametrize(
    "options",
    [{"RemoteAccessAllowed": True}, {"RemoteAccessAllowed": True, "AuthenticationEnabled": True}],
)
def test_remote_access_with_authentication_needs_users(options: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="RegisteredUsers"):
        parse_config(json.dumps(options))


def test_the_deployed_configuration_still_loads() -> None:
    """On AWS the authorizer checks the callers: infra/orthanc.json says so explicitly."""
    config = load_config(INFRA_CONFIG)
    assert config.RemoteAccessAllowed and not config.AuthenticationEnabled


def _settings(tmp_path: Path, options: dict[str, object]) -> StackSettings:
    path = tmp_path / "cirrus.json"
    path.write_text(json.dumps(options))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRRUS_CONFIG", str(path))  # read by load_config
        return StackSettings.from_environment({"CIRRUS_DATA_DIR": str(tmp_path)})


def test_local_stack_refuses_remote_access_without_authentication(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="RegisteredUsers"):
        _settings(tmp_path, {"RemoteAccessAllowed": True, "AuthenticationEnabled": False})


def test_local_stack_listens_everywhere_only_with_users(tmp_path: Path) -> None:
    assert _settings(tmp_path, {"RemoteAccessAllowed": True, **USERS}).rest_host == "0.0.0.0"
    assert _settings(tmp_path, {}).rest_host == "127.0.0.1"
