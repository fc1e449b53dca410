"""Orthanc-style configuration files."""

import logging
from pathlib import Path

import pytest

from chalicelib.settings.config import Config, ConfigError, load_config, parse_config


def test_comments_are_allowed_and_urls_survive() -> None:
    config = parse_config(
        """{
          // a line comment
          "Name": "http://example//not-a-comment", /* a block
          comment */ "HttpPort": 9000
        }"""
    )
    assert config.Name == "http://example//not-a-comment"
    assert config.HttpPort == 9000


def test_defaults_match_orthanc_semantics() -> None:
    config = parse_config("{}")
    assert config == Config()
    assert config.AuthenticationEnabled is False
    assert config.RemoteAccessAllowed is False
    assert config.OverwriteInstances is False
    assert config.StableAge == 60


def test_unknown_keys_are_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        config = parse_config('{"StorageDirectory": "/var/lib/orthanc", "DicomAet": "X"}')
    assert config.DicomAet == "X"
    assert "StorageDirectory" in caplog.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"HttpPort": "8042"}', "'HttpPort' must be an integer"),
        ('{"HttpPort": true}', "'HttpPort' must be an integer"),
        ('{"AuthenticationEnabled": "yes"}', "'AuthenticationEnabled' must be of type bool"),
        ('{"RegisteredUsers": {"alice": 1}}', "'RegisteredUsers' must map strings"),
        ('{"StableAge": -1}', "'StableAge' must not be negative"),
        ("[1, 2]", "must hold a JSON object"),
        ("{", "not valid JSON"),
    ],
)
def test_wrong_types_are_refused_with_the_key_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_load_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "orthanc.json"
    path.write_text('{"Name": "FromEnv", "RegisteredUsers": {"alice": "secret"}}')
    monkeypatch.setenv("CIRRUS_CONFIG", str(path))
    config = load_config()
    assert config.Name == "FromEnv"
    assert config.RegisteredUsers == {"alice": "secret"}


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read configuration file"):
        load_config(tmp_path / "absent.json")


def test_bundled_default_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIRRUS_CONFIG", raising=False)
    assert load_config().HttpPort == 8042
