"""API Gateway TOKEN authorizer accepting Orthanc-style HTTP Basic credentials.

Existing Orthanc clients (viewers, scripts, other Orthancs configured with this server as a
peer) authenticate with ``Authorization: Basic ...`` against ``RegisteredUsers``. On AWS the
users and passwords live in a Secrets Manager secret (``CIRRUS_USERS_SECRET``) holding that
same JSON object, ``{"user": "password", ...}``, so that they are never in the template or
the code bundle and can be rotated without a deployment.

A refusal raises ``Unauthorized``, which API Gateway answers with 401 and the
``WWW-Authenticate`` challenge (infra/chalice_app.py); an accepted user may call every method,
which is what Orthanc's RegisteredUsers grant, and lets API Gateway cache the answer for the
whole API (the ``methodArn`` of the first request would otherwise be the only one allowed).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import time
from typing import Any

SECRET_TTL_SECONDS = 300
_cache: dict[str, Any] = {"users": None, "loaded": 0.0}


def _users() -> dict[str, str]:
    """The users, re-read at most every few minutes (a changed password applies within
    that delay plus the authorizer's cache)."""
    if _cache["users"] is None or time.monotonic() - _cache["loaded"] > SECRET_TTL_SECONDS:
        import boto3

        answer = boto3.client("secretsmanager").get_secret_value(
            SecretId=os.environ["CIRRUS_USERS_SECRET"]
        )
        users = json.loads(answer["SecretString"])
        _cache["users"] = {str(k): str(v) for k, v in users.items()}
        _cache["loaded"] = time.monotonic()
    return _cache["users"]


def parse_basic(header: str) -> tuple[str, str] | None:
    """``(user, password)`` of a ``Basic`` header, or None if it is anything else."""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def authenticate(header: str, users: dict[str, str]) -> str | None:
    """The user named by valid credentials, else None (constant-time comparison)."""
    credentials = parse_basic(header)
    if credentials is None:
        return None
    user, password = credentials
    expected = users.get(user)
    if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        return None
    return user


def api_arn(method_arn: str) -> str:
    """``arn:...:api-id/stage/*/*`` from ``arn:...:api-id/stage/VERB/path``."""
    api, stage = method_arn.split("/")[:2]
    return f"{api}/{stage}/*/*"


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    user = authenticate(event.get("authorizationToken") or "", _users())
    if user is None:
        raise Exception("Unauthorized")  # noqa: TRY002 - the exact text API Gateway expects
    return {
        "principalId": user,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": api_arn(event["methodArn"]),
                }
            ],
        },
        "context": {"user": user},
    }
