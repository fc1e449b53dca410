"""Orthanc's two ways of writing a peer, and what the configuration file refuses."""

from __future__ import annotations

import pytest

from chalicelib.remotes.peer import Peer, PeerError, parse_peer
from chalicelib.settings.config import ConfigError, parse_config


def test_short_and_long_forms_give_the_same_peer() -> None:
    short = parse_peer("p", ["http://host:8042", "bob", "pw"])
    long = parse_peer("p", {"Url": "http://host:8042/", "Username": "bob", "Password": "pw"})
    assert short == long == Peer("p", "http://host:8042/", username="bob", password="pw")
    assert short.endpoint("/instances") == "http://host:8042/instances"
    assert parse_peer("p", ["https://h/orthanc"]).endpoint("system") == "https://h/orthanc/system"


def test_long_form_options_round_trip() -> None:
    definition = {
        "Url": "https://h/",
        "Username": "u",
        "Password": "p",
        "HttpHeaders": {"X-Token": "t"},
        "CertificateFile": "client.crt",
        "CertificateKeyFile": "client.key",
        "CertificateKeyPassword": "k",
        "Timeout": 5,
    }
    peer = parse_peer("p", definition)
    assert peer.to_json() == definition
    assert parse_peer("p", peer.to_json()) == peer


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "Empty URL"),
        ({"Url": ""}, "Empty URL"),
        ({"Url": "http://h/", "Colour": [1]}, "must be strings: Colour"),
        ({"Url": "http://h/", "Colour": 1.5}, "must be strings: Colour"),
        ({"Url": "http://h/", "Pkcs11": True}, "PKCS#11"),
        ({"Url": "http://h/", "Timeout": -1}, "Timeout"),
        ({"Url": "http://h/", "Timeout": True}, "Timeout"),
        ({"Url": "http://h/", "CertificateFile": "c.crt"}, "go together"),
        ({"Url": "http://h/", "Username": 5}, "Username must be a string"),
        (["http://h/", "bob"], "short form"),
        (["ftp://h/"], "http:// or https://"),
        (["http:///nohost"], "http:// or https://"),
        ("http://h/", "must be a list"),
    ],
)
def test_malformed_peers_are_refused_with_a_reason(value: object, message: str) -> None:
    with pytest.raises(PeerError, match=message):
        parse_peer("p", value)


def test_boolean_and_integer_properties_are_kept_as_orthanc_keeps_them() -> None:
    peer = parse_peer("p", {"Url": "http://h/", "Flag": True, "Off": False, "Count": 12})
    assert peer.user_properties == {"Flag": "1", "Off": "0", "Count": "12"}


def test_other_keys_are_user_properties_kept_as_orthanc_keeps_them() -> None:
    """RemoteSelf is written by every site that uses Orthanc's transfers accelerator."""
    definition = {"Url": "http://h/", "RemoteSelf": "site-a", "Colour": "red"}
    peer = parse_peer("p", definition)
    assert peer.user_properties == {"RemoteSelf": "site-a", "Colour": "red"}
    assert peer.to_json() == definition
    config = parse_config('{"OrthancPeers": {"p": {"Url": "http://h/", "RemoteSelf": "a"}}}')
    assert parse_peer("p", config.OrthancPeers["p"]).user_properties == {"RemoteSelf": "a"}


def test_a_malformed_peer_in_the_configuration_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="'OrthancPeers'.*short form"):
        parse_config('{"OrthancPeers": {"p": ["http://h/", "only-user"]}}')
    config = parse_config('{"OrthancPeers": {"p": ["http://h/"]}, "HttpTimeout": 3}')
    assert config.OrthancPeers == {"p": ["http://h/"]} and config.HttpTimeout == 3
