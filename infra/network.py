"""The VPC of the parts that speak DICOM or HTTP with the hospital's network.

Modalities and peers are reached over a VPN or Direct Connect into this VPC, so the DICOM
service and the functions that call modalities and peers (the API and the job steps) run in
its private subnets, with no public IP. S3 and DynamoDB are reached through gateway
endpoints (free, and the traffic of DICOM files stays off the NAT gateway, which is billed per
GB); the NAT gateway serves the other AWS APIs (Step Functions, ECR, CloudWatch) and peers on
the internet. Public subnets exist only to hold the NAT gateways.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.log_groups import log_group


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
