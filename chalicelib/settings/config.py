"""Parse and validate Orthanc-style JSON configuration files.

Orthanc accepts JSON with ``//`` and ``/* */`` comments, so Cirrus does too: users copy their
existing ``orthanc.json``. Keys Cirrus does not know are ignored with a log line (Orthanc has
hundreds of options; refusing them would make migration painful), but a known key with the
wrong type stops start-up with a message naming the key: a silent fallback to a default for a
security setting such as ``AuthenticationEnabled`` would be worse than not starting.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

LOG = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).with_name("default.json")

# Strings and comments in one alternation, so that "//" inside a JSON string (a URL) survives.
_COMMENTS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.DOTALL)


STORAGE_MODES = ("Recycle", "Reject")


class ConfigError(ValueError):
    """The configuration file is unreadable or has a value of the wrong type."""


@dataclass(frozen=True)
class Config:
    """The subset of Orthanc's options that Cirrus implements, with Orthanc's defaults."""

    Name: str = "Cirrus"
    DicomAet: str = "CIRRUS"
    DicomPort: int = 4242
    HttpPort: int = 8042
    RemoteAccessAllowed: bool = False
    AuthenticationEnabled: bool = False
    RegisteredUsers: dict[str, str] = field(default_factory=dict)
    # Cirrus-specific: the role of each registered user ({"user": "read-only"}, "*" for the
    # others; chalicelib/credentials.py), administrator when unnamed, as in Orthanc.
    CirrusUserRoles: dict[str, str] = field(default_factory=dict)
    OverwriteInstances: bool = False
    StableAge: int = 60
    # Limits of the archive (0: none), kept by recycling or rejection
    # (chalicelib/services/resources/recycling.py). MaximumStorageSize is in MB (1024 * 1024
    # bytes); MaximumStorageMode ("Recycle" or "Reject") is Orthanc 1.11.3's.
    MaximumStorageSize: int = 0
    MaximumPatientCount: int = 0
    MaximumStorageMode: str = "Recycle"
    DicomCheckCalledAet: bool = False
    DicomAlwaysAllowEcho: bool = True
    DicomAlwaysAllowStore: bool = True
    DicomAlwaysAllowFind: bool = False
    DicomAlwaysAllowGet: bool = False
    DicomAlwaysAllowMove: bool = False
    DicomCheckModalityHost: bool = False
    DicomScpTimeout: int = 30
    MaximumPduLength: int = 16384
    # Cirrus-specific: associations the DICOM service (one Fargate task) serves at once.
    DicomMaximumAssociations: int = 10
    # Cirrus-specific: the largest file (bytes, Part 10 header included) the DICOM service
    # receives in one C-STORE, written to a temporary file as it arrives; 0: no limit.
    DicomMaximumObjectSize: int = 256 * 1024 * 1024
    # DICOM TLS (chalicelib/dicom_client/tls.py): PEM files, as in Orthanc.
    DicomTlsEnabled: bool = False
    DicomTlsCertificate: str = ""
    DicomTlsPrivateKey: str = ""
    DicomTlsTrustedCertificates: str = ""
    DicomTlsRemoteCertificateRequired: bool = True
    LimitFindResults: int = 0
    LimitFindInstances: int = 0
    # Orthanc peers (short list form or long object form), checked by chalicelib/remotes/peer.py.
    OrthancPeers: dict[str, Any] = field(default_factory=dict)
    # DICOM modalities (short list form or long object form), checked by
    # chalicelib/remotes/modality.py.
    DicomModalities: dict[str, Any] = field(default_factory=dict)
    # The DICOMweb plugin's section; Cirrus reads its "Servers" (short list form or long
    # object form, checked by chalicelib/remotes/dicomweb_server.py): dicomweb_servers().
    DicomWeb: dict[str, Any] = field(default_factory=dict)
    # Tags added to the dictionary (checked by chalicelib/dicom/tag_dictionary.py).
    Dictionary: dict[str, Any] = field(default_factory=dict)
    # The private creator of private tags written by modify/anonymize/create-dicom when the
    # request names none (their VR is looked up under it).
    DefaultPrivateCreator: str = ""
    DicomScuTimeout: int = 10
    # How /queries/{id}/retrieve retrieves when neither the request nor the modality says.
    DicomDefaultRetrieveMethod: str = "C-MOVE"
    HttpTimeout: int = 60
    HttpsVerifyPeers: bool = True
    HttpsCACertificates: str = ""
    # Cirrus-specific: the networks (CIDRs) peers and modalities may be reached in, checked
    # after name resolution (chalicelib/remotes/destinations.py). Loopback, link-local and the
    # deployment's own VPC are refused unless a listed network lies inside them.
    RemoteNetworksAllowed: list[str] = field(
        default_factory=lambda: ["0.0.0.0/0", "::/0", "127.0.0.0/8", "::1/128"]
    )
    LogExportedResources: bool = False
    JobsHistorySize: int = 10
    # How many outputs of archive and media jobs are kept (older ones answer 404).
    MediaArchiveSize: int = 1
    QueryRetrieveSize: int = 100
    # Cirrus-specific: how long a synchronous job request waits (API Gateway allows 29 s).
    SynchronousJobTimeout: int = 25
    # Cirrus-specific: the largest request body accepted by POST /instances (bytes).
    MaximumUploadSize: int = 100 * 1024 * 1024
    # Cirrus-specific: bodies above this size (bytes) travel through S3 instead of the API
    # (API Gateway and Lambda carry about 6 MB, base64 included): larger answers redirect to
    # a presigned URL, larger uploads go through /cirrus/uploads.
    LargeObjectThreshold: int = 4 * 1024 * 1024
    # Cirrus-specific: how long presigned S3 URLs stay valid (seconds).
    PresignedUrlExpiration: int = 900
    # Cirrus-specific: the memory (MB) a function has where Lambda does not say it
    # (AWS_LAMBDA_FUNCTION_MEMORY_SIZE), i.e. locally; NumPy answers are bounded by it. The
    # default is the deployed API function's.
    FunctionMemorySize: int = 1769
    # A site's metadata ("name": number) and attachment types ("name": number or
    # "name": [number, "MIME type"]), numbered 1024-65535 (services/resources/names.py).
    UserMetadata: dict[str, Any] = field(default_factory=dict)
    UserContentType: dict[str, Any] = field(default_factory=dict)
    # Replacing or deleting user metadata and attachments requires the If-Match revision.
    CheckRevisions: bool = False
    # Where the settings /tools/* changes at run time start (services/system/settings.py):
    # the encoding of DICOM without SpecificCharacterSet, what the DICOM service accepts for
    # C-STORE (a transfer syntax UID or a list of them, "*" and "?" wildcards), metrics.
    DefaultEncoding: str = "Latin1"
    AcceptedTransferSyntaxes: Any = "*"
    UnknownSopClassAccepted: bool = False
    MetricsEnabled: bool = True


_TYPES: dict[str, type] = {
    "str": str,
    "int": int,
    "bool": bool,
    "dict[str, str]": dict,
    "dict[str, Any]": dict,
    "list[str]": list,
    "Any": object,  # checked by the option's own function below
}


def function_memory(config: Config, environ: Mapping[str, str]) -> int:
    """The memory of this function in bytes: Lambda's setting when running there, else the
    configured ``FunctionMemorySize``."""
    declared = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    megabytes = int(declared) if declared.isascii() and declared.isdigit() else None
    return (megabytes or config.FunctionMemorySize) * 1024 * 1024


def strip_comments(text: str) -> str:
    """Remove ``//`` and ``/* */`` comments outside JSON strings."""
    return _COMMENTS.sub(lambda m: m.group(1) or "", text)


def _check(key: str, value: Any, annotation: str) -> Any:
    expected = _TYPES[annotation]
    # bool is a subclass of int in Python: "DicomPort": true must still be refused.
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"Configuration option {key!r} must be an integer, got {value!r}")
    if not isinstance(value, expected):
        raise ConfigError(
            f"Configuration option {key!r} must be of type {expected.__name__}, got {value!r}"
        )
    if annotation == "dict[str, str]" and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(f"Configuration option {key!r} must map strings to strings")
    if annotation == "list[str]" and not all(isinstance(v, str) for v in value):
        raise ConfigError(f"Configuration option {key!r} must be a list of strings")
    if expected is int and value < 0:
        raise ConfigError(f"Configuration option {key!r} must not be negative, got {value}")
    return value


def parse_config(text: str, source: str = "<config>") -> Config:
    """Build a :class:`Config` from the text of an Orthanc-style configuration file."""
    try:
        raw = json.loads(strip_comments(text))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"Configuration file {source} is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"Configuration file {source} must hold a JSON object")
    known = {f.name: f.type for f in fields(Config)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            LOG.info("Configuration option %r is not used by Cirrus; ignored", key)
            continue
        values[key] = _check(key, value, str(known[key]))
    # Orthanc's rule (since 1.5.8): a file that allows remote access and does not mention
    # AuthenticationEnabled gets authentication, so nothing is opened to the network unasked.
    values.setdefault("AuthenticationEnabled", values.get("RemoteAccessAllowed", False))
    config = Config(**values)
    if config.MaximumStorageMode not in STORAGE_MODES:
        raise ConfigError(
            "Configuration option 'MaximumStorageMode' must be one of "
            f"{', '.join(STORAGE_MODES)}, got {config.MaximumStorageMode!r}"
        )
    _check_authentication(config)
    _check_roles(config)
    _check_remotes(config)
    _check_networks(config)
    _check_dictionary(config)
    _check_user_types(config)
    _check_runtime_settings(config)
    return config


def _check_authentication(config: Config) -> None:
    """Remote access with authentication and no user stops start-up. Orthanc 1.10.1 creates
    the user ``orthanc`` with the password ``orthanc`` and calls the setup insecure; a
    well-known password on a network-facing API is no control, so Cirrus refuses instead."""
    if config.RemoteAccessAllowed and config.AuthenticationEnabled and not config.RegisteredUsers:
        raise ConfigError(
            "Configuration option 'RegisteredUsers' must name at least one user when "
            "'RemoteAccessAllowed' is true and 'AuthenticationEnabled' is true or absent"
        )


def _check_roles(config: Config) -> None:
    """A role that is no role stops start-up: guessing one would grant too much or too
    little, silently."""
    from chalicelib.credentials import ROLES, invalid_roles

    invalid = invalid_roles(config.CirrusUserRoles)
    if invalid:
        raise ConfigError(
            f"Configuration option 'CirrusUserRoles': the role of {', '.join(invalid)} must "
            f"be one of {', '.join(ROLES)}"
        )


def _check_runtime_settings(config: Config) -> None:
    """A malformed ``DefaultEncoding`` or ``AcceptedTransferSyntaxes`` stops start-up, as in
    Orthanc (a pattern matching nothing is allowed)."""
    from chalicelib.errors import OrthancError
    from chalicelib.services.system.encodings import parse_encoding
    from chalicelib.services.system.transfer_syntaxes import resolve

    for key, parse in (
        ("DefaultEncoding", parse_encoding),
        ("AcceptedTransferSyntaxes", resolve),
    ):
        try:
            parse(getattr(config, key))
        except OrthancError as exc:
            raise ConfigError(f"Configuration option {key!r}: {exc}") from exc


def _check_user_types(config: Config) -> None:
    """A malformed or clashing user metadata or attachment type stops start-up, as in
    Orthanc."""
    from chalicelib.services.resources.names import content_types, metadata_names

    for key, build in (("UserMetadata", metadata_names), ("UserContentType", content_types)):
        try:
            build(getattr(config, key))
        except ValueError as exc:
            raise ConfigError(f"Configuration option {key!r}: {exc}") from exc


def _check_dictionary(config: Config) -> None:
    """A malformed or clashing ``Dictionary`` entry stops start-up, as it stops Orthanc."""
    from chalicelib.dicom.declared_tags import parse_dictionary

    try:
        entries = parse_dictionary(config.Dictionary)
        if entries:  # the built-in dictionary (pydicom) is loaded only to check some
            from chalicelib.dicom.tag_dictionary import check_declarable

            check_declarable(entries)
    except ValueError as exc:
        raise ConfigError(f"Configuration option 'Dictionary': {exc}") from exc


def _check_networks(config: Config) -> None:
    """A malformed CIDR in ``RemoteNetworksAllowed`` stops start-up: silently dropping it
    would refuse a modality without saying why, or accepting it loosely could open more."""
    from chalicelib.remotes.destinations import parse_networks

    try:
        parse_networks(config.RemoteNetworksAllowed)
    except ValueError as exc:
        raise ConfigError(f"Configuration option 'RemoteNetworksAllowed': {exc}") from exc


def _check_remotes(config: Config) -> None:
    """A malformed peer, modality or DICOMweb server stops start-up, like any other malformed
    option."""
    from chalicelib.remotes.dicomweb_server import parse_dicomweb_server
    from chalicelib.remotes.modality import parse_modality
    from chalicelib.remotes.peer import parse_peer

    remotes = (
        ("OrthancPeers", config.OrthancPeers, parse_peer),
        ("DicomModalities", config.DicomModalities, parse_modality),
        ("DicomWeb.Servers", dicomweb_servers(config), parse_dicomweb_server),
    )
    for key, entries, parse in remotes:
        for name, value in entries.items():
            try:
                parse(name, value)
            except ValueError as exc:
                raise ConfigError(f"Configuration option {key!r}: {exc}") from exc


def dicomweb_servers(config: Config) -> dict[str, Any]:
    """``DicomWeb.Servers``: the DICOMweb servers of the file, by name (an object, else
    ConfigError, as the plugin refuses to start)."""
    servers = config.DicomWeb.get("Servers", {})
    if not isinstance(servers, dict):
        raise ConfigError("Configuration option 'DicomWeb.Servers' must be an object")
    return servers


def inline_peer_secrets(config: Config) -> dict[str, list[str]]:
    """The peers of ``OrthancPeers`` whose definition holds a secret (``Password``, or the
    short form's third element; ``CertificateKeyPassword``): name -> those fields. A deployment
    refuses them (infra/settings.py): its file is packaged and copied into the DICOM service's
    task definition, so secrets go to the configuration secret instead."""
    from chalicelib.remotes.peer import secret_fields

    found = {name: sorted(secret_fields(value)) for name, value in config.OrthancPeers.items()}
    return {name: fields for name, fields in found.items() if fields}


def inline_dicomweb_secrets(config: Config) -> dict[str, list[str]]:
    """The same for the DICOMweb servers of ``DicomWeb.Servers`` (whose short form has the
    peers' shape): their secrets go to the configuration secret too."""
    from chalicelib.remotes.peer import secret_fields

    found = {name: sorted(secret_fields(value)) for name, value in dicomweb_servers(config).items()}
    return {name: fields for name, fields in found.items() if fields}


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the file named by ``path``, else ``$CIRRUS_CONFIG``, else the bundled default."""
    chosen = Path(path or os.environ.get("CIRRUS_CONFIG") or DEFAULT_PATH)
    try:
        text = chosen.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read configuration file {chosen}: {exc}") from exc
    return parse_config(text, str(chosen))
