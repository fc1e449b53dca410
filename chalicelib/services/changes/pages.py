"""Reading the sequenced logs a page at a time, as Orthanc answers ``GET /changes`` and
``GET /exports``, and clearing them (``DELETE``)."""

from __future__ import annotations

from typing import Any

from chalicelib.storage.logs import SequencedLog

DEFAULT_LIMIT = 100
# Bounds one answer; a client pages with "since" as Orthanc's documentation shows.
MAX_LIMIT = 10000


class LogPages:
    def __init__(self, log: SequencedLog, key: str) -> None:
        """``key`` names the entries in the answer (``Changes``, ``Exports``)."""
        self._log = log
        self._key = key

    def page(self, since: int, limit: int | None, last: bool) -> dict[str, Any]:
        """Entries after ``since``, at most ``limit`` (DEFAULT_LIMIT, at most MAX_LIMIT);
        only the newest with ``last``."""
        if last:
            page = self._log.newest()
        else:
            limit = DEFAULT_LIMIT if limit is None else limit
            page = self._log.read(since, min(limit, MAX_LIMIT))
        return {
            self._key: [{**entry.fields, "Seq": entry.seq} for entry in page.entries],
            "Done": page.done,
            "Last": page.last,
        }

    def clear(self) -> None:
        self._log.clear()
