"""Shard iterators expire as AWS's do (local_stack.moto_streams): moto alone kept every one it
handed out, a kilobyte per poll of the change feed, in memory and in each snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local_stack import moto_streams
from tests.support.moto_tables import create_one_key_table


@pytest.fixture
def stream() -> Iterator[tuple[Any, Any, str, str]]:
    moto_streams.install()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_one_key_table(dynamodb, stream_view="NEW_IMAGE")
        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        arn = dynamodb.describe_table(TableName="t")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        yield dynamodb, streams, arn, shard["ShardId"]


def _iterators() -> dict[str, Any]:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    return dynamodbstreams_backends["123456789012"]["us-east-1"].shard_iterators


def test_iterators_expire_after_15_minutes(stream: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    dynamodb, streams, arn, shard = stream
    now = [1_000_000.0]
    monkeypatch.setattr(moto_streams.time, "time", lambda: now[0])
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    for number in range(50):  # the change feed's polls: each answer is a new iterator
        dynamodb.put_item(TableName="t", Item={"pk": {"S": str(number)}})
        iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
    first_poll = len(_iterators())
    assert first_poll == 51

    now[0] += moto_streams.ITERATOR_LIFETIME - 1  # still valid, as on AWS
    answer = streams.get_records(ShardIterator=iterator)
    assert answer["Records"] == []
    now[0] += 2  # all but the last answer's iterator are now older than 15 minutes
    answer = streams.get_records(ShardIterator=answer["NextShardIterator"])
    assert len(_iterators()) == 2  # the one just used and the one it returned

    now[0] += moto_streams.ITERATOR_LIFETIME + 1
    with pytest.raises(ClientError) as raised:
        streams.get_records(ShardIterator=answer["NextShardIterator"])
    assert raised.value.response["Error"]["Code"] == "ExpiredIteratorException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert _iterators() == {}
