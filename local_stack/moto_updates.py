"""UpdateItem's expression parsed once per distinct text, and copied cheaply (local tooling).

moto 5.2 parses an ``UpdateExpression`` on every update: in the request's validation, again in
the backend's ``update_item``, and once more for each ``Update`` of a ``TransactWriteItems``.
Its validator then deep-copies the parsed tree (``copy.deepcopy`` of some sixty small objects
linked both ways) before writing the request's values into the copy. Cirrus sends a handful of
distinct expressions (the counters' ``ADD`` in every ingest transaction, the change feed's
touches, the jobs' progress), and profiling the emulator under ``bench/ingest.py`` put these
two steps at about a sixth of its CPU: ~100 µs for each parse and ~100 µs for each copy.

This patch changes two things and nothing else:

- ``UpdateExpressionParser.make`` returns the tree of an expression text already parsed
  (kept per text; the cache is emptied when it holds ``_LIMIT`` texts). moto's callers only
  read that tree (``find_clauses``) or give it to the validator, which copies it before
  changing anything; an invalid expression raises as before and is not kept.
- The validator's copy of such a tree is ``pickle.loads`` of the tree pickled once, about a
  sixth of the cost of ``copy.deepcopy``. Both rebuild each object from ``__reduce_ex__``
  with the same sharing and cycles, and the tree holds only moto's nodes and tokens, none of
  which defines ``__deepcopy__`` or custom pickling; any other value the validator copies
  (``list_append``'s operand) still goes through ``copy.deepcopy``.

``tests/integration/test_emulator_updates.py`` checks the copies against ``deepcopy``'s, and
the same updates with and without the patch against each other.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

from moto.dynamodb.parsing import validators
from moto.dynamodb.parsing.expressions import UpdateExpressionParser

from local_stack.moto_version import require_supported_moto

# Distinct expression texts kept; Cirrus sends about twenty.
_LIMIT = 512

_MOTO_MAKE_ATTRIBUTE = UpdateExpressionParser.__dict__["make"]  # the classmethod itself
_MOTO_MAKE = UpdateExpressionParser.make
_MOTO_DEEPCOPY = validators.deepcopy

# Expression text -> (its tree, the tree pickled); tree id -> the same pair.
_trees: dict[str, tuple[Any, bytes]] = {}
_by_tree: dict[int, tuple[Any, bytes]] = {}


def _make(cls: type[UpdateExpressionParser], expression_str: str) -> Any:
    """moto's parse of ``expression_str``, done once per text."""
    entry = _trees.get(expression_str)
    if entry is None:
        tree = _MOTO_MAKE(expression_str)
        entry = (tree, pickle.dumps(tree, pickle.HIGHEST_PROTOCOL))
        if len(_trees) >= _LIMIT:
            _trees.clear()
            _by_tree.clear()
        _trees[expression_str] = entry
        _by_tree[id(tree)] = entry
    return entry[0]


def copy_for_validation(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A private copy of ``value`` for the validator: unpickled if it is a kept tree."""
    entry = _by_tree.get(id(value))
    if entry is not None and entry[0] is value:
        return pickle.loads(entry[1])  # noqa: S301 - pickled by this module from moto's tree
    return copy.deepcopy(value, memo)


def install() -> None:
    """Parse each update expression once in this process (moto 5.2 only; idempotent)."""
    require_supported_moto(
        "local_stack.moto_updates", "UpdateExpressionParser.make, the validators' deepcopy"
    )
    UpdateExpressionParser.make = classmethod(_make)  # type: ignore[method-assign,assignment]
    validators.deepcopy = copy_for_validation  # type: ignore[assignment]


def uninstall() -> None:
    """Give moto back its own functions (the differential test compares both)."""
    UpdateExpressionParser.make = _MOTO_MAKE_ATTRIBUTE  # type: ignore[method-assign]
    validators.deepcopy = _MOTO_DEEPCOPY
    _trees.clear()
    _by_tree.clear()
