"""The VPC of the parts that speak DICOM or HTTP with the hospital's network.

Modalities and peers are reached over a VPN or Direct Connect into this VPC, so the DICOM
service and the functions that call modalities and peers (the API and the job steps) run in
its private subnets, with no public IP. S3 and DynamoDB are reached through gateway
endpoints (free, and the traffic of DICOM files stays off the NAT gateway, which is billed per
GB); the NAT gateway serves the other AWS APIs (Step Functions, ECR, CloudWatch Logs) and
peers on the internet. Public subnets exist only to hold the NAT gateways.

Without NAT gateways (``cirrus:natGateways`` 0) the private subnets are isolated: no internet
gateway, no public subnet, and the few other AWS APIs that run-time traffic from the VPC
needs are reached through interface endpoints (:data:`INTERFACE_ENDPOINTS`), each billed
per hour and zone, so only those are created.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.log_groups import log_group

# CDK's default range, written out so that rules naming it are plain values cdk-nag can check.
VPC_CIDR = "10.0.0.0/16"
_Service = ec2.InterfaceVpcEndpointAwsService
# What is called from inside the VPC besides S3 and DynamoDB. Not here: the functions' logs
# and X-Ray segments (the Lambda service ships them, and no code uses the X-Ray SDK), KMS
# (S3, DynamoDB and Secrets Manager call it for their encryption, the clients never do), and
# STS (credentials come from Lambda's environment and Fargate's task metadata endpoint).
INTERFACE_ENDPOINTS: dict[str, ec2.InterfaceVpcEndpointAwsService] = {
    # The Fargate tasks pull the DICOM service's image: ECR's API (authorization, manifest)
    # and its registry (the layers themselves come from S3, through the gateway endpoint).
    "EcrApi": _Service.ECR,
    "EcrDocker": _Service.ECR_DOCKER,
    # The tasks' awslogs driver (logs and the metrics embedded in them).
    "Logs": _Service.CLOUDWATCH_LOGS,
    # The API and the job steps start jobs (states:StartExecution).
    "StepFunctions": _Service.STEP_FUNCTIONS,
    # The API and the job steps read peers' passwords when they connect, and the API writes
    # those set through PUT /peers/{id} (chalicelib/storage/secrets.py).
    "SecretsManager": _Service.SECRETS_MANAGER,
}


class Network(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        max_azs: int,
        nat_gateways: int,
        key: kms.IKey,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        private = (
            ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED
        )
        subnets = [ec2.SubnetConfiguration(name="private", subnet_type=private, cidr_mask=20)]
        if nat_gateways:
            subnets.insert(
                0,
                ec2.SubnetConfiguration(
                    name="nat",
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=24,
                    map_public_ip_on_launch=False,
                ),
            )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            max_azs=max_azs,
            nat_gateways=nat_gateways,
            subnet_configuration=subnets,
            restrict_default_security_group=True,
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
                "DynamoDB": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
                ),
            },
        )
        # Who connected to what (HIPAA): the VPC's flow logs, encrypted with the data key.
        self.vpc.add_flow_log(
            "FlowLogs",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                log_group(self, "FlowLogGroup", key, log_retention)
            ),
        )
        self.private_subnets = ec2.SubnetSelection(subnet_type=private)
        if not nat_gateways:
            self._add_interface_endpoints()

    def _add_interface_endpoints(self) -> None:
        """The endpoints answer HTTPS from the VPC only, under the services' usual names
        (private DNS), so the SDKs and the ECS agent need no configuration."""
        security_group = ec2.SecurityGroup(
            self,
            "EndpointsSg",
            vpc=self.vpc,
            description="Cirrus interface endpoints: HTTPS from the VPC",
            allow_all_outbound=False,
        )
        security_group.add_ingress_rule(
            ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), "HTTPS from the VPC"
        )
        for name, service in INTERFACE_ENDPOINTS.items():
            self.vpc.add_interface_endpoint(
                name,
                service=service,
                subnets=self.private_subnets,
                security_groups=[security_group],
                private_dns_enabled=True,
                open=False,
            )
