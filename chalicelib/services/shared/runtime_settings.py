"""Settings that the REST API changes at run time, shared by every process of the deployment.

The configuration file gives each setting its starting value; ``PUT /tools/...`` writes a new
one to DynamoDB (``chalicelib.storage.settings_store``), which wins over the file. Reading
DynamoDB on every request would add a round trip to hot routes and to every association of
the DICOM service, so each process keeps what it read for ``MAX_AGE`` seconds: a change made
by one Lambda container reaches the others, and the DICOM service, within that bound (at
once in the process that made it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.storage.settings_store import SettingsStore

# The staleness bound of a setting changed by another process (seconds).
MAX_AGE = 5.0


class RuntimeSettings:
    def __init__(
        self,
        store: SettingsStore,
        defaults: Mapping[str, Any],
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._defaults = dict(defaults)
        self._max_age = max_age
        self._clock = clock
        # The DICOM service reads from several association threads at once.
        self._lock = threading.Lock()
        self._written: dict[str, Any] = {}
        self._read_at: float | None = None

    def get(self, name: str) -> Any:
        """The current value of ``name`` (a Query of DynamoDB at most every ``MAX_AGE``)."""
        with self._lock:
            now = self._clock()
            if self._read_at is None or now - self._read_at >= self._max_age:
                self._written = self._store.all()
                self._read_at = now
            return self._written.get(name, self._defaults[name])

    def put(self, values: Mapping[str, Any]) -> None:
        """Write ``values`` for the whole deployment (this process sees them at once)."""
        unknown = set(values) - set(self._defaults)
        if unknown:
            raise KeyError(f"no such setting: {sorted(unknown)}")
        self._store.put(values)
        with self._lock:
            self._written.update(values)
