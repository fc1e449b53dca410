"""The changes log, fed by the DynamoDB Stream of the index table.

On AWS a Lambda receives the stream in batches (``app.py``); locally the stream consumer of the
local stack reads moto's stream and calls the same handler. Either way each batch comes here:

* the INSERT of an instance record gives NewInstance, then NewSeries, NewStudy and NewPatient
  for the ancestors that this instance created (the record says how many), so the four entries
  come from one stream record and keep Orthanc's order whatever the shard layout;
* the overwrite of an instance (its file changed, ``OverwriteInstances``) is logged the way
  Orthanc logs it: Orthanc deletes the old instance, with the ancestors this leaves empty, then
  stores the new file, which creates them again. So the entries of the instance, and of the
  ancestors it was the only descendant of, are forgotten, and NewInstance and the
  New<Level> of those ancestors are logged again;
* after either, CompletedSeries when the series is complete with this file (below);
* the REMOVE of any resource record removes the entries naming that resource, as Orthanc's
  log forgets deleted resources (so no ``Deleted`` entry is ever listed);
* any other MODIFY of a record that changed its user metadata (``Meta``/``MetaRev``, a name
  outside Orthanc's built-in ones) gives UpdatedMetadata, one that changed its user
  attachments (``Att``) UpdatedAttachment, at the resource's level, as Orthanc 1.10.1 logs
  each PUT and DELETE of them. A record's other changes (LastUpdate and stability, labels,
  protection and the recycling order, main tags rewritten) log nothing, as in Orthanc. Such
  an event is keyed by the resource and the stream record's sequence number (a replay of the
  same record has the same number; the local stack replays its recording in the same order,
  so the numbers come back the same), and guarded by the record still being the same life
  (an instance holding the same file, an ancestor with the same ``Born``). Their ``Date`` is
  when the feed processes the record (the stream's lag, well under a second on AWS);
* the ancestors that already existed get their LastUpdate refreshed and become unstable again,
  once per batch rather than once per instance; an existing patient also moves to the end of
  the recycling order (``MaximumPatientCount``, ``MaximumStorageSize``).

Entries are never written for a resource deleted meanwhile. DynamoDB Streams orders the
records of one item only: on AWS the REMOVE of a series (its own shard) can be processed before
the INSERT of the instance that created it, and forgetting the series' entries would then come
before they are written. So each entry is written in a transaction guarded by the record it
comes from: NewInstance (and CompletedSeries) by the instance still holding this file,
New<Level> by the ancestor still being the one this file created (its ``Born``, not a later
resource with the same ID). A guard that fails drops its entries, and only those.

CompletedSeries, as Orthanc 1.10.1 logs it: after a file is stored, when its series is
``Complete`` counted with the ExpectedNumberOfInstances read from that file (whatever the
series' own count says), each time a stored file leaves the series complete (an instance
stored again after a deletion, an overwrite), never on a deletion. Here the series is read when
the record is processed: its instances then, minus those whose arrivals come later in the same
batch. The set of files that makes the series complete is part of the event's key, so two
arrivals processed after both were stored log it once, as Orthanc does for two uploads.

Replays are harmless: the arrival of a file is logged under its FileUuid at most once, and
already-logged arrivals are skipped before numbers are handed out. So a batch that fails
part-way names its first unfinished record (Lambda's partial batch response): Lambda retries
from there, the records before it are not processed twice, and one failing record does not
hold back the ones the function already logged. (The numbers reserved for the unfinished
records, or for entries a guard dropped, are not reused: ``Seq`` then has a gap, as Orthanc's
has after deletions.)
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.series_status import series_status
from chalicelib.model import ChildLink, Resource
from chalicelib.services.resources.names import BUILTIN_METADATA
from chalicelib.services.shared.clock import orthanc_now
from chalicelib.storage.index import RECORD, ResourceIndex, load_item, resource_from_item
from chalicelib.storage.logs import Append, Entry, GuardFailed, SequencedLog, Together

LOG = logging.getLogger(__name__)
# The ancestors listed on an instance record, nearest first.
ANCESTOR_LEVELS = (Level.SERIES, Level.STUDY, Level.PATIENT)


def change_fields(change_type: str, level: Level, resource_id: str, date: str) -> dict[str, str]:
    """The JSON of a change, as /changes shows it (``Seq`` is added when reading)."""
    return {
        "ChangeType": change_type,
        "ResourceType": level.value,
        "ID": resource_id,
        "Path": f"/{level.collection}/{resource_id}",
        "Date": date,
    }


@dataclass
class _Arrival:
    """A stream record that stored a file: a new instance, or an overwrite."""

    sequence: str
    event_key: str
    instance: Resource
    # How many ancestors (nearest first) the file's own transaction created.
    created: int
    replaces: bool


@dataclass
class _Removed:
    """A stream record that removed a resource."""

    sequence: str
    resource_id: str


@dataclass
class _Update:
    """A stream record that changed a resource's user metadata or attachments."""

    sequence: str
    event_key: str
    resource: Resource
    # The resource's ``Born`` (patients, studies, series): which life of the ID it is.
    born: str
    change_types: list[str]


@dataclass(frozen=True)
class _Change:
    """One entry to write, with the guards (positions in its plan) it needs."""

    change_type: str
    level: Level
    resource_id: str
    guards: tuple[int, ...]


@dataclass
class _Plan:
    """What an event not logged yet writes: its entries in order, their guards, and the
    resources whose earlier entries it makes Orthanc forget (an overwrite)."""

    event_key: str
    date: str
    changes: list[_Change] = field(default_factory=list)
    guards: list[dict[str, Any]] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)
    completion_key: str | None = None

    def guard(self, action: dict[str, Any]) -> int:
        self.guards.append(action)
        return len(self.guards) - 1


class ChangeFeed:
    def __init__(
        self,
        index: ResourceIndex,
        changes: SequencedLog,
        series_changed: Callable[[set[str]], None] | None = None,
    ) -> None:
        """``series_changed`` is told, once per batch, the series whose instances the batch
        removed, the series it removed, and those it added or replaced instances in that were
        stable until then (what was derived from their files, DICOMweb's metadata, is stale);
        its failure is logged, not retried."""
        self._index = index
        self._changes = changes
        self._series_changed = series_changed

    def handle(self, records: list[dict[str, Any]]) -> list[str]:
        """Process one batch of stream records (Lambda's ``Records``, in stream order).

        Returns the sequence number of the first record that could not be processed (with
        every later one, Lambda retries it), or nothing when the whole batch is done.
        """
        steps: list[_Arrival | _Removed | _Update] = []
        stale_series: set[str] = set()
        for record in records:
            keys = load_item(record["dynamodb"]["Keys"])
            if keys.get("sk") != RECORD:
                continue  # links and counters
            sequence = record["dynamodb"]["SequenceNumber"]
            if record["eventName"] == "REMOVE":
                steps.append(_Removed(sequence, keys["pk"]))
                stale_series.update(_series_of_removed(record))
            elif (arrival := self._arrival(sequence, record)) is not None:
                steps.append(arrival)
            elif (update := self._update(sequence, record)) is not None:
                steps.append(update)
        done, failed = self._apply(steps)
        # The latest arrival in each existing ancestor: its LastUpdate and file.
        touched: dict[str, tuple[str, str]] = {}
        # Existing patients move to the end of the recycling order, to the latest arrival's
        # position (services/resources/recycling.py).
        positions: dict[str, str] = {}
        for arrival in done:
            instance = arrival.instance
            # Ancestors created with the instance already carry its LastUpdate.
            existing = instance.ancestors[0 if arrival.replaces else arrival.created :]
            for ancestor in existing:
                latest = (instance.last_update, instance.file_uuid)
                touched[ancestor] = max(touched.get(ancestor, latest), latest)
            if existing and instance.recycling_position:
                patient = existing[-1]  # the nearest first: the patient is last
                positions[patient] = max(positions.get(patient, ""), instance.recycling_position)
        arrived_in = {arrival.instance.parent for arrival in done}
        for resource_id, (last_update, by_file) in touched.items():
            was_stable = self._index.touch(
                resource_id, last_update, by_file, positions.get(resource_id)
            )
            # Only a stable series has a DICOMweb metadata document: one that was unstable
            # already (receiving a study), and one this batch created (not touched), have none
            # to drop. Unknown (a replayed batch may have touched it before): dropped.
            if resource_id in arrived_in and was_stable is not False:
                stale_series.add(resource_id)
        self._tell_series_changed(stale_series - {""})
        return failed

    def _tell_series_changed(self, series_ids: set[str]) -> None:
        if not series_ids or self._series_changed is None:
            return
        try:
            self._series_changed(series_ids)
        except Exception:
            LOG.warning("Change feed: series %s not invalidated", sorted(series_ids), exc_info=True)

    @staticmethod
    def _arrival(sequence: str, record: dict[str, Any]) -> _Arrival | None:
        new = load_item(record["dynamodb"].get("NewImage", {}))
        if new.get("Level") != Level.INSTANCE.value:
            return None
        instance = resource_from_item(new)
        # Each stored file has its own UUID: the natural key of "this file arrived".
        key = f"file#{instance.file_uuid}"
        if record["eventName"] == "INSERT":
            return _Arrival(sequence, key, instance, instance.new_ancestors, replaces=False)
        old = load_item(record["dynamodb"].get("OldImage", {}))
        if old.get("FileUuid") != new.get("FileUuid"):  # OverwriteInstances replaced the file
            return _Arrival(sequence, key, instance, 0, replaces=True)
        return None

    @staticmethod
    def _update(sequence: str, record: dict[str, Any]) -> _Update | None:
        """A MODIFY that changed user metadata or attachments (not an overwrite: that is
        an arrival, and Orthanc logs the new file, not what it replaced)."""
        if record["eventName"] != "MODIFY":
            return None
        old = load_item(record["dynamodb"].get("OldImage", {}))
        new = load_item(record["dynamodb"].get("NewImage", {}))
        change_types = []
        if _user_metadata(old) != _user_metadata(new):
            change_types.append("UpdatedMetadata")
        if old.get("Att", {}) != new.get("Att", {}):
            change_types.append("UpdatedAttachment")
        if not change_types:
            return None
        key = f"updated#{new['pk']}#{sequence}"
        resource = resource_from_item(new)
        return _Update(sequence, key, resource, new.get("Born", ""), change_types)

    def _apply(
        self, steps: list[_Arrival | _Removed | _Update]
    ) -> tuple[list[_Arrival], list[str]]:
        """Log the steps in order until one fails: the arrivals done, and the sequence
        number to retry from (none if all are done)."""
        events = [s for s in steps if not isinstance(s, _Removed)]
        unseen = self._changes.unseen([e.event_key for e in events])
        plans: dict[int, _Plan] = {}
        series_links: dict[str, list[ChildLink]] = {}
        failed: list[str] = []
        for position, step in enumerate(steps):
            if isinstance(step, _Removed) or step.event_key not in unseen:
                continue
            try:
                if isinstance(step, _Update):
                    plans[position] = self._update_plan(step)
                    continue
                plans[position] = self._plan(step, steps[position + 1 :], series_links)
            except Exception:
                LOG.exception("Change feed: record %s failed, retried from there", step.sequence)
                steps, failed = steps[:position], [step.sequence]
                break
        self._drop_logged_completions(list(plans.values()))
        count = sum(len(plan.changes) for plan in plans.values())
        seq = self._changes.allocate(count) if count else 0
        done, unfinished = self._write(steps, plans, seq)
        return done, unfinished or failed

    def _write(
        self, steps: list[_Arrival | _Removed | _Update], plans: dict[int, _Plan], seq: int
    ) -> tuple[list[_Arrival], list[str]]:
        """Write the plans in the order of their steps, numbered from ``seq``: those of
        consecutive steps together, as many per transaction as fit (one for a whole batch
        of a modality's uploads, instead of one per instance). A removal, and a plan that
        makes the log forget entries (an overwrite), come after everything before them.
        Returns the arrivals done (logged now or by an earlier attempt: their ancestors are
        touched now) and the record to retry from, with every later one (none if all are
        done)."""
        done: list[_Arrival] = []
        group: list[tuple[_Plan, int]] = []  # the plans in ``together``
        together = self._changes.together()
        start = 0  # the first step whose entries may not be written yet
        try:
            for position, step in enumerate(steps):
                plan = plans.get(position)
                alone = isinstance(step, _Removed) or (plan is not None and bool(plan.forget))
                append = None if plan is None or alone else _append(plan, seq)
                full = append is not None and not together.add(append)
                if group and (alone or full):
                    self._write_together(group, together)
                    group, together = [], self._changes.together()
                    done, start = done + _arrivals(steps[start:position]), position
                    if full:
                        together.add(append)  # an empty group takes any append
                if isinstance(step, _Removed):
                    self._changes.forget(step.resource_id)
                    start = position + 1
                elif plan is not None and alone:
                    self._log(plan, seq)
                    done, start = done + _arrivals([step]), position + 1
                elif append is not None:
                    group.append((plan, seq))
                if plan is not None:
                    seq += len(plan.changes)
            self._write_together(group, together)
        except Exception:
            # Whatever went wrong (throttling, a timeout), the record is retried.
            sequence = steps[start].sequence
            LOG.exception("Change feed: record %s failed, retried from there", sequence)
            return done, [sequence]
        return done + _arrivals(steps[start:]), []

    def _write_together(self, group: list[tuple[_Plan, int]], together: Together) -> None:
        """One transaction for the whole group; if a condition failed in it (a guard, an
        event logged meanwhile), each plan alone, which drops only what must be dropped."""
        if len(group) > 1 and self._changes.append_together(together):
            return
        for plan, seq in group:
            self._log(plan, seq)

    def _update_plan(self, update: _Update) -> _Plan:
        """The Updated* entries of one record, guarded by the record being the same life."""
        resource = update.resource
        plan = _Plan(update.event_key, orthanc_now())
        if resource.level is Level.INSTANCE:
            same = self._index.holds_file_guard(resource.id, resource.file_uuid)
        else:
            same = self._index.born_of_guard(resource.id, update.born)
        guard = plan.guard(same)
        for change_type in update.change_types:
            plan.changes.append(_Change(change_type, resource.level, resource.id, (guard,)))
        return plan

    def _plan(
        self,
        arrival: _Arrival,
        later: list[_Arrival | _Removed | _Update],
        series_links: dict[str, list[ChildLink]],
    ) -> _Plan:
        """The entries of one arrival, in Orthanc's order (reads the index, writes nothing)."""
        instance = arrival.instance
        plan = _Plan(arrival.event_key, instance.last_update)
        holds_file = plan.guard(self._index.holds_file_guard(instance.id, instance.file_uuid))
        plan.changes.append(_Change("NewInstance", Level.INSTANCE, instance.id, (holds_file,)))
        if arrival.replaces:
            # What Orthanc deleted and created again: this file's ancestors exist as long as
            # it does, so the same guard holds for them.
            plan.forget.append(instance.id)
            for level, resource_id in self._emptied_by_overwrite(instance):
                plan.forget.append(resource_id)
                plan.changes.append(_Change(f"New{level.value}", level, resource_id, (holds_file,)))
        else:
            created = zip(ANCESTOR_LEVELS, instance.ancestors[: arrival.created], strict=False)
            for level, resource_id in created:
                born = plan.guard(self._index.born_of_guard(resource_id, instance.file_uuid))
                plan.changes.append(_Change(f"New{level.value}", level, resource_id, (born,)))
        completion = self._completion_key(instance, later, series_links)
        if completion is not None:
            plan.completion_key = completion
            once = plan.guard(self._changes.event_guard(completion))
            series = instance.ancestors[0]
            plan.changes.append(
                _Change("CompletedSeries", Level.SERIES, series, (holds_file, once))
            )
        return plan

    def _emptied_by_overwrite(self, instance: Resource) -> list[tuple[Level, str]]:
        """The ancestors the overwritten instance was the only descendant of, nearest first:
        those Orthanc deletes with the old file and creates again with the new one."""
        emptied: list[tuple[Level, str]] = []
        child = instance.id
        for level, resource_id in zip(ANCESTOR_LEVELS, instance.ancestors, strict=False):
            if [link.child for link in self._index.children(resource_id, limit=2)] != [child]:
                break
            emptied.append((level, resource_id))
            child = resource_id
        return emptied

    def _completion_key(
        self,
        instance: Resource,
        later: list[_Arrival | _Removed | _Update],
        series_links: dict[str, list[ChildLink]],
    ) -> str | None:
        """The event key of "this file completed its series", or None if it did not.

        The series' instances are read once per batch; those whose arrival comes later in the
        batch are left out, so each arrival is judged on the series as it stood after it.
        """
        if instance.expected_instances is None or not instance.ancestors:
            return None
        series = instance.ancestors[0]
        if series not in series_links:
            series_links[series] = self._index.children(series)
        arriving_later = {
            step.instance.id for step in later if isinstance(step, _Arrival) and not step.replaces
        }
        present = [link for link in series_links[series] if link.child not in arriving_later]
        indexes = [link.index_in_series for link in present]
        if series_status(instance.expected_instances, indexes) != "Complete":
            return None
        files = "\n".join(sorted(link.blob_key for link in present))
        return f"complete#{series}#{hashlib.sha256(files.encode()).hexdigest()[:32]}"

    def _drop_logged_completions(self, plans: list[_Plan]) -> None:
        """Leave out the CompletedSeries already logged for the same files (by another
        arrival, in an earlier batch), before numbers are handed out for them."""
        keys = [p.completion_key for p in plans if p.completion_key is not None]
        if not keys:
            return
        unseen = self._changes.unseen(keys)
        for plan in plans:
            if plan.completion_key is not None and plan.completion_key not in unseen:
                plan.changes = [c for c in plan.changes if c.change_type != "CompletedSeries"]
                plan.completion_key = None

    def _log(self, plan: _Plan, seq: int) -> None:
        """The entries of one arrival, numbered from ``seq``, each written only if its guards
        hold (the others are dropped, leaving gaps in the numbers)."""
        for resource_id in plan.forget:
            self._changes.forget(resource_id)
        pending = _numbered(plan, seq)
        while True:
            used = _guards_used(pending)
            try:
                self._changes.append(
                    [entry for entry, _ in pending],
                    plan.event_key,
                    [plan.guards[g] for g in used],
                )
                return
            except GuardFailed as failure:
                # Those resources were deleted (or the file replaced) since: Orthanc's log
                # would have forgotten them. Each round drops at least one guard.
                dead = {used[i] for i in failure.failed}
                pending = [(e, guards) for e, guards in pending if not dead.intersection(guards)]


def _numbered(plan: _Plan, seq: int) -> list[tuple[Entry, tuple[int, ...]]]:
    """The entries of a plan numbered from ``seq``, each with its guards' positions."""
    return [
        (
            Entry(
                seq + n,
                change_fields(c.change_type, c.level, c.resource_id, plan.date),
                c.resource_id,
            ),
            c.guards,
        )
        for n, c in enumerate(plan.changes)
    ]


def _guards_used(pending: list[tuple[Entry, tuple[int, ...]]]) -> list[int]:
    """The positions of the guards the entries still need (a CompletedSeries dropped as
    already logged leaves its guard unused)."""
    return sorted({g for _, guards in pending for g in guards})


def _append(plan: _Plan, seq: int) -> Append:
    """A plan's whole append, numbered from ``seq``, for a transaction shared with others."""
    pending = _numbered(plan, seq)
    guards = [plan.guards[g] for g in _guards_used(pending)]
    return Append([entry for entry, _ in pending], plan.event_key, guards)


def _arrivals(steps: list[_Arrival | _Removed | _Update]) -> list[_Arrival]:
    return [step for step in steps if isinstance(step, _Arrival)]


def _series_of_removed(record: dict[str, Any]) -> list[str]:
    """The series a REMOVE record changes: a removed series itself, an instance's series."""
    old = load_item(record["dynamodb"].get("OldImage", {}))
    if old.get("Level") == Level.SERIES.value:
        return [old["pk"]]
    if old.get("Level") == Level.INSTANCE.value and old.get("Parent"):
        return [old["Parent"]]
    return []


def _user_metadata(item: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """A record's user metadata with their revisions (a rewrite of the same value is a new
    revision, which Orthanc logs too)."""
    revisions = item.get("MetaRev", {})
    return {
        name: (value, int(revisions.get(name, 0)))
        for name, value in item.get("Meta", {}).items()
        if name not in BUILTIN_METADATA
    }
