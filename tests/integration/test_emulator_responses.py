"""The emulator's DynamoDB and DynamoDB Streams answers (local_stack.moto_responses) are what
moto's own serializer writes, and the requests it reads are what moto's own parser reads.

Every DynamoDB (and Streams) answer of these tests is serialized twice, by moto's generic
serializer and by the fast path, and the two bodies must decode to the same JSON; every
DynamoDB request is parsed twice, by moto's model-driven parser and by the fast path, and the two
parameter dictionaries must be equal (and the fast paths must be taken where they apply, so
that the comparisons compare something). The requests
are Cirrus's own, through the app, and a table holding every attribute type through every
data-plane operation, and that table's stream read back.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.responses import ActionResult, BaseResponse
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

from local_stack import moto_responses
from tests.integration.helpers import get, upload
from tests.support.dicom_factory import make_instance


@dataclass
class Comparison:
    """What the two serializations gave, per operation."""

    fast: Counter[str] = field(default_factory=Counter)
    generic_only: Counter[str] = field(default_factory=Counter)
    differences: list[str] = field(default_factory=list)
    # The same for requests' parameters.
    requests_fast: Counter[str] = field(default_factory=Counter)
    requests_generic_only: Counter[str] = field(default_factory=Counter)


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[Comparison]:
    moto_responses.install()
    comparison = Comparison()

    def serialized(self: BaseResponse, action_result: ActionResult) -> Any:
        operation = self._get_action()
        status, headers, body = BaseResponse.serialized(self, action_result)
        fast = moto_responses.fast_body(operation, action_result, self.service_name)
        if fast is None:
            comparison.generic_only[operation] += 1
            return status, headers, body
        comparison.fast[operation] += 1
        expected_headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
        if json.loads(fast) != json.loads(body) or status != 200 or headers != expected_headers:
            comparison.differences.append(f"{operation}: {fast} != {body} ({status}, {headers})")
        return status, headers, body

    def parse_parameters(self: BaseResponse, request: Any) -> None:
        BaseResponse.parse_parameters(self, request)  # moto's own, which the handler then reads
        operation = self._get_action()
        fast = moto_responses.fast_params(operation, request.data)
        if fast is None:
            comparison.requests_generic_only[operation] += 1
            return
        comparison.requests_fast[operation] += 1
        if fast != self.params:
            comparison.differences.append(f"{operation} request: {fast} != {self.params}")

    monkeypatch.setattr(DynamoHandler, "serialized", serialized)
    monkeypatch.setattr(DynamoDBStreamsHandler, "serialized", serialized)
    monkeypatch.setattr(DynamoHandler, "parse_parameters", parse_parameters)
    yield comparison


def test_cirrus_requests(client: Any, compared: Comparison) -> None:
    study = "1.2.3.4"
    for number in range(3):
        upload(client, make_instance(study_uid=study, series_uid=f"1.2.3.4.{number % 2}"))
    upload(client, make_instance(patient_id="PAT2", StudyDescription="Other"))
    studies = get(client, "/studies")
    get(client, "/patients?expand")
    get(client, f"/studies/{studies[0]}/instances")
    found = client.http.post(
        "/tools/find",
        body=json.dumps({"Level": "Study", "Query": {"PatientID": "PAT*"}, "Expand": True}),
        headers={"Content-Type": "application/json"},
    )
    assert found.status_code == 200
    assert client.http.put(f"/studies/{studies[0]}/labels/reviewed", body=b"").status_code == 200
    get(client, "/changes?limit=100")
    get(client, "/statistics")
    assert client.http.delete(f"/studies/{studies[-1]}").status_code == 200

    assert compared.differences == []
    # The operations of an upload, a search and a deletion all took the fast paths.
    assert {"BatchGetItem", "Query", "TransactWriteItems"} <= set(compared.fast)
    assert {"BatchGetItem", "Query", "TransactWriteItems"} <= set(compared.requests_fast)


ITEM = {
    "pk": {"S": "a"},
    "sk": {"N": "1"},
    "text": {"S": 'é ünïcode " \\ \n'},
    "number": {"N": "-12.5e3"},
    "flag": {"BOOL": False},
    "none": {"NULL": True},
    "strings": {"SS": ["x", "y"]},
    "numbers": {"NS": ["1", "2.5"]},
    "entries": {"L": [{"S": "v"}, {"N": "3"}, {"M": {"deep": {"L": []}}}]},
    "map": {"M": {"k": {"S": "v"}, "empty": {"M": {}}}},
}
BINARY = {"blob": {"B": b"\x00\x01binary"}, "blobs": {"BS": [b"a", b"b"]}}


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byG",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield dynamodb


def test_every_attribute_type_and_operation(table: Any, compared: Comparison) -> None:
    total = {"ReturnConsumedCapacity": "TOTAL"}
    indexes = {"ReturnConsumedCapacity": "INDEXES"}
    table.put_item(TableName="t", Item=ITEM, **total)
    table.put_item(TableName="t", Item={**ITEM, "sk": {"N": "2"}, "g": {"S": "x"}, **BINARY})
    table.put_item(TableName="t", Item={**ITEM, "sk": {"N": "3"}}, ReturnValues="ALL_OLD")
    table.put_item(TableName="t", Item={**ITEM, "sk": {"N": "3"}}, ReturnValues="ALL_OLD")
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    table.get_item(TableName="t", Key=key, **total)
    table.get_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"N": "2"}})
    table.get_item(TableName="t", Key={"pk": {"S": "missing"}, "sk": {"N": "1"}})
    table.get_item(TableName="t", Key=key, ProjectionExpression="#t, map.k", **_names("t", "text"))
    for returned in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "NONE"):
        table.update_item(
            TableName="t",
            Key=key,
            UpdateExpression="ADD #n :one SET entries[0] = :v",
            ExpressionAttributeValues={":one": {"N": "1"}, ":v": {"S": "w"}},
            ReturnValues=returned,
            **_names("n", "counter"),
            **indexes,
        )
    pages = {"TableName": "t", "KeyConditionExpression": "pk = :a", "Limit": 1}
    values = {"ExpressionAttributeValues": {":a": {"S": "a"}}}
    first = table.query(**pages, **values, **indexes)
    table.query(**pages, **values, ExclusiveStartKey=first["LastEvaluatedKey"])
    table.query(TableName="t", KeyConditionExpression="pk = :a", Select="COUNT", **values)
    table.query(TableName="t", IndexName="byG", KeyConditionExpression="g = :x", **_x())
    table.scan(TableName="t", Limit=2, **total)
    table.scan(
        TableName="t", FilterExpression="flag = :f", ProjectionExpression="pk, sk", **_false()
    )
    table.batch_get_item(
        RequestItems={"t": {"Keys": [key, {"pk": {"S": "a"}, "sk": {"N": "9"}}]}}, **total
    )
    table.batch_write_item(
        RequestItems={"t": [{"PutRequest": {"Item": {**ITEM, "sk": {"N": "4"}}}}]}, **total
    )
    table.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": key}}], **total)
    table.transact_write_items(
        TransactItems=[{"Put": {"TableName": "t", "Item": {**ITEM, "sk": {"N": "5"}}}}], **total
    )
    table.delete_item(TableName="t", Key=key, ReturnValues="ALL_OLD", **total)
    table.delete_item(TableName="t", Key=key, ReturnValues="ALL_OLD")

    assert compared.differences == []
    assert set(compared.fast) == moto_responses.FAST_OPERATIONS
    assert set(compared.requests_fast) == moto_responses.FAST_OPERATIONS
    # Binary attributes are left to moto's serializer, which base64-encodes them, and to its
    # parser, which decodes them.
    assert compared.generic_only["GetItem"] >= 1
    assert compared.generic_only["Scan"] >= 1
    assert compared.requests_generic_only["PutItem"] == 1


def test_stream_records(table: Any, compared: Comparison) -> None:
    """GetRecords, as the change feed reads it: every kind of record, their timestamps, pages,
    an empty page, and records holding binary attributes (left to the generic serializer)."""
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    table.put_item(TableName="t", Item=ITEM)
    table.update_item(
        TableName="t",
        Key=key,
        UpdateExpression="SET #n = :v",
        ExpressionAttributeNames={"#n": "counter"},
        ExpressionAttributeValues={":v": {"N": "7"}},
    )
    table.delete_item(TableName="t", Key=key)
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    arn = table.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    events = []
    while True:
        answer = streams.get_records(ShardIterator=iterator, Limit=2)
        if not answer["Records"]:
            break
        events += [record["eventName"] for record in answer["Records"]]
        iterator = answer["NextShardIterator"]
    table.put_item(TableName="t", Item={**ITEM, **BINARY})
    binary = streams.get_records(ShardIterator=iterator)["Records"]

    assert events == ["INSERT", "MODIFY", "REMOVE"]
    assert binary[0]["dynamodb"]["NewImage"]["blob"] == {"B": b"\x00\x01binary"}
    assert compared.differences == []
    assert compared.fast["GetRecords"] == 3  # two pages of records and the empty one
    assert compared.generic_only["GetRecords"] == 1


def _names(placeholder: str, name: str) -> dict[str, Any]:
    return {"ExpressionAttributeNames": {f"#{placeholder}": name}}


def _x() -> dict[str, Any]:
    return {"ExpressionAttributeValues": {":x": {"S": "x"}}}


def _false() -> dict[str, Any]:
    return {"ExpressionAttributeValues": {":f": {"BOOL": False}}}
