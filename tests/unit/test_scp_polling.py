"""The DICOM service's reactors poll less while an association is silent (polling.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pynetdicom
import pytest
from pynetdicom import AE, association, dul
from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

from scp_container import polling
from tests.support.orthanc_server import free_port


def test_a_reactor_keeps_pynetdicom_s_delay_while_its_association_works() -> None:
    assert polling.delay_after(0.0) == polling.REACTOR_DELAY
    assert polling.delay_after(polling.QUIET_AFTER / 2) == polling.REACTOR_DELAY


def test_the_delay_grows_with_the_silence_up_to_its_maximum() -> None:
    delays = [polling.delay_after(polling.QUIET_AFTER + s) for s in (0.01, 0.05, 0.1, 10, 3600)]
    assert delays == sorted(delays)
    assert polling.REACTOR_DELAY < delays[0] < polling.MAXIMUM_DELAY
    assert delays[-1] == delays[-2] == polling.MAXIMUM_DELAY


def test_another_pynetdicom_version_keeps_its_own_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dul, "time", time)
    monkeypatch.setattr(association, "time", time)
    monkeypatch.setattr(pynetdicom, "__version__", "4.0.0")
    assert polling.install() is False
    assert dul.time is time and association.time is time


@pytest.fixture
def served() -> Iterator[Any]:
    """A pynetdicom acceptor watched as the DICOM service's are, on a free port."""
    originals = dul.time, association.time
    assert polling.install()
    ae = AE(ae_title="WATCHED")
    ae.add_supported_context(Verification)
    port = free_port()
    server = ae.start_server(("127.0.0.1", port), block=False, evt_handlers=polling.handlers())
    yield server
    server.shutdown()
    dul.time, association.time = originals


def test_only_the_service_s_associations_slow_down_when_silent(served: Any) -> None:
    requestor = AE(ae_title="CALLER")
    requestor.add_requested_context(Verification)
    assoc = requestor.associate("127.0.0.1", served.server_address[1])
    try:
        assert assoc.is_established
        [acceptor] = served.active_associations
        # The acceptor's two reactor threads are recognised; the requestor's are not
        # (this process's own associations as SCU keep pynetdicom's delay).
        assert polling._watched_association(acceptor) is acceptor
        assert polling._watched_association(acceptor.dul) is acceptor
        assert polling._watched_association(assoc) is None
        assert polling._watched_association(assoc.dul) is None
        time.sleep(polling.QUIET_AFTER + 0.3)
        silence = time.monotonic() - polling._last_pdu[acceptor]
        assert polling.delay_after(silence) > polling.REACTOR_DELAY
        # A silent association still answers, and answering makes it busy again.
        assert assoc.send_c_echo().Status == 0
        silence = time.monotonic() - polling._last_pdu[acceptor]
        assert polling.delay_after(silence) == polling.REACTOR_DELAY
    finally:
        assoc.release()
