"""The local change feed polls the stream less while nothing arrives (local_stack/feed.py)."""

from __future__ import annotations

from local_stack.feed import IDLE_POLL_SECONDS, POLL_SECONDS, next_poll


def test_idle_polls_back_off_to_the_ceiling() -> None:
    waits = [POLL_SECONDS]
    for _ in range(6):
        waits.append(next_poll(waits[-1], delivered=0))
    assert waits == [0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0]
    assert waits[-1] == IDLE_POLL_SECONDS


def test_records_bring_the_short_wait_back() -> None:
    assert next_poll(IDLE_POLL_SECONDS, delivered=3) == POLL_SECONDS
    assert next_poll(POLL_SECONDS, delivered=1) == POLL_SECONDS
