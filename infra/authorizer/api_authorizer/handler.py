"""API Gateway TOKEN authorizer: Orthanc's HTTP Basic, or a Cognito token as ``Bearer``.

One authorizer guards every method (API Gateway allows one per method), so it accepts both
kinds of caller: ``Basic`` credentials of the users secret (:mod:`.basic`), for the clients
written for Orthanc, and, when the deployment has a user pool (``CIRRUS_JWT_ISSUER``), the
pool's ID or access tokens (:mod:`.cognito_jwt`).

A refusal raises ``Unauthorized``, which API Gateway answers with 401, Orthanc's error body
and the ``WWW-Authenticate`` challenge (infra/chalice_app.py). An accepted caller's answer
names its role in the context (``role``), and the API function checks it against the policy
table (chalicelib/api/permissions.py); the IAM policy itself allows the whole API. Why not
per-method statements: API Gateway caches this answer per ``Authorization`` header and
reuses it for the caller's later requests to any method and path, so a policy must cover
everything the caller may call or refuse its next requests; a TOKEN authorizer sees neither
the ``X-HTTP-Method-Override`` header nor ``?_method=``, which turn a POST or GET into the
DELETE or PUT it stands for inside the function; and the table's exceptions (the POST routes
that only read) would be dozens of statements. The role in the cached context is right for
every request of that token, whatever its method and path.
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


def caller(header: str) -> tuple[str, str] | None:
    """Who the ``Authorization`` header authenticates, and its role, or None."""
    scheme, _, token = header.strip().partition(" ")
    if scheme == "Bearer":
        verifier = _verifier()
        if verifier is None:
            return None
        try:
            claims = verifier.verify(token.strip())
        except cognito_jwt.InvalidToken as error:
            logger.info("Refused a bearer token: %s", error)
            return None
        return cognito_jwt.principal(claims), cognito_jwt.role(claims)
    return basic.authenticate(header)


def api_arn(method_arn: str) -> str:
    """``arn:...:api-id/stage/*/*`` from ``arn:...:api-id/stage/VERB/path``."""
    api, stage = method_arn.split("/")[:2]
    return f"{api}/{stage}/*/*"


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    admitted = caller(event.get("authorizationToken") or "")
    if admitted is None:
        # Counted by the failed-logins metric filter (infra/api_auth.py, DENIED_MESSAGE).
        logger.warning("Denied")
        raise Exception("Unauthorized")  # noqa: TRY002 - the exact text API Gateway expects
    user, role = admitted
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
        "context": {"user": user, "role": role},
    }
