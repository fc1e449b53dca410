"""Talking to an Orthanc peer over HTTP(S): the adapter the peer jobs and routes go through.

Built on urllib3 (already in every Lambda through botocore), one connection pool per peer, so
that a job sending thousands of instances reuses its keep-alive connections. Every call has a
timeout (the peer's ``Timeout``, else ``HttpTimeout``): an unreachable peer fails a job with a
clear message, it never hangs it. Every failure is a ``RemoteError`` saying which and why.

The peer's host is checked against ``RemoteNetworksAllowed`` (``chalicelib.remotes.destinations``)
when its pool is opened, and the pool connects to the checked address, not to the name again
(DNS rebinding); TLS still verifies the certificate against, and sends SNI for, the URL's host.
A pool whose connection failed is dropped, so the next call resolves the name again. A refused
destination fails as a closed or unreachable port does, with the same words: the errors do not
tell a caller which internal ports are open. Answers are read up to ``MAXIMUM_ANSWER`` bytes,
never whole into memory, and redirects are not followed (they could point anywhere).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.errors import RemoteError
from chalicelib.remotes.destinations import DestinationRefused, Destinations
from chalicelib.remotes.peer import Peer

if TYPE_CHECKING:
    import urllib3

# Orthanc's own HTTP client sends this; some proxies refuse requests without a User-Agent.
USER_AGENT = "Cirrus"
# The largest answer read from a peer (bytes): Orthanc's answers to what Cirrus asks
# (/system, POST /instances) are a few hundred bytes; a larger one is not an Orthanc server.
MAXIMUM_ANSWER = 1024 * 1024


@dataclass(frozen=True)
class HttpSettings:
    """The global options of Orthanc's HTTP client (``HttpTimeout``, ``HttpsVerifyPeers``,
    ``HttpsCACertificates``) and the networks it may reach (``RemoteNetworksAllowed``)."""

    destinations: Destinations
    timeout: int = 60
    verify: bool = True
    ca_file: str = ""


@dataclass(frozen=True)
class Sent:
    """The peer's answer to an upload, and the bytes that went over the wire."""

    answer: Any
    size: int


class PeerClient:
    """urllib3 is imported by the methods (a dictionary lookup once loaded): importing it
    costs ~40 ms, which the API's import (every cold start) would otherwise pay for a
    client that most requests never build."""

    def __init__(self, peer: Peer, settings: HttpSettings) -> None:
        import urllib3

        self.peer = peer
        seconds = peer.timeout or settings.timeout
        self.timeout = seconds
        self._destinations = settings.destinations
        self._url = urllib3.util.parse_url(peer.url)
        self._port = self._url.port or (443 if self._url.scheme == "https" else 80)
        options: dict[str, Any] = {
            "timeout": urllib3.Timeout(connect=seconds, read=seconds),
            # One retry of a failed connection; none after a request was sent, so that a
            # silent peer costs one timeout, not two. (urllib3 checks a pooled keep-alive
            # connection before reusing it.)
            "retries": urllib3.Retry(total=1, connect=1, read=0, redirect=0, other=0),
            "maxsize": 4,
        }
        if self._url.scheme == "https":
            host = self._url.host or ""
            options["cert_reqs"] = "CERT_REQUIRED" if settings.verify else "CERT_NONE"
            # The pool's host is the checked address: TLS must still name the URL's host.
            options["server_hostname"] = host.strip("[]")
            options["assert_hostname"] = host.strip("[]") if settings.verify else False
            if settings.ca_file:
                options["ca_certs"] = settings.ca_file
            if peer.certificate_file:
                options["cert_file"] = peer.certificate_file
                options["key_file"] = peer.certificate_key_file
                options["key_password"] = peer.certificate_key_password or None
        self._options = options
        self._pool: urllib3.HTTPConnectionPool | None = None
        self._headers = dict(peer.headers)
        self._headers["User-Agent"] = USER_AGENT
        self._headers["Host"] = self._url.netloc or ""
        if peer.username:
            self._headers.update(
                urllib3.make_headers(basic_auth=f"{peer.username}:{peer.password}")
            )

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
        import urllib3

        url = self.peer.endpoint(path)
        try:
            response = self._connection().urlopen(
                method,
                urllib3.util.parse_url(url).request_uri,
                body=body,
                headers={**self._headers, **(headers or {})},
                redirect=False,
                preload_content=False,
            )
        except (DestinationRefused, urllib3.exceptions.HTTPError) as exc:
            self._pool = None  # the next call resolves the name again
            raise RemoteError(
                f"Cannot reach peer {self.peer.name!r} at {url}{_tls_details(exc)}"
            ) from exc
        try:
            data = _read_capped(response)
        finally:
            response.release_conn()
        if data is None:
            raise RemoteError(
                f"Peer {self.peer.name!r} answered more than {MAXIMUM_ANSWER} bytes to "
                f"{method} {url}"
            )
        if response.status not in expected:
            raise RemoteError(
                f"Peer {self.peer.name!r} answered HTTP {response.status} to {method} {url}"
                + _error_details(data)
            )
        return response.status, data

    def _connection(self) -> urllib3.HTTPConnectionPool:
        """The pool to the peer's checked address, opened on first use (DestinationRefused
        when the destination is not allowed)."""
        import urllib3

        if self._pool is None:
            address = self._destinations.check(self._url.host or "", self._port)
            pool_class = (
                urllib3.HTTPSConnectionPool
                if self._url.scheme == "https"
                else urllib3.HTTPConnectionPool
            )
            self._pool = pool_class(address, self._port, **self._options)
        return self._pool

    def _json(self, data: bytes) -> Any:
        try:
            return json.loads(data)
        except ValueError as exc:
            raise RemoteError(
                f"Peer {self.peer.name!r} did not answer JSON: is it an Orthanc server?"
            ) from exc


def _tls_details(exc: Exception) -> str:
    """The TLS failure, when the connection was made but TLS failed (a certificate not
    trusted). Nothing otherwise: a refused destination, a closed port and an unreachable host
    read alike, so that the error does not tell which internal ports are open."""
    import urllib3

    reason = getattr(exc, "reason", exc)
    return f": {reason}" if isinstance(reason, urllib3.exceptions.SSLError) else ""


def _read_capped(response: urllib3.BaseHTTPResponse) -> bytes | None:
    """The answer's body, or None when it is larger than MAXIMUM_ANSWER (read no further)."""
    chunks = []
    size = 0
    for chunk in response.stream(64 * 1024):
        size += len(chunk)
        if size > MAXIMUM_ANSWER:
            response.close()  # the rest is never read: the connection is not reused
            return None
        chunks.append(chunk)
    return b"".join(chunks)


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
