"""What the orphan sweep decides, apart from the AWS calls that feed it
(``sweeper.py`` runs it): which listed objects are old enough to be judged, and where a pass
over the bucket stands between runs.

A pass lists the indexed prefixes one after the other, in key order; its position is the
prefix being listed and the last key swept under it. A finished pass stays finished until
``interval`` after it started, so a small bucket is not read again every run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.storage.blobs import StoredObject, owner_of


@dataclass(frozen=True)
class SweepPosition:
    """``prefix``: the index of the prefix being listed (the number of prefixes once the pass
    is over); ``after``: the last key swept under it; ``started``: when the pass began."""

    prefix: int = 0
    after: str = ""
    started: datetime | None = None

    def values(self) -> dict[str, Any]:
        started = self.started.isoformat() if self.started else ""
        return {"Prefix": self.prefix, "After": self.after, "Started": started}

    @classmethod
    def of(cls, values: dict[str, Any]) -> SweepPosition:
        started = values.get("Started")
        return cls(
            int(values.get("Prefix", 0)),
            values.get("After", ""),
            datetime.fromisoformat(started) if started else None,
        )


def begin(
    position: SweepPosition, now: datetime, interval: timedelta, prefixes: int
) -> SweepPosition | None:
    """Where this run starts: the saved position of a pass under way, a new pass when none
    ran yet or the last one started ``interval`` ago, else None (nothing to do)."""
    if position.started is None:
        return SweepPosition(started=now)
    if position.prefix < prefixes:
        return position
    return SweepPosition(started=now) if now - position.started >= interval else None


def advanced(position: SweepPosition, last_key: str | None, more: bool) -> SweepPosition:
    """The position after sweeping a page of the current prefix ending at ``last_key``:
    further in the prefix while it has ``more``, else the start of the next one."""
    if more and last_key is not None:
        return replace(position, after=last_key)
    return replace(position, prefix=position.prefix + 1, after="")


def candidates(objects: Iterable[StoredObject], now: datetime, grace: timedelta) -> list[str]:
    """The keys an index record must name, of objects at least ``grace`` old: younger ones
    may belong to a writer that has yet to write its index entry, and keys of neither
    layout belong to no record."""
    return [o.key for o in objects if now - o.last_modified >= grace and owner_of(o.key)]
