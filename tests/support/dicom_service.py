"""Cirrus's DICOM service in-process, for tests that talk DICOM to it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.orthanc_server import free_port


def end_abruptly(association: Any, ending: str) -> None:
    """End ``association`` mid-transfer as a failing modality does: an A-ABORT
    (``"a-abort"``), or the TCP connection dropped without one."""
    if ending == "a-abort":
        association.abort()
        return
    raw = association.dul.socket.socket
    raw.shutdown(socket.SHUT_RDWR)
    raw.close()
    association.kill()


@contextmanager
def dicom_service(port: int | None = None) -> Iterator[int]:
    """The service on ``127.0.0.1:port`` (a free port by default) with the configuration the
    test applied before; stopped on exit. Yields the port."""
    from scp_container.service import start

    port = port or free_port()
    server = start("127.0.0.1", port, block=False)
    try:
        yield port
    finally:
        server.shutdown()
