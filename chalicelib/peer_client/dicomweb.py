"""Talking to a DICOMweb server (``DicomWeb.Servers``) over HTTP(S): the adapter the
``/dicom-web/servers/{name}/...`` proxies go through, and the STOW-RS and WADO-RS jobs will.

The connection (pool, destination check against ``RemoteNetworksAllowed``, timeouts, TLS, no
redirects, capped answers) is ``transport.py``'s, shared with the peers' client. On top of it,
as Orthanc's DICOMweb plugin does: the server's ``HttpHeaders`` overridden by the request's,
Basic credentials from ``Username``/``Password``, a URI relative to the server's ``Url`` and
its query arguments encoded from a separate mapping (a ``?`` in the URI is refused), and an
answer outside 2xx turned into Orthanc's error for that status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.peer_client.transport import Answer, HttpSettings, Transport
from chalicelib.remotes.dicomweb_server import check_uri
from chalicelib.remotes.peer import Peer

# The largest answer the proxies (``/qido``, ``/get``, ``/post``) read from a server, in
# bytes. The whole answer goes back through the API's response, which API Gateway and Lambda
# cap at ~6 MB with a binary body base64-encoded (4/3 larger): 4 MiB is what fits. QIDO-RS
# answers and single instances or metadata are well below; a study's WADO-RS retrieval is
# not, and belongs to the retrieve job, which streams the answer instead of holding it.
PROXY_MAXIMUM_ANSWER = 4 * 1024 * 1024

# How Orthanc's HTTP client reports a server's failure status (Orthanc's
# HttpClient::ThrowException); any other status is a protocol error.
_STATUS_ERRORS = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.UNAUTHORIZED,
    404: ErrorCode.UNKNOWN_RESOURCE,
}


@dataclass(frozen=True)
class DicomWebAnswer:
    """A server's successful answer: its body and ``Content-Type`` (the plugin's default,
    ``application/octet-stream``, when it sent none)."""

    content_type: str
    body: bytes


class DicomWebClient:
    """urllib3 is imported by the transport's methods, never at import time (cold starts)."""

    def __init__(self, server: Peer, settings: HttpSettings) -> None:
        self.server = server
        self._transport = Transport(server, settings, f"DICOMweb server {server.name!r}")
        self.timeout = self._transport.timeout

    def request(
        self,
        method: str,
        uri: str,
        arguments: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        maximum: int = PROXY_MAXIMUM_ANSWER,
    ) -> DicomWebAnswer:
        """The server's answer to ``method`` on ``uri`` (relative to its Url, e.g.
        ``/studies``) with the query ``arguments``; ``headers`` override the server's
        ``HttpHeaders``. Orthanc's error for a status outside 2xx; RemoteError when the server
        cannot be reached or answers more than ``maximum`` bytes."""
        target = remote_target(uri, arguments or {})
        answer = self._transport.request(method, target, maximum, body, headers)
        if not 200 <= answer.status < 300:
            raise _status_error(answer, method, self.server.endpoint(target), self.server.name)
        content_type = answer.headers.get("Content-Type") or "application/octet-stream"
        return DicomWebAnswer(content_type, answer.body)


def remote_target(uri: str, arguments: Mapping[str, str]) -> str:
    """The path and query to ask for: ``uri`` with its runs of slashes made one, and the
    arguments percent-encoded in key order (a key alone when its value is empty), as the
    plugin writes them."""
    check_uri(uri)
    query = "&".join(
        _encode(key) + (f"={_encode(value)}" if value else "")
        for key, value in sorted(arguments.items())
    )
    path = re.sub("/+", "/", uri).lstrip("/")
    return f"{path}?{query}" if query else path


def _encode(text: str) -> str:
    """Orthanc's URI encoding: everything but letters, digits and ``-_.~/`` percent-encoded."""
    return quote(text, safe="/")


def _status_error(answer: Answer, method: str, url: str, name: str) -> OrthancError:
    code = _STATUS_ERRORS.get(answer.status, ErrorCode.NETWORK_PROTOCOL)
    return OrthancError(
        code, f"DICOMweb server {name!r} answered HTTP {answer.status} to {method} {url}"
    )
