"""The DICOM service (``scp_container``) on ECS Fargate, behind a Network Load Balancer.

DICOM associations are long-lived TCP connections, which Lambda cannot accept: the service
runs as a container in the VPC's private subnets (no public IP) and modalities reach it
through an internal NLB on the DICOM port, over the site's VPN. The image is built from
``scp_container/Dockerfile`` at deployment (a CDK Docker asset: synthesis only copies the
build context, so it needs no Docker engine), or taken from a registry when ``image`` is a
URI.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.egress import restrict_egress
from infra.log_groups import log_group
from infra.settings import REPO_ROOT, Settings

CONFIG_PATH = "/tmp/cirrus-config.json"
WRITE_CONFIG_AND_START = (
    'printf "%s" "$CIRRUS_CONFIG_TEXT" > "$CIRRUS_CONFIG" && exec python -m scp_container'
)
# What the Dockerfile COPYs: nothing else of the repository enters the image, nor the
# fingerprint that decides when it is rebuilt.
BUILD_CONTEXT = ("requirements.txt", "chalicelib", "scp_container")


def image(settings: Settings) -> ecs.ContainerImage:
    if settings.scp_image != "asset":
        return ecs.ContainerImage.from_registry(settings.scp_image)
    return ecs.ContainerImage.from_asset(
        str(REPO_ROOT),
        file="scp_container/Dockerfile",
        exclude=["*", *(f"!{path}" for path in BUILD_CONTEXT), "**/__pycache__"],
    )


class DicomService(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        settings: Settings,
        environment: dict[str, str],
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        port = settings.dicom_port
        self.cluster = ecs.Cluster(
            self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED
        )
        task = ecs.FargateTaskDefinition(
            self,
            "Task",
            cpu=settings.scp_cpu,
            memory_limit_mib=settings.scp_memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.X86_64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        self.log_group = log_group(self, "Logs", key, settings.log_retention)
        # The image reads its configuration from a file (CIRRUS_CONFIG): the deployment's
        # Orthanc-style file travels in the task definition and is written out at start.
        task.add_container(
            "scp",
            image=image(settings),
            entry_point=["sh", "-c"],
            command=[WRITE_CONFIG_AND_START],
            environment={
                **environment,
                "CIRRUS_CONFIG": CONFIG_PATH,
                "CIRRUS_CONFIG_TEXT": settings.orthanc_config_text,
                "POWERTOOLS_SERVICE_NAME": "cirrus-scp",
            },
            port_mappings=[ecs.PortMapping(container_port=port, protocol=ecs.Protocol.TCP)],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="scp", log_group=self.log_group),
            stop_timeout=Duration.seconds(60),
        )
        self.task_role = task.task_role
        self.security_group = ec2.SecurityGroup(
            self,
            "ServiceSg",
            vpc=vpc,
            description="Cirrus DICOM service tasks",
            allow_all_outbound=False,
        )
        # Modalities (C-MOVE's and storage commitment's associations), the image, the logs.
        restrict_egress(self.security_group, settings)
        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=self.cluster,
            task_definition=task,
            desired_count=settings.scp_tasks,
            assign_public_ip=False,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            circuit_breaker=ecs.DeploymentCircuitBreaker(rollback=True),
            min_healthy_percent=100,
        )
        lb_security_group = ec2.SecurityGroup(
            self,
            "LoadBalancerSg",
            vpc=vpc,
            description="Cirrus DICOM load balancer",
            allow_all_outbound=False,
        )
        for cidr in settings.dicom_client_cidrs:
            # The tasks see the modality's own address (client IP preservation, which
            # DicomCheckModalityHost needs), so they admit the site's ranges too.
            for group in (lb_security_group, self.security_group):
                group.add_ingress_rule(
                    ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), "DICOM from the site's network"
                )
        lb_security_group.add_egress_rule(
            self.security_group, ec2.Port.tcp(port), "DICOM to the service tasks"
        )
        self.security_group.add_ingress_rule(
            lb_security_group, ec2.Port.tcp(port), "DICOM from the load balancer"
        )
        self.load_balancer = elbv2.NetworkLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            internet_facing=False,
            vpc_subnets=subnets,
            security_groups=[lb_security_group],
            cross_zone_enabled=True,
        )
        if settings.retain:
            self.load_balancer.set_attribute("deletion_protection.enabled", "true")
        listener = self.load_balancer.add_listener("Dicom", port=port)
        self.target_group = listener.add_targets(
            "Tasks",
            port=port,
            targets=[self.service],
            # Associations last minutes: let them finish when a task is replaced.
            deregistration_delay=Duration.seconds(120),
            health_check=elbv2.HealthCheck(
                protocol=elbv2.Protocol.TCP, interval=Duration.seconds(30)
            ),
            preserve_client_ip=True,
        )
