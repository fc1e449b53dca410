"""Orthanc-style HTTP Basic users, kept in a Secrets Manager secret.

Existing Orthanc clients (viewers, scripts, other Orthancs configured with this server as a
peer) authenticate with ``Authorization: Basic ...`` against ``RegisteredUsers``. On AWS the
users and passwords live in a Secrets Manager secret (``CIRRUS_USERS_SECRET``) holding that
same JSON object, ``{"user": "password", ...}``, so that they are never in the template or
the code bundle and can be changed without a deployment. The check itself is the local
app's (:mod:`chalicelib.credentials`, which the asset carries).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from chalicelib.credentials import basic_user

# A changed password applies within this delay plus API Gateway's cache of the answer; one
# read a minute per warm container costs cents a month.
SECRET_TTL_SECONDS = 60
_cache: dict[str, Any] = {"users": None, "loaded": 0.0}


def users() -> dict[str, str]:
    """The users, re-read from the secret at most every :data:`SECRET_TTL_SECONDS`."""
    if _cache["users"] is None or time.monotonic() - _cache["loaded"] > SECRET_TTL_SECONDS:
        import boto3

        answer = boto3.client("secretsmanager").get_secret_value(
            SecretId=os.environ["CIRRUS_USERS_SECRET"]
        )
        _cache["users"] = {str(k): str(v) for k, v in json.loads(answer["SecretString"]).items()}
        _cache["loaded"] = time.monotonic()
    return _cache["users"]


def authenticate(header: str) -> str | None:
    """The user named by valid credentials of the secret, else None."""
    return basic_user(header, users())
