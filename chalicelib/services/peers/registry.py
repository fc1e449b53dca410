"""The Orthanc peers Cirrus knows (``OrthancPeers``, changed by ``/peers/{id}``), and a
connection pool per peer.

A peer's secret fields (``Password``, ``CertificateKeyPassword``) are read only when a
connection is made (:meth:`PeerService.connect`): from the peer's own secret when it was
written through the API, else from the deployment's configuration secret. Listing, reading
and sending-job records never need them, and never read Secrets Manager."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import ErrorCode, OrthancError, unknown_resource
from chalicelib.peer_client.client import PeerClient
from chalicelib.remotes.peer import Peer, PeerError, parse_peer
from chalicelib.services.shared.registry import RemoteKind, WebServiceRegistry

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


class PeerService(WebServiceRegistry[Peer]):
    KIND = PEERS

    def connect(self, name: str) -> PeerClient:
        """The client of a peer, with its secret fields (one GetItem, and a GetSecretValue
        the first time this process meets the secret); 404 if there is no such peer."""
        secrets = self._secrets()
        peer = self._with_secret_fields(
            name, lambda n: secrets.configured("OrthancPeers", n), secrets.read
        )
        return self._client(name, peer, lambda p: PeerClient(p, self._http))


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
