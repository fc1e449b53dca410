"""One AWS request at a time to the in-process moto, for tests whose job runner thread
writes a job's record while the test thread (a synchronous job route waiting, ``wait_job``)
reads it. moto is not thread-safe: a GetItem copying an item that an UpdateItem of the other
thread changes fails with "dictionary changed size during iteration". The local stack's
emulator serves one request at a time (docs/architecture.md, "The local stack"); this does
the same in-process, so a test sees what the local stack and AWS would answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def serial_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.RLock()
    real_call = BotocoreStubber.__call__

    def one_at_a_time(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        with lock:
            return real_call(self, event_name, request, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)
    yield
