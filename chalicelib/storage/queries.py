"""Query/retrieve queries in the ``queries`` table: what ``/queries/{id}`` shows.

Orthanc keeps these in memory; Cirrus keeps them in DynamoDB so that every Lambda container
sees the same queries. Items, all in the query's own partition (``pk`` = query ID):

* ``sk="query"``: the record (modality, level, query as sent). It carries ``lst="query"`` and
  ``ct=<creation time>#<id>``, the keys of the ``ByCreation`` index that lists queries oldest
  first without a scan (one index partition: queries come at human or script speed);
* ``sk="answers#<n>"``: the answers, as JSON, in chunks that keep each item far below
  DynamoDB's 400 KB.

Reading a query with its answers is one Query on its partition. Every item has an ``expires``
attribute (epoch seconds) for the table's TTL; readers ignore expired queries, since TTL
deletes them only eventually.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.storage.dynamo import batch_write, query_items
from chalicelib.storage.index import dump_item, load_item

RECORD = "query"
LIST_PARTITION = "query"
ANSWERS_PREFIX = "answers#"
CHUNK_BYTES = 300_000


@dataclass(frozen=True)
class QueryRecord:
    id: str
    modality: str
    level: str
    query: dict[str, str]
    answers: list[dict[str, str]]
    created: float


def _chunks(answers: list[dict[str, str]]) -> list[str]:
    """The answers as JSON arrays of at most about CHUNK_BYTES each."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for answer in answers:
        text = json.dumps(answer, ensure_ascii=False)
        if current and size + len(text.encode("utf-8")) > CHUNK_BYTES:
            chunks.append("[" + ",".join(current) + "]")
            current, size = [], 0
        current.append(text)
        size += len(text.encode("utf-8")) + 1
    if current:
        chunks.append("[" + ",".join(current) + "]")
    return chunks


def _sort_key(created: float, query_id: str) -> str:
    return f"{created:017.6f}#{query_id}"


class QueryStore:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def put(self, record: QueryRecord, expires: int) -> None:
        """Store a query: the answers first, the record (what lists it) last."""
        items = [
            {
                "pk": record.id,
                "sk": f"{ANSWERS_PREFIX}{n:06d}",
                "Answers": chunk,
                "expires": expires,
            }
            for n, chunk in enumerate(_chunks(record.answers))
        ]
        items.append(
            {
                "pk": record.id,
                "sk": RECORD,
                "lst": LIST_PARTITION,
                "ct": _sort_key(record.created, record.id),
                "expires": expires,
                "Modality": record.modality,
                "Level": record.level,
                "Query": json.dumps(record.query, ensure_ascii=False),
                "Created": str(record.created),
            }
        )
        batch_write(
            self._client, self._table, [{"PutRequest": {"Item": dump_item(item)}} for item in items]
        )

    def get(self, query_id: str, now: float) -> QueryRecord | None:
        """The query and its answers (one Query), None if unknown or expired."""
        items = [load_item(raw) for raw in self._partition(query_id, keys_only=False)]
        records = [item for item in items if item["sk"] == RECORD]
        if not records or int(records[0]["expires"]) <= now:
            return None
        record = records[0]
        answers: list[dict[str, str]] = []
        for item in sorted(items, key=lambda item: item["sk"]):
            if item["sk"].startswith(ANSWERS_PREFIX):
                answers += json.loads(item["Answers"])
        return QueryRecord(
            id=query_id,
            modality=record["Modality"],
            level=record["Level"],
            query=json.loads(record["Query"]),
            answers=answers,
            created=float(record["Created"]),
        )

    def ids_oldest_first(self, created_after: float) -> Iterator[str]:
        """The IDs of the queries created after ``created_after``, oldest first."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "ByCreation",
            "KeyConditionExpression": "lst = :l AND ct > :c",
            "ExpressionAttributeValues": dump_item(
                {":l": LIST_PARTITION, ":c": _sort_key(created_after, "")}
            ),
        }
        for raw in query_items(self._client, **kwargs):
            yield load_item(raw)["pk"]

    def delete(self, query_id: str) -> None:
        """Forget a query (nothing happens if it does not exist); the record first, so a
        half-deleted query is no longer listed."""
        keys = list(self._partition(query_id, keys_only=True))
        keys.sort(key=lambda key: key["sk"]["S"] != RECORD)
        batch_write(self._client, self._table, [{"DeleteRequest": {"Key": key}} for key in keys])

    def _partition(self, query_id: str, keys_only: bool) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": dump_item({":p": query_id}),
            "ConsistentRead": True,
        }
        if keys_only:
            kwargs["ProjectionExpression"] = "pk, sk"
        return query_items(self._client, **kwargs)
