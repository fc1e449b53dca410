"""The emulator's changes to moto, installed together (local tooling).

The emulator process (``local_stack.emulator``), the test suite's in-process moto
(``tests/conftest.py``) and the benchmarks' (``bench/profiling.py``) all run moto with the
same changes, so that what the tests check and the benchmarks measure is what ``make run``
serves. Each module's docstring says what it changes and which test compares it with moto's
own behaviour; ``local_stack.moto_dispatch`` is not here, as it wraps the emulator's WSGI
application rather than moto's backends.
"""

from __future__ import annotations

from local_stack import (
    moto_indexes,
    moto_items,
    moto_responses,
    moto_streams,
    moto_transactions,
    moto_updates,
)

PATCHES = (moto_transactions, moto_indexes, moto_responses, moto_streams, moto_updates, moto_items)


def install() -> None:
    """Install every change in this process (each is idempotent)."""
    for patch in PATCHES:
        patch.install()
