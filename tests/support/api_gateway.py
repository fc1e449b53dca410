"""Lambda proxy events as API Gateway's REST API sends them through Cirrus's greedy proxy.

The shape is the one of AWS's documentation for a REST API proxy integration (the input
format of a Lambda function), with what Cirrus's API adds: the stage ``api`` (part of
``requestContext.path``, not of ``path``), the TOKEN authorizer's principal and context, and
every body in base64 (every type is binary to the API, infra/chalice_app.py). Written here
independently of the local stack's gateway, so that the app is checked against AWS's format
rather than against Cirrus's own imitation of it.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import unquote

API_ID = "abc123defg"
STAGE = "api"
DOMAIN = f"{API_ID}.execute-api.eu-west-1.amazonaws.com"


def proxy_event(
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    base_path: str = "",
) -> dict[str, Any]:
    """A request for ``path`` (relative to the API, percent-encoded as sent) once the
    authorizer has admitted user ``orthanc``. ``base_path`` is a custom domain's base path
    mapping, which API Gateway keeps in ``path`` but not in the proxy's value."""
    proxy = path.lstrip("/")
    resource = "/{proxy+}" if proxy else "/"
    all_headers = {"Host": DOMAIN, "User-Agent": "curl/8.5.0", "Accept": "*/*", **(headers or {})}
    return {
        "resource": resource,
        "path": base_path + path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query or None,
        # API Gateway passes path parameters decoded.
        "pathParameters": {"proxy": unquote(proxy)} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": "Dd1bTFRMjoEFtNg=",
            "requestTime": "07/Dec/2026:02:48:02 +0000",
            "path": f"{base_path or '/' + STAGE}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": API_ID,
            "requestTimeEpoch": 1796611682000,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": "198.51.100.7",
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": "curl/8.5.0",
                "user": None,
            },
            "domainName": DOMAIN,
            "authorizer": {
                "principalId": "orthanc",
                "integrationLatency": 12,
                "user": "orthanc",
                "role": "administrator",
            },
            "apiId": API_ID,
        },
        "body": None if body is None else base64.b64encode(body).decode(),
        "isBase64Encoded": body is not None,
    }


def method_arn(method: str, path: str) -> str:
    """The ``methodArn`` API Gateway gives the TOKEN authorizer for that request: with a
    greedy proxy it names the request's own path, not the resource's."""
    return (
        f"arn:aws:execute-api:eu-west-1:123456789012:{API_ID}/{STAGE}/{method}/{path.lstrip('/')}"
    )


def concrete(route: str) -> tuple[str, dict[str, str]]:
    """A path for ``route`` (``/instances/{id}``) and its parameters, with a value for each
    parameter that no literal route uses."""
    params = {name: f"v-{name}-1" for name in re.findall(r"\{(\w+)\}", route)}
    return re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], route), params
