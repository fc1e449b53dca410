"""Talking to an Orthanc peer over HTTP(S): the adapter the peer jobs and routes go through.

The connection itself (one pool per peer, the destination check against
``RemoteNetworksAllowed``, timeouts, TLS, no redirects, capped answers) is ``transport.py``'s,
shared with the DICOMweb servers' client; this module speaks Orthanc's REST API on it. Every
failure is a ``RemoteError`` saying which and why. Answers are read up to ``MAXIMUM_ANSWER``
bytes.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import RemoteError
from chalicelib.peer_client.transport import HttpSettings, Transport
from chalicelib.remotes.peer import Peer

__all__ = ["MAXIMUM_ANSWER", "HttpSettings", "PeerClient", "Sent"]

# The largest answer read from a peer (bytes): Orthanc's answers to what Cirrus asks
# (/system, POST /instances) are a few hundred bytes; a larger one is not an Orthanc server.
MAXIMUM_ANSWER = 1024 * 1024


@dataclass(frozen=True)
class Sent:
    """The peer's answer to an upload, and the bytes that went over the wire."""

    answer: Any
    size: int


class PeerClient:
    def __init__(self, peer: Peer, settings: HttpSettings) -> None:
        self.peer = peer
        self._transport = Transport(peer, settings, f"peer {peer.name!r}")
        self.timeout = self._transport.timeout

    def system(self) -> Any:
        """``GET /system`` of the peer (the connectivity test of ``/peers/{id}/system``)."""
        return self._json(self._request("GET", "/system")[1])

    def store(self, dicom: bytes, compress: bool = False) -> Sent:
        """``POST /instances`` of one DICOM file (gzip-encoded if ``compress``)."""
        headers = {"Content-Type": "application/dicom"}
        if compress:
            dicom = gzip.compress(dicom, compresslevel=9)  # as Orthanc does
            headers["Content-Encoding"] = "gzip"
        answer = self._json(self._request("POST", "/instances", dicom, headers)[1])
        return Sent(answer, len(dicom))

    def has_instance(self, instance_id: str) -> bool:
        """Whether the peer holds an instance (Orthanc IDs are the same on every server)."""
        status, _ = self._request("GET", f"/instances/{instance_id}", expected=(200, 404))
        return status == 200

    def _request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expected: tuple[int, ...] = (200,),
    ) -> tuple[int, bytes]:
        """The status and body of the peer's answer to one request, if the status is
        ``expected``."""
        answer = self._transport.request(method, path, MAXIMUM_ANSWER, body, headers)
        if answer.status not in expected:
            raise RemoteError(
                f"Peer {self.peer.name!r} answered HTTP {answer.status} to {method} "
                f"{self.peer.endpoint(path)}" + _error_details(answer.body)
            )
        return answer.status, answer.body

    def _json(self, data: bytes) -> Any:
        try:
            return json.loads(data)
        except ValueError as exc:
            raise RemoteError(
                f"Peer {self.peer.name!r} did not answer JSON: is it an Orthanc server?"
            ) from exc


def _error_details(data: bytes) -> str:
    """The ``Message``/``Details`` of an Orthanc error body, when there is one."""
    try:
        body = json.loads(data)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = ": ".join(str(body[k]) for k in ("Message", "Details") if body.get(k))
    return f" ({text})" if text else ""
