"""The emulator's update expressions (local_stack.moto_updates) answer as moto's own.

Two checks: the validator's unpickled copy of a kept tree is the tree ``copy.deepcopy`` makes
(same node types, attributes and parent links, no object shared with the original), and a
sequence of updates (UpdateItem and TransactWriteItems, the same texts again with other
values, updates that fail validation, conditions or parsing) gives the same answers, items and
stream records with the patch as without it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.parsing import validators
from moto.dynamodb.parsing.ast_nodes import Node
from moto.dynamodb.parsing.expressions import UpdateExpressionParser

from local_stack import moto_updates
from tests.support.moto_tables import create_one_key_table

EXPRESSIONS = [
    "ADD Patients :p, Studies :st, Series :se, Instances :i, DiskSize :d",
    "SET LastUpdate = :t, #m.#k = if_not_exists(#m.#k, :z) REMOVE ustb",
    "SET l = list_append(l, :v), n = n + :one DELETE s :gone",
    "SET #a[1] = :x REMOVE #a[0], b",
    "ADD Labels :labels",
]

# (update expression, attribute names, values as plain Python, ReturnValues)
UPDATES: list[tuple[str, dict[str, str], dict[str, Any], str]] = [
    ("SET Meta = :empty", {}, {":empty": {}}, "NONE"),
    (EXPRESSIONS[0], {}, {":p": 1, ":st": 1, ":se": 1, ":i": 1, ":d": 9000}, "ALL_NEW"),
    (EXPRESSIONS[0], {}, {":p": 0, ":st": 0, ":se": 2, ":i": 5, ":d": -10}, "UPDATED_OLD"),
    # A nested path under a map that does not exist yet: refused.
    (EXPRESSIONS[1], {"#m": "Nothing", "#k": "Origin"}, {":t": "t", ":z": "z"}, "ALL_NEW"),
    (
        EXPRESSIONS[1],
        {"#m": "Meta", "#k": "Origin"},
        {":t": "20261207T220000", ":z": "RestApi"},
        "ALL_OLD",
    ),
    (EXPRESSIONS[1], {"#m": "Meta", "#k": "Origin"}, {":t": "later", ":z": "other"}, "ALL_NEW"),
    (EXPRESSIONS[1], {"#m": "Meta", "#k": "Origin"}, {":t": "again", ":z": "x"}, "UPDATED_NEW"),
    ("SET l = :list, n = :zero, s = :set", {}, {":list": [1], ":zero": 0, ":set": {"a", "b"}}, ""),
    (EXPRESSIONS[2], {}, {":v": ["two"], ":one": 1, ":gone": {"a"}}, "ALL_NEW"),
    (EXPRESSIONS[2], {}, {":v": [3, 4], ":one": 2, ":gone": {"b"}}, "UPDATED_NEW"),
    (EXPRESSIONS[3], {"#a": "l"}, {":x": "replaced"}, "ALL_NEW"),
    (EXPRESSIONS[4], {}, {":labels": {"red"}}, "ALL_NEW"),
    (EXPRESSIONS[4], {}, {":labels": {"blue", "red"}}, "UPDATED_NEW"),
    # Failures: ADD to a string, a placeholder not given, a syntax error.
    ("ADD LastUpdate :n", {}, {":n": 1}, "ALL_NEW"),
    (EXPRESSIONS[0], {}, {":p": 1}, "ALL_NEW"),
    ("SET = :x", {}, {":x": 1}, "ALL_NEW"),
    (EXPRESSIONS[0], {}, {":p": 1, ":st": 1, ":se": 1, ":i": 1, ":d": 1}, "ALL_NEW"),
]


@pytest.fixture
def unpatched_afterwards() -> Iterator[None]:
    """Leave the process's moto patched or not, as the test found it."""
    patched = validators.deepcopy is moto_updates.copy_for_validation
    try:
        yield
    finally:
        (moto_updates.install if patched else moto_updates.uninstall)()


def _shape(node: Any, copied: dict[int, Any]) -> Any:
    """A node's structure without object identities; records each node seen by id."""
    if isinstance(node, list):
        return [_shape(child, copied) for child in node]
    if not isinstance(node, Node):
        return repr(node)
    copied[id(node)] = node
    attributes = {
        name: _shape(value, copied) if name != "parent" else type(value).__name__
        for name, value in vars(node).items()
    }
    return type(node).__name__, attributes


def _parents_point_inside(root: Node) -> bool:
    """Every node's parent is the node whose children hold it (as in the original)."""
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children or []:
            if isinstance(child, Node):
                if child.parent is not node:
                    return False
                stack.append(child)
    return True


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_the_copy_is_deepcopys(expression: str, unpatched_afterwards: None) -> None:
    moto_updates.install()
    tree = UpdateExpressionParser.make(expression)
    assert UpdateExpressionParser.make(expression) is tree  # parsed once
    unpickled = moto_updates.copy_for_validation(tree)
    deep = copy.deepcopy(tree)
    original_ids: dict[int, Any] = {}
    unpickled_ids: dict[int, Any] = {}
    assert _shape(unpickled, unpickled_ids) == _shape(deep, {}) == _shape(tree, original_ids)
    assert not set(unpickled_ids) & set(original_ids)  # nothing shared with the kept tree
    assert _parents_point_inside(unpickled)
    # Anything else still goes through deepcopy.
    other = [tree]
    assert moto_updates.copy_for_validation(other)[0] is not tree


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    return {name: TypeSerializer().serialize(value) for name, value in values.items()}


def _answers() -> Iterator[Any]:
    """Each update's answer (or error), then the table and its stream records."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_one_key_table(client, stream_view="NEW_AND_OLD_IMAGES")
        key = {"pk": {"S": "item"}}
        for number, (expression, names, values, returned) in enumerate(UPDATES):
            request: dict[str, Any] = {"TableName": "t", "Key": key, "UpdateExpression": expression}
            if names:
                request["ExpressionAttributeNames"] = names
            if values:
                request["ExpressionAttributeValues"] = _plain(values)
            try:
                if number % 2:
                    yield client.transact_write_items(TransactItems=[{"Update": request}])
                else:
                    yield client.update_item(**request, ReturnValues=returned or "NONE")
            except ClientError as error:
                yield error.response["Error"], error.response.get("CancellationReasons")
        # A condition failing on the same text, with the item as it was.
        try:
            client.update_item(
                TableName="t",
                Key=key,
                UpdateExpression=EXPRESSIONS[4],
                ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeValues=_plain({":labels": {"green"}}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            yield error.response["Error"], error.response.get("Item")
        yield client.scan(TableName="t")["Items"]
        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        arn = client.describe_table(TableName="t")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator)["Records"]
        yield [
            (r["eventName"], r["dynamodb"].get("OldImage"), r["dynamodb"]["NewImage"])
            for r in records
        ]


def _without_metadata(answer: Any) -> Any:
    if isinstance(answer, dict):
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    return answer


def test_same_answers_as_moto(unpatched_afterwards: None) -> None:
    moto_updates.uninstall()
    expected = [_without_metadata(a) for a in _answers()]
    moto_updates.install()
    got = [_without_metadata(a) for a in _answers()]
    assert len(got) == len(expected) == len(UPDATES) + 3
    for number, (answer, want) in enumerate(zip(got, expected, strict=True)):
        assert answer == want, f"answer {number} differs"
    failures = [a for a in expected if isinstance(a, tuple)]
    assert len(failures) == 5  # the four refused updates and the failed condition
    assert len(expected[-1]) > 8  # the stream holds the successful updates


def test_refuses_an_unknown_moto(unpatched_afterwards: None) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("moto.__version__", "5.3.0")
        with pytest.raises(RuntimeError, match="moto 5.3.0 is installed"):
            moto_updates.install()
