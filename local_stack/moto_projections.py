"""Index projections and item sizes made once per stored item, for the local emulator's Queries
(local tooling, used by ``local_stack.moto_indexes``).

Once ``moto_indexes`` hands moto's ``Table.query`` only the items of a partition, what is
left of a Query's cost is moto's work on each item it returns: ``Item.size()`` twice (the 1 MB
page limit), ``copy.deepcopy`` of the whole item, then the index's projection, which turns the
whole item into plain JSON once per key attribute and back into an ``Item``: about 1 ms per
Cirrus record returned by a ``KEYS_ONLY`` index, so 230-550 ms for a StudyDate search at
100,000 instances. The result depends only on the stored item, so it is made once and kept
until the item is written again:

- ``ItemCache`` keeps, for one index, each item's size and its projection, keyed by the
  item's table key; ``moto_indexes`` drops an entry whenever it re-files that key (every put,
  delete and update, the same hooks that keep its partitions right), so a projection is never
  older than its item.
- A kept projection is a ``Projection`` (an ``Item`` subclass, which ``copy.deepcopy`` keeps
  since moto's ``Item.__deepcopy__`` builds the copy from the class). moto's Query deep-copies
  it, then projects the copy again; ``install`` makes ``SecondaryIndex.project`` give a
  ``Projection`` back unchanged. A projection is kept only when projecting it again gives an
  equal item, so skipping that step cannot change an answer.

The cache is not pickled with the table (moto's state snapshots) nor copied with it (moto's
own TransactWriteItems copies the table to roll back to): a copy starts empty.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import SecondaryIndex

_PROJECT = SecondaryIndex.project

TableKey = tuple[DynamoType, "DynamoType | None"]


class Projection(Item):
    """An index's projection of a stored item, as ``SecondaryIndex.project`` made it."""


def _project(self: SecondaryIndex, item: Item) -> Item:
    if type(item) is Projection:
        return item  # already this index's projection (see the module docstring)
    return _PROJECT(self, item)


class ItemCache:
    """One index's sizes and projections of the stored items it has handed moto so far."""

    def __init__(self) -> None:
        self._sizes: dict[TableKey, int] = {}
        self._projections: dict[TableKey, Item] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}  # pickled or copied: start empty (rebuilt on demand)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._sizes, self._projections = {}, {}

    def forget(self, key: TableKey) -> None:
        """The item under ``key`` was written (or removed): what was made from it is stale."""
        self._sizes.pop(key, None)
        self._projections.pop(key, None)

    def size(self, key: TableKey, item: Item) -> int:
        """``item.size()``, computed once."""
        size = self._sizes.get(key)
        if size is None:
            size = self._sizes[key] = item.size()
        return size

    def projection(self, key: TableKey, item: Item, index: SecondaryIndex) -> Item:
        """``index.project(item)`` as a ``Projection``, made once; the item itself when
        projecting the projection again would not give it back (then moto projects it)."""
        projected = self._projections.get(key)
        if projected is None:
            made = _PROJECT(index, item)
            if made is item or _PROJECT(index, made) != made:
                projected = item  # "ALL" hands the item itself; or not a fixed point
            else:
                made.__class__ = Projection
                projected = made
            self._projections[key] = projected
        return projected


def install() -> None:
    """Let moto's projection give a ``Projection`` back as it is."""
    SecondaryIndex.project = _project  # type: ignore[method-assign]


def uninstall() -> None:
    SecondaryIndex.project = _PROJECT  # type: ignore[method-assign]
