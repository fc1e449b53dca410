"""Fixtures of the end-to-end layer: Cirrus over HTTP, exactly as ``make run`` serves it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack import LocalStack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """One local stack shared by the tests that do not stop it."""
    with LocalStack(tmp_path_factory.mktemp("stack") / "data") as running:
        yield running
