"""A snapshot of the emulator's state (``local_stack.snapshot``) loads back to the same state.

The snapshot is written the way the emulator writes it, from a moto filled through boto3, then
loaded into a fresh moto (``mock_aws`` starts each block empty): the table items, the stream's
records and sequence numbers, and the S3 objects must be those written, and the items must
still be checked against DynamoDB's size limit although the load skips the check.
"""

from __future__ import annotations

import gc
import hashlib
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local_stack import moto_indexes
from local_stack.snapshot import BODIES_NAME, STATE_NAME, dump_state, load_state

TABLE = "snapshot"
BUCKET = "snapshot-bucket"
REGION = "us-east-1"
COVERED = 7
# An attribute this large twice is more than DynamoDB's 400 KB per item.
HALF_AN_ITEM = "x" * 250_000


def _clients() -> tuple[Any, Any, Any]:
    return (
        boto3.client("dynamodb", region_name=REGION),
        boto3.client("dynamodbstreams", region_name=REGION),
        boto3.client("s3", region_name=REGION),
    )


def _fill(dynamodb: Any, s3: Any) -> None:
    """Items of every attribute type, changed and deleted (stream records of each kind), and
    S3 objects, two of them with the same body (one file in the body store)."""
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for number in range(20):
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "pk": {"S": f"study-{number % 3}"},
                "sk": {"S": f"{number:04d}"},
                "n": {"N": str(number)},
                "tags": {"M": {"Modality": {"S": "CT"}, "Frames": {"L": [{"N": "1"}]}}},
                "labels": {"SS": ["a", f"b{number}"]},
                "raw": {"B": bytes([number]) * 3},
                "flag": {"BOOL": number % 2 == 0},
            },
        )
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "study-0"}, "sk": {"S": "0000"}},
        UpdateExpression="SET big = :big ADD n :one",
        ExpressionAttributeValues={":big": {"S": HALF_AN_ITEM}, ":one": {"N": "1"}},
    )
    dynamodb.delete_item(TableName=TABLE, Key={"pk": {"S": "study-1"}, "sk": {"S": "0001"}})
    s3.create_bucket(Bucket=BUCKET)
    for name, body in (("a", b"same"), ("b", b"same"), ("c", b"other" * 10_000)):
        s3.put_object(Bucket=BUCKET, Key=name, Body=body)


def _observe(dynamodb: Any, streams: Any, s3: Any) -> dict[str, Any]:
    """What a client sees of the state: items, stream records, objects."""
    items = dynamodb.scan(TableName=TABLE)["Items"]
    arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    objects = {
        entry["Key"]: s3.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read()
        for entry in s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    }
    return {
        "items": sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"])),
        "records": [
            (record["eventName"], record["dynamodb"]["SequenceNumber"], record["dynamodb"])
            for record in records
        ],
        "objects": objects,
    }


@pytest.fixture
def indexed_queries() -> Any:
    """The emulator's Query patch, as the emulator runs moto."""
    moto_indexes.install()
    yield
    moto_indexes.uninstall()


@pytest.mark.usefixtures("indexed_queries")
def test_a_snapshot_loads_back_to_the_same_state(tmp_path: Path) -> None:
    state, bodies = tmp_path / STATE_NAME, tmp_path / BODIES_NAME
    with mock_aws():
        dynamodb, streams, s3 = _clients()
        _fill(dynamodb, s3)
        # A Query builds the partitions the Query patch keeps on the table.
        dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "study-2"}},
        )
        before = _observe(dynamodb, streams, s3)
        dump_state(state, bodies, COVERED)
    assert sorted(path.name for path in bodies.iterdir()) == sorted(
        hashlib.sha256(body).hexdigest() for body in (b"same", b"other" * 10_000)
    )

    with mock_aws():
        dynamodb, streams, s3 = _clients()
        assert dynamodb.list_tables()["TableNames"] == []
        frozen = gc.get_freeze_count()
        assert load_state(state, bodies) == COVERED
        # The loaded objects are left out of the collector's scans, which go on.
        assert gc.get_freeze_count() > frozen
        assert gc.isenabled()
        gc.unfreeze()
        assert _observe(dynamodb, streams, s3) == before
        answer = dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk AND sk > :sk",
            ExpressionAttributeValues={":pk": {"S": "study-2"}, ":sk": {"S": "0005"}},
        )
        assert [item["sk"]["S"] for item in answer["Items"]] == ["0008", "0011", "0014", "0017"]
        # The loaded item is still refused an attribute that takes it past 400 KB.
        with pytest.raises(ClientError, match="exceeded the maximum allowed size"):
            dynamodb.update_item(
                TableName=TABLE,
                Key={"pk": {"S": "study-0"}, "sk": {"S": "0000"}},
                UpdateExpression="SET extra = :big",
                ExpressionAttributeValues={":big": {"S": HALF_AN_ITEM}},
            )
