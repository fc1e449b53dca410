"""The OHIF Viewer as the CDK app publishes it (infra/viewer.py): files of a private bucket
answered by API Gateway behind the API's authorizer, read by a role that can read nothing
else, with the site's Content-Security-Policy.

One synthesis here builds the site from the real npm package (the other tests' syntheses
use a stand-in, tests/infra/conftest.py); its ~170 MB cloud assembly is removed afterwards.
"""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from infra.chalice_app import ANY_METHOD, AUTHORIZER
from infra.viewer import PAYLOAD_LIMIT, PREFIX, ViewerSite, api_stage
from tests.infra.conftest import Synthesized, synthesize
from viewer.site import APP_ROUTES, INDEX, content_security_policy

SITE_PATHS = {f"/{PREFIX}", f"/{PREFIX}/{{proxy+}}", *(f"/{PREFIX}/{r}" for r in APP_ROUTES)}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    root = tmp_path_factory.mktemp("cdk-viewer")
    yield synthesize(root, real_viewer=True)
    shutil.rmtree(root, ignore_errors=True)


def _integrations(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    paths = synthesized.api_paths()
    return {path: paths[path]["get"]["x-amazon-apigateway-integration"] for path in SITE_PATHS}


def test_the_site_and_ohif_routes_are_get_methods_of_the_api(published) -> None:
    paths = published.api_paths()
    assert set(paths) >= SITE_PATHS
    assert all(list(paths[path]) == ["get"] for path in SITE_PATHS)
    integrations = _integrations(published)
    # The site's root and every OHIF route answer index.html, so that deep links load.
    for path in SITE_PATHS - {f"/{PREFIX}/{{proxy+}}"}:
        assert integrations[path]["uri"]["Fn::Join"][1][-1] == f"/{PREFIX}/{INDEX}"
    proxy = integrations[f"/{PREFIX}/{{proxy+}}"]
    assert proxy["uri"]["Fn::Join"][1][-1] == f"/{PREFIX}/{{proxy}}"
    assert proxy["requestParameters"] == {
        "integration.request.path.proxy": "method.request.path.proxy"
    }


def test_each_method_requires_the_authorizer_of_the_greedy_proxy(published) -> None:
    paths = published.api_paths()
    security = paths["/{proxy+}"][ANY_METHOD]["security"]
    assert security == [{AUTHORIZER: []}]
    assert all(paths[path]["get"]["security"] == security for path in SITE_PATHS)


def test_api_gateway_reads_the_site_bucket_with_its_own_role(published) -> None:
    bucket, _ = published.one("AWS::S3::Bucket", "ViewerFiles")
    role, _ = published.one("AWS::IAM::Role", "ViewerReader")
    for integration in _integrations(published).values():
        assert (integration["type"], integration["httpMethod"]) == ("aws", "GET")
        assert integration["credentials"] == {"Fn::GetAtt": [role, "Arn"]}
        assert {"Ref": bucket} in integration["uri"]["Fn::Join"][1]
        assert ":s3:path/" in integration["uri"]["Fn::Join"][1]
        # A missing file (403 without ListBucket) answers 404, not S3's error.
        assert integration["responses"]["4\\d{2}"] == {"statusCode": "404"}


def test_the_reader_role_can_only_get_the_site_files(published) -> None:
    bucket, _ = published.one("AWS::S3::Bucket", "ViewerFiles")
    key, _ = published.one("AWS::KMS::Key", "DataKey")
    role, props = published.one("AWS::IAM::Role", "ViewerReader")
    [statement] = props["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert "ManagedPolicyArns" not in props and "Policies" not in props
    statements = [
        s
        for policy in published.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    objects = {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, f"/{PREFIX}/*"]]}
    assert statements == [
        {"Action": "s3:GetObject", "Effect": "Allow", "Resource": objects},
        {
            "Action": "kms:Decrypt",
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": {
                        "Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]
                    }
                }
            },
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [key, "Arn"]},
        },
    ]


def test_the_bucket_is_private_encrypted_versioned_and_logged(published) -> None:
    bucket, props = published.one("AWS::S3::Bucket", "ViewerFiles")
    key, _ = published.one("AWS::KMS::Key", "DataKey")
    logs, _ = published.one("AWS::S3::Bucket", "AccessLogs")
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {
        "KMSMasterKeyID": {"Fn::GetAtt": [key, "Arn"]},
        "SSEAlgorithm": "aws:kms",
    }
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": logs},
        "LogFilePrefix": f"{PREFIX}/",
    }
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in published.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    # The bucket's own policy only refuses plain HTTP: nobody is granted anything there.
    [statement] = policy
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_site_is_built_for_the_stage_and_its_policy_reaches_the_answers(published) -> None:
    bucket, _ = published.one("AWS::S3::Bucket", "ViewerFiles")
    [upload] = [
        r["Properties"]
        for r in published.resources("Custom::CDKBucketDeployment").values()
        if r["Properties"]["DestinationBucketName"] == {"Ref": bucket}
    ]
    assert upload["DestinationBucketName"] == {"Ref": bucket}
    assert upload["DestinationBucketKeyPrefix"] == f"{PREFIX}/"
    [archive] = upload["SourceObjectKeys"]
    site = published.template_path.parent / f"asset.{archive.removesuffix('.zip')}"
    # Every file gzipped, each below API Gateway's limit, and stored as such.
    files = [path for path in site.rglob("*") if path.is_file()]
    assert all(path.read_bytes()[:2] == b"\x1f\x8b" for path in files)
    assert max(path.stat().st_size for path in files) <= PAYLOAD_LIMIT
    assert upload["SystemMetadata"]["content-encoding"] == "gzip"
    index = gzip.decompress((site / INDEX).read_bytes()).decode("utf-8")
    stage = api_stage()
    assert f'window.PUBLIC_URL="/{stage}/{PREFIX}/"' in index
    assert (
        f"'/{stage}/dicom-web'" in gzip.decompress((site / "app-config.js").read_bytes()).decode()
    )
    # The policy of the staged index.html (its inline scripts' hashes), as S3 metadata...
    assert upload["UserMetadata"] == {"csp": content_security_policy(index)}
    # ... that every answer forwards.
    paths = published.api_paths()
    for path in SITE_PATHS:
        answer = paths[path]["get"]["x-amazon-apigateway-integration"]["responses"]["default"]
        headers = answer["responseParameters"]
        assert headers["method.response.header.Content-Security-Policy"] == (
            "integration.response.header.x-amz-meta-csp"
        )
        assert headers["method.response.header.Content-Encoding"] == (
            "integration.response.header.Content-Encoding"
        )
        declared = paths[path]["get"]["responses"]["200"]["headers"]
        assert {"Content-Security-Policy", "Content-Encoding"} <= set(declared)


def test_without_the_viewer_the_package_is_not_needed(tmp_path: Path) -> None:
    # The real package's place, made empty: cirrus:viewer false must not look there.
    with mock.patch("infra.viewer.DIST_DIR", tmp_path / "no-package"):
        synthesized = synthesize(tmp_path, {"cirrus:viewer": "false"}, real_viewer=True)
    assert not any(path.startswith(f"/{PREFIX}") for path in synthesized.api_paths())
    assert not [
        r
        for r in synthesized.resources("Custom::CDKBucketDeployment").values()
        if r["Properties"]["DestinationBucketKeyPrefix"] == f"{PREFIX}/"
    ]


def test_a_missing_package_says_how_to_install_it(tmp_path: Path) -> None:
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "cdk.out")), "Bare")
    api = cdk.CfnResource(stack, "Api", type="AWS::Serverless::Api")
    with (
        mock.patch("infra.viewer.DIST_DIR", tmp_path / "no-package"),
        pytest.raises(FileNotFoundError, match="run `make viewer`"),
    ):
        ViewerSite(
            stack,
            "Viewer",
            rest_api=api,
            authorizer=AUTHORIZER,
            key=kms.Key(stack, "Key"),
            access_logs=s3.Bucket(stack, "Logs"),
            retain=False,
        )


def test_files_are_gzipped_and_one_api_gateway_cannot_pass_stops_the_synthesis(
    tmp_path: Path,
) -> None:
    from infra.viewer import compress

    fine, huge = tmp_path / "fine", tmp_path / "huge"
    (fine / "assets").mkdir(parents=True)
    (fine / "assets" / "app.js").write_text("x" * PAYLOAD_LIMIT)  # compresses well
    compress(fine)
    assert gzip.decompress((fine / "assets" / "app.js").read_bytes()) == b"x" * PAYLOAD_LIMIT
    huge.mkdir()
    (huge / "codec.wasm").write_bytes(os.urandom(PAYLOAD_LIMIT))  # does not
    with pytest.raises(ValueError, match="codec.wasm"):
        compress(huge)
