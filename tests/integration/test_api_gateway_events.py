"""The app under the event API Gateway sends on AWS (a REST API's Lambda proxy event), not
the local server's: the stage is part of ``requestContext.path`` and callers are remote."""

from __future__ import annotations

import base64
import json
from typing import Any


def proxy_event(
    path: str,
    resource: str,
    parameters: dict[str, str] | None,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str = "application/dicom",
) -> dict[str, Any]:
    """A request as API Gateway passes it to the function of stage ``api``, once the
    authorizer has admitted user ``orthanc``. Every type being binary to the API
    (infra/chalice_app.py), a body always arrives in base64."""
    headers = {"Host": "abc123.execute-api.eu-west-1.amazonaws.com"}
    if body is not None:
        headers["Content-Type"] = content_type
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "identity": {"sourceIp": "198.51.100.7"},
            "authorizer": {"principalId": "orthanc", "user": "orthanc"},
        },
        "body": None if body is None else base64.b64encode(body).decode(),
        "isBase64Encoded": body is not None,
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


def test_the_authorizers_user_is_recorded_as_orthanc_records_it(aws, configure) -> None:
    from app import app
    from tests.integration.helpers import sample_file

    configure(RemoteAccessAllowed=True)
    event = proxy_event("/instances", "/instances", None, "POST", sample_file("CT_small.dcm"))
    answer = app(event, None)
    assert answer["statusCode"] == 200
    instance = json.loads(answer["body"])["ID"]
    path = f"/instances/{instance}/metadata/HttpUsername"
    parameters = {"id": instance, "name": "HttpUsername"}
    metadata = app(proxy_event(path, "/instances/{id}/metadata/{name}", parameters), None)
    assert (metadata["statusCode"], metadata["body"]) == (200, "orthanc")


def test_json_bodies_arrive_in_base64_and_are_read(aws, configure) -> None:
    from app import app
    from tests.integration.helpers import sample_file

    configure(RemoteAccessAllowed=True)
    stored = app(
        proxy_event("/instances", "/instances", None, "POST", sample_file("CT_small.dcm")), None
    )
    query = json.dumps({"Level": "Instance", "Query": {"Modality": "CT"}}).encode()
    event = proxy_event("/tools/find", "/tools/find", None, "POST", query, "application/json")
    answer = app(event, None)
    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == [json.loads(stored["body"])["ID"]]


def test_files_are_answered_in_base64_for_api_gateway_to_decode(aws, configure) -> None:
    """With curl's "Accept: */*", the function answers a file in base64, which API Gateway
    turns back into bytes because every type is binary to it."""
    from app import app
    from tests.integration.helpers import sample_file

    configure(RemoteAccessAllowed=True)
    dicom = sample_file("CT_small.dcm")
    stored = app(proxy_event("/instances", "/instances", None, "POST", dicom), None)
    instance = json.loads(stored["body"])["ID"]
    event = proxy_event(f"/instances/{instance}/file", "/instances/{id}/file", {"id": instance})
    event["headers"]["Accept"] = "*/*"
    answer = app(event, None)
    assert (answer["statusCode"], answer["isBase64Encoded"]) == (200, True)
    assert base64.b64decode(answer["body"]) == dicom
