"""Sequenced logs in the ``logs`` table: the changes log (``/changes``) and the exports log.

Items of the ``logs`` table (``pk`` string, ``sk`` number), for a log named ``<log>``:

* ``pk="#seq#<log>", sk=0``: the sequence counter (``Last``: highest number handed out,
  ``Floor``: every entry up to it was cleared by ``DELETE /<log>``).
* ``pk="<log>#<seq // BLOCK>", sk=<seq>``: an entry. Blocks of ``BLOCK`` numbers keep
  partitions small, and reading ``since=N`` is a Query of one block, then of the next ones.
* ``pk="<log>-of#<resource id>", sk=<seq>``: which entries name a resource, so that deleting
  the resource removes them (Orthanc forgets the changes of deleted resources).
* ``pk="<log>-event#<key>", sk=0``: an event already logged. Written in the same transaction
  as its entries, it makes a replayed stream record a no-op.

An append may carry guards: conditions on other items (the index records the entries name),
checked in the same transaction, so that an entry is never written for a resource deleted
meanwhile, whose removal from the log may already have happened (DynamoDB Streams orders the
records of one item only, and the stability check runs beside the stream).

Numbers are handed out in blocks, one counter update per batch of events rather than per
entry, so the counter is not a hot item on the ingest path, and the appends of one batch are
written together, as many per TransactWriteItems as fit (``Together``, ``append_together``).
A batch whose transaction fails after its numbers were handed out leaves a gap; readers only
ever see increasing numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.storage.dynamo import batch_write
from chalicelib.storage.index import dump_item, load_item

BLOCK = 1000
MAX_BATCH_GET = 100
# TransactWriteItems' limit on actions.
MAX_TRANSACTION = 100


@dataclass(frozen=True)
class Entry:
    """One log entry: its number, the resource it names (if any) and its JSON fields."""

    seq: int
    fields: dict[str, Any]
    resource_id: str = ""


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    done: bool
    last: int


@dataclass(frozen=True)
class Append:
    """What one ``append`` writes: numbered entries, the event they log (if any) and the
    guards that must hold."""

    entries: list[Entry]
    event_key: str | None = None
    guards: Sequence[dict[str, Any]] = ()


class Together:
    """Appends gathered for one transaction (``SequencedLog.append_together``), taken while
    the whole fits: at most ``MAX_TRANSACTION`` actions, none on an item another one writes or
    checks (DynamoDB refuses both). Each append's actions are built once, when it is offered.
    Iterating gives the appends taken."""

    def __init__(self, log: SequencedLog) -> None:
        self._log = log
        self.appends: list[Append] = []
        self.actions: list[dict[str, Any]] = []
        self._items: set[tuple[str, str, str]] = set()

    def __iter__(self) -> Iterator[Append]:
        return iter(self.appends)

    def add(self, append: Append) -> bool:
        """Take ``append`` if it fits with those taken (an empty group takes any)."""
        actions = self._log.actions(append)
        items = [_item_of(action) for action in actions]
        if self.appends and (
            len(self.actions) + len(actions) > MAX_TRANSACTION
            or len(set(items)) < len(items)
            or not self._items.isdisjoint(items)
        ):
            return False
        self.appends.append(append)
        self.actions += actions
        self._items.update(items)
        return True


class GuardFailed(Exception):
    """Guards of an append did not hold, so nothing was written; ``failed`` holds their
    positions in the ``guards`` given."""

    def __init__(self, failed: set[int]) -> None:
        super().__init__(f"guards {sorted(failed)} failed")
        self.failed = failed


class SequencedLog:
    def __init__(self, client: Any, table: str, name: str) -> None:
        self._client = client
        self._table = table
        self._name = name
        self._counter_key = {"pk": f"#seq#{name}", "sk": 0}

    # -- writing -----------------------------------------------------------------------------

    def unseen(self, event_keys: list[str]) -> set[str]:
        """The event keys not logged yet (one BatchGetItem per 100 keys)."""
        seen: set[str] = set()
        for start in range(0, len(event_keys), MAX_BATCH_GET):
            keys = [self._event_key(k) for k in event_keys[start : start + MAX_BATCH_GET]]
            request: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                answer = self._client.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self._table, []):
                    seen.add(load_item(item)["pk"].split("#", 1)[1])
                request = answer.get("UnprocessedKeys") or {}
        return set(event_keys) - seen

    def allocate(self, count: int) -> int:
        """Reserve ``count`` consecutive numbers; returns the first one."""
        answer = self._client.update_item(
            TableName=self._table,
            Key=dump_item(self._counter_key),
            UpdateExpression="ADD #last :n",
            ExpressionAttributeNames={"#last": "Last"},
            ExpressionAttributeValues=dump_item({":n": count}),
            ReturnValues="UPDATED_NEW",
        )
        return int(load_item(answer["Attributes"])["Last"]) - count + 1

    def append(
        self,
        entries: list[Entry],
        event_key: str | None = None,
        guards: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Write entries (numbers from ``allocate``) atomically. With an ``event_key``, only if
        that event was not logged before; returns False when it was. ``guards`` are
        TransactWriteItems actions (``event_guard``, or the index's guards) that must all hold
        in the same transaction; when only guards fail, raises GuardFailed naming them."""
        actions = self.actions(Append(entries, event_key, guards))
        if not actions:
            return True
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons", [])
            failed = {i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"}
            if event_key is not None and 0 in failed:
                return False
            first_guard = 0 if event_key is None else 1
            failed_guards = {i - first_guard for i in failed if i >= first_guard} & set(
                range(len(guards))
            )
            if failed_guards:
                raise GuardFailed(failed_guards) from exc
            raise
        return True

    def together(self) -> Together:
        """An empty group of appends for one ``append_together``."""
        return Together(self)

    def append_together(self, together: Together) -> bool:
        """Write a group of appends in one transaction: all of them, or, when a condition
        failed (an event already logged, a guard), none, and False: the caller then appends
        them one by one, which tells which failed. Other errors raise."""
        try:
            self._client.transact_write_items(TransactItems=together.actions)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return False
        return True

    def actions(self, append: Append) -> list[dict[str, Any]]:
        """The TransactWriteItems actions of one append: its event, its guards, then for each
        entry the item naming its resource and the entry."""
        actions: list[dict[str, Any]] = []
        if append.event_key is not None:
            actions.append(self.event_guard(append.event_key))
        actions += append.guards
        for entry in append.entries:
            item = {**entry.fields, **self._entry_key(entry.seq)}
            if entry.resource_id:
                item["rid"] = entry.resource_id
                owner = {"pk": f"{self._name}-of#{entry.resource_id}", "sk": entry.seq}
                actions.append({"Put": {"TableName": self._table, "Item": dump_item(owner)}})
            actions.append({"Put": {"TableName": self._table, "Item": dump_item(item)}})
        return actions

    def event_guard(self, event_key: str) -> dict[str, Any]:
        """The action that records an event as logged, failing if it already was: a guard
        for a second event logged by the same append."""
        return {
            "Put": {
                "TableName": self._table,
                "Item": self._event_key(event_key),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def forget(self, resource_id: str) -> None:
        """Remove every entry that names a resource (it was deleted)."""
        owner_pk = f"{self._name}-of#{resource_id}"
        seqs = [
            int(item["sk"])
            for item in self._query(
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=dump_item({":p": owner_pk}),
            )
        ]
        keys = [self._entry_key(s) for s in seqs] + [{"pk": owner_pk, "sk": s} for s in seqs]
        self._delete(keys)

    def clear(self) -> None:
        """Remove every entry; numbering goes on from where it was (as in Orthanc).

        The floor moves first: from then on readers see nothing up to it, even while the
        entries are being deleted, or if an entry numbered before the clear is written after
        it. It never moves back, should two clears cross."""
        floor, last = self._bounds()
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dump_item(self._counter_key),
                UpdateExpression="SET Floor = :f",
                ConditionExpression="attribute_not_exists(Floor) OR Floor < :f",
                ExpressionAttributeValues=dump_item({":f": last}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        keys: list[dict[str, Any]] = []
        for block in range(floor // BLOCK, last // BLOCK + 1):
            for item in self._query(
                KeyConditionExpression="pk = :p AND sk <= :l",
                ExpressionAttributeValues=dump_item({":p": f"{self._name}#{block}", ":l": last}),
                ProjectionExpression="sk, rid",
            ):
                keys.append(self._entry_key(int(item["sk"])))
                if item.get("rid"):
                    keys.append({"pk": f"{self._name}-of#{item['rid']}", "sk": int(item["sk"])})
        self._delete(keys)

    # -- reading -----------------------------------------------------------------------------

    def read(self, since: int, limit: int) -> Page:
        """Entries after ``since``, at most ``limit``, in order. ``done`` tells whether the
        page reached the end; ``last`` is the number of its last entry, or the highest number
        handed out when the page is empty (Orthanc's ``Last``)."""
        floor, last = self._bounds()
        start = max(since, floor)
        found: list[Entry] = []
        block = (start + 1) // BLOCK
        while len(found) <= limit and block <= last // BLOCK:
            for item in self._query(
                KeyConditionExpression="pk = :p AND sk > :s",
                ExpressionAttributeValues=dump_item({":p": f"{self._name}#{block}", ":s": start}),
                Limit=limit + 1 - len(found),
            ):
                found.append(self._entry(item))
                if len(found) > limit:
                    break
            block += 1
        done = len(found) <= limit
        entries = found[:limit]
        return Page(entries, done, entries[-1].seq if entries else last)

    def newest(self) -> Page:
        """The last entry alone (``/changes?last``)."""
        floor, last = self._bounds()
        for block in range(last // BLOCK, floor // BLOCK - 1, -1):
            # Above the floor only: an entry numbered before a clear can be written after the
            # clear's deletions (its writer was already under way); it stays hidden.
            answer = self._client.query(
                TableName=self._table,
                KeyConditionExpression="pk = :p AND sk > :f",
                ExpressionAttributeValues=dump_item({":p": f"{self._name}#{block}", ":f": floor}),
                ScanIndexForward=False,
                Limit=1,
                ConsistentRead=True,
            )
            if answer.get("Items"):
                entry = self._entry(load_item(answer["Items"][0]))
                return Page([entry], True, entry.seq)
        return Page([], True, last)

    # -- helpers -----------------------------------------------------------------------------

    def _bounds(self) -> tuple[int, int]:
        answer = self._client.get_item(
            TableName=self._table, Key=dump_item(self._counter_key), ConsistentRead=True
        )
        item = load_item(answer.get("Item", {}))
        return int(item.get("Floor", 0)), int(item.get("Last", 0))

    def _entry_key(self, seq: int) -> dict[str, Any]:
        return {"pk": f"{self._name}#{seq // BLOCK}", "sk": seq}

    def _event_key(self, key: str) -> dict[str, Any]:
        return dump_item({"pk": f"{self._name}-event#{key}", "sk": 0})

    @staticmethod
    def _entry(item: dict[str, Any]) -> Entry:
        seq = int(item["sk"])
        fields = {k: v for k, v in item.items() if k not in ("pk", "sk", "rid")}
        return Entry(seq, fields, item.get("rid", ""))

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        kwargs.update(TableName=self._table, ConsistentRead=True)
        while True:
            answer = self._client.query(**kwargs)
            yield from (load_item(i) for i in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer or "Limit" in kwargs:
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def _delete(self, keys: list[dict[str, Any]]) -> None:
        requests = [{"DeleteRequest": {"Key": dump_item(k)}} for k in keys]
        batch_write(self._client, self._table, requests)


def _item_of(action: dict[str, Any]) -> tuple[str, str, str]:
    """The table and key of the item a TransactWriteItems action writes or checks."""
    ((kind, body),) = action.items()
    key = body["Item"] if kind == "Put" else body["Key"]
    return body["TableName"], repr(key["pk"]), repr(key.get("sk"))
