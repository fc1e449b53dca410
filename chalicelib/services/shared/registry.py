"""Remote servers Cirrus knows (Orthanc peers, DICOM modalities): those of the configuration
file, changed through the API.

The configuration (``OrthancPeers``, ``DicomModalities``) is the starting point; ``PUT`` and
``DELETE`` write to the ``remotes`` table (``chalicelib.storage.remotes``), which wins over the
file, so that every Lambda of the fleet and the DICOM service see a change at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chalicelib.errors import OrthancError
from chalicelib.peer_client.transport import HttpSettings
from chalicelib.remotes.peer import with_secrets
from chalicelib.storage.remotes import RemoteStore, Stored
from chalicelib.storage.secrets import SecretStore

T = TypeVar("T")
# A remote's network client (PeerClient, DicomWebClient).
Client = TypeVar("Client")


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
        self._clients: dict[str, Any] = {}

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

    def _with_secret_fields(
        self,
        name: str,
        configured: Callable[[str], Mapping[str, Any]],
        read: Callable[[str], Mapping[str, Any]],
    ) -> T:
        """A remote with its secret fields, for a connection: those of its own secret when
        the API wrote it (``read`` of the stored reference), else those the deployment's
        configuration secret holds for a remote of the file (``configured(name)``). One
        GetItem, and a GetSecretValue the first time the process meets the secret."""
        definition, stored = self._definition(name)
        if stored is None:
            secrets = configured(name)
        else:
            secrets = read(stored.secret) if stored.secret else {}
        try:
            return self._kind.parse(name, with_secrets(definition, dict(secrets)))
        except self._kind.invalid as exc:
            raise self._kind.refused(exc) from exc

    def _client(self, name: str, remote: T, build: Callable[[T], Client]) -> Client:
        """The client of ``remote``, kept for the life of the process per definition, so
        that its connections serve the next request or step talking to the same remote."""
        key = json.dumps([name, self._kind.dump(remote)], sort_keys=True)
        if key not in self._clients:
            self._clients[key] = build(remote)
        return self._clients[key]  # type: ignore[no-any-return]

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


class WebServiceRegistry(RemoteRegistry[T]):
    """The remotes reached over HTTP (Orthanc peers, DICOMweb servers): a registry that also
    holds the HTTP client's settings and the process's secret store (built on first use,
    keeping what it read), for the subclass's ``connect``."""

    #: How this kind of remote is read and named in errors.
    KIND: RemoteKind[Any]

    def __init__(
        self,
        configured: Mapping[str, Any],
        store: RemoteStore,
        http: HttpSettings,
        secrets: Callable[[], SecretStore],
    ) -> None:
        super().__init__(self.KIND, configured, store)
        self._http = http
        self._secrets = secrets
