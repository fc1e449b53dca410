"""Accepted cdk-nag findings (AwsSolutions, HIPAA Security), each with its reason.

cdk-nag v3 matches a granular finding (``AwsSolutions-IAM5[Resource::...]``) only by its
exact id, on the resource or one of its ancestors; the ids that name a resource are built
from the logical ids of this stack, so an acknowledgment cannot silently cover a new grant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import Validations
from constructs import IConstruct

from infra.egress import lookup_handler
from infra.functions import METADATA_DOCUMENTS

if TYPE_CHECKING:
    from infra.app import CirrusStack
    from infra.static_sites import BucketSite

GRANT_ACTIONS = (
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "s3:GetObject*",
    "s3:GetBucket*",
    "s3:List*",
    "s3:DeleteObject*",
    "s3:Abort*",
)
GRANTS = (
    "CDK's table, bucket and key grants: wildcards cover the indexes of a granted table, the "
    "objects of the one bucket and the variants of each granted action (e.g. GetObject and "
    "GetObjectVersion), on resources of this stack only."
)


def _ack(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def _arn(stack: cdk.Stack, construct: IConstruct) -> str:
    return f"<{stack.get_logical_id(construct.node.default_child)}.Arn>"  # type: ignore[arg-type]


def suppress(stack: CirrusStack) -> None:
    """Attach the acknowledgments to the constructs they concern."""
    storage, functions, scp, auth = stack.storage, stack.functions, stack.scp, stack.auth
    granted = [functions, scp.task_role]
    for scope in granted:
        for action in GRANT_ACTIONS:
            _ack(scope, f"AwsSolutions-IAM5[Action::{action}]", GRANTS)
        for table in storage.tables.values():
            _ack(scope, f"AwsSolutions-IAM5[Resource::{_arn(stack, table)}/index/*]", GRANTS)
        for bucket in storage.buckets.values():
            _ack(scope, f"AwsSolutions-IAM5[Resource::{_arn(stack, bucket)}/*]", GRANTS)
    dicom = _arn(stack, storage.buckets["dicom"])
    _ack(
        functions,
        f"AwsSolutions-IAM5[Resource::{dicom}/{METADATA_DOCUMENTS}*]",
        "The DICOMweb metadata documents, one per series, named by the series' ID: the "
        "stream and the stability check may touch these objects only, not the DICOM files.",
    )
    _ack(
        stack,
        "AwsSolutions-IAM5[Resource::*]",
        "X-Ray's PutTraceSegments and the ENI actions of functions in a VPC accept no "
        "resource but *; CDK's handlers (bucket notifications) need the same.",
    )
    _ack(
        stack.jobs,
        # Chalice's construct keeps the logical ids of chalice package's template.
        "AwsSolutions-IAM5[Resource::<JobStep.Arn>:*]",
        "Invoking the job-step function's versions and aliases, as CDK grants.",
    )
    _ack(
        stack,
        "HIPAA.Security-IAMNoInlinePolicy",
        "Each role's policy is generated from the grants of the one role it belongs to; it is "
        "inline so that it cannot be attached to another principal.",
    )
    basic_execution = (
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AWSLambdaBasicExecutionRole]"
    )
    _ack(stack, basic_execution, "Writing its own logs only (the authorizer, CDK's handlers).")
    _ack(
        auth,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
        "AmazonAPIGatewayPushToCloudWatchLogs]",
        "The role API Gateway uses to write the access logs; AWS maintains its actions.",
    )
    rotation = (
        "The users' passwords are configured in the Orthanc clients that use them: they are "
        "rotated by the operator with those clients (docs/deploy.md), not automatically."
    )
    _ack(auth.users, "AwsSolutions-SMG4", rotation)
    _ack(auth.users, "HIPAA.Security-SecretsManagerRotationEnabled", rotation)
    peer_rotation = (
        "Peers' passwords are set on the peers, Orthanc servers of other sites: they change "
        "when a peer's administrator changes them, and are put here then, not rotated here."
    )
    _ack(functions.configuration_secret, "AwsSolutions-SMG4", peer_rotation)
    _ack(
        functions.configuration_secret,
        "HIPAA.Security-SecretsManagerRotationEnabled",
        peer_rotation,
    )
    _ack(
        functions,
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:"
        f"<AWS::AccountId>:secret:{functions.peer_secrets_prefix}*]",
        "The secrets of the peers written through the API are created at run time, one per "
        "peer, under this stack's prefix: only they match.",
    )
    _ack(
        auth.function,
        "HIPAA.Security-LambdaDLQ",
        "API Gateway calls the authorizer synchronously: there is no event to park.",
    )
    _ack(
        auth.function,
        "HIPAA.Security-LambdaInsideVPC",
        "The authorizer only reads its secret from Secrets Manager and the user pool's public "
        "keys from Cognito's HTTPS address; it has no reason to be in the VPC, where it would "
        "need interface endpoints or the NAT gateway.",
    )
    _ack(
        functions.dead_letters,
        "AwsSolutions-SQS3",
        "This queue is the dead-letter queue of the functions' events.",
    )
    _ack(
        scp,
        "AwsSolutions-ECS2",
        "The Orthanc-style configuration file is passed in the environment (the image reads a "
        "file); users' and peers' passwords are not in it (Secrets Manager holds them).",
    )
    no_nlb_logs = (
        "A Network Load Balancer writes access logs for TLS listeners only; DICOM is plain TCP "
        "here (or TLS ended by the service itself), and the VPC flow logs record connections."
    )
    _ack(scp.load_balancer, "AwsSolutions-ELB2", no_nlb_logs)
    _ack(scp.load_balancer, "HIPAA.Security-ELBLoggingEnabled", no_nlb_logs)
    _ack(
        scp.load_balancer,
        "HIPAA.Security-ELBv2ACMCertificateRequired",
        "DICOM TLS, when enabled (DicomTlsEnabled), is ended by the DICOM service with the "
        "certificate of the configuration, as Orthanc does; the listener passes TCP through.",
    )
    if not stack.settings.retain:
        _ack(
            scp.load_balancer,
            "HIPAA.Security-ELBDeletionProtectionEnabled",
            "A throw-away deployment (cirrus:removalPolicy destroy).",
        )
    _ack(
        storage,
        "HIPAA.Security-DynamoDBInBackupPlan",
        "Point-in-time recovery (35 days) and deletion protection are on for every table; an "
        "AWS Backup plan is the account's choice (docs/deploy.md).",
    )
    _ack(
        storage,
        "HIPAA.Security-S3BucketReplicationEnabled",
        "Versioning is on; replication to another region is the site's choice of region and "
        "cost (docs/deploy.md).",
    )
    _ack(
        storage.access_logs,
        "HIPAA.Security-S3DefaultEncryptionKMS",
        "S3 server access logs can only be delivered to a bucket encrypted with SSE-S3.",
    )
    lookups = lookup_handler(stack)
    if lookups is not None:
        for rule in ("LambdaConcurrency", "LambdaDLQ", "LambdaInsideVPC"):
            _ack(
                lookups,
                f"HIPAA.Security-{rule}",
                "CDK's function that looks up the gateway endpoints' prefix lists for the "
                "security groups (infra/egress.py), called by CloudFormation only: it reads "
                "nothing of the data, and in the isolated VPC it could not reach the EC2 API.",
            )
    _ack(
        stack.network,
        "HIPAA.Security-VPCNoUnrestrictedRouteToIGW",
        "Only the public subnets that hold the NAT gateways route to the internet gateway; "
        "nothing of Cirrus runs in them.",
    )
    sites = {
        "The viewer's site, rebuilt from OHIF's npm package": stack.viewer,
        "The console's site, rebuilt from console/ and its locked npm packages": stack.console,
    }
    for what, site in sites.items():
        if site is not None:
            _suppress_site(stack, site, what)


def _suppress_site(stack: CirrusStack, site: BucketSite, what: str) -> None:
    """A site's bucket and reader role (infra/static_sites.py), and CDK's BucketDeployment
    function that copies the sites into their buckets."""
    _ack(
        site.bucket,
        "HIPAA.Security-S3BucketReplicationEnabled",
        f"{what} at each deployment: a copy in another region would hold nothing the "
        "sources do not.",
    )
    _ack(
        site.role,
        f"AwsSolutions-IAM5[Resource::{_arn(stack, site.bucket)}/{site.prefix}/*]",
        f"API Gateway reads any file of the site (the path /{site.prefix}/{{proxy+}}): "
        "GetObject only, in the site's prefix of its own bucket.",
    )
    copier = site.deployment_function
    for action in GRANT_ACTIONS:
        _ack(copier, f"AwsSolutions-IAM5[Action::{action}]", GRANTS)
    _ack(copier, f"AwsSolutions-IAM5[Resource::{_arn(stack, site.bucket)}/*]", GRANTS)
    qualifier = (
        stack.synthesizer.bootstrap_qualifier or cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER
    )
    _ack(
        copier,
        f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-"
        "<AWS::AccountId>-<AWS::Region>/*]",
        "CDK's BucketDeployment reads the site's archive from the bootstrap's asset bucket, "
        "whose objects CDK names by their hash.",
    )
    machinery = (
        "CDK's BucketDeployment function, called by CloudFormation only, when a deployment "
        "changes the site: it copies the site from CDK's asset bucket (no patient data), and "
        "its runtime and settings are CDK's."
    )
    for rule in (
        "AwsSolutions-L1",
        "HIPAA.Security-LambdaConcurrency",
        "HIPAA.Security-LambdaDLQ",
        "HIPAA.Security-LambdaInsideVPC",
    ):
        _ack(copier, rule, machinery)
