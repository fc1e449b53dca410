"""DynamoDB Streams shard iterators that expire, as AWS's do (local tooling, installed in the
emulator).

moto keeps every shard iterator it ever handed out: each ``GetRecords`` adds one (its
``NextShardIterator``, about 1 KB with its random ID), and the change feed polls every 0.2 to
1 s, so a ``make run`` stack left running for a week held over half a million of them, in
memory and in every snapshot of the emulator's state (``local_stack.snapshot``), which then
took longer to write and to load at each restart. AWS expires an iterator 15 minutes after it
returned it, and answers ``ExpiredIteratorException`` to a request that uses it afterwards;
with this installed the emulator does the same, for any iterator it does not hold. The change
feed (``local_stack.feed``) then opens the shard again after the last record it delivered, as
Lambda's poller does.

Iterators restored from a snapshot written before this carry no issue time and expire at once.
"""

from __future__ import annotations

import time
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

# AWS: "A shard iterator expires 15 minutes after it is returned to the requester."
ITERATOR_LIFETIME = 15 * 60.0

_installed = False


class ExpiredIterator(JsonRESTError):
    """DynamoDB Streams' answer to an iterator it no longer holds."""

    code = 400

    def __init__(self) -> None:
        super().__init__("ExpiredIteratorException", "Iterator expired")


def install() -> None:
    """Patch moto's DynamoDB Streams backend in this process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    issue = ShardIterator.__init__
    get_records = DynamoDBStreamsBackend.get_records

    def __init__(self: ShardIterator, *args: Any, **kwargs: Any) -> None:
        issue(self, *args, **kwargs)
        # Wall-clock time: a snapshot's iterators are loaded by another process.
        self.issued = time.time()

    def get_records_or_expired(
        self: DynamoDBStreamsBackend, iterator_arn: str, limit: int
    ) -> dict[str, Any]:
        expire(self.shard_iterators, time.time())
        if iterator_arn not in self.shard_iterators:
            raise ExpiredIterator()
        return get_records(self, iterator_arn, limit)

    ShardIterator.__init__ = __init__  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = get_records_or_expired  # type: ignore[method-assign]


def expire(iterators: dict[str, ShardIterator], now: float) -> None:
    """Drop the iterators issued more than ``ITERATOR_LIFETIME`` ago. They are kept in the
    order they were issued (moto inserts each one as it makes it), so only the expired ones at
    the front are visited."""
    while iterators:
        arn, oldest = next(iter(iterators.items()))
        if getattr(oldest, "issued", 0.0) > now - ITERATOR_LIFETIME:
            return
        del iterators[arn]
