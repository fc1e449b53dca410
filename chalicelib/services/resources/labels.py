"""Labels of resources, as Orthanc 1.12 has them: ``/{level}/{id}/labels[/{label}]`` and
``/tools/labels``. The index of labels is ``storage/labels.py``; a search by label is
``services/search/find.py``.
"""

from __future__ import annotations

import string

from chalicelib.dicom.identifiers import Level, is_resource_id
from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.storage.index import ResourceIndex
from chalicelib.storage.labels import LabelChange, LabelStore

# Orthanc's rule (64 characters: a MySQL key length).
MAX_LABEL_LENGTH = 64
_LABEL_CHARACTERS = frozenset(string.ascii_letters + string.digits + "_-")
# Cirrus's own bound: a resource's label items are deleted in the transaction deleting it,
# and a transaction holds at most 100 writes (Orthanc has no bound).
MAX_LABELS_PER_RESOURCE = 32


def check_label(label: str) -> None:
    """Orthanc's check of a label's name, with its error (400, ParameterOutOfRange)."""
    if not 0 < len(label) <= MAX_LABEL_LENGTH or not _LABEL_CHARACTERS.issuperset(label):
        raise OrthancError(
            ErrorCode.PARAMETER_OUT_OF_RANGE,
            "A label must be a non-empty, alphanumeric string, possibly with '_' or '-' "
            f"characters, with maximum {MAX_LABEL_LENGTH} characters, but got: {label}",
        )


class LabelService:
    def __init__(self, index: ResourceIndex, store: LabelStore) -> None:
        self._index = index
        self._store = store

    def labels(self, level: Level, resource_id: str) -> list[str]:
        """The labels of a resource, sorted (one GetItem); 404 for an unknown resource."""
        _check_id(resource_id)
        resource = self._index.get(resource_id)
        if resource is None or resource.level is not level:
            raise unknown_resource()
        return list(resource.labels)

    def has(self, level: Level, resource_id: str, label: str) -> bool:
        """Whether the resource carries ``label``; like Orthanc, the name is not checked (an
        invalid one is simply absent)."""
        return label in self.labels(level, resource_id)

    def add(self, level: Level, resource_id: str, label: str) -> None:
        """Idempotent: adding a label the resource carries changes nothing. The name is
        checked before the resource is looked up, as in Orthanc."""
        check_label(label)
        _check_id(resource_id)
        change = _known(self._store.add(level, resource_id, label, MAX_LABELS_PER_RESOURCE))
        if change is LabelChange.FULL:
            raise OrthancError(
                ErrorCode.PARAMETER_OUT_OF_RANGE,
                f"A resource carries at most {MAX_LABELS_PER_RESOURCE} labels in Cirrus",
            )

    def remove(self, level: Level, resource_id: str, label: str) -> None:
        """Idempotent: removing a label the resource does not carry changes nothing."""
        check_label(label)
        _check_id(resource_id)
        _known(self._store.remove(level, resource_id, label))

    def in_use(self) -> list[str]:
        """``/tools/labels``: every label carried by some resource, sorted."""
        return self._store.in_use()


def _check_id(resource_id: str) -> None:
    """Anything but an Orthanc ID names no resource (and is never used as a key)."""
    if not is_resource_id(resource_id):
        raise unknown_resource()


def _known(change: LabelChange) -> LabelChange:
    if change is LabelChange.NO_RESOURCE:
        raise unknown_resource()
    return change
