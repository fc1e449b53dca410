"""Remote servers Cirrus knows (Orthanc peers, DICOM modalities): those of the configuration
file, changed through the API.

The configuration (``OrthancPeers``, ``DicomModalities``) is the starting point; ``PUT`` and
``DELETE`` write to the ``remotes`` table (``chalicelib.storage.remotes``), which wins over the
file, so that every Lambda of the fleet and the DICOM service see a change at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chalicelib.errors import OrthancError
from chalicelib.storage.remotes import RemoteStore, Stored

T = TypeVar("T")


@dataclass(frozen=True)
class RemoteKind(Generic[T]):
    """How one kind of remote is read and how its errors read (Orthanc's wording differs
    between peers and modalities)."""

    parse: Callable[[str, Any], T]
    # The definition's stored form (what parse reads back).
    dump: Callable[[T], dict[str, Any]]
    # The exception parse raises, and the answer it becomes.
    invalid: type[ValueError]
    refused: Callable[[ValueError], OrthancError]
    unknown: Callable[[str], OrthancError]
    unknown_on_delete: Callable[[str], OrthancError]


class RemoteRegistry(Generic[T]):
    def __init__(
        self, kind: RemoteKind[T], configured: Mapping[str, Any], store: RemoteStore
    ) -> None:
        self._kind = kind
        self._configured = dict(configured)
        self._store = store

    def all(self) -> dict[str, T]:
        """Every remote by name (one Query)."""
        definitions = {**self._configured, **self._store.all()}
        return {n: self._kind.parse(n, d) for n, d in definitions.items() if d is not None}

    def get(self, name: str) -> T:
        """A remote by name (one GetItem); Orthanc's 404 if there is none."""
        return self._kind.parse(name, self._definition(name)[0])

    def _definition(self, name: str) -> tuple[Any, Stored | None]:
        """A remote's definition (without its secret fields), and what the API wrote under
        its name (None: the definition is the configuration's)."""
        stored = self._store.get(name)
        definition = self._configured.get(name) if stored is None else stored.definition
        if definition is None:
            raise self._kind.unknown(name)
        return definition, stored

    def put(self, name: str, body: Any) -> None:
        try:
            remote = self._kind.parse(name, body)
        except self._kind.invalid as exc:
            raise self._kind.refused(exc) from exc
        self._store.put(name, self._kind.dump(remote))

    def delete(self, name: str) -> None:
        try:
            self.get(name)
        except OrthancError:
            raise self._kind.unknown_on_delete(name) from None
        self._store.remove(name)
