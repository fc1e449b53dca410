"""Runtime settings changed through the REST API (``PUT /tools/default-encoding``, log levels,
accepted transfer syntaxes...), in the ``remotes`` table.

Orthanc keeps such changes in its process memory; here every Lambda and the DICOM service must
see them, so they live beside the peers and modalities written through the API: one more item
kind in the same table rather than a table of its own (they are a handful of items changed at
human speed, read as one partition). Items: ``pk="setting"``, ``sk=<name>``, ``value`` (the
setting's JSON). A name without an item keeps the configuration file's value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalicelib.storage.dynamo import query_items
from chalicelib.storage.index import dump_item, load_item

KIND = "setting"


class SettingsStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def all(self) -> dict[str, Any]:
        """Every setting written through the API, by name (one consistent Query)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :k",
            "ExpressionAttributeValues": dump_item({":k": KIND}),
            "ConsistentRead": True,
        }
        items = (load_item(raw) for raw in query_items(self._client, **kwargs))
        return {item["sk"]: json.loads(item["value"]) for item in items}

    def put(self, values: Mapping[str, Any]) -> None:
        """Write ``values`` together: one PutItem, or one transaction when several settings
        change at once (a global log level), so no reader sees half of the change."""
        items = [
            dump_item({"pk": KIND, "sk": name, "value": json.dumps(value)})
            for name, value in values.items()
        ]
        if len(items) == 1:
            self._client.put_item(TableName=self._table, Item=items[0])
            return
        self._client.transact_write_items(
            TransactItems=[{"Put": {"TableName": self._table, "Item": item}} for item in items]
        )
