"""Remote servers defined through the REST API (``PUT /peers/{id}``), in the ``remotes`` table.

Orthanc keeps such changes in its process memory; a serverless fleet has no such memory, so
they live here and every Lambda sees them at once. Items: ``pk=<kind>`` ("peer"), ``sk=<name>``,
with either ``def`` (the definition's JSON, long form) or ``deleted`` (a tombstone that hides a
peer of the configuration file after ``DELETE /peers/{id}``). One partition per kind: the list
is one Query, and these items change at human speed.

A definition's secret fields (a peer's ``Password``) never reach the table: they go to
Secrets Manager (``chalicelib.storage.secrets``) and the item keeps ``secret``, the reference
of what was written there. Redefining a remote without them, or deleting it, deletes its
secret (the item's previous value comes back with the same PutItem).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.storage.dynamo import query_items
from chalicelib.storage.index import dump_item, load_item
from chalicelib.storage.secrets import SecretStore

# What a name maps to: its stored definition, or None when it was deleted through the API.
Definition = dict[str, Any] | None


@dataclass(frozen=True)
class Stored:
    """What the API wrote under a name: the definition without its secret fields (None when
    deleted), and the reference of those fields in Secrets Manager ("" if it has none)."""

    definition: Definition
    secret: str = ""


class RemoteStore:
    def __init__(
        self,
        client: Any,
        table: str,
        kind: str,
        secrets: SecretStore | None = None,
        secret_fields: tuple[str, ...] = (),
    ) -> None:
        self._client = client
        self._table = table
        self._kind = kind
        self._secrets = secrets
        # Kept apart only where there is a secret store (a kind with secrets always has one).
        self._secret_fields = secret_fields if secrets is not None else ()

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

    def get(self, name: str) -> Stored | None:
        """What the API wrote under this name (None if it never did)."""
        answer = self._client.get_item(
            TableName=self._table, Key=dump_item(self._key(name)), ConsistentRead=True
        )
        if "Item" not in answer:
            return None
        item = load_item(answer["Item"])
        return Stored(_definition(item), item.get("secret", ""))

    def put(self, name: str, definition: dict[str, Any]) -> None:
        """Write a definition: its secret fields to Secrets Manager first (CreateSecret, or
        PutSecretValue), so that the item never names a secret that is not there."""
        secrets = self._secrets
        hidden = {k: definition[k] for k in self._secret_fields if definition.get(k)}
        shown = {k: v for k, v in definition.items() if k not in hidden}
        item = {**self._key(name), "def": json.dumps(shown, sort_keys=True)}
        if secrets is not None and hidden:
            item["secret"] = secrets.write(name, hidden)
        self._replace(item)

    def remove(self, name: str) -> None:
        self._replace({**self._key(name), "deleted": True})

    def _replace(self, item: dict[str, Any]) -> None:
        """Put ``item``; the secret of the item it replaces is deleted unless ``item`` keeps
        one (under the same name: a remote's secret is named after it)."""
        answer = self._client.put_item(
            TableName=self._table, Item=dump_item(item), ReturnValues="ALL_OLD"
        )
        previous = load_item(answer.get("Attributes", {})).get("secret")
        if previous and "secret" not in item and self._secrets is not None:
            self._secrets.delete(previous)

    def _key(self, name: str) -> dict[str, str]:
        return {"pk": self._kind, "sk": name}


def _definition(item: dict[str, Any]) -> Definition:
    return None if item.get("deleted") else json.loads(item["def"])
