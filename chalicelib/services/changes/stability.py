"""Declaring patients, studies and series stable, as Orthanc does after ``StableAge`` seconds
without news (``StableSeries``, ``StableStudy``, ``StablePatient`` in /changes).

New and updated resources carry an ``unstable`` flag in the index (set by the ingest for new
resources, by the change feed for existing ones), listed by the sparse ``ByUnstable`` index.
This check reads that short list, logs a change for each resource whose LastUpdate is old
enough and clears its flag, unless the resource was updated meanwhile. On AWS it runs on a
schedule (``app.py``); locally the stream consumer of the local stack runs it on a timer.

The entry and the cleared flag are one transaction, conditioned on the record still existing
with the LastUpdate that was read: a resource deleted (or touched) between the read and the
write gets no entry. Without that, a Stable entry could be written after the stream handler
had already forgotten the deleted resource's changes, and stay in the log for good.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from chalicelib.dicom.identifiers import Level
from chalicelib.model import Resource
from chalicelib.services.changes.feed import change_fields
from chalicelib.services.shared.clock import orthanc_now, parse_orthanc_time
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.logs import Entry, GuardFailed, SequencedLog

# Orthanc announces a series before its study and its patient.
_DEEPEST_FIRST = {"Series": 0, "Study": 1, "Patient": 2}
# LastUpdate keeps whole seconds (Orthanc's format): the arrival happened somewhere within
# that second, so StableAge is counted from its end. Counted from its start, a resource could
# be declared stable a fraction of a second after an arrival with a StableAge of 1; Orthanc
# never declares it before StableAge has passed.
_LAST_UPDATE_RESOLUTION = timedelta(seconds=1)


class StabilityService:
    def __init__(
        self,
        index: ResourceIndex,
        changes: SequencedLog,
        stable_age: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_stable_series: Callable[[str], None] | None = None,
    ) -> None:
        """``on_stable_series`` is called with each series declared stable (the DICOMweb
        metadata is written then); it must be idempotent, as a series whose flag a later run
        clears is passed again."""
        self._index = index
        self._changes = changes
        self._stable_age = timedelta(seconds=stable_age)
        self._now = now
        self._on_stable_series = on_stable_series

    def run(self) -> int:
        """Declare stable every resource that is due; returns how many were."""
        now = self._now()
        candidates = self._index.get_many(self._index.unstable_ids()).values()
        due = sorted(
            (
                r
                for r in candidates
                if r.unstable
                and now - parse_orthanc_time(r.last_update)
                >= self._stable_age + _LAST_UPDATE_RESOLUTION
            ),
            key=lambda r: (_DEEPEST_FIRST[r.level.value], r.id),
        )
        keys = {r.id: f"stable#{r.id}#{r.last_update}" for r in due}
        unseen = self._changes.unseen(list(keys.values()))
        fresh = sum(1 for r in due if keys[r.id] in unseen)
        seq = self._changes.allocate(fresh) if fresh else 0
        date = orthanc_now()
        declared = 0
        for resource in due:
            if keys[resource.id] in unseen:
                fields = change_fields(
                    f"Stable{resource.level.value}", resource.level, resource.id, date
                )
                entry = Entry(seq, fields, resource.id)
                seq += 1
                guard = self._index.stable_guard(resource.id, resource.last_update)
                try:
                    if self._changes.append([entry], keys[resource.id], [guard]):
                        declared += 1
                        self._stable(resource)
                        continue
                except GuardFailed:
                    continue  # received something, or deleted, since it was read
            # Logged by an earlier run whose flag was not cleared: clear it now.
            if self._index.mark_stable(resource.id, resource.last_update):
                declared += 1
                self._stable(resource)
        return declared

    def _stable(self, resource: Resource) -> None:
        if resource.level is Level.SERIES and self._on_stable_series is not None:
            self._on_stable_series(resource.id)
