"""Where the VPC's components may connect: the egress rules of their security groups.

The code refuses peers, modalities and DICOMweb servers outside ``RemoteNetworksAllowed``
(chalicelib/remotes/destinations.py); the security groups of the functions in the VPC and of
the DICOM service are the network's own second line, so that a flaw in that check still
cannot reach a port or a network the deployment did not name. They allow:

- TCP to each IPv4 network of ``RemoteNetworksAllowed`` on each port of
  ``Settings.remote_ports``: peers and DICOMweb servers (HTTP or HTTPS: the ports of their
  URLs in the file are included), modalities (C-ECHO, C-FIND, C-MOVE, C-STORE as SCU) and the
  storage commitment reports the DICOM service sends back to modalities;
- HTTPS to the AWS APIs (:func:`aws_api_destinations`).

Nothing is needed for DNS: security groups do not filter traffic to the Amazon DNS server
(the VPC's base address + 2, and 169.254.169.253), nor to the instance and task metadata
endpoints (the Fargate task's credentials), nor to the Time Sync Service.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from infra.network import VPC_CIDR
from infra.settings import Settings

HTTPS = ec2.Port.tcp(443)
# The default quota of outbound rules per security group (60): a deployment needing more is
# refused at synthesis rather than by CloudFormation half-way through its update.
MAX_EGRESS_RULES = 60
# The services reached through the VPC's gateway endpoints (infra/network.py), whose addresses
# AWS publishes as managed prefix lists, ``com.amazonaws.<region>.<service>``.
GATEWAY_SERVICES = ("s3", "dynamodb")
PREFIX_LIST_ID = "PrefixLists.0.PrefixListId"
_LOOKUPS = "GatewayPrefixLists"


def restrict_egress(group: ec2.SecurityGroup, settings: Settings) -> None:
    """Give ``group`` (made with ``allow_all_outbound=False``) the rules of this module."""
    remote = [(cidr, port) for cidr in settings.remote_networks for port in settings.remote_ports]
    aws = aws_api_destinations(group, settings.nat_gateways)
    if len(remote) + len(aws) > MAX_EGRESS_RULES:
        raise ValueError(
            f"{len(remote)} egress rules for RemoteNetworksAllowed x ports "
            f"{', '.join(map(str, settings.remote_ports))}: a security group holds "
            f"{MAX_EGRESS_RULES - len(aws)} besides the AWS APIs' (merge ranges, or narrow "
            "cirrus:remotePorts)"
        )
    for cidr, port in remote:
        group.add_egress_rule(
            ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), "Peers and modalities (RemoteNetworksAllowed)"
        )
    for peer, description in aws:
        group.add_egress_rule(peer, HTTPS, description)


def aws_api_destinations(scope: Construct, nat_gateways: int) -> list[tuple[ec2.IPeer, str]]:
    """Where HTTPS to the AWS APIs (S3, DynamoDB, Step Functions, ECR, CloudWatch Logs,
    Secrets Manager) goes.

    With NAT gateways, the APIs other than S3 and DynamoDB are reached at their public
    addresses, which AWS publishes as no prefix list a rule could name: the rule is HTTPS to
    every IPv4 address, so HTTPS to any host the NAT gateway or the site's routes reach is
    left to the code's check. Without them (the strict choice), the subnets route nowhere but
    the VPC, the gateway endpoints and the site: HTTPS goes to the VPC's range (the interface
    endpoints) and to the prefix lists of the gateway endpoints, looked up at deployment
    (:func:`gateway_prefix_lists`)."""
    if nat_gateways:
        return [(ec2.Peer.any_ipv4(), "AWS APIs through the NAT gateway")]
    return [
        (ec2.Peer.ipv4(VPC_CIDR), "AWS APIs through the interface endpoints"),
        *(
            (ec2.Peer.prefix_list(prefix_list), f"{service} through its gateway endpoint")
            for service, prefix_list in gateway_prefix_lists(scope).items()
        ),
    ]


class _PrefixLists(Construct):
    """The IDs of the gateway services' prefix lists, which differ by region and account
    partition and cannot be named at synthesis without credentials (``PrefixList.from_lookup``
    needs them): ``ec2:DescribePrefixLists`` is called at deployment by CDK's AWS API custom
    resource (one function, outside the VPC, for the whole stack)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        region = Stack.of(self).region
        self.ids: dict[str, str] = {}
        # CDK's function that makes the calls, shared by the lookups (infra/nag.py).
        self.handler: IConstruct | None = None
        for service in GATEWAY_SERVICES:
            name = f"com.amazonaws.{region}.{service}"
            lookup = cr.AwsCustomResource(
                self,
                service,
                on_update=cr.AwsSdkCall(
                    service="EC2",
                    action="describePrefixLists",
                    parameters={"Filters": [{"Name": "prefix-list-name", "Values": [name]}]},
                    physical_resource_id=cr.PhysicalResourceId.of(name),
                    output_paths=[PREFIX_LIST_ID],
                ),
                policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                    resources=cr.AwsCustomResourcePolicy.ANY_RESOURCE
                ),
                install_latest_aws_sdk=False,
            )
            self.ids[service] = lookup.get_response_field(PREFIX_LIST_ID)
            self.handler = lookup.grant_principal.node.scope  # type: ignore[attr-defined]


def gateway_prefix_lists(scope: Construct) -> dict[str, str]:
    """The prefix list ID of each of :data:`GATEWAY_SERVICES`, looked up once per stack
    whichever security group asks first."""
    stack = Stack.of(scope)
    found = stack.node.try_find_child(_LOOKUPS)
    lookups = found if isinstance(found, _PrefixLists) else _PrefixLists(stack, _LOOKUPS)
    return lookups.ids


def lookup_handler(stack: Stack) -> IConstruct | None:
    """The function that looks the prefix lists up, when the stack has one (no NAT)."""
    found = stack.node.try_find_child(_LOOKUPS)
    return found.handler if isinstance(found, _PrefixLists) else None
