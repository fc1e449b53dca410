"""HTTP(S) to one remote web service (an Orthanc peer, a DICOMweb server): the part of the
clients that decides where a connection may go and how much of an answer is read.

Built on urllib3 (already in every Lambda through botocore), one connection pool per remote,
so that a job talking to it thousands of times reuses its keep-alive connections. Every call
has a timeout (the remote's ``Timeout``, else ``HttpTimeout``): an unreachable remote fails
with a clear message, it never hangs a request or a job.

The remote's host is checked against ``RemoteNetworksAllowed``
(``chalicelib.remotes.destinations``) when its pool is opened, and the pool connects to the
checked address, not to the name again (DNS rebinding); TLS still verifies the certificate
against, and sends SNI for, the URL's host. A pool whose connection failed is dropped, so the
next call resolves the name again. A refused destination fails as a closed or unreachable
port does, with the same words: the errors do not tell a caller which internal ports are
open. Answers are read up to the caller's cap, never whole into memory first, and redirects
are not followed (they could point anywhere). The clients (``client.py`` for peers,
``dicomweb.py`` for DICOMweb servers) add what their protocol needs on top.

urllib3 is imported inside the functions (a dictionary lookup once loaded): importing it
costs ~40 ms, which the API's import (every cold start) would otherwise pay for a client that
most requests never build.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.errors import RemoteError
from chalicelib.remotes.destinations import DestinationRefused, Destinations
from chalicelib.remotes.peer import Peer

if TYPE_CHECKING:
    import urllib3

# Orthanc's own HTTP client sends this; some proxies refuse requests without a User-Agent.
USER_AGENT = "Cirrus"


@dataclass(frozen=True)
class HttpSettings:
    """The global options of Orthanc's HTTP client (``HttpTimeout``, ``HttpsVerifyPeers``,
    ``HttpsCACertificates``) and the networks it may reach (``RemoteNetworksAllowed``)."""

    destinations: Destinations
    timeout: int = 60
    verify: bool = True
    ca_file: str = ""


@dataclass(frozen=True)
class Answer:
    """A remote's answer: its status, headers (case-insensitive) and whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Transport:
    """The connection pool of one remote web service (``Peer`` is Orthanc's
    ``WebServiceParameters``, which peers and DICOMweb servers share). ``label`` names the
    remote in error messages ("peer 'b'")."""

    def __init__(self, remote: Peer, settings: HttpSettings, label: str) -> None:
        import urllib3

        self.remote = remote
        self.label = label
        seconds = remote.timeout or settings.timeout
        self.timeout = seconds
        self._destinations = settings.destinations
        self._url = urllib3.util.parse_url(remote.url)
        self._port = self._url.port or (443 if self._url.scheme == "https" else 80)
        options: dict[str, Any] = {
            "timeout": urllib3.Timeout(connect=seconds, read=seconds),
            # One retry of a failed connection; none after a request was sent, so that a
            # silent remote costs one timeout, not two. (urllib3 checks a pooled keep-alive
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
            if remote.certificate_file:
                options["cert_file"] = remote.certificate_file
                options["key_file"] = remote.certificate_key_file
                options["key_password"] = remote.certificate_key_password or None
        self._options = options
        self._pool: urllib3.HTTPConnectionPool | None = None
        self._headers = dict(remote.headers)
        self._headers["User-Agent"] = USER_AGENT
        self._headers["Host"] = self._url.netloc or ""
        if remote.username:
            self._headers.update(
                urllib3.make_headers(basic_auth=f"{remote.username}:{remote.password}")
            )

    def request(
        self,
        method: str,
        target: str,
        maximum: int,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """The remote's answer to ``method`` on ``target`` (a path and query relative to the
        remote's Url), whatever its status; RemoteError when the remote cannot be reached or
        answers more than ``maximum`` bytes. ``headers`` are added to (and override) the
        remote's ``HttpHeaders``."""
        import urllib3

        url = self.remote.endpoint(target)
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
            raise RemoteError(f"Cannot reach {self.label} at {url}{_tls_details(exc)}") from exc
        try:
            data = _read_capped(response, maximum)
        finally:
            response.release_conn()
        if data is None:
            raise RemoteError(
                f"{self.label[:1].upper()}{self.label[1:]} answered more than {maximum} bytes "
                f"to {method} {url}"
            )
        return Answer(response.status, response.headers, data)

    def _connection(self) -> urllib3.HTTPConnectionPool:
        """The pool to the remote's checked address, opened on first use (DestinationRefused
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


def _tls_details(exc: Exception) -> str:
    """The TLS failure, when the connection was made but TLS failed (a certificate not
    trusted). Nothing otherwise: a refused destination, a closed port and an unreachable host
    read alike, so that the error does not tell which internal ports are open."""
    import urllib3

    reason = getattr(exc, "reason", exc)
    return f": {reason}" if isinstance(reason, urllib3.exceptions.SSLError) else ""


def _read_capped(response: urllib3.BaseHTTPResponse, maximum: int) -> bytes | None:
    """The answer's body, or None when it is larger than ``maximum`` (read no further)."""
    chunks = []
    size = 0
    for chunk in response.stream(64 * 1024):
        size += len(chunk)
        if size > maximum:
            response.close()  # the rest is never read: the connection is not reused
            return None
        chunks.append(chunk)
    return b"".join(chunks)
