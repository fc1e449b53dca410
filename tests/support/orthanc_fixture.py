"""The ``orthanc`` pytest fixture: one real Orthanc 1.10.1 per test session.

Register it with ``pytest_plugins = ["tests.support.orthanc_fixture"]``. A missing Orthanc is
a failure, not a skip: CI installs it, and silently skipping would hide the interop suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.orthanc_server import OrthancServer, OrthancUnavailable


@pytest.fixture(scope="session")
def orthanc() -> Iterator[OrthancServer]:
    """A running Orthanc, shared by the whole session (tests must not rely on it being empty)."""
    try:
        server = OrthancServer().start()
    except OrthancUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
