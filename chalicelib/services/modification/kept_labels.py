"""``KeepLabels`` (Orthanc 1.12.3): the resources a modification creates get the labels of the
resources they were made from, level by level.

Orthanc copies them as each modified instance is stored: the source instance's series, study
and patient labels go to the new series, study and patient (an ancestor whose ID did not
change already has them). Its instance labels go back to the *source* instance (a slip in
``ResourceModificationJob``: they are never seen on the new one); Cirrus gives them to the new
instance, as the option's description ("the labels of all resources level") promises.

Each copy is a conditional transaction adding only the labels the target lacks
(``LabelStore.add_all``), so a job step replayed after a crash, or an instance the index finds
already stored, changes nothing. A worker reads each source once per step and writes each
(source, target) pair once per step: the 50 instances of a series' batch cost one read of
the series, study and patient, and one BatchGetItem per instance for its own labels.
"""

from __future__ import annotations

from chalicelib.dicom.identifiers import Level, ResourceIds
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.services.resources.labels import MAX_LABELS_PER_RESOURCE
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.labels import LabelChange, LabelStore


class LabelCopier:
    """Copies labels from sources to their modified copies, for one job step."""

    def __init__(self, index: ResourceIndex, store: LabelStore) -> None:
        self._index = index
        self._store = store
        self._labels: dict[str, tuple[str, ...]] = {}
        self._copied: set[tuple[str, str]] = set()

    def copy(self, source: ResourceIds, result: ResourceIds) -> None:
        """Give each resource of ``result`` the labels of its counterpart in ``source``; a
        source deleted meanwhile has none. A target that would carry more labels than Cirrus
        allows fails the item (nothing is added to it)."""
        pairs = [
            (level, source.of(level), result.of(level))
            for level in Level
            if source.of(level) != result.of(level)
            and (source.of(level), result.of(level)) not in self._copied
        ]
        unread = [origin for _, origin, _ in pairs if origin not in self._labels]
        if unread:
            found = self._index.get_many(unread)
            for origin in unread:
                self._labels[origin] = found[origin].labels if origin in found else ()
        for level, origin, target in pairs:
            labels = self._labels[origin]
            if labels:
                change = self._store.add_all(level, target, labels, MAX_LABELS_PER_RESOURCE)
                if change is LabelChange.FULL:
                    raise OrthancError(
                        ErrorCode.PARAMETER_OUT_OF_RANGE,
                        f"Cannot keep the labels of {origin}: a resource carries at most "
                        f"{MAX_LABELS_PER_RESOURCE} labels in Cirrus",
                    )
            self._copied.add((origin, target))
