"""Talking to an Orthanc peer over HTTP(S): the adapter the peer jobs and routes go through.

Built on urllib3 (already in every Lambda through botocore), one connection pool per peer, so
that a job sending thousands of instances reuses its keep-alive connections. Every call has a
timeout (the peer's ``Timeout``, else ``HttpTimeout``): an unreachable peer fails a job with a
clear message, it never hangs it. Every failure is a ``RemoteError`` saying which and why.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

import urllib3

from chalicelib.errors import RemoteError
from chalicelib.remotes.peer import Peer

# Orthanc's own HTTP client sends this; some proxies refuse requests without a User-Agent.
USER_AGENT = "Cirrus"


@dataclass(frozen=True)
class HttpSettings:
    """The global options of Orthanc's HTTP client (``HttpTimeout``, ``HttpsVerifyPeers``,
    ``HttpsCACertificates``)."""

    timeout: int = 60
    verify: bool = True
    ca_file: str = ""


@dataclass(frozen=True)
class Sent:
    """The peer's answer to an upload, and the bytes that went over the wire."""

    answer: Any
    size: int


class PeerClient:
    def __init__(self, peer: Peer, settings: HttpSettings) -> None:
        self.peer = peer
        seconds = peer.timeout or settings.timeout
        self.timeout = seconds
        options: dict[str, Any] = {
            "timeout": urllib3.Timeout(connect=seconds, read=seconds),
            # One retry of a failed connection; none after a request was sent, so that a
            # silent peer costs one timeout, not two. (urllib3 checks a pooled keep-alive
            # connection before reusing it.)
            "retries": urllib3.Retry(total=1, connect=1, read=0, redirect=0, other=0),
            "maxsize": 4,
        }
        if peer.url.startswith("https:"):
            options["cert_reqs"] = "CERT_REQUIRED" if settings.verify else "CERT_NONE"
            if settings.ca_file:
                options["ca_certs"] = settings.ca_file
            if peer.certificate_file:
                options["cert_file"] = peer.certificate_file
                options["key_file"] = peer.certificate_key_file
                options["key_password"] = peer.certificate_key_password or None
        self._pool = urllib3.PoolManager(**options)
        self._headers = dict(peer.headers)
        self._headers["User-Agent"] = USER_AGENT
        if peer.username:
            self._headers.update(
                urllib3.make_headers(basic_auth=f"{peer.username}:{peer.password}")
            )

    def system(self) -> Any:
        """``GET /system`` of the peer (the connectivity test of ``/peers/{id}/system``)."""
        return self._json(self._request("GET", "/system"))

    def store(self, dicom: bytes, compress: bool = False) -> Sent:
        """``POST /instances`` of one DICOM file (gzip-encoded if ``compress``)."""
        headers = {"Content-Type": "application/dicom"}
        if compress:
            dicom = gzip.compress(dicom, compresslevel=9)  # as Orthanc does
            headers["Content-Encoding"] = "gzip"
        answer = self._json(self._request("POST", "/instances", dicom, headers))
        return Sent(answer, len(dicom))

    def has_instance(self, instance_id: str) -> bool:
        """Whether the peer holds an instance (Orthanc IDs are the same on every server)."""
        response = self._request("GET", f"/instances/{instance_id}", expected=(200, 404))
        return response.status == 200

    def _request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expected: tuple[int, ...] = (200,),
    ) -> urllib3.BaseHTTPResponse:
        url = self.peer.endpoint(path)
        try:
            response = self._pool.request(
                method, url, body=body, headers={**self._headers, **(headers or {})}
            )
        except urllib3.exceptions.HTTPError as exc:
            raise RemoteError(f"Cannot reach peer {self.peer.name!r} at {url}: {exc}") from exc
        if response.status not in expected:
            raise RemoteError(
                f"Peer {self.peer.name!r} answered HTTP {response.status} to {method} {url}"
                + _error_details(response)
            )
        return response

    def _json(self, response: urllib3.BaseHTTPResponse) -> Any:
        try:
            return json.loads(response.data)
        except ValueError as exc:
            raise RemoteError(
                f"Peer {self.peer.name!r} did not answer JSON: is it an Orthanc server?"
            ) from exc


def _error_details(response: urllib3.BaseHTTPResponse) -> str:
    """The ``Message``/``Details`` of an Orthanc error body, when there is one."""
    try:
        body = json.loads(response.data)
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = ": ".join(str(body[k]) for k in ("Message", "Details") if body.get(k))
    return f" ({text})" if text else ""
