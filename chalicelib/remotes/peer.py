"""What an Orthanc peer is: Orthanc's two ways of writing one, checked and normalized.

``OrthancPeers`` entries (configuration file or ``PUT /peers/{id}``) come in a short form,
``["http://host:8042/", "user", "password"]``, and a long form, an object with ``Url`` and the
optional ``Username``, ``Password``, ``HttpHeaders``, ``CertificateFile``, ``CertificateKeyFile``,
``CertificateKeyPassword``, ``Timeout``. Any other key of the long form is a user-defined
property, kept and shown back as Orthanc keeps it (``RemoteSelf``, which Orthanc's transfers
accelerator reads, is one), and must be a string. Both forms become one :class:`Peer`. Plain
Python: the network client lives in ``chalicelib.peer_client.client``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_LONG_FORM_KEYS = {
    "Url",
    "Username",
    "Password",
    "HttpHeaders",
    "CertificateFile",
    "CertificateKeyFile",
    "CertificateKeyPassword",
    "Timeout",
    "Pkcs11",
}


# The fields of a definition that are secrets: kept in Secrets Manager on AWS (a peer written
# through the API, chalicelib/storage/remotes.py; the configuration secret for the file's
# peers), never in the table, the deployed file or an environment variable.
SECRET_FIELDS = ("Password", "CertificateKeyPassword")
# The short form's fields, in order.
_SHORT_FORM_FIELDS = ("Url", "Username", "Password")


class PeerError(ValueError):
    """A peer definition that cannot be used; the message names the peer and the problem."""


@dataclass(frozen=True)
class Peer:
    name: str
    url: str
    username: str = ""
    password: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    certificate_file: str = ""
    certificate_key_file: str = ""
    certificate_key_password: str = ""
    # Seconds; 0 means the global HttpTimeout.
    timeout: int = 0
    # The long form's other keys (Orthanc's "user properties"), shown back as they came.
    user_properties: dict[str, str] = field(default_factory=dict)

    def endpoint(self, path: str) -> str:
        """The peer's URL for a REST path (``/instances``)."""
        return self.url + path.lstrip("/")

    def to_json(self) -> dict[str, Any]:
        """The long form, password included: what the store receives (it keeps the
        :data:`SECRET_FIELDS` apart, in Secrets Manager), never what is shown."""
        answer: dict[str, Any] = {"Url": self.url}
        if self.username:
            answer["Username"] = self.username
            answer["Password"] = self.password
        if self.headers:
            answer["HttpHeaders"] = dict(self.headers)
        if self.certificate_file:
            answer["CertificateFile"] = self.certificate_file
            answer["CertificateKeyFile"] = self.certificate_key_file
            answer["CertificateKeyPassword"] = self.certificate_key_password
        if self.timeout:
            answer["Timeout"] = self.timeout
        answer.update(self.user_properties)
        return answer


def parse_peer(name: str, value: Any) -> Peer:
    """A :class:`Peer` from either form; :class:`PeerError` says what is wrong."""
    return parse_web_service(name, value, "Peer")


def parse_web_service(name: str, value: Any, kind: str) -> Peer:
    """Orthanc's ``WebServiceParameters`` from either form, which Orthanc peers and DICOMweb
    servers share (``kind`` names the remote in messages). User properties may be strings,
    booleans and integers, kept as Orthanc 1.10.1 keeps them ("1", "0", the digits):
    DICOMweb servers are written ``"HasDelete": true``."""
    if not name or "/" in name:
        raise PeerError(f"Bad {kind.lower()} name {name!r}")
    if isinstance(value, list):
        return _short_form(name, value, kind)
    if isinstance(value, dict):
        return _long_form(name, value, kind)
    raise PeerError(f"{kind} {name!r} must be a list [Url, Username, Password] or an object")


def secret_fields(value: Any) -> dict[str, str]:
    """The non-empty secret fields of a definition in either form (the short form's third
    element is its ``Password``)."""
    value = _as_object(value)
    if not isinstance(value, dict):
        return {}
    return {key: value[key] for key in SECRET_FIELDS if value.get(key)}


def with_secrets(value: Any, secrets: dict[str, Any]) -> Any:
    """A definition in either form completed by the :data:`SECRET_FIELDS` of ``secrets``
    (kept apart from it; anything else there is ignored): the one place where they meet
    again, when a connection to the peer is made."""
    kept = {key: secrets[key] for key in SECRET_FIELDS if key in secrets}
    if not kept:
        return value
    return {**_as_object(value), **kept}


def _as_object(value: Any) -> Any:
    """The short form's fields by name (a definition already checked: one or three)."""
    if isinstance(value, list):
        return dict(zip(_SHORT_FORM_FIELDS, value, strict=False))
    return value


def _short_form(name: str, value: list[Any], kind: str) -> Peer:
    if len(value) not in (1, 3) or not all(isinstance(v, str) for v in value):
        raise PeerError(f"{kind} {name!r}: the short form is [Url] or [Url, Username, Password]")
    url = _url(name, value[0], kind)
    if len(value) == 1:
        return Peer(name, url)
    return Peer(name, url, username=value[1], password=value[2])


def _long_form(name: str, value: dict[str, Any], kind: str) -> Peer:
    properties = {
        key: _property(key, text) for key, text in value.items() if key not in _LONG_FORM_KEYS
    }
    if not value.get("Url"):
        raise PeerError("Empty URL")
    if value.get("Pkcs11"):
        raise PeerError(f"{kind} {name!r}: PKCS#11 authentication is not supported")
    headers = value.get("HttpHeaders", {})
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise PeerError(f"{kind} {name!r}: HttpHeaders must map header names to strings")
    timeout = value.get("Timeout", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise PeerError(f"{kind} {name!r}: Timeout must be a number of seconds")
    strings = {
        key: value.get(key, "")
        for key in (
            "Username",
            "Password",
            "CertificateFile",
            "CertificateKeyFile",
            "CertificateKeyPassword",
        )
    }
    for key, text in strings.items():
        if not isinstance(text, str):
            raise PeerError(f"{kind} {name!r}: {key} must be a string")
    if bool(strings["CertificateFile"]) != bool(strings["CertificateKeyFile"]):
        raise PeerError(f"{kind} {name!r}: CertificateFile and CertificateKeyFile go together")
    return Peer(
        name,
        _url(name, value["Url"], kind),
        username=strings["Username"],
        password=strings["Password"],
        headers=dict(headers),
        certificate_file=strings["CertificateFile"],
        certificate_key_file=strings["CertificateKeyFile"],
        certificate_key_password=strings["CertificateKeyPassword"],
        timeout=timeout,
        user_properties=properties,
    )


def _property(key: str, value: Any) -> str:
    """A user property as Orthanc keeps it (a string)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    raise PeerError(f"User-defined properties associated with a Web service must be strings: {key}")


def _url(name: str, url: Any, kind: str) -> str:
    if not isinstance(url, str):
        raise PeerError(f"{kind} {name!r}: Url must be a string")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        # Refused rather than used: credentials belong in Username/Password, which are never
        # shown, while the Url is shown by GET /peers?expand and /configuration.
        raise PeerError(f"{kind} {name!r}: Url must not hold a user name or password")
    if "#" in url or "?" in url:
        # The REST path is appended to the Url: a query or fragment would let the Url
        # choose which path of the host is read instead of the peer's REST API.
        raise PeerError(f"{kind} {name!r}: Url must not have a query or a fragment")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PeerError(f"{kind} {name!r}: Url must be an http:// or https:// URL, got {url!r}")
    # Orthanc shows and uses every peer URL with a trailing slash.
    return url if url.endswith("/") else url + "/"
