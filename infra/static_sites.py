"""What the OHIF Viewer and the console share on AWS: a built site in a private bucket,
answered by API Gateway itself.

A site's files are copied to their own bucket by a ``BucketDeployment`` under a prefix (the
site's path on the API); the REST API answers ``GET`` on the site's paths with an S3
integration, reading the objects with a role that may read that prefix only, never calling
the function (a Lambda answer is limited to 6 MB). Each site has its own bucket rather than
a prefix of a shared one: the sites are turned on and off independently (``cirrus:viewer``,
``cirrus:console``), and a bucket, its reader role and its deployment then come and go
together.

The answers carry the site's Content-Security-Policy, as locally
(``local_stack/static_site.py``): API Gateway's static header values cannot hold the
policy's single quotes, so it is stored as each object's metadata and mapped from S3's
``x-amz-meta-csp``. The bucket is kept as the data buckets are (the stack's key, versioning,
server access logs to the stack's log bucket); the deployment's function is CDK's (its
acknowledgments are in ``infra/nag.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct, IConstruct

REPO_ROOT = Path(__file__).resolve().parent.parent
# What the answers forward from S3's: the type and encoding BucketDeployment stored, and the
# policy.
HEADERS = {
    "Content-Type": "integration.response.header.Content-Type",
    "Content-Encoding": "integration.response.header.Content-Encoding",
    "Content-Security-Policy": "integration.response.header.x-amz-meta-csp",
    "X-Content-Type-Options": "'nosniff'",
    "Cache-Control": "'no-cache'",
}
# The memory of the function that copies the sites (MB).
DEPLOYMENT_MEMORY_MB = 1024
# The node id CDK gives the stack-level function of every BucketDeployment (a singleton).
_DEPLOYMENT_FUNCTION = "Custom::CDKBucketDeployment"


def api_stage() -> str:
    """The REST API's stage, the first segment of its URLs (Chalice's ``api_gateway_stage``,
    ``api`` unless the project's config names another)."""
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    return str(config.get("api_gateway_stage", "api"))


class BucketSite(Construct):
    """A site's bucket (``Files``) and the role API Gateway reads it with (``Reader``), for
    the objects under ``prefix`` (``<prefix>/...``). A subclass publishes the files
    (:meth:`publish`) and adds its paths to the API (:meth:`add_paths`, :meth:`get`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        prefix: str,
        key: kms.IKey,
        access_logs: s3.IBucket,
        retain: bool,
        reader_description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.prefix = prefix
        stack = cdk.Stack.of(self)
        self.bucket = s3.Bucket(
            self,
            "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix=f"{prefix}/",
            removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
            # Each deployment replaces the site (BucketDeployment prunes the old files): the
            # versions it replaced are of no use.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="noncurrent",
                    noncurrent_version_expiration=cdk.Duration.days(1),
                    expired_object_delete_marker=True,
                )
            ],
        )
        self.role = iam.Role(
            self,
            "Reader",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description=reader_description,
        )
        # GetObject only: without ListBucket a missing file reads as 403, answered 404.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects(f"{prefix}/*")],
            )
        )
        # The files are encrypted with the stack's key: decrypting them, through S3 only.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{stack.region}.amazonaws.com"}},
            )
        )

    def publish(
        self,
        sources: list[s3_deployment.ISource],
        *,
        policy: str,
        **options: Any,
    ) -> s3_deployment.BucketDeployment:
        """Copy ``sources`` under the prefix, each object carrying ``policy`` as its
        ``csp`` metadata (``options``: BucketDeployment's others, e.g. content_encoding)."""
        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Upload",
            sources=sources,
            destination_bucket=self.bucket,
            destination_key_prefix=f"{self.prefix}/",
            metadata={"csp": policy},
            # The same for every site, so that they share CDK's one function (its node id
            # names the memory): enough to unpack OHIF's archive.
            memory_limit=DEPLOYMENT_MEMORY_MB,
            **options,
        )
        self.content_security_policy = policy
        return self.deployment

    @property
    def deployment_function(self) -> IConstruct:
        """CDK's function that copies the sites (one per stack, at the stack's root)."""
        stack = cdk.Stack.of(self)
        return next(
            child for child in stack.node.children if child.node.id.startswith(_DEPLOYMENT_FUNCTION)
        )

    @staticmethod
    def add_paths(rest_api: cdk.CfnResource, paths: dict[str, Any]) -> None:
        """Add ``paths`` (swagger path: operations) to the API's swagger document."""
        for path, operations in paths.items():
            rest_api.add_property_override(f"DefinitionBody.paths.{path}", operations)

    def get(self, key: str, *, proxy: bool = False, authorizer: str | None) -> dict[str, Any]:
        """A GET reading ``key`` from the bucket (``{proxy}`` in it standing for the path's
        greedy parameter when ``proxy``), behind ``authorizer`` (None: open); S3's 403 and
        404 (a missing key reads as 403 without ListBucket) answer 404."""
        headers = {f"method.response.header.{name}": value for name, value in HEADERS.items()}
        declared = {name: {"type": "string"} for name in HEADERS}
        integration: dict[str, Any] = {
            "type": "aws",
            "httpMethod": "GET",
            "uri": f"arn:{cdk.Aws.PARTITION}:apigateway:{cdk.Aws.REGION}:s3:path/"
            f"{self.bucket.bucket_name}/{key}",
            "credentials": self.role.role_arn,
            "passthroughBehavior": "when_no_match",
            "responses": {
                "default": {"statusCode": "200", "responseParameters": headers},
                "4\\d{2}": {"statusCode": "404"},
            },
        }
        operation: dict[str, Any] = {
            "produces": ["*/*"],
            "responses": {
                "200": {"description": "The file", "headers": declared},
                "404": {"description": "No such file"},
            },
            "x-amazon-apigateway-integration": integration,
        }
        if authorizer is not None:
            operation["security"] = [{authorizer: []}]
        if proxy:
            integration["requestParameters"] = {
                "integration.request.path.proxy": "method.request.path.proxy"
            }
            operation["parameters"] = [
                {"name": "proxy", "in": "path", "required": True, "type": "string"}
            ]
        return operation
