"""While the DICOM service serves a request, its DUL reactor waits for the answer instead of
polling every millisecond, and sends the answer as soon as it is ready (polling.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pynetdicom import AE, association, dul, evt
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from scp_container import polling
from tests.support.orthanc_server import free_port

HANDLER_SECONDS = 0.5


class _CountingTime:
    """``dul``'s ``time`` as polling.py installs it, counting the sleeps of one thread."""

    def __init__(self, reactor_time: Any) -> None:
        self._time = reactor_time
        self.watched: threading.Thread | None = None
        self.sleeps = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._time, name)

    def sleep(self, seconds: float) -> None:
        if threading.current_thread() is self.watched:
            self.sleeps += 1
        self._time.sleep(seconds)


@pytest.fixture
def slow_echo(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, _CountingTime]]:
    """A watched acceptor whose C-ECHO handler takes HANDLER_SECONDS, its DUL's sleeps
    counted from the handler's start; a silent reactor's delay is stretched to 2 s, so that a
    DUL reactor left asleep would hold the answer back visibly."""
    originals = dul.time, association.time
    assert polling.install()
    counting = _CountingTime(dul.time)
    dul.time = counting  # type: ignore[assignment]
    monkeypatch.setattr(polling, "MAXIMUM_DELAY", 2.0)

    def handle_echo(event: Any) -> int:
        counting.watched, counting.sleeps = event.assoc.dul, 0
        time.sleep(HANDLER_SECONDS)
        return 0

    ae = AE(ae_title="WATCHED")
    ae.add_supported_context(Verification)
    handlers = [*polling.handlers(), (evt.EVT_C_ECHO, handle_echo)]
    server = ae.start_server(("127.0.0.1", free_port()), block=False, evt_handlers=handlers)
    yield server, counting
    server.shutdown()
    dul.time, association.time = originals


def test_the_dul_reactor_waits_for_the_answer_and_sends_it_at_once(
    slow_echo: tuple[Any, _CountingTime],
) -> None:
    server, counting = slow_echo
    requestor = AE(ae_title="CALLER")
    requestor.add_requested_context(Verification)
    assoc = requestor.associate("127.0.0.1", server.server_address[1])
    try:
        assert assoc.is_established
        began = time.monotonic()
        assert assoc.send_c_echo().Status == 0
        elapsed = time.monotonic() - began
        # Polling every millisecond would be hundreds of sleeps during the handler.
        assert counting.sleeps <= 5
        # Woken by the answer, not by the end of its (2 s) wait.
        assert HANDLER_SECONDS <= elapsed < HANDLER_SECONDS + 0.5
        [acceptor] = server.active_associations
        assert acceptor not in polling._answer_sent
    finally:
        assoc.release()
