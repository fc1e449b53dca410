"""Who a caller is and which role it holds: Orthanc's HTTP Basic credentials, and the roles
of Cirrus, shared by the local app and the AWS authorizer.

Locally the app checks ``RegisteredUsers`` itself (chalicelib/api/routing.py); on AWS an API
Gateway authorizer checks the users of a Secrets Manager secret
(infra/authorizer/api_authorizer), whose Lambda asset carries this module. So it uses the
standard library only.

Orthanc lets every registered user do everything; Cirrus gives each caller a role, and the
API's policy table (chalicelib/api/permissions.py) says which role each method and route
needs. A Basic user's role comes from ``CirrusUserRoles`` (``{"user": "role"}``, ``"*"``
for the users it does not name); a Cognito user's from its groups (:data:`GROUP_ROLES`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

# Orthanc's challenge, so that browsers and HTTP clients offer or send credentials.
REALM = 'Basic realm="Orthanc Secure Area"'

# The roles, each granting what the ones before it grant: browse, search and download; and
# store new data (a clinical user's everyday work); and everything else (delete, modify,
# change the configuration, send data out).
READ_ONLY = "read-only"
UPLOADER = "uploader"
ADMINISTRATOR = "administrator"
ROLES = (READ_ONLY, UPLOADER, ADMINISTRATOR)
# The key of ``CirrusUserRoles`` naming the role of the users it does not list.
OTHER_USERS = "*"
# A Basic user without a role is an administrator, as every registered user of Orthanc is,
# so that a configuration copied from Orthanc keeps working (a deployer makes unlisted users
# read-only with ``"*": "read-only"``).
BASIC_DEFAULT_ROLE = ADMINISTRATOR
# The Cognito groups giving a role; a token in none of them (a new user, a machine client)
# is read-only, and one in several holds the highest.
GROUP_ROLES = {
    "cirrus-read-only": READ_ONLY,
    "cirrus-uploaders": UPLOADER,
    "cirrus-administrators": ADMINISTRATOR,
}


def parse_basic(header: str) -> tuple[str, str] | None:
    """``(user, password)`` of a ``Basic`` Authorization header, or None if it is anything
    else (the scheme is case-insensitive, as HTTP says)."""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def basic_user(header: str, users: dict[str, str]) -> str | None:
    """The user named by valid credentials, else None."""
    credentials = parse_basic(header)
    if credentials is None:
        return None
    user, password = credentials
    expected = users.get(user)
    # The same work whoever the user: digests of one length compared in constant time, an
    # unknown user's against a password no one knows, so that the answer's timing reveals
    # neither which users exist nor a prefix or the length of a password.
    wanted = _UNKNOWN_USER_PASSWORD if expected is None else expected.encode()
    same = hmac.compare_digest(_digest(password.encode()), _digest(wanted))
    return user if same and expected is not None else None


# What an unknown user's password is compared with: random, so nothing can match it.
_UNKNOWN_USER_PASSWORD = secrets.token_bytes(32)


def _digest(password: bytes) -> bytes:
    return hashlib.sha256(password).digest()


def grants(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (an unknown role grants nothing)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def invalid_roles(roles: Mapping[str, str]) -> list[str]:
    """The users of ``CirrusUserRoles`` whose role is no role of :data:`ROLES`."""
    return sorted(user for user, role in roles.items() if role not in ROLES)


def basic_role(user: str, roles: Mapping[str, str]) -> str:
    """The role of a Basic user: its own, else that of :data:`OTHER_USERS`, else
    :data:`BASIC_DEFAULT_ROLE`. A role that is no role is read-only (refused at start-up
    locally; in the AWS secret a typo must not grant more)."""
    role = roles.get(user) or roles.get(OTHER_USERS) or BASIC_DEFAULT_ROLE
    return role if role in ROLES else READ_ONLY


def group_role(groups: Iterable[str]) -> str:
    """The highest role the Cognito groups give, read-only when none gives one."""
    held = [ROLES.index(GROUP_ROLES[group]) for group in groups if group in GROUP_ROLES]
    return ROLES[max(held, default=0)]
