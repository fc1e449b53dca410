"""The app under the event API Gateway sends on AWS (a REST API's Lambda proxy event), not
the local server's: the stage is part of ``requestContext.path`` and callers are remote."""

from __future__ import annotations

import json
from typing import Any


def proxy_event(path: str, resource: str, parameters: dict[str, str] | None) -> dict[str, Any]:
    """A GET as API Gateway passes it to the function of stage ``api``."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": "GET",
        "headers": {"Host": "abc123.execute-api.eu-west-1.amazonaws.com"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "stage": "api",
            "identity": {"sourceIp": "198.51.100.7"},
            "authorizer": {"principalId": "orthanc", "user": "orthanc"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def test_errors_name_the_uri_without_the_stage(aws, configure) -> None:
    from app import app

    # As infra/orthanc.json: API Gateway's authorizer has admitted the remote caller.
    configure(RemoteAccessAllowed=True)
    event = proxy_event("/instances/unknown/file", "/instances/{id}/file", {"id": "unknown"})
    answer = app(event, None)
    assert answer["statusCode"] == 404
    error = json.loads(answer["body"])
    assert (error["Uri"], error["Method"], error["OrthancStatus"]) == (
        "/instances/unknown/file",
        "GET",
        17,
    )
    system = app(proxy_event("/system", "/system", None), None)
    assert system["statusCode"] == 200
    assert json.loads(system["body"])["Name"] == "Cirrus"
