"""Secrets Manager: the secret fields of remotes (a peer's ``Password``), kept out of tables,
environment variables and packaged files.

Two kinds of secrets are read here, both JSON objects of strings:

* one secret per peer written through ``PUT /peers/{id}``, named ``<prefix><peer name>`` under
  the deployment's prefix (``CIRRUS_SECRETS_PREFIX``; locally ``<resource prefix>/remotes/``),
  encrypted with the stack's key (``CIRRUS_SECRETS_KEY``; locally moto's default). The
  ``remotes`` table keeps only a reference to it: ``<secret name>#<version id>``. A reference
  names one version, whose content never changes, so a process reads it once;
* the deployment's configuration secret (``CIRRUS_CONFIG_SECRET``), filled by the deployer,
  which completes the peers of the configuration file (``{"OrthancPeers": {"name":
  {"Password": "..."}}}``); read once per process, when a connection first needs it.

A deleted peer's secret is deleted without a recovery window: the peer may be defined again
at once under the same name, which ``CreateSecret`` refuses while a deletion is pending, and
the password's only copy is the deployer's or the API caller's anyway.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.errors import ErrorCode, ServerFault

# Secret names allow these characters; others are written as "=" and two hex digits per byte.
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+.@-")
# Between a secret's name and its version in a reference ("#" is not allowed in names).
_VERSION_SEPARATOR = "#"

Values = dict[str, str]


def secrets_prefix() -> str:
    """Where the remotes' secrets are named: ``CIRRUS_SECRETS_PREFIX`` (set by CDK to
    ``<stack>/remotes/``), else beside the tables (``<resource prefix>/remotes/``)."""
    explicit = os.environ.get("CIRRUS_SECRETS_PREFIX")
    if explicit:
        return explicit
    return f"{os.environ.get('CIRRUS_RESOURCE_PREFIX', 'cirrus')}/remotes/"


class SecretStore:
    """The remotes' secrets, and the configuration secret (``configuration_secret``, empty
    when the deployment has none, as locally: the file itself then holds any password).
    ``client`` gives the Secrets Manager client, built on first use: listing peers builds
    this store but never calls it."""

    def __init__(
        self,
        client: Callable[[], Any],
        prefix: str,
        key: str = "",
        configuration_secret: str = "",
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._key = key
        self._configuration_secret = configuration_secret
        self._read: dict[str, Values] = {}
        self._configuration: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def write(self, name: str, values: Values) -> str:
        """Keep ``values`` as the secret of the remote ``name``; its reference. One request
        for a new remote (CreateSecret), two when it had a secret (PutSecretValue)."""
        secret = self._prefix + _escape(name)
        text = json.dumps(values, sort_keys=True)
        try:
            options = {"KmsKeyId": self._key} if self._key else {}
            answer = self._client().create_secret(Name=secret, SecretString=text, **options)
        except ClientError as exc:
            if _code(exc) != "ResourceExistsException":
                raise
            answer = self._client().put_secret_value(SecretId=secret, SecretString=text)
        return f"{answer['Name']}{_VERSION_SEPARATOR}{answer['VersionId']}"

    def read(self, reference: str) -> Values:
        """The values a reference names (GetSecretValue once per process and reference)."""
        with self._lock:
            cached = self._read.get(reference)
        if cached is not None:
            return cached
        secret, _, version = reference.partition(_VERSION_SEPARATOR)
        answer = self._client().get_secret_value(SecretId=secret, VersionId=version)
        values = _object(answer["SecretString"], f"The secret {secret}")
        with self._lock:
            self._read[reference] = values
        return values

    def delete(self, reference: str) -> None:
        """Delete the secret a reference names (every version), at once."""
        secret = reference.partition(_VERSION_SEPARATOR)[0]
        try:
            self._client().delete_secret(SecretId=secret, ForceDeleteWithoutRecovery=True)
        except ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise

    def configured(self, option: str, name: str) -> Values:
        """What the configuration secret holds for the entry ``name`` of ``option``
        (``OrthancPeers``): nothing without a configuration secret. Read at the first call
        of the process, never at start-up."""
        if not self._configuration_secret:
            return {}
        with self._lock:
            if self._configuration is None:
                answer = self._client().get_secret_value(SecretId=self._configuration_secret)
                self._configuration = _object(answer["SecretString"], "The configuration secret")
            entries = self._configuration.get(option, {})
        entry = entries.get(name, {}) if isinstance(entries, dict) else {}
        if not isinstance(entry, dict):
            raise ServerFault(
                ErrorCode.BAD_JSON,
                f"The configuration secret's {option}.{name} must be an object",
            )
        return entry


def _escape(name: str) -> str:
    """A remote's name as a secret name can spell it (one name per remote name)."""
    return "".join(
        c if c in _NAME_CHARACTERS else "".join(f"={b:02X}" for b in c.encode()) for c in name
    )


def _object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        # The deployment's fault, not the caller's: a 500, as a bad configuration file.
        raise ServerFault(ErrorCode.BAD_JSON, f"{what} is not a JSON object")
    return value


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
