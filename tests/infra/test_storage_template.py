"""The CDK app builds the tables from the same schema the runtime uses."""

from __future__ import annotations

import pytest

from chalicelib.storage.schema import create_table_request


@pytest.fixture(scope="module")
def template():
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra.app import CirrusStack

    app = cdk.App()
    return Template.from_stack(CirrusStack(app, "Test"))


def test_index_table_matches_the_runtime_definition(template) -> None:
    runtime = create_table_request("index")
    tables = template.find_resources("AWS::DynamoDB::Table")
    assert len(tables) == 1
    props = next(iter(tables.values()))["Properties"]
    assert props["KeySchema"] == runtime["KeySchema"]
    assert sorted(props["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        runtime["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )
    assert props["StreamSpecification"] == {
        "StreamViewType": runtime["StreamSpecification"]["StreamViewType"]
    }
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    cdk_indexes = {
        i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in props["GlobalSecondaryIndexes"]
    }
    runtime_indexes = {
        i["IndexName"]: (i["KeySchema"], i["Projection"]) for i in runtime["GlobalSecondaryIndexes"]
    }
    assert cdk_indexes == runtime_indexes
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_bucket_is_private_and_retained(template) -> None:
    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 1
    bucket = next(iter(buckets.values()))
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
