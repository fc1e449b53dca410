"""Faster index queries for the local emulator (local tooling, not product code).

moto 5.2 answers every Query by sorting all the items of the table first
(``Table.all_items``), so a Query on a global secondary index costs time proportional to
N log N of the whole table: about 1.4 s at 10,000 stored instances, where DynamoDB takes a
few milliseconds. The change feed's stability check alone makes 16 such Queries per run.

The sorted order only changes when an item is added, replaced or removed, which in moto
always goes through ``Table.put_item`` and ``Table.delete_item``; updates change attributes
in place and keep the key, hence the order. So the order is kept between those calls and
reused. Query semantics are untouched: moto still filters the items as before.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.table import Table

_CACHE = "_cirrus_sorted_items"
_PUT_ITEM = Table.put_item
_DELETE_ITEM = Table.delete_item
_ALL_ITEMS = Table.all_items


def _put_item(self: Table, *args: Any, **kwargs: Any) -> Any:
    self.__dict__.pop(_CACHE, None)
    return _PUT_ITEM(self, *args, **kwargs)


def _delete_item(self: Table, *args: Any, **kwargs: Any) -> Any:
    self.__dict__.pop(_CACHE, None)
    return _DELETE_ITEM(self, *args, **kwargs)


def _all_items(self: Table) -> list[Any]:
    cached = self.__dict__.get(_CACHE)
    if cached is None:
        cached = self.__dict__[_CACHE] = _ALL_ITEMS(self)
    return list(cached)  # a copy: callers may reorder what they get


def install() -> None:
    """Cache the sorted items of each table in this process."""
    Table.put_item = _put_item  # type: ignore[method-assign]
    Table.delete_item = _delete_item  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
