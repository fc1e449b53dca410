"""Which hosts Cirrus may connect to: the check every outbound connection (peers' HTTP, DICOM
associations to modalities) makes before it opens a socket.

Anyone who may define a peer or a modality could otherwise make the functions, which sit in
a VPC routed to the hospital network, connect wherever they like and read the answer
(server-side request forgery). So a destination is checked AFTER name resolution, on every
address its name resolves to, against ``RemoteNetworksAllowed`` (a list of CIDRs): an address
outside every listed network is refused. Some ranges are refused even inside a broader listed
network (``0.0.0.0/0`` does not open them): loopback, "this host", link-local (the instance
metadata service, 169.254.169.254, lives there; over IPv6 it is fd00:ec2::254) and the
deployment's own networks (the VPC,
``CIRRUS_VPC_CIDRS``); they are allowed only by a listed network that lies inside them. The
caller then connects to the checked address, not to the name again, so that a name resolving
differently the second time (DNS rebinding) cannot slip past.

Pure except the name resolution, which is injected (``Resolver``) so that tests can make a
name resolve to anything. A refusal says nothing the caller could use to map the network:
the clients report it exactly as they report a closed or unreachable port.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# host, port -> the addresses the host resolves to (an address given as text resolves to
# itself). Raises OSError when the name does not resolve.
Resolver = Callable[[str, int], list[str]]

# The environment variable naming the deployment's own networks (comma-separated CIDRs).
OWN_NETWORKS_VARIABLE = "CIRRUS_VPC_CIDRS"

# Ranges refused unless a listed network inside them allows them: the host itself, the
# link-local ranges (cloud metadata services), in both families, and the addresses of AWS's
# Nitro services over IPv6 (fd00:ec2::254 is the instance metadata service).
_ALWAYS_GUARDED = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "::/128",
        "::1/128",
        "fe80::/10",
        "fd00:ec2::/32",
    )
)


class DestinationRefused(Exception):
    """The destination resolves to an address the configuration does not allow (or does not
    resolve). Clients turn it into the same error as a failed connection."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to through the system's resolver (which also reads the
    numeric forms ``inet_aton`` accepts: ``2130706433``, ``0177.0.0.1``)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in answers))


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    """Networks from CIDR strings; ValueError names the first malformed one (a host address
    with bits beyond its prefix, ``10.0.0.1/8``, is a mistake and refused)."""
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=True))
        except ValueError as exc:
            raise ValueError(f"not a network in CIDR notation: {cidr!r} ({exc})") from exc
    return tuple(networks)


@dataclass(frozen=True)
class Destinations:
    """The networks outbound connections may reach (``allowed``) and the deployment's own
    networks, guarded like loopback (``own``)."""

    allowed: tuple[Network, ...]
    own: tuple[Network, ...] = ()
    resolve: Resolver = field(default=system_resolver, compare=False)

    def check(self, host: str, port: int) -> str:
        """The address to connect to for ``host``: the first it resolves to, once every
        address it resolves to is allowed. DestinationRefused otherwise."""
        try:
            resolved = self.resolve(host.strip("[]"), port)
        except (OSError, UnicodeError) as exc:
            raise DestinationRefused(f"{host} does not resolve") from exc
        if not resolved:
            raise DestinationRefused(f"{host} does not resolve")
        for text in resolved:
            if not self.allows(_address(text)):
                raise DestinationRefused(f"{host} resolves to {text}, which is not allowed")
        return resolved[0]

    def allows(self, address: Address) -> bool:
        """Whether ``address`` is in a listed network, and, when it is in a guarded range,
        in a listed network lying inside that range."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        guarded = [net for net in (*_ALWAYS_GUARDED, *self.own) if address in net]
        return any(
            address in net and all(net.version == g.version and net.subnet_of(g) for g in guarded)  # type: ignore[arg-type]
            for net in self.allowed
        )


# No network at all: what a client built without the configuration's networks may reach.
NOWHERE = Destinations(())


def destinations(
    allowed: Iterable[str], environ: Mapping[str, str], resolve: Resolver = system_resolver
) -> Destinations:
    """The destinations of a deployment: ``RemoteNetworksAllowed`` of the configuration, and
    its own networks from the environment the deployment sets (``CIRRUS_VPC_CIDRS``)."""
    own = [cidr for cidr in environ.get(OWN_NETWORKS_VARIABLE, "").split(",") if cidr.strip()]
    return Destinations(parse_networks(allowed), parse_networks(own), resolve)


def _address(text: str) -> Address:
    """An address from a resolver's answer (an IPv6 scope, ``fe80::1%eth0``, dropped)."""
    return ipaddress.ip_address(text.split("%", 1)[0])
