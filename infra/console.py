"""The web console on AWS: its site in a private bucket, served by the API itself at
``/ui/app/`` (``/api/ui/app/``: Orthanc Explorer 2's address under the stage).

The site is built at synthesis by ``console.site.build`` and published as every site of the
API is (``infra/static_sites.py``): its own bucket, a ``BucketDeployment``, GETs answered by
API Gateway from S3 with the site's strict Content-Security-Policy. Unlike the viewer's, these
GETs have **no authorizer**: the files are the console's code and hold no patient data, and
the console must load to show its sign-in page (a Cognito user has no Basic credentials a
browser challenge could ask for). Every API route stays behind the authorizer; the console
sends the credentials its users sign in with (``console/src/auth.js``).

``config.json`` tells the console how users sign in. On AWS it holds values known at
deployment only (the user pool domain's URL, the app client's ID, the API's URL), so it is
not written by the build but by the ``BucketDeployment`` itself (``Source.json_data``, which
resolves them). The policy lets the console reach the Cognito domain (the token exchange)
when the hosted sign-in is on, and the DICOM bucket (the presigned uploads of files larger
than the API carries, ``/cirrus/uploads``). The site's files are small: they are stored as
they are, not gzipped as the viewer's. ``cirrus:console`` false leaves all of it out.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from console import site
from infra.static_sites import BucketSite, api_stage

# The site's key prefix in its bucket, and its path on the API (under the stage).
PREFIX = site.SITE_PATH.strip("/")


def console_url(rest_api: cdk.CfnResource) -> str:
    """The console's URL on the API's own address (what the hosted sign-in sends users back
    to): ``https://<api id>.execute-api.<region>.<suffix>/<stage>/ui/app/``."""
    return (
        f"https://{rest_api.ref}.execute-api.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}"
        f"/{api_stage()}/{PREFIX}/"
    )


def console_config(sign_in: dict[str, str] | None, url: str) -> dict[str, Any]:
    """``config.json``: the hosted sign-in (the pool domain's URL, the client's ID, the URL it
    sends users back to), or none (Basic users only)."""
    cognito = None if sign_in is None else {**sign_in, "RedirectUri": url}
    return site.site_config({"Cognito": cognito})


def upload_origins(bucket: s3.IBucket) -> str:
    """The origins of the bucket's presigned URLs, as boto3 writes them: regional, or (older
    botocore, us-east-1) global."""
    name, suffix = bucket.bucket_name, cdk.Aws.URL_SUFFIX
    return f"https://{name}.s3.{cdk.Aws.REGION}.{suffix} https://{name}.s3.{suffix}"


class ConsoleSite(BucketSite):
    """The console's bucket, its content, and the API's open ``/ui/app`` paths (added to
    ``rest_api``'s swagger document)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        rest_api: cdk.CfnResource,
        sign_in: dict[str, str] | None,
        upload_bucket: s3.IBucket,
        key: kms.IKey,
        access_logs: s3.IBucket,
        retain: bool,
    ) -> None:
        if not site.ESBUILD.is_file():
            raise FileNotFoundError(
                f"The console (cirrus:console) is built with esbuild from npm, which is not in "
                f"{site.ESBUILD.parent}: run `make console`, or synthesize without it "
                "(-c cirrus:console=false)"
            )
        super().__init__(
            scope,
            construct_id,
            prefix=PREFIX,
            key=key,
            access_logs=access_logs,
            retain=retain,
            reader_description="API Gateway reads the console's files, nothing else",
        )
        self.config = console_config(sign_in, console_url(rest_api))
        policy = site.content_security_policy(
            sign_in["Domain"] if sign_in else "", upload_origin=upload_origins(upload_bucket)
        )
        outdir = Path(cdk.Stage.of(self).outdir).resolve()
        outdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="console-site-", dir=outdir) as building:
            built = site.build(Path(building) / "site")
            # Written at deployment instead, with the values known then.
            (built / site.CONFIG).unlink()
            self.publish(
                [
                    s3_deployment.Source.asset(str(built)),
                    s3_deployment.Source.json_data(site.CONFIG, self.config),
                ],
                policy=policy,
            )
        self.add_paths(rest_api, self.paths())

    def paths(self) -> dict[str, Any]:
        """The swagger paths of the site, without authorizer: index.html for its root (API
        Gateway has no resource for a trailing slash: ``/api/ui/app/`` is ``/api/ui/app``),
        and its files. Explicit resources win over the API's greedy ``/{proxy+}``."""
        return {
            f"/{PREFIX}": {"get": self.get(f"{PREFIX}/{site.INDEX}", authorizer=None)},
            f"/{PREFIX}/{{proxy+}}": {
                "get": self.get(f"{PREFIX}/{{proxy}}", proxy=True, authorizer=None)
            },
        }
