"""The DICOMweb servers Cirrus knows (``DicomWeb.Servers`` of the configuration, changed by
``PUT``/``DELETE /dicom-web/servers/{name}``), a client per server, and the proxies that pass
a request to one and hand its answer back (``/qido``, ``/get``, ``/post``).

Definitions are kept as peers' are (``RemoteRegistry``: the configuration file, then the
``remotes`` table, items ``pk="dicomweb"``, which wins). A server's secret fields
(``Password``, ``CertificateKeyPassword``) are read only by :meth:`DicomWebServers.connect`:
from its own Secrets Manager secret when it was written through the API, else from the
deployment's configuration secret (``{"DicomWeb": {"Servers": {"name": {"Password": ...}}}}``).
Listing and reading definitions never read Secrets Manager, and never show a password.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib.errors import ErrorCode, OrthancError, ServerFault, bad_file
from chalicelib.peer_client.dicomweb import DicomWebAnswer, DicomWebClient
from chalicelib.remotes.dicomweb_server import (
    DicomWebServerError,
    parse_dicomweb_server,
)
from chalicelib.remotes.peer import Peer
from chalicelib.services.shared.registry import RemoteKind, WebServiceRegistry

# The item kind of the ``remotes`` table, and where the configuration secret completes the
# file's servers.
KIND = "dicomweb"
CONFIGURATION_SECTION, CONFIGURATION_OPTION = "DicomWeb", "Servers"

DICOMWEB_SERVERS: RemoteKind[Peer] = RemoteKind(
    parse=parse_dicomweb_server,
    dump=Peer.to_json,
    invalid=DicomWebServerError,
    refused=lambda exc: OrthancError(ErrorCode.BAD_FILE_FORMAT, str(exc)),
    unknown=lambda name: OrthancError(ErrorCode.INEXISTENT_ITEM, f"Inexistent server: {name}"),
    unknown_on_delete=lambda name: OrthancError(
        ErrorCode.PARAMETER_OUT_OF_RANGE, f"Unknown DICOMweb server: {name}"
    ),
)


@dataclass(frozen=True)
class ProxyRequest:
    """What to ask a server for: a URI relative to its Url, query arguments, headers added to
    the server's own, and the body of a POST."""

    uri: str
    arguments: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


class DicomWebServers(WebServiceRegistry[Peer]):
    KIND = DICOMWEB_SERVERS

    def connect(self, name: str) -> DicomWebClient:
        """The client of a server, with its secret fields (one GetItem, and a
        GetSecretValue the first time this process meets the secret); Orthanc's 404 if there
        is no such server."""
        secrets = self._secrets()
        server = self._with_secret_fields(name, self._configured_secrets, secrets.read)
        return self._client(name, server, lambda s: DicomWebClient(s, self._http))

    def _configured_secrets(self, name: str) -> dict[str, Any]:
        """What the configuration secret holds for a server of the file
        (``{"DicomWeb": {"Servers": {"name": {"Password": ...}}}}``)."""
        section = self._secrets().configured(CONFIGURATION_SECTION, CONFIGURATION_OPTION)
        secrets = section.get(name, {})
        if not isinstance(secrets, dict):
            raise ServerFault(
                ErrorCode.BAD_JSON,
                f"The configuration secret's DicomWeb.Servers.{name} must be an object",
            )
        return secrets

    def proxy_get(self, name: str, request: ProxyRequest) -> DicomWebAnswer:
        """``/get``: the server's answer to a GET, body and type as it sent them."""
        return self.connect(name).request("GET", request.uri, request.arguments, request.headers)

    def proxy_post(self, name: str, request: ProxyRequest) -> DicomWebAnswer:
        """``/post``: the server's answer to a POST of the request's body."""
        return self.connect(name).request(
            "POST", request.uri, request.arguments, request.headers, request.body or b""
        )

    def proxy_qido(self, name: str, request: ProxyRequest) -> list[dict[str, Any]]:
        """``/qido``: the server's QIDO-RS answer to a GET, listed as the plugin lists it."""
        from chalicelib.dicom.remote_qido import orthanc_qido_answer

        answer = self.proxy_get(name, request)
        try:
            matches = json.loads(answer.body)
        except ValueError as exc:
            # The plugin's words for it: a bad file format (400), not a protocol error.
            raise bad_file(
                f"The QIDO-RS answer of the DICOMweb server {name!r} is not JSON"
            ) from exc
        return orthanc_qido_answer(matches)
