"""API Gateway TOKEN authorizer: Orthanc's HTTP Basic, or a Cognito token as ``Bearer``.

One authorizer guards every method (API Gateway allows one per method), so it accepts both
kinds of caller: ``Basic`` credentials of the users secret (:mod:`.basic`), for the clients
written for Orthanc, and, when the deployment has a user pool (``CIRRUS_JWT_ISSUER``), the
pool's ID or access tokens (:mod:`.cognito_jwt`).

A refusal raises ``Unauthorized``, which API Gateway answers with 401, Orthanc's error body
and the ``WWW-Authenticate`` challenge (infra/chalice_app.py). An accepted caller may call
every method, which is what Orthanc's RegisteredUsers grant, and lets API Gateway cache the
answer for the whole API (the ``methodArn`` of the first request would otherwise be the only
one allowed). Behind the API's greedy proxy the ``methodArn`` still names the request's own
method and path, so a policy can grant less by method and path (docs/deploy.md, "Finer
grants").
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

from . import basic, cognito_jwt

logger = logging.getLogger()
logger.setLevel(logging.INFO)


@cache
def _verifier() -> cognito_jwt.Verifier | None:
    issuer = os.environ.get("CIRRUS_JWT_ISSUER", "")
    if not issuer:
        return None
    clients = frozenset(filter(None, os.environ.get("CIRRUS_JWT_CLIENT_IDS", "").split(",")))
    return cognito_jwt.Verifier(issuer, clients)


def caller(header: str) -> str | None:
    """Who the ``Authorization`` header authenticates, or None."""
    scheme, _, token = header.strip().partition(" ")
    if scheme == "Bearer":
        verifier = _verifier()
        if verifier is None:
            return None
        try:
            return cognito_jwt.principal(verifier.verify(token.strip()))
        except cognito_jwt.InvalidToken as error:
            logger.info("Refused a bearer token: %s", error)
            return None
    return basic.authenticate(header)


def api_arn(method_arn: str) -> str:
    """``arn:...:api-id/stage/*/*`` from ``arn:...:api-id/stage/VERB/path``."""
    api, stage = method_arn.split("/")[:2]
    return f"{api}/{stage}/*/*"


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    user = caller(event.get("authorizationToken") or "")
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
