"""The CDK app builds the tables from the same schema the runtime uses."""

from __future__ import annotations

import pytest

from chalicelib.storage.schema import create_table_request, load_schema


@pytest.fixture(scope="module")
def template(synthesized):
    from aws_cdk.assertions import Template

    return Template.from_json(synthesized.template)


def _dicom_bucket(template) -> dict:
    [bucket] = [
        b for name, b in template.find_resources("AWS::S3::Bucket").items() if "dicom" in name
    ]
    return bucket


@pytest.mark.parametrize("logical", sorted(load_schema()["tables"]))
def test_tables_match_the_runtime_definition(template, logical: str) -> None:
    runtime = create_table_request(logical)
    tables = template.find_resources("AWS::DynamoDB::Table")
    assert len(tables) == len(load_schema()["tables"])
    [props] = [t["Properties"] for name, t in tables.items() if f"Table{logical}" in name]
    assert props["KeySchema"] == runtime["KeySchema"]
    assert sorted(props["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        runtime["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )
    if "StreamSpecification" in runtime:
        assert props["StreamSpecification"] == {
            "StreamViewType": runtime["StreamSpecification"]["StreamViewType"]
        }
    else:
        assert "StreamSpecification" not in props
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    cdk_indexes = {
        i["IndexName"]: (i["KeySchema"], i["Projection"])
        for i in props.get("GlobalSecondaryIndexes", [])
    }
    runtime_indexes = {
        i["IndexName"]: (i["KeySchema"], i["Projection"])
        for i in runtime.get("GlobalSecondaryIndexes", [])
    }
    assert cdk_indexes == runtime_indexes
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    ttl = load_schema()["tables"][logical].get("timeToLive")
    if ttl:
        assert props["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in props


def test_bucket_is_private_and_retained(template) -> None:
    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 4  # the DICOM files, the access logs, the viewer's, the console's
    bucket = _dicom_bucket(template)
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def test_browsers_may_only_put_presigned_uploads(template) -> None:
    """The console's large uploads: a cross-origin PUT from an API Gateway page of the
    region, nothing else (no GET, no other origin); the other buckets allow none."""
    [rule] = _dicom_bucket(template)["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["PUT"]
    assert rule["ExposedHeaders"] == ["ETag"]
    [origin] = rule["AllowedOrigins"]
    assert origin == {
        "Fn::Join": [
            "",
            ["https://*.execute-api.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}],
        ]
    }
    buckets = template.find_resources("AWS::S3::Bucket").values()
    assert sum("CorsConfiguration" in b["Properties"] for b in buckets) == 1


def test_transfer_prefixes_expire(template) -> None:
    """The objects of large transfers (docs/architecture.md, "Large bodies through S3")."""
    bucket = _dicom_bucket(template)
    rules = {r["Id"]: r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert rules["downloads"]["Prefix"] == "downloads/"
    assert rules["downloads"]["ExpirationInDays"] == 1
    assert rules["uploads"]["ExpirationInDays"] == 7
    assert rules["upload-answers"]["Prefix"] == "upload-answers/"
    assert rules["multipart"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
