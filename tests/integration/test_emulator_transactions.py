"""The local emulator's TransactWriteItems (local_stack.moto_transactions) behaves as moto's.

Each scenario runs once with moto's implementation and once with the replacement; the
answers, the table contents and the stream records must be the same.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from local_stack import moto_transactions
from tests.support.moto_tables import create_one_key_table

TABLE = "transactions"


def _put(pk: str, condition: str | None = None, **extra: Any) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": TABLE, "Item": {"pk": {"S": pk}, **extra}}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


SCENARIOS = {
    "all succeed": [[_put("a"), _put("b", "attribute_not_exists(pk)")]],
    "one condition fails": [
        [_put("a")],
        [_put("b", "attribute_not_exists(pk)"), _put("a", "attribute_not_exists(pk)")],
    ],
    "update and delete": [
        [_put("a", n={"N": "1"}), _put("b")],
        [
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": "a"}},
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "2"}},
                }
            },
            {
                "Delete": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": "b"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
    ],
    "same item twice": [[_put("a"), _put("a")]],
}


def _run(steps: list[list[dict[str, Any]]]) -> tuple[list[str], list[Any], list[str]]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_one_key_table(client, TABLE, stream_view="NEW_AND_OLD_IMAGES")
        outcomes = []
        for step in steps:
            try:
                client.transact_write_items(TransactItems=step)
                outcomes.append("ok")
            except client.exceptions.ClientError as error:
                reasons = error.response.get("CancellationReasons", [])
                codes = ",".join(r.get("Code", "") for r in reasons)
                outcomes.append(f"{error.response['Error']['Code']}:{codes}")
        items = sorted(client.scan(TableName=TABLE)["Items"], key=lambda i: i["pk"]["S"])
        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        events = [f"{r['eventName']}:{r['dynamodb']['Keys']['pk']['S']}" for r in records]
        return outcomes, items, events


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_behaviour_as_moto(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        DynamoDBBackend, "transact_write_items", moto_transactions.MOTO_TRANSACT_WRITE_ITEMS
    )
    expected = _run(SCENARIOS[name])
    monkeypatch.setattr(
        DynamoDBBackend, "transact_write_items", moto_transactions.transact_write_items
    )
    assert _run(SCENARIOS[name]) == expected
