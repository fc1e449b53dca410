"""The local emulator's partition-narrowed Query (local_stack.moto_indexes) answers as moto's.

One seeded random sequence of writes (PutItem, DeleteItem, UpdateItem moving items between
index partitions and in and out of sparse indexes, TransactWriteItems, BatchWriteItem, some
with failing conditions) runs twice over Cirrus's own tables (``ensure_storage``): once with
moto's functions, once with the patch. Every write's outcome, every Query (all pages, every
kind of key condition, filter, projection, order, limit, COUNT, on the table and on each
index) and the final Scans must be the same in both runs. The patch keeps each item's index
projection between writes (``local_stack.moto_projections``); the workload updates, replaces
and deletes items after Queries have projected them, and a run with that cache never
invalidated must differ (so the comparison would catch a stale projection).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from chalicelib.storage.schema import ensure_storage, load_schema, table_name
from local_stack import moto_indexes, moto_projections, moto_transactions

QUERY_EVERY = 15
PKS = [f"p{i}" for i in range(12)]
SKS = ["a", "a#1", "a#2", "b", "b#1", "c"]
INDEX_VALUES = {
    "lvl": ["patient", "study", "series"],
    "uid": ["u1", "u2", "u3", "u4"],
    "acc": ["x", "y"],
    "sdate": ["20150101", "20180606", "20180607", "20240101"],
    "ustb": ["1"],
    "rcy": ["r"],
    "rpos": ["0001", "0002", "0010"],
}
RANGE_OPERATORS = ["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]

Json = dict[str, Any]
Client = Any


def _s(value: str) -> Json:
    return {"S": value}


class Workload:
    """A seeded random sequence of requests on Cirrus's index, logs and commitments tables."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.index = table_name("index")
        self.logs = table_name("logs")
        self.commitments = table_name("commitments")

    def _index_key(self) -> Json:
        return {"pk": _s(self.rng.choice(PKS)), "sk": _s(self.rng.choice(SKS))}

    def _key(self) -> tuple[str, Json]:
        choice = self.rng.random()
        if choice < 0.7:
            return self.index, self._index_key()
        if choice < 0.85:
            return self.logs, {
                "pk": _s(self.rng.choice(PKS[:3])),
                "sk": {"N": str(self.rng.randint(-5, 30))},
            }
        return self.commitments, {"pk": _s(self.rng.choice(PKS))}

    def _item(self) -> tuple[str, Json]:
        table, item = self._key()
        if table == self.index:
            for name, values in INDEX_VALUES.items():
                if self.rng.random() < 0.5:
                    item[name] = _s(self.rng.choice(values))
        item["n"] = {"N": str(self.rng.randint(0, 9))}
        if self.rng.random() < 0.3:
            item["body"] = _s("z" * self.rng.randint(0, 300))
        return table, item

    def _update(self, table: str, key: Json) -> Json:
        request: Json = {"TableName": table, "Key": key}
        names = list(INDEX_VALUES) if table == self.index else []
        chosen = self.rng.sample(names, k=min(len(names), self.rng.randint(0, 3)))
        sets, removes, values = ["n = :n"], [], {":n": {"N": str(self.rng.randint(0, 9))}}
        for i, name in enumerate(chosen):
            if self.rng.random() < 0.3:
                removes.append(name)
            else:
                sets.append(f"{name} = :v{i}")
                values[f":v{i}"] = _s(self.rng.choice(INDEX_VALUES[name]))
        expression = "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        request |= {"UpdateExpression": expression, "ExpressionAttributeValues": values}
        if self.rng.random() < 0.2:
            request["ConditionExpression"] = "attribute_exists(pk)"
        return request

    def write(self) -> tuple[str, Json]:
        """One write request: (operation, arguments)."""
        kind = self.rng.choices(
            ["put", "delete", "update", "transact", "batch"], weights=[5, 2, 5, 2, 1]
        )[0]
        if kind == "put":
            table, item = self._item()
            request = {"TableName": table, "Item": item}
            if self.rng.random() < 0.2:
                request["ConditionExpression"] = "attribute_not_exists(pk)"
            return "put_item", request
        if kind == "delete":
            table, key = self._key()
            request = {"TableName": table, "Key": key}
            if self.rng.random() < 0.2:
                request["ConditionExpression"] = "n < :five"
                request["ExpressionAttributeValues"] = {":five": {"N": "5"}}
            return "delete_item", request
        if kind == "update":
            return "update_item", self._update(*self._key())
        if kind == "transact":
            actions, seen = [], set()
            for _ in range(self.rng.randint(1, 4)):
                table, item = self._item()
                key = {k: item[k] for k in ("pk", "sk") if k in item}
                if repr((table, key)) in seen:
                    continue
                seen.add(repr((table, key)))
                action = self.rng.choice(["Put", "Update", "Delete", "ConditionCheck"])
                if action == "Put":
                    actions.append({"Put": {"TableName": table, "Item": item}})
                elif action == "Update":
                    actions.append({"Update": self._update(table, key)})
                elif action == "Delete":
                    actions.append({"Delete": {"TableName": table, "Key": key}})
                else:
                    condition = self.rng.choice(
                        ["attribute_exists(pk)", "attribute_not_exists(pk)"]
                    )
                    check = {"TableName": table, "Key": key, "ConditionExpression": condition}
                    actions.append({"ConditionCheck": check})
            return "transact_write_items", {"TransactItems": actions}
        requests, seen = [], set()
        for _ in range(self.rng.randint(1, 25)):
            _, item = self._item()
            table = self.index
            item = {**item, "sk": _s(self.rng.choice(SKS))}
            key = {"pk": item["pk"], "sk": item["sk"]}
            if repr(key) in seen:
                continue
            seen.add(repr(key))
            if self.rng.random() < 0.3:
                requests.append({"DeleteRequest": {"Key": key}})
            else:
                requests.append({"PutRequest": {"Item": item}})
        return "batch_write_item", {"RequestItems": {table: requests}}

    def _range(self, name: str, values: list[Json]) -> tuple[str, Json]:
        numeric = "N" in values[0]  # begins_with applies to strings only
        operator = self.rng.choice(RANGE_OPERATORS[:-1] if numeric else RANGE_OPERATORS)
        first, second = sorted(self.rng.sample(values, 2), key=lambda v: next(iter(v.values())))
        if numeric:
            first, second = sorted([first, second], key=lambda v: int(v["N"]))
        if operator == "BETWEEN":
            return "#r BETWEEN :r1 AND :r2", {":r1": first, ":r2": second}
        if operator == "begins_with":
            return "begins_with(#r, :r1)", {":r1": _s(first["S"][:1])}
        return f"#r {operator} :r1", {":r1": first}

    def query(self) -> Json:
        """One Query request, on the tables or one of their indexes."""
        choice = self.rng.random()
        names: dict[str, str] = {"#h": "pk"}
        if choice < 0.35:
            request: Json = {"TableName": self.index}
            values, range_name = {":h": _s(self.rng.choice(PKS))}, "sk"
            range_values = [_s(v) for v in SKS]
        elif choice < 0.45:
            request = {"TableName": self.logs}
            values, range_name = {":h": _s(self.rng.choice(PKS[:3]))}, "sk"
            range_values = [{"N": str(n)} for n in range(-6, 32, 3)]
        elif choice < 0.5:
            request = {"TableName": self.commitments}
            values, range_name, range_values = {":h": _s(self.rng.choice(PKS))}, None, []
        else:
            spec = self.rng.choice(load_schema()["tables"]["index"]["globalSecondaryIndexes"])
            hash_name, range_name = spec["partitionKey"]["name"], spec["sortKey"]["name"]
            request = {"TableName": self.index, "IndexName": spec["name"]}
            names = {"#h": hash_name}
            values = {":h": _s(self.rng.choice(INDEX_VALUES[hash_name]))}
            range_values = [_s(v) for v in INDEX_VALUES.get(range_name, PKS)]
        condition = "#h = :h"
        if range_name is not None and self.rng.random() < 0.6:
            names["#r"] = range_name
            expression, more = self._range(range_name, range_values)
            condition += " AND " + expression
            values |= more
        if self.rng.random() < 0.3:
            names["#n"] = "n"
            request["FilterExpression"] = "#n >= :low"
            values[":low"] = {"N": str(self.rng.randint(0, 9))}
        if "IndexName" not in request:
            if self.rng.random() < 0.2:
                request["ProjectionExpression"] = "pk, n"
            elif self.rng.random() < 0.2:
                request["Select"] = "COUNT"
            request["ConsistentRead"] = self.rng.random() < 0.5
        elif self.rng.random() < 0.2:
            request["Select"] = "COUNT"
        if self.rng.random() < 0.5:
            request["Limit"] = self.rng.randint(1, 5)
        request["ScanIndexForward"] = self.rng.random() < 0.5
        used = {n for n in names if n in condition or n in request.get("FilterExpression", "")}
        request |= {
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {n: names[n] for n in used},
            "ExpressionAttributeValues": values,
        }
        return request


def _answer(call: Callable[..., Json], request: Json) -> Any:
    """The response without its metadata, or the error code and message."""
    try:
        response = call(**request)
    except ClientError as error:
        return ("error", error.response["Error"], error.response.get("CancellationReasons"))
    response.pop("ResponseMetadata", None)
    return response


def _all_pages(client: Client, request: Json) -> list[Any]:
    """Every page of a Query, following LastEvaluatedKey."""
    pages: list[Any] = []
    while True:
        page = _answer(client.query, request)
        pages.append(page)
        if not isinstance(page, dict) or "LastEvaluatedKey" not in page or len(pages) > 50:
            return pages
        request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}


def _run(seed: int, operations: int) -> Iterator[Any]:
    """The answers to the seeded workload, one by one."""
    workload = Workload(seed)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        ensure_storage(client, boto3.client("s3", region_name="us-east-1"))
        for number in range(operations):
            operation, request = workload.write()
            yield operation, _answer(getattr(client, operation), request)
            if number % QUERY_EVERY == 0:
                for _ in range(8):
                    request = workload.query()
                    yield request, _all_pages(client, request)
        for table in (workload.index, workload.logs, workload.commitments):
            yield table, client.scan(TableName=table)["Items"]


@pytest.fixture
def restore_patch() -> Iterator[None]:
    """Leave the process's moto as the test found it (patched or not)."""
    patched = Table.query is not moto_indexes.MOTO_QUERY
    transactions = DynamoDBBackend.transact_write_items
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = transactions  # type: ignore[method-assign]
        (moto_indexes.install if patched else moto_indexes.uninstall)()


@pytest.mark.parametrize(
    ("transactions", "operations"),
    [
        (moto_transactions.transact_write_items, 2000),
        # moto's own copies the whole table (and its stream) per action: slow, so shorter.
        (moto_transactions.MOTO_TRANSACT_WRITE_ITEMS, 400),
    ],
    ids=["local-transactions", "moto-transactions"],
)
def test_same_answers_as_moto(
    transactions: Callable[..., None],
    operations: int,
    monkeypatch: pytest.MonkeyPatch,
    restore_patch: None,
) -> None:
    monkeypatch.setenv("CIRRUS_RESOURCE_PREFIX", "queries")
    DynamoDBBackend.transact_write_items = transactions  # type: ignore[method-assign]
    moto_indexes.uninstall()
    expected = list(_run(22, operations))
    moto_indexes.install()
    for number, (got, want) in enumerate(zip(_run(22, operations), expected, strict=True)):
        assert got == want, f"answer {number} differs"
    queries = [a for a in expected if isinstance(a[0], dict)]
    answered = [q for q in queries if any(isinstance(p, dict) and p["Count"] for p in q[1])]
    assert len(queries) > operations // 3 and len(answered) > len(queries) // 3  # it finds


def test_a_stale_projection_would_be_caught(
    monkeypatch: pytest.MonkeyPatch, restore_patch: None
) -> None:
    # The same comparison, shorter, with projections kept past the writes that change them.
    monkeypatch.setenv("CIRRUS_RESOURCE_PREFIX", "queries")
    moto_indexes.uninstall()
    expected = list(_run(22, 300))
    moto_indexes.install()
    monkeypatch.setattr(moto_projections.ItemCache, "forget", lambda self, key: None)
    got = list(_run(22, 300))
    assert got != expected


def test_refuses_an_unknown_moto(restore_patch: None) -> None:
    # The version is restored before restore_patch installs the patch again.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("moto.__version__", "5.3.0")
        with pytest.raises(RuntimeError, match="moto 5.3.0 is installed"):
            moto_indexes.install()
