"""The Orthanc peers Cirrus knows (``OrthancPeers``, changed by ``/peers/{id}``), and a
connection pool per peer.

A peer's secret fields (``Password``, ``CertificateKeyPassword``) are read only when a
connection is made (:meth:`PeerService.connect`): from the peer's own secret when it was
written through the API, else from the deployment's configuration secret. Listing, reading
and sending-job records never need them, and never read Secrets Manager."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.peer_client.client import HttpSettings, PeerClient
from chalicelib.remotes.peer import Peer, PeerError, parse_peer, with_secrets
from chalicelib.services.shared.registry import RemoteKind, RemoteRegistry
from chalicelib.storage.remotes import RemoteStore
from chalicelib.storage.secrets import SecretStore

PEERS: RemoteKind[Peer] = RemoteKind(
    parse=parse_peer,
    dump=Peer.to_json,
    invalid=PeerError,
    refused=lambda exc: OrthancError(ErrorCode.BAD_FILE_FORMAT, str(exc)),
    unknown=lambda name: unknown_resource(f"No peer with symbolic name: {name}"),
    unknown_on_delete=lambda name: OrthancError(
        ErrorCode.INEXISTENT_ITEM, f"Unknown Orthanc peer: {name}"
    ),
)


class PeerService(RemoteRegistry[Peer]):
    def __init__(
        self,
        configured: Mapping[str, Any],
        store: RemoteStore,
        http: HttpSettings,
        secrets: Callable[[], SecretStore],
    ) -> None:
        super().__init__(PEERS, configured, store)
        self._http = http
        # The process's secret store (built on first use), which keeps what it read.
        self._secrets = secrets
        self._clients: dict[str, PeerClient] = {}

    def connect(self, name: str) -> PeerClient:
        """The client of a peer, with its secret fields (one GetItem, and a GetSecretValue
        the first time this process meets the secret); 404 if there is no such peer.

        A client per definition is kept for the life of the process (its connections are
        reused by the next request or step that talks to the same peer)."""
        definition, stored = self._definition(name)
        if stored is None:
            secrets = self._secrets().configured("OrthancPeers", name)
        else:
            secrets = self._secrets().read(stored.secret) if stored.secret else {}
        try:
            peer = parse_peer(name, with_secrets(definition, secrets))
        except PeerError as exc:
            raise PEERS.refused(exc) from exc
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
    answer.update(peer.user_properties)
    return answer
