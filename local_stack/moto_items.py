"""An item's size limit checked once per item built, not once per attribute (local tooling).

moto 5.2 keeps an item's attributes in a ``LimitedSizeDict`` whose ``__setitem__`` adds up the
size of every attribute already there (maps and lists walked member by member) before it
accepts one more, so building an item of n attributes measures it n times: quadratic in its
attributes. Cirrus's records have a few dozen, main tags and metadata as maps, and every
``PutItem`` and ``Put`` of a transaction builds an item: under ``bench/ingest.py`` the
measuring cost about 6% of the emulator's CPU (4.40 ms per instance, 4.16 without it).

This patch replaces ``Item.__init__`` only. It converts the attributes as moto does, adds up
their sizes once with moto's own formula, and raises moto's ``ItemSizeTooLarge`` if the sum
passes moto's limit. That is the same test moto makes: attributes are only added while an
item is built, sizes are never negative, so the last and largest of moto's running sums is
this one. Updates of an existing item still go through ``LimitedSizeDict.__setitem__``.
``tests/integration/test_emulator_items.py`` builds the same items, too large ones included,
with and without the patch.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize

from local_stack.moto_version import require_supported_moto

# moto 5.2's cap on an item's size in LimitedSizeDict.__setitem__ (AWS documents 400 KB;
# moto measured between 409 and 410 KB, and refuses above this).
MAX_ITEM_SIZE = 405_000

_MOTO_INIT = Item.__init__


def _init(
    self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]
) -> None:
    """moto's ``Item.__init__``, with the size of the item computed once."""
    self.hash_key = hash_key
    self.range_key = range_key
    values = {key: DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in values.items()) > MAX_ITEM_SIZE:
        raise ItemSizeTooLarge
    self.attrs = LimitedSizeDict()
    dict.update(self.attrs, values)  # not LimitedSizeDict.__setitem__: measured above


def install() -> None:
    """Measure each item built once in this process (moto 5.2 only; idempotent)."""
    require_supported_moto("local_stack.moto_items", "Item.__init__, LimitedSizeDict")
    Item.__init__ = _init  # type: ignore[method-assign]


def uninstall() -> None:
    """Give moto back its own ``Item.__init__`` (the differential test compares both)."""
    Item.__init__ = _MOTO_INIT  # type: ignore[method-assign]
