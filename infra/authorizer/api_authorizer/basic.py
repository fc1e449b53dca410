"""Orthanc-style HTTP Basic users, kept in a Secrets Manager secret.

Existing Orthanc clients (viewers, scripts, other Orthancs configured with this server as a
peer) authenticate with ``Authorization: Basic ...`` against ``RegisteredUsers``. On AWS the
users and passwords live in a Secrets Manager secret (``CIRRUS_USERS_SECRET``), so that they
are never in the template or the code bundle and can be changed without a deployment. The
secret holds either that same JSON object, ``{"user": "password", ...}`` (every user then
has the default role), or the two options of a configuration file,
``{"RegisteredUsers": {...}, "CirrusUserRoles": {"user": "read-only", "*": ...}}``; the two
cannot be confused, as a password is a string. The checks themselves are the local app's
(:mod:`chalicelib.credentials`, which the asset carries).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from chalicelib.credentials import basic_role, basic_user, invalid_roles

logger = logging.getLogger()

# A changed password or role applies within this delay plus API Gateway's cache of the
# answer; one read a minute per warm container costs cents a month.
SECRET_TTL_SECONDS = 60


@dataclass(frozen=True)
class Users:
    """The secret's users: passwords and roles."""

    passwords: dict[str, str]
    roles: dict[str, str] = field(default_factory=dict)


_cache: dict[str, Any] = {"users": None, "loaded": 0.0}


def parse_users(document: dict[str, Any]) -> Users:
    """The users of the secret's JSON object, in either form (see the module docstring)."""
    registered = document.get("RegisteredUsers")
    if not isinstance(registered, dict):
        return Users({str(k): str(v) for k, v in document.items()})
    roles = document.get("CirrusUserRoles") or {}
    users = Users(
        {str(k): str(v) for k, v in registered.items()},
        {str(k): str(v) for k, v in roles.items()} if isinstance(roles, dict) else {},
    )
    if invalid_roles(users.roles):
        # Read-only for them (basic_role), and said where the deployer looks.
        logger.warning("Unknown roles in the users secret for %s", invalid_roles(users.roles))
    return users


def users() -> Users:
    """The users, re-read from the secret at most every :data:`SECRET_TTL_SECONDS`."""
    if _cache["users"] is None or time.monotonic() - _cache["loaded"] > SECRET_TTL_SECONDS:
        import boto3

        answer = boto3.client("secretsmanager").get_secret_value(
            SecretId=os.environ["CIRRUS_USERS_SECRET"]
        )
        _cache["users"] = parse_users(json.loads(answer["SecretString"]))
        _cache["loaded"] = time.monotonic()
    return _cache["users"]


def authenticate(header: str) -> tuple[str, str] | None:
    """The user named by valid credentials of the secret and its role, else None."""
    known = users()
    user = basic_user(header, known.passwords)
    return None if user is None else (user, basic_role(user, known.roles))
