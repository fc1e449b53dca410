"""Names and creation of the tables and buckets described in ``schema.json``.

The JSON file is the single source of truth shared with the CDK app (which reads it without
importing runtime code). Here it serves two purposes: telling the adapters which physical names
to use (from environment variables, set by CDK on AWS and by the local stack locally) and
creating the resources in moto for the local stack and the tests.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")
DEFAULT_PREFIX = "cirrus"


@cache
def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _physical_name(kind: str, logical: str) -> str:
    """``CIRRUS_TABLE_INDEX`` (set by CDK) wins; otherwise ``<prefix>-<logical>``."""
    explicit = os.environ.get(f"CIRRUS_{kind}_{logical.upper()}")
    if explicit:
        return explicit
    return f"{os.environ.get('CIRRUS_RESOURCE_PREFIX', DEFAULT_PREFIX)}-{logical}"


def table_name(logical: str) -> str:
    return _physical_name("TABLE", logical)


def bucket_name(logical: str) -> str:
    return _physical_name("BUCKET", logical)


def _key_schema(spec: dict[str, Any]) -> list[dict[str, str]]:
    keys = [{"AttributeName": spec["partitionKey"]["name"], "KeyType": "HASH"}]
    if "sortKey" in spec:
        keys.append({"AttributeName": spec["sortKey"]["name"], "KeyType": "RANGE"})
    return keys


def create_table_request(logical: str) -> dict[str, Any]:
    """The ``CreateTable`` arguments for a table of the schema (on-demand billing)."""
    spec = load_schema()["tables"][logical]
    attributes: dict[str, str] = {}
    for key_spec in [spec, *spec.get("globalSecondaryIndexes", [])]:
        for role in ("partitionKey", "sortKey"):
            if role in key_spec:
                attributes[key_spec[role]["name"]] = key_spec[role]["type"]
    request: dict[str, Any] = {
        "TableName": table_name(logical),
        "KeySchema": _key_schema(spec),
        "AttributeDefinitions": [
            {"AttributeName": n, "AttributeType": t} for n, t in sorted(attributes.items())
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    indexes = spec.get("globalSecondaryIndexes", [])
    if indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index["name"],
                "KeySchema": _key_schema(index),
                "Projection": {"ProjectionType": index["projection"]},
            }
            for index in indexes
        ]
    if spec.get("stream"):
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": spec["stream"],
        }
    return request


def ensure_storage(dynamodb: Any, s3: Any) -> None:
    """Create every table and bucket of the schema that does not exist yet (idempotent)."""
    existing = set(dynamodb.list_tables()["TableNames"])
    for logical in load_schema()["tables"]:
        request = create_table_request(logical)
        if request["TableName"] not in existing:
            dynamodb.create_table(**request)
            dynamodb.get_waiter("table_exists").wait(TableName=request["TableName"])
            ttl = load_schema()["tables"][logical].get("timeToLive")
            if ttl:
                dynamodb.update_time_to_live(
                    TableName=request["TableName"],
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl},
                )
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for logical in load_schema()["buckets"]:
        name = bucket_name(logical)
        if name not in buckets:
            s3.create_bucket(Bucket=name)
