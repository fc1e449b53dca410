"""Queries that cost what they cost on DynamoDB, for the local emulator (local tooling).

moto 5.2 answers every Query by sorting all the items of the table (``Table.all_items``) and
then testing each one against the key condition, so a Query costs time proportional to the
whole table: about 90 ms at 23,000 items, ten times that at 100,000, where DynamoDB reads only
the partition the Query names. An identifier search then took 60-190 ms at 10,000 stored
instances, and a page of the web console's study list (about 105 Queries) several seconds.

This patch keeps, for each table and each of its indexes (the base table counted as one),
the items grouped by the values of the index's partition-key attributes, maintained on every
write. A Query then hands moto only the items of the partition it names, and when its key
condition also has a range part (``=``, ``<``, ``<=``, ``>``, ``>=``, ``BETWEEN``,
``begins_with`` on the sort key) only the run of that partition's items, sorted by the sort
key, that satisfies it (found by bisection), plus one item on each side. moto's own
``Table.query`` does everything else: the key condition again, order, ``Limit``,
``ExclusiveStartKey``, filters, projections, ``Select``, ``ScannedCount``. So a Query costs
time in proportion to its partition, or to its answer when it has a range condition.

Why the answers are moto's: every item moto keeps is in the partition (its condition requires
each partition attribute to equal the Query's value, and equal ``DynamoType`` values hash
alike), and in the run (the items satisfying a range condition are contiguous in sort-key
order). The items left out are ones moto goes through without effect: before the run, its
page is still empty; after the run, the first item is where moto stops with a
LastEvaluatedKey if the page is full (hence the neighbours), and the later ones could only
matter through the 1 MB page limit, so the run is not cut when its items and one more could
reach it. Anything else (a Query whose key condition does not name exactly the partition
attributes, several sort-key attributes, moto's legacy ``QueryFilter``, a value that cannot
be hashed or compared) takes moto's path over the whole table, unchanged.

On an index, the items handed to moto are the index's projections of the stored items, made
once per item and kept until it is written (``local_stack.moto_projections``): moto would
otherwise copy and project each whole item it returns, about 1 ms per Cirrus record. moto
reads only key attributes before projecting (partition, sort order, range condition,
``ExclusiveStartKey``, ``LastEvaluatedKey``) and applies filters and projection expressions
after it; the one place the whole item counts is the 1 MB page limit, so projections are
handed only when the whole items handed could not reach it, and never with ``QueryFilter``.

What it assumes of moto's internals, read in moto 5.2.5 (``install`` refuses any other
minor version rather than risk answers that silently differ):

- ``Table.query`` gathers its candidates with exactly one ``self.all_items()`` call, builds a
  new list from them (so the list it gets may be shared), sorts them itself, and checks
  ``Limit`` and the 1 MB page size on each item before testing its range condition.
- Items are added, replaced or removed only through ``Table.put_item`` and
  ``Table.delete_item`` (PutItem, DeleteItem, BatchWriteItem, PartiQL, moto's and
  ``local_stack.moto_transactions``' TransactWriteItems, the undoing of a failed
  transaction), and changed in place only by ``DynamoDBBackend.update_item`` (UpdateItem,
  also inside transactions), which can move an item between the partitions of an index or
  into or out of a sparse index.
- An item's ``size()`` is at most 405,000 bytes (moto's ``LimitedSizeDict``).
- ``Table.query`` deep-copies the items it returns, then projects them with
  ``SecondaryIndex.project``, then applies the filter expression and the projection
  expression.
- A table copied by ``copy.deepcopy`` (moto's own TransactWriteItems keeps a copy to roll
  back to) or pickled copies these groups along with the items they hold, so the copy stays
  consistent.

The groups of an index are built on its first Query (one pass over the table); those of an
index whose partition attributes changed (``UpdateTable``) are rebuilt. Each group keeps its
sorted orders and its total size between writes to it, and each index the sizes and
projections of its items between writes to each item. The whole-table sorted order is
still cached between writes, for Scans and for the Queries that take moto's path.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from typing import Any

from moto.dynamodb.exceptions import ResourceNotFoundException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, SecondaryIndex, Table

from local_stack import moto_projections
from local_stack.moto_items import MAX_ITEM_SIZE
from local_stack.moto_projections import ItemCache
from local_stack.moto_version import require_supported_moto

_STATE = "_cirrus_query_state"
_PUT_ITEM = Table.put_item
_DELETE_ITEM = Table.delete_item
_ALL_ITEMS = Table.all_items
# moto's own Query, kept to check this one against it.
MOTO_QUERY = Table.query
_UPDATE_ITEM = DynamoDBBackend.update_item

TableKey = tuple[DynamoType, "DynamoType | None"]
PartitionValue = tuple[DynamoType, ...]
Ranged = tuple[list[Item], list[DynamoType]]


def _moto_order(item: Item) -> Any:
    """The sort key of moto's ``Table.all_items``."""
    return (item.hash_key, item.range_key) if item.range_key else item.hash_key


class Partitions:
    """The items of one table or index grouped by the values of its partition attributes
    (``attributes`` None: the table's own partition key, ``Item.hash_key``)."""

    def __init__(self, attributes: tuple[str, ...] | None) -> None:
        self.attributes = attributes
        self._items: dict[PartitionValue, dict[TableKey, Item]] = {}
        self._sorted: dict[PartitionValue, list[Item]] = {}
        self._ranged: dict[PartitionValue, dict[str | None, Ranged]] = {}
        self._fits: dict[PartitionValue, bool] = {}
        self._where: dict[TableKey, PartitionValue] = {}
        self.cache = ItemCache()

    def place(self, key: TableKey, item: Item | None) -> None:
        """Move the item stored under ``key`` (None: no longer stored) to its partition."""
        self.cache.forget(key)
        old = self._where.pop(key, None)
        if old is not None:
            group = self._items[old]
            del group[key]
            if not group:
                del self._items[old]
            self._forget(old)
        if item is None:
            return
        if self.attributes is None:
            values: tuple[DynamoType | None, ...] = (item.hash_key,)
        else:
            values = tuple(item.attrs.get(name) for name in self.attributes)
        if any(value is None for value in values):
            return  # not in this (sparse) index
        try:
            group = self._items.setdefault(values, {})  # type: ignore[arg-type]
        except TypeError:
            return  # a list, map or set: no Query value can equal it (types must match)
        group[key] = item
        self._forget(values)  # type: ignore[arg-type]
        self._where[key] = values  # type: ignore[assignment]

    def _forget(self, values: PartitionValue) -> None:
        """Drop the orders cached for a partition that changed."""
        self._sorted.pop(values, None)
        self._ranged.pop(values, None)
        self._fits.pop(values, None)

    def items(self, values: PartitionValue) -> list[Item]:
        """The partition's items in ``all_items`` order (raises TypeError if unhashable)."""
        ordered = self._sorted.get(values)
        if ordered is None:
            group = self._items.get(values)
            if group is None:
                return []
            ordered = self._sorted[values] = sorted(group.values(), key=_moto_order)
        return ordered

    def size(self, items: list[Item], limit: int | None = None) -> int:
        """The sum of the items' ``size()``, or a sum above ``limit`` once it exceeds it."""
        total = 0
        for item in items:
            total += self.cache.size((item.hash_key, item.range_key), item)
            if limit is not None and total > limit:
                break
        return total

    def fits(self, values: PartitionValue, items: list[Item] | None = None) -> bool:
        """Whether the partition's items (or ``items`` of it) fit in one 1 MB page together;
        a large partition's sizes are read only until they do not."""
        if items is not None:
            return self.size(items, RESULT_SIZE_LIMIT) <= RESULT_SIZE_LIMIT
        fits = self._fits.get(values)
        if fits is None:
            fits = self._fits[values] = self.fits(values, self.items(values))
        return fits

    def projected(self, items: list[Item], index: SecondaryIndex) -> list[Item]:
        """The items as ``index`` projects them (see ``local_stack.moto_projections``)."""
        return [self.cache.projection((i.hash_key, i.range_key), i, index) for i in items]

    def by_range(self, values: PartitionValue, attribute: str | None) -> Ranged:
        """The partition's items that have ``attribute`` (None: the table's sort key),
        ordered by it, and its values in the same order."""
        orders = self._ranged.setdefault(values, {})
        ranged = orders.get(attribute)
        if ranged is None:
            pairs = [
                (item.range_key if attribute is None else item.attrs.get(attribute), item)
                for item in self.items(values)
            ]
            pairs = sorted((p for p in pairs if p[0] is not None), key=lambda p: p[0])
            ranged = orders[attribute] = ([p[1] for p in pairs], [p[0] for p in pairs])
        return ranged


class TableState:
    """What this patch keeps on one moto ``Table``: the sorted items (for Scans and the
    Queries left to moto) and the partitions of each index queried so far ("": the table)."""

    current = 0  # the generation, bumped by uninstall: state kept while moto ran unpatched is stale

    def __init__(self) -> None:
        self.generation = TableState.current
        self.sorted_items: list[Item] | None = None
        self.partitions: dict[str, Partitions] = {}

    @staticmethod
    def of(table: Table) -> TableState:
        state: TableState | None = table.__dict__.get(_STATE)
        if state is None or state.generation != TableState.current:
            state = table.__dict__[_STATE] = TableState()
        return state


def _stored(table: Table, key: TableKey) -> Item | None:
    """The item under ``key``, without adding an empty group to moto's defaultdict."""
    group = table.items.get(key[0])
    if group is None or table.range_key_attr is None:
        return group
    return group.get(key[1])


def _touch(table: Table, key: TableKey) -> None:
    """Re-file the item under ``key`` (added, replaced, changed or removed) everywhere."""
    state = TableState.of(table)
    state.sorted_items = None
    if state.partitions:
        item = _stored(table, key)
        for partitions in state.partitions.values():
            partitions.place(key, item)


def _put_item(self: Table, *args: Any, **kwargs: Any) -> Item:
    item = _PUT_ITEM(self, *args, **kwargs)
    _touch(self, (item.hash_key, item.range_key))
    return item


def _delete_item(self: Table, *args: Any, **kwargs: Any) -> Item | None:
    item = _DELETE_ITEM(self, *args, **kwargs)
    if item is not None:
        _touch(self, (item.hash_key, item.range_key))
    return item


def _update_item(
    self: DynamoDBBackend, table_name: str, key: Any, *args: Any, **kwargs: Any
) -> Item:
    try:
        return _UPDATE_ITEM(self, table_name, key, *args, **kwargs)
    finally:  # even a failed update may have changed attributes before failing
        _after_update(self, table_name, key)


def _after_update(backend: DynamoDBBackend, table_name: str, key: Any) -> None:
    """Re-file the item an UpdateItem addressed, read from ``key`` the way moto reads it."""
    try:
        table = backend.get_table(table_name)
    except ResourceNotFoundException:
        return
    if table.hash_key_attr not in key:  # a key moto reads another way: start afresh
        table.__dict__.pop(_STATE, None)
        return
    range_value = None
    if table.range_key_attr is not None and table.range_key_attr in key:
        range_value = DynamoType(key[table.range_key_attr])
    _touch(table, (DynamoType(key[table.hash_key_attr]), range_value))


def _partitions(table: Table, name: str, attributes: tuple[str, ...] | None) -> Partitions:
    """The partitions of index ``name`` ("": the table), built on first use."""
    state = TableState.of(table)
    partitions = state.partitions.get(name)
    if partitions is None or partitions.attributes != attributes:
        partitions = state.partitions[name] = Partitions(attributes)
        for item in _all_items(table):
            partitions.place((item.hash_key, item.range_key), item)
    return partitions


def _candidates(
    table: Table,
    hash_key: DynamoType | None,
    index_name: str | None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None,
    filter_kwargs: dict[str, Any],
) -> list[Item] | None:
    """The items moto's ``Table.query`` would go through, restricted to the partition named
    by the key condition, and to the run of its range condition when there is one, as the
    index projects them when that cannot change the answer; None when the Query is not one
    this patch can narrow."""
    index: SecondaryIndex | None = None
    if not index_name:
        if hash_key is None:
            return None
        name, attributes, values = "", None, (hash_key,)
        range_attributes = [table.range_key_attr] if table.range_key_attr else []
    else:
        index = next((i for i in table.all_indexes() if i.name == index_name), None)
        if index is None:
            return None  # moto raises its own error
        attributes = tuple(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
        conditions = dict(hash_key_conditions or [])
        if not attributes or set(conditions) != set(attributes):
            return None
        name, values = index_name, tuple(conditions[a] for a in attributes)
        range_attributes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    try:
        partitions = _partitions(table, name, attributes)
        run = None
        if (
            range_key_conditions
            and not filter_kwargs  # moto's legacy QueryFilter counts every item it goes through
            and len(range_key_conditions) == 1
            and [range_key_conditions[0][0]] == range_attributes
        ):
            attribute = None if name == "" else range_attributes[0]
            run = _range_run(partitions, values, attribute, range_key_conditions[0])
        chosen = partitions.items(values) if run is None else run
    except TypeError:
        return None  # unhashable, or values of types that do not compare
    if index is None or filter_kwargs:
        return chosen
    # moto checks the 1 MB page limit on each item's size before projecting it: projections
    # are smaller, so they answer the same when even the whole items cannot reach the limit.
    if not partitions.fits(values, run):
        return chosen
    return partitions.projected(chosen, index)


def _range_run(
    partitions: Partitions,
    values: PartitionValue,
    attribute: str | None,
    condition: tuple[str, str, list[DynamoType]],
) -> list[Item] | None:
    """The partition's items that a range condition on ``attribute`` (None: the table's sort
    key) keeps, with one neighbour on each side; None when bisection cannot tell them."""
    ordered, keys = partitions.by_range(values, attribute)
    _, operator, bounds = condition
    span = _run(keys, operator.upper(), bounds)
    if span is None:
        return None
    start, stop = span
    room = RESULT_SIZE_LIMIT - MAX_ITEM_SIZE
    if partitions.size(ordered[start:stop], room) > room:
        return None  # the 1 MB page limit could fall outside the run
    # One item on each side of the run: moto checks Limit on the next item it meets, and
    # returns a LastEvaluatedKey when the page is full even if that item is out of range.
    return ordered[max(start - 1, 0) : stop + 1]


def _run(keys: list[DynamoType], operator: str, bounds: list[DynamoType]) -> tuple[int, int] | None:
    """The slice of the sorted ``keys`` that satisfies a key condition's range part (it is
    contiguous for every operator DynamoDB allows there); None for an unknown operator."""
    if operator == "=":
        return bisect_left(keys, bounds[0]), bisect_right(keys, bounds[0])
    if operator == "<":
        return 0, bisect_left(keys, bounds[0])
    if operator == "<=":
        return 0, bisect_right(keys, bounds[0])
    if operator == ">":
        return bisect_right(keys, bounds[0]), len(keys)
    if operator == ">=":
        return bisect_left(keys, bounds[0]), len(keys)
    if operator == "BETWEEN":
        start = bisect_left(keys, bounds[0])
        return start, max(start, bisect_right(keys, bounds[1]))
    if operator == "BEGINS_WITH" and bounds[0].type == "S":
        start = stop = bisect_left(keys, bounds[0])
        while stop < len(keys) and keys[stop].type == "S":
            if not keys[stop].value.startswith(bounds[0].value):
                break
            stop += 1
        return start, stop
    return None


_narrowed = threading.local()


def _all_items(self: Table) -> list[Item]:
    narrowed = getattr(_narrowed, "candidates", None)
    if narrowed is not None and narrowed[0] is self:
        return narrowed[1]
    state = TableState.of(self)
    if state.sorted_items is None:
        state.sorted_items = _ALL_ITEMS(self)
    return list(state.sorted_items)  # a copy: callers may reorder what they get


def _query(
    self: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int,
    exclusive_start_key: dict[str, Any],
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    consistent_read: bool = False,
    filter_expression: Any = None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
    **filter_kwargs: Any,
) -> tuple[list[Item], int, dict[str, Any] | None]:
    candidates = _candidates(
        self, hash_key, index_name, hash_key_conditions, range_key_conditions, filter_kwargs
    )
    previous = getattr(_narrowed, "candidates", None)
    _narrowed.candidates = None if candidates is None else (self, candidates)
    try:
        return MOTO_QUERY(
            self,
            hash_key,
            range_comparison,
            range_objs,
            limit,
            exclusive_start_key,
            scan_index_forward,
            projection_expressions,
            index_name,
            consistent_read,
            filter_expression,
            hash_key_conditions=hash_key_conditions,
            range_key_conditions=range_key_conditions,
            **filter_kwargs,
        )
    finally:
        _narrowed.candidates = previous


def install() -> None:
    """Narrow each Query to its partition in this process (moto 5.2 only)."""
    require_supported_moto(
        "local_stack.moto_indexes",
        "Table.query, Table.all_items, put/delete/update_item",
    )
    Table.put_item = _put_item  # type: ignore[method-assign]
    Table.delete_item = _delete_item  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    Table.query = _query  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _update_item  # type: ignore[method-assign]
    moto_projections.install()


def uninstall() -> None:
    """Give moto back its own functions (the differential test compares both)."""
    TableState.current += 1
    Table.put_item = _PUT_ITEM  # type: ignore[method-assign]
    Table.delete_item = _DELETE_ITEM  # type: ignore[method-assign]
    Table.all_items = _ALL_ITEMS  # type: ignore[method-assign]
    Table.query = MOTO_QUERY  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _UPDATE_ITEM  # type: ignore[method-assign]
    moto_projections.uninstall()
