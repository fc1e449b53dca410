"""The Orthanc peers Cirrus knows: those of the configuration file, changed by the API.

``OrthancPeers`` of the configuration is the starting point; ``PUT`` and ``DELETE
/peers/{id}`` write to the ``remotes`` table (``chalicelib.storage.remotes``), which wins over
the file, so that every Lambda of the fleet sees a change at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.peers.client import HttpSettings, PeerClient
from chalicelib.peers.definition import Peer, PeerError, parse_peer
from chalicelib.storage.remotes import RemoteStore


class PeerService:
    def __init__(
        self, configured: Mapping[str, Any], store: RemoteStore, http: HttpSettings
    ) -> None:
        self._configured = dict(configured)
        self._store = store
        self._http = http
        self._clients: dict[str, PeerClient] = {}

    def all(self) -> dict[str, Peer]:
        """Every peer by name (one Query)."""
        definitions = {**self._configured, **self._store.all()}
        return {n: parse_peer(n, d) for n, d in definitions.items() if d is not None}

    def get(self, name: str) -> Peer:
        """A peer by name; 404 if there is none."""
        written, definition = self._store.get(name)
        if not written:
            definition = self._configured.get(name)
        if definition is None:
            raise unknown_resource(f"No peer with symbolic name: {name}")
        return parse_peer(name, definition)

    def put(self, name: str, body: Any) -> None:
        try:
            peer = parse_peer(name, body)
        except PeerError as exc:
            raise OrthancError(ErrorCode.BAD_FILE_FORMAT, str(exc)) from exc
        self._store.put(name, peer.to_json())

    def delete(self, name: str) -> None:
        try:
            self.get(name)
        except OrthancError:
            raise OrthancError(ErrorCode.INEXISTENT_ITEM, f"Unknown Orthanc peer: {name}") from None
        self._store.remove(name)

    def client(self, peer: Peer) -> PeerClient:
        """A client per peer definition, kept for the life of the process (its connections
        are reused by the next request or step that talks to the same peer)."""
        key = json.dumps([peer.name, peer.to_json()], sort_keys=True)
        if key not in self._clients:
            self._clients[key] = PeerClient(peer, self._http)
        return self._clients[key]


def configuration_json(peer: Peer) -> dict[str, Any]:
    """``GET /peers/{id}/configuration``: the definition without its secrets (Orthanc shows
    the header names only, and a null Password when there is a user)."""
    answer: dict[str, Any] = {
        "Url": peer.url,
        "HttpHeaders": sorted(peer.headers),
        "Pkcs11": False,
        "Timeout": peer.timeout,
    }
    if peer.username:
        answer["Username"] = peer.username
        answer["Password"] = None
    if peer.certificate_file:
        answer["CertificateFile"] = peer.certificate_file
        answer["CertificateKeyFile"] = peer.certificate_key_file
    return answer
