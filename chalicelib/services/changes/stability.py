"""Declaring patients, studies and series stable, as Orthanc does after ``StableAge`` seconds
without news (``StableSeries``, ``StableStudy``, ``StablePatient`` in /changes).

New and updated resources carry an ``unstable`` flag in the index (set by the ingest for new
resources, by the change feed for existing ones), listed by the sparse ``ByUnstable`` index.
This check reads that short list, logs a change for each resource whose LastUpdate is old
enough and clears its flag, unless the resource was updated meanwhile. On AWS it runs on a
schedule (``app.py``); locally the stream consumer of the local stack runs it on a timer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chalicelib.services.changes.feed import change_fields
from chalicelib.services.shared.clock import orthanc_now, parse_orthanc_time
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.logs import Entry, SequencedLog

# Orthanc announces a series before its study and its patient.
_DEEPEST_FIRST = {"Series": 0, "Study": 1, "Patient": 2}


class StabilityService:
    def __init__(
        self,
        index: ResourceIndex,
        changes: SequencedLog,
        stable_age: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._index = index
        self._changes = changes
        self._stable_age = timedelta(seconds=stable_age)
        self._now = now

    def run(self) -> int:
        """Declare stable every resource that is due; returns how many were."""
        now = self._now()
        candidates = self._index.get_many(self._index.unstable_ids()).values()
        due = sorted(
            (
                r
                for r in candidates
                if r.unstable and now - parse_orthanc_time(r.last_update) >= self._stable_age
            ),
            key=lambda r: (_DEEPEST_FIRST[r.level.value], r.id),
        )
        keys = {r.id: f"stable#{r.id}#{r.last_update}" for r in due}
        unseen = self._changes.unseen(list(keys.values()))
        fresh = [r for r in due if keys[r.id] in unseen]
        seq = self._changes.allocate(len(fresh)) if fresh else 0
        date = orthanc_now()
        for resource in fresh:
            fields = change_fields(
                f"Stable{resource.level.value}", resource.level, resource.id, date
            )
            self._changes.append([Entry(seq, fields, resource.id)], keys[resource.id])
            seq += 1
        # The flag goes last: a crash before this point replays as a no-op next time.
        for resource in due:
            self._index.mark_stable(resource.id, resource.last_update)
        return len(due)
