"""The two DynamoDB loops every table adapter needs: reading all pages of a Query, and a
batch write that goes on until DynamoDB has taken every request."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

MAX_BATCH_WRITE = 25  # DynamoDB's limit per BatchWriteItem


def query_items(client: Any, **request: Any) -> Iterator[dict[str, Any]]:
    """Every raw item a Query answers, page after page (``request`` as for ``client.query``)."""
    while True:
        page = client.query(**request)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def batch_write(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    """Put/Delete ``requests`` on ``table``, 25 at a time; unprocessed ones (throttling) are
    sent again after a growing pause."""
    for start in range(0, len(requests), MAX_BATCH_WRITE):
        pending = {table: requests[start : start + MAX_BATCH_WRITE]}
        for attempt in itertools.count():
            answer = client.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(1.0, 0.05 * 2**attempt))
