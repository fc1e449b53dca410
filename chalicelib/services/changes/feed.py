"""The changes log, fed by the DynamoDB Stream of the index table.

On AWS a Lambda receives the stream in batches (``app.py``); locally the stream consumer of the
local stack reads moto's stream and calls the same handler. Either way each batch comes here:

* the INSERT of an instance record gives NewInstance, then NewSeries, NewStudy and NewPatient
  for the ancestors that this instance created (the record says how many), so the four entries
  come from one stream record and keep Orthanc's order whatever the shard layout;
* the overwrite of an instance (its file changed) gives a new NewInstance;
* the REMOVE of any resource record removes the entries naming that resource, as Orthanc's
  log forgets deleted resources (so no ``Deleted`` entry is ever listed);
* the ancestors that already existed get their LastUpdate refreshed and become unstable again,
  once per batch rather than once per instance.

Replays are harmless: the arrival of a file is logged under its FileUuid at most once, and
already-logged arrivals are skipped before numbers are handed out. So a batch that fails
part-way names its first unfinished record (Lambda's partial batch response): Lambda retries
from there, the records before it are not processed twice, and one failing record does not
hold back the ones the function already logged. (The numbers reserved for the unfinished
records are not reused: ``Seq`` then has a gap, as Orthanc's has after deletions.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from chalicelib.dicom.identifiers import Level
from chalicelib.model import Resource
from chalicelib.storage.index import RECORD, ResourceIndex, load_item, resource_from_item
from chalicelib.storage.logs import Entry, SequencedLog

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
class _Logged:
    """What one stream record adds to the log."""

    sequence: str
    event_key: str
    instance: Resource
    levels: list[tuple[Level, str]]
    replaces: bool


@dataclass
class _Removed:
    """A stream record that removed a resource."""

    sequence: str
    resource_id: str


class ChangeFeed:
    def __init__(self, index: ResourceIndex, changes: SequencedLog) -> None:
        self._index = index
        self._changes = changes

    def handle(self, records: list[dict[str, Any]]) -> list[str]:
        """Process one batch of stream records (Lambda's ``Records``, in stream order).

        Returns the sequence number of the first record that could not be processed (with
        every later one, Lambda retries it), or nothing when the whole batch is done.
        """
        steps: list[_Logged | _Removed] = []
        for record in records:
            keys = load_item(record["dynamodb"]["Keys"])
            if keys.get("sk") != RECORD:
                continue  # links and counters
            sequence = record["dynamodb"]["SequenceNumber"]
            if record["eventName"] == "REMOVE":
                steps.append(_Removed(sequence, keys["pk"]))
            elif (logged := self._logged(sequence, record)) is not None:
                steps.append(logged)
        done, failed = self._apply(steps)
        touched: dict[str, str] = {}
        for logged in done:
            instance = logged.instance
            # Ancestors created with the instance already carry its LastUpdate.
            existing = instance.ancestors[0 if logged.replaces else instance.new_ancestors :]
            for ancestor in existing:
                touched[ancestor] = max(touched.get(ancestor, ""), instance.last_update)
        for resource_id, last_update in touched.items():
            self._index.touch(resource_id, last_update)
        return failed

    @staticmethod
    def _logged(sequence: str, record: dict[str, Any]) -> _Logged | None:
        new = load_item(record["dynamodb"].get("NewImage", {}))
        if new.get("Level") != Level.INSTANCE.value:
            return None
        instance = resource_from_item(new)
        # Each stored file has its own UUID: the natural key of "this file arrived".
        key = f"file#{instance.file_uuid}"
        if record["eventName"] == "INSERT":
            created = list(zip(ANCESTOR_LEVELS, instance.ancestors, strict=False))
            levels = [(Level.INSTANCE, instance.id), *created[: instance.new_ancestors]]
            return _Logged(sequence, key, instance, levels, replaces=False)
        old = load_item(record["dynamodb"].get("OldImage", {}))
        if old.get("FileUuid") != new.get("FileUuid"):  # OverwriteInstances replaced the file
            return _Logged(sequence, key, instance, [(Level.INSTANCE, instance.id)], replaces=True)
        return None

    def _apply(self, steps: list[_Logged | _Removed]) -> tuple[list[_Logged], list[str]]:
        """Log the steps in order until one fails: the additions done, and the sequence
        number to retry from (none if all are done)."""
        additions = [s for s in steps if isinstance(s, _Logged)]
        unseen = self._changes.unseen([a.event_key for a in additions])
        count = sum(len(a.levels) for a in additions if a.event_key in unseen)
        seq = self._changes.allocate(count) if count else 0
        done: list[_Logged] = []
        for step in steps:
            try:
                if isinstance(step, _Removed):
                    self._changes.forget(step.resource_id)
                else:
                    if step.event_key in unseen:
                        self._log(step, seq)
                        seq += len(step.levels)
                    # Logged now or by an earlier attempt: its ancestors are touched now.
                    done.append(step)
            except Exception:
                # Whatever went wrong (throttling, a timeout), the record is retried.
                LOG.exception("Change feed: record %s failed, retried from there", step.sequence)
                return done, [step.sequence]
        return done, []

    def _log(self, step: _Logged, seq: int) -> None:
        """The entries of one file's arrival, numbered from ``seq``."""
        if step.replaces:
            self._changes.forget(step.instance.id)
        entries = []
        for level, resource_id in step.levels:
            fields = change_fields(
                f"New{level.value}", level, resource_id, step.instance.last_update
            )
            entries.append(Entry(seq + len(entries), fields, resource_id))
        self._changes.append(entries, step.event_key)
