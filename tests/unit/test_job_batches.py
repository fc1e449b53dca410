"""How a job's items are cut into batches: in order, balanced, a multiple of the Map's width."""

from __future__ import annotations

import json

import pytest

from chalicelib.jobs.state_machine import DEFINITION_PATH
from chalicelib.services.jobs.steps import BATCH_SIZE, MAP_CONCURRENCY, split_in_batches


def test_map_concurrency_is_the_state_machines() -> None:
    definition = json.loads(DEFINITION_PATH.read_text(encoding="utf-8"))
    assert definition["States"]["Batches"]["MaxConcurrency"] == MAP_CONCURRENCY


@pytest.mark.parametrize(
    ("count", "batches"),
    [
        (0, 0),
        (1, 1),
        (BATCH_SIZE, 1),
        (BATCH_SIZE + 1, MAP_CONCURRENCY),
        (MAP_CONCURRENCY * BATCH_SIZE, MAP_CONCURRENCY),
        (MAP_CONCURRENCY * BATCH_SIZE + 1, 2 * MAP_CONCURRENCY),
        (500, 12),
    ],
)
def test_items_are_split_evenly_in_order(count: int, batches: int) -> None:
    items = [f"i{n}" for n in range(count)]
    split = split_in_batches(items)
    assert len(split) == batches
    assert [item for batch in split for item in batch] == items
    sizes = {len(batch) for batch in split}
    assert (
        max(sizes, default=0) <= BATCH_SIZE and max(sizes, default=0) - min(sizes, default=0) <= 1
    )
