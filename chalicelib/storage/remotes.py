"""Remote servers defined through the REST API (``PUT /peers/{id}``), in the ``remotes`` table.

Orthanc keeps such changes in its process memory; a serverless fleet has no such memory, so
they live here and every Lambda sees them at once. Items: ``pk=<kind>`` ("peer"), ``sk=<name>``,
with either ``def`` (the definition's JSON, long form) or ``deleted`` (a tombstone that hides a
peer of the configuration file after ``DELETE /peers/{id}``). One partition per kind: the list
is one Query, and these items change at human speed.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.storage.dynamo import query_items
from chalicelib.storage.index import dump_item, load_item

# What a name maps to: its stored definition, or None when it was deleted through the API.
Definition = dict[str, Any] | None


class RemoteStore:
    def __init__(self, client: Any, table: str, kind: str) -> None:
        self._client = client
        self._table = table
        self._kind = kind

    def all(self) -> dict[str, Definition]:
        """Every name written through the API (tombstones as None)."""
        answer: dict[str, Definition] = {}
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :k",
            "ExpressionAttributeValues": dump_item({":k": self._kind}),
            "ConsistentRead": True,
        }
        for raw in query_items(self._client, **kwargs):
            item = load_item(raw)
            answer[item["sk"]] = _definition(item)
        return answer

    def get(self, name: str) -> tuple[bool, Definition]:
        """(whether the API wrote this name, its definition or None if deleted)."""
        answer = self._client.get_item(
            TableName=self._table, Key=dump_item(self._key(name)), ConsistentRead=True
        )
        if "Item" not in answer:
            return False, None
        return True, _definition(load_item(answer["Item"]))

    def put(self, name: str, definition: dict[str, Any]) -> None:
        item = {**self._key(name), "def": json.dumps(definition, sort_keys=True)}
        self._client.put_item(TableName=self._table, Item=dump_item(item))

    def remove(self, name: str) -> None:
        item = {**self._key(name), "deleted": True}
        self._client.put_item(TableName=self._table, Item=dump_item(item))

    def _key(self, name: str) -> dict[str, str]:
        return {"pk": self._kind, "sk": name}


def _definition(item: dict[str, Any]) -> Definition:
    return None if item.get("deleted") else json.loads(item["def"])
