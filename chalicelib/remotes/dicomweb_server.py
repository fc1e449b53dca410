"""What a DICOMweb server is (``DicomWeb.Servers``, ``PUT /dicom-web/servers/{name}``).

Orthanc's DICOMweb plugin reads its servers with the same ``WebServiceParameters`` as Orthanc
peers, so a definition is a :class:`~chalicelib.remotes.peer.Peer` read by the same parser
(``parse_web_service``): the short form ``["http://host/dicom-web/", "user", "password"]`` (one
or three strings) or the object form (``Url``, ``Username``, ``Password``, ``HttpHeaders``,
``CertificateFile``, ``CertificateKeyFile``, ``CertificateKeyPassword``, ``Timeout``), with the
same URL rules (http or https, no user name or password in it, a trailing slash added) and the
same secret fields. Every other key is a user property, kept as a string as the plugin keeps
it: booleans become "1" or "0" and integers their digits. The plugin reads three of them:

* ``HasDelete``: whether the server accepts DELETE (the plugin then lists ``delete`` among
  the server's operations), false by default;
* ``ChunkedTransfers``: whether STOW-RS bodies may be sent in chunks, true by default;
* ``HasWadoRsUniversalTransferSyntax``: whether WADO-RS retrieval may ask for any transfer
  syntax (``transfer-syntax=*``), true by default.

Plain Python: the network client is ``chalicelib.peer_client.dicomweb``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.errors import bad_file
from chalicelib.remotes.peer import Peer, PeerError, parse_web_service

HAS_DELETE = "HasDelete"
CHUNKED_TRANSFERS = "ChunkedTransfers"
UNIVERSAL_TRANSFER_SYNTAX = "HasWadoRsUniversalTransferSyntax"

# The words of Orthanc's SerializationToolbox::ParseBoolean, which user properties are read
# with.
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

# A definition that cannot be used (the same exception as a peer's: one parser).
DicomWebServerError = PeerError


def parse_dicomweb_server(name: str, value: Any) -> Peer:
    """A DICOMweb server from either form; :class:`DicomWebServerError` says what is wrong."""
    return parse_web_service(name, value, "DICOMweb server")


def boolean_property(server: Peer, key: str, default: bool) -> bool:
    """A Boolean user property (``HasDelete``...), ``default`` when absent; a value that is
    not a Boolean is the definition's fault, reported when the property is needed, as the
    plugin does."""
    text = server.user_properties.get(key)
    if text is None:
        return default
    if text not in _BOOLEANS:
        raise DicomWebServerError(
            "Bad value for a Boolean user property in the parameters of a Web service: "
            f'Property "{key}" equals: {text}'
        )
    return _BOOLEANS[text]


def check_uri(uri: str) -> None:
    """A URI to ask a server for carries no query: the arguments come apart, to be encoded
    (the plugin's rule, checked before the server is looked up)."""
    if "?" in uri:
        raise bad_file(
            'The GET arguments must be provided in a separate field (explicit "?" is '
            f"disallowed): {uri}"
        )
