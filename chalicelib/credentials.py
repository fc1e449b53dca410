"""Orthanc's HTTP Basic credentials: the one check, shared by the local app and the AWS
authorizer.

Locally the app checks ``RegisteredUsers`` itself (chalicelib/api/routing.py); on AWS an API
Gateway authorizer checks the users of a Secrets Manager secret
(infra/authorizer/api_authorizer), whose Lambda asset carries this module. So it uses the
standard library only.
"""

from __future__ import annotations

import base64
import binascii
import hmac

# Orthanc's challenge, so that browsers and HTTP clients offer or send credentials.
REALM = 'Basic realm="Orthanc Secure Area"'


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
    # Constant-time comparison: response timing must not reveal a password prefix.
    if expected is None or not hmac.compare_digest(password.encode(), expected.encode()):
        return None
    return user
