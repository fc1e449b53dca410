"""The destination check every outbound connection makes (chalicelib/remotes/destinations.py):
after name resolution, on every address, with loopback, link-local and the deployment's own
networks guarded even inside a broader allowed network."""

from __future__ import annotations

import pytest

from chalicelib.remotes.destinations import (
    DestinationRefused,
    Destinations,
    destinations,
    parse_networks,
    system_resolver,
)
from chalicelib.settings.config import ConfigError, parse_config

ANYWHERE = ["0.0.0.0/0", "::/0"]


def resolving(table: dict[str, list[str]]) -> Destinations:
    """The local default's networks minus loopback, names resolved from ``table``."""
    return destinations(ANYWHERE, {}, resolve=lambda host, port: table[host])


def names(*cidrs: str, own: str = "", table: dict[str, list[str]] | None = None) -> Destinations:
    answers = table or {}
    return destinations(
        cidrs, {"CIRRUS_VPC_CIDRS": own}, resolve=lambda host, port: answers.get(host, [host])
    )


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",  # the instance metadata service (IMDS)
        "169.254.170.2",  # the ECS task metadata endpoint
        "127.0.0.1",
        "127.1.2.3",
        "0.0.0.0",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",  # the instance metadata service over IPv6 (not link-local)
        "::ffff:169.254.169.254",  # IPv4-mapped IPv6
        "::ffff:127.0.0.1",
    ],
)
def test_host_and_metadata_addresses_are_refused_by_a_broad_allowlist(address: str) -> None:
    checker = names(*ANYWHERE)
    with pytest.raises(DestinationRefused):
        checker.check(address, 80)


def test_other_addresses_pass_a_broad_allowlist_and_come_back_to_connect_to() -> None:
    checker = names(*ANYWHERE)
    assert checker.check("10.1.2.3", 104) == "10.1.2.3"
    assert checker.check("2001:db8::7", 104) == "2001:db8::7"
    assert checker.check("[2001:db8::7]", 104) == "2001:db8::7"


def test_guarded_ranges_open_only_when_listed_themselves() -> None:
    checker = names("0.0.0.0/0", "127.0.0.0/8", "::1/128", "169.254.10.0/24")
    assert checker.check("127.0.0.1", 80) == "127.0.0.1"
    assert checker.check("::1", 80) == "::1"
    assert checker.check("169.254.10.9", 80) == "169.254.10.9"
    with pytest.raises(DestinationRefused):
        checker.check("169.254.169.254", 80)


def test_addresses_outside_every_listed_network_are_refused() -> None:
    checker = names("10.20.0.0/16")
    assert checker.check("10.20.3.4", 104) == "10.20.3.4"
    for address in ("10.21.0.1", "8.8.8.8", "2001:db8::1"):
        with pytest.raises(DestinationRefused):
            checker.check(address, 104)


def test_the_deployments_own_network_is_refused_inside_the_hospitals() -> None:
    checker = names("10.0.0.0/8", "10.0.9.0/24", own="10.0.0.0/16, 10.1.0.0/16")
    assert checker.check("10.2.0.5", 104) == "10.2.0.5"  # the hospital
    assert checker.check("10.0.9.5", 104) == "10.0.9.5"  # listed inside the VPC
    for address in ("10.0.0.5", "10.1.200.1"):  # the VPC's own hosts
        with pytest.raises(DestinationRefused):
            checker.check(address, 104)


def test_every_address_a_name_resolves_to_is_checked() -> None:
    checker = resolving(
        {
            "pacs.example": ["10.0.0.7", "2001:db8::7"],
            "rebind.example": ["10.0.0.7", "127.0.0.1"],
            "six.example": ["2001:db8::7", "fe80::1%eth0"],
            "nothing.example": [],
        }
    )
    assert checker.check("pacs.example", 104) == "10.0.0.7"
    for name in ("rebind.example", "six.example", "nothing.example"):
        with pytest.raises(DestinationRefused):
            checker.check(name, 104)


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(DestinationRefused):
        destinations(ANYWHERE, {}, resolve=fail).check("nowhere.invalid", 80)


@pytest.mark.parametrize(
    "written", ["2130706433", "0x7f000001", "0177.0.0.1", "127.1", "017700000001"]
)
def test_decimal_octal_and_short_forms_resolve_to_what_they_mean(written: str) -> None:
    """The system resolver reads these as inet_aton does (127.0.0.1), as the socket would:
    the check sees the address the connection would reach."""
    assert system_resolver(written, 80) == ["127.0.0.1"]
    with pytest.raises(DestinationRefused):
        destinations(ANYWHERE, {}).check(written, 80)
    assert destinations([*ANYWHERE, "127.0.0.0/8"], {}).check(written, 80) == "127.0.0.1"


def test_decimal_form_of_the_metadata_address_is_refused() -> None:
    with pytest.raises(DestinationRefused):
        destinations(ANYWHERE, {}).check("2852039166", 80)  # 169.254.169.254


def test_malformed_networks_are_refused() -> None:
    for bad in ("10.0.0.1/8", "10.0.0.0/33", "pacs", ""):
        with pytest.raises(ValueError, match="CIDR"):
            parse_networks([bad])


def test_the_configuration_option() -> None:
    assert parse_config("{}").RemoteNetworksAllowed == [
        "0.0.0.0/0",
        "::/0",
        "127.0.0.0/8",
        "::1/128",
    ]
    chosen = parse_config('{"RemoteNetworksAllowed": ["10.20.0.0/16"]}')
    assert chosen.RemoteNetworksAllowed == ["10.20.0.0/16"]
    for text in (
        '{"RemoteNetworksAllowed": "10.0.0.0/8"}',
        '{"RemoteNetworksAllowed": [10]}',
        '{"RemoteNetworksAllowed": ["10.0.0.1/8"]}',
    ):
        with pytest.raises(ConfigError, match="RemoteNetworksAllowed"):
            parse_config(text)
