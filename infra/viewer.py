"""The OHIF Viewer on AWS: its site in a private bucket, served by the API itself at ``/ohif/``.

The site (``viewer/site.py``, built at synthesis from npm's ``@ohif/app`` for the stage's
path, ``/api/ohif/``, with a data source at ``/api/dicom-web``) is copied to the bucket by a
``BucketDeployment``. The REST API answers ``GET /ohif/...`` with an S3 integration (API
Gateway reads the object with a role that may read that prefix only), never calling the
function: the site is ~170 MB and a Lambda answer is limited to 6 MB. The methods require
the API's authorizer (``infra/chalice_app.py``), so the viewer and the DICOMweb requests it
sends are behind the same credentials: a browser without them gets the API's 401 with
Orthanc's ``WWW-Authenticate: Basic`` challenge, prompts for a user of the users' secret,
and sends the same credentials to ``/api/dicom-web`` (same origin, same realm). CloudFront
was not chosen: it would need the authorizer's logic again at the edge (Lambda@Edge) for the
same result.

The answers carry the same Content-Security-Policy as locally (``local_stack/static_site.py``):
API Gateway's static header values cannot hold the policy's single quotes, so it is stored
as each object's metadata and mapped from S3's ``x-amz-meta-csp``. OHIF's client routes
(``viewer.site.APP_ROUTES``) are resources of their own answering index.html, so that deep
links work as they do locally. The files are stored gzipped (:func:`compress`): API Gateway
passes at most 10 MB from an integration, less than OHIF's bundle.

The bucket is kept as the data buckets are (the stack's key, versioning, server access logs
to the stack's log bucket); the deployment's function is CDK's (its acknowledgments are in
``infra/nag.py``). ``cirrus:viewer`` false leaves all of it out (nor does the synthesis then
need the npm package).
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct, IConstruct

from viewer.site import APP_ROUTES, DIST_DIR, INDEX, build, content_security_policy

REPO_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "ohif"
# What the answers forward from S3's: the type and encoding BucketDeployment stored, and the
# policy.
_HEADERS = {
    "Content-Type": "integration.response.header.Content-Type",
    "Content-Encoding": "integration.response.header.Content-Encoding",
    "Content-Security-Policy": "integration.response.header.x-amz-meta-csp",
    "X-Content-Type-Options": "'nosniff'",
    "Cache-Control": "'no-cache'",
}
# What API Gateway passes from an integration to the client at most (its quota, fixed): the
# OHIF bundle (~17 MB) and its WebAssembly codecs (up to ~20 MB) pass once compressed.
PAYLOAD_LIMIT = 10 * 2**20
# The node id CDK gives the stack-level function of every BucketDeployment (a singleton).
_DEPLOYMENT_FUNCTION = "Custom::CDKBucketDeployment"


def api_stage() -> str:
    """The REST API's stage, the first segment of its URLs (Chalice's ``api_gateway_stage``,
    ``api`` unless the project's config names another)."""
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    return str(config.get("api_gateway_stage", "api"))


def compress(site: Path) -> None:
    """Replace every file of ``site`` with its gzip, stored with ``Content-Encoding: gzip``
    and passed through as is: API Gateway refuses an integration answer above
    :data:`PAYLOAD_LIMIT`, which OHIF's largest files are uncompressed. Every browser accepts
    gzip. The archive's bytes do not depend on the time (``mtime=0``), so the asset's hash,
    and with it the upload at deployment, changes only when the site does."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = gzip.compress(path.read_bytes(), mtime=0)
        if len(data) > PAYLOAD_LIMIT:
            raise ValueError(
                f"{path.relative_to(site)} is {len(data)} bytes compressed, above API Gateway's "
                f"answer limit ({PAYLOAD_LIMIT} bytes): it cannot be served at /{PREFIX}/"
            )
        path.unlink()  # a hard link to the npm package: never write through it
        path.write_bytes(data)


class ViewerSite(Construct):
    """The bucket, its content, and the API's ``/ohif`` paths (added to ``rest_api``'s
    swagger document, each requiring ``authorizer``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        rest_api: cdk.CfnResource,
        authorizer: str,
        key: kms.IKey,
        access_logs: s3.IBucket,
        retain: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        if not (DIST_DIR / INDEX).is_file():
            raise FileNotFoundError(
                f"The viewer (cirrus:viewer) is published from OHIF's npm package, which is not "
                f"in {DIST_DIR}: run `make viewer`, or synthesize without it "
                "(-c cirrus:viewer=false)"
            )
        self.authorizer = authorizer
        stage = api_stage()
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
            server_access_logs_prefix=f"{PREFIX}/",
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
        # Built beside the synthesized templates (its unchanged files are hard links to the
        # package), staged once into the cloud assembly by the asset, then dropped.
        outdir = Path(cdk.Stage.of(self).outdir).resolve()
        outdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="viewer-site-", dir=outdir) as building:
            site = build(
                Path(building) / "site",
                site_path=f"/{stage}/{PREFIX}/",
                server_root=f"/{stage}",
                dist=DIST_DIR,
            )
            policy = content_security_policy((site / INDEX).read_text(encoding="utf-8"))
            compress(site)
            self.deployment = s3_deployment.BucketDeployment(
                self,
                "Upload",
                sources=[s3_deployment.Source.asset(str(site))],
                destination_bucket=self.bucket,
                destination_key_prefix=f"{PREFIX}/",
                metadata={"csp": policy},
                content_encoding="gzip",
                memory_limit=1024,
            )
        self.content_security_policy = policy
        self.role = iam.Role(
            self,
            "Reader",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway reads the viewer's files, nothing else",
        )
        # GetObject only: without ListBucket a missing file reads as 403, answered 404.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects(f"{PREFIX}/*")],
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
        for path, operations in self.paths().items():
            rest_api.add_property_override(f"DefinitionBody.paths.{path}", operations)

    @property
    def deployment_function(self) -> IConstruct:
        """CDK's function that copies the site (one per stack, at the stack's root)."""
        stack = cdk.Stack.of(self)
        return next(
            child for child in stack.node.children if child.node.id.startswith(_DEPLOYMENT_FUNCTION)
        )

    def paths(self) -> dict[str, Any]:
        """The swagger paths of the site: its files, and index.html for its root (API Gateway
        has no resource for a trailing slash: ``/api/ohif/`` is ``/api/ohif``) and for OHIF's
        routes."""
        paths = {
            f"/{PREFIX}": {"get": self._get(f"{PREFIX}/{INDEX}")},
            f"/{PREFIX}/{{proxy+}}": {"get": self._get(f"{PREFIX}/{{proxy}}", proxy=True)},
        }
        for route in APP_ROUTES:
            paths[f"/{PREFIX}/{route}"] = {"get": self._get(f"{PREFIX}/{INDEX}")}
        return paths

    def _get(self, key: str, proxy: bool = False) -> dict[str, Any]:
        """A GET reading ``key`` from the bucket, behind the API's authorizer; S3's 403 and
        404 (a missing key reads as 403 without ListBucket) answer 404."""
        headers = {f"method.response.header.{name}": value for name, value in _HEADERS.items()}
        declared = {name: {"type": "string"} for name in _HEADERS}
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
            "security": [{self.authorizer: []}],
            "x-amazon-apigateway-integration": integration,
        }
        if proxy:
            integration["requestParameters"] = {
                "integration.request.path.proxy": "method.request.path.proxy"
            }
            operation["parameters"] = [
                {"name": "proxy", "in": "path", "required": True, "type": "string"}
            ]
        return operation
