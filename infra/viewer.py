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

The bucket, its reader role, the deployment and the S3 integrations are those every site of
the API has (``infra/static_sites.py``); here is what is the viewer's: the site built for the
stage's path, its policy (the hashes of OHIF's inline scripts), OHIF's client routes
(``viewer.site.APP_ROUTES``) as resources of their own answering index.html, so that deep
links work as they do locally, and the files stored gzipped (:func:`compress`): API Gateway
passes at most 10 MB from an integration, less than OHIF's bundle. ``cirrus:viewer`` false
leaves all of it out (nor does the synthesis then need the npm package).
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra.static_sites import BucketSite, api_stage
from viewer.site import APP_ROUTES, DIST_DIR, INDEX, build, content_security_policy

__all__ = ["PAYLOAD_LIMIT", "PREFIX", "ViewerSite", "api_stage", "compress"]

PREFIX = "ohif"
# What API Gateway passes from an integration to the client at most (its quota, fixed): the
# OHIF bundle (~17 MB) and its WebAssembly codecs (up to ~20 MB) pass once compressed.
PAYLOAD_LIMIT = 10 * 2**20


def compress(site: Path) -> None:
    """Replace every file of ``site`` with its gzip, stored with ``Content-Encoding: gzip``
    and passed through as is: API Gateway refuses an integration answer above
    :data:`PAYLOAD_LIMIT`, which OHIF's largest files are uncompressed. Every browser accepts
    gzip. The archive's bytes do not depend on the time (``mtime=0``), so the asset's hash,
    and with it the upload at deployment, changes only when the site does. Level 6 takes half
    the time of level 9 over OHIF's 173 MB (5 s against 11) for a site 0.7% larger."""
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        if len(data) > PAYLOAD_LIMIT:
            raise ValueError(
                f"{path.relative_to(site)} is {len(data)} bytes compressed, above API Gateway's "
                f"answer limit ({PAYLOAD_LIMIT} bytes): it cannot be served at /{PREFIX}/"
            )
        path.unlink()  # a hard link to the npm package: never write through it
        path.write_bytes(data)


class ViewerSite(BucketSite):
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
        if not (DIST_DIR / INDEX).is_file():
            raise FileNotFoundError(
                f"The viewer (cirrus:viewer) is published from OHIF's npm package, which is not "
                f"in {DIST_DIR}: run `make viewer`, or synthesize without it "
                "(-c cirrus:viewer=false)"
            )
        super().__init__(
            scope,
            construct_id,
            prefix=PREFIX,
            key=key,
            access_logs=access_logs,
            retain=retain,
            reader_description="API Gateway reads the viewer's files, nothing else",
        )
        self.authorizer = authorizer
        stage = api_stage()
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
            self.publish(
                [s3_deployment.Source.asset(str(site))],
                policy=policy,
                content_encoding="gzip",
            )
        self.add_paths(rest_api, self.paths())

    def paths(self) -> dict[str, Any]:
        """The swagger paths of the site: its files, and index.html for its root (API Gateway
        has no resource for a trailing slash: ``/api/ohif/`` is ``/api/ohif``) and for OHIF's
        routes."""
        index = self.get(f"{PREFIX}/{INDEX}", authorizer=self.authorizer)
        paths = {
            f"/{PREFIX}": {"get": index},
            f"/{PREFIX}/{{proxy+}}": {
                "get": self.get(f"{PREFIX}/{{proxy}}", proxy=True, authorizer=self.authorizer)
            },
        }
        for route in APP_ROUTES:
            paths[f"/{PREFIX}/{route}"] = {"get": index}
        return paths
