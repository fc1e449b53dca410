"""The app under the events API Gateway sends on AWS through the greedy proxy (``/`` and
``/{proxy+}``, tests/support/api_gateway.py), not the local gateway's: the app routes each one
itself (chalicelib/api/proxy.py), the stage and a custom domain's base path stay out of the
URIs it reports, callers are remote and admitted by the authorizer."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.integration.helpers import sample_file
from tests.support.api_gateway import concrete, proxy_event


@pytest.fixture
def lambda_app(aws, configure) -> Any:
    """The API function's handler, configured as infra/orthanc.json configures it."""
    from app import app

    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    return lambda event: app(event, None)


def body_of(answer: dict[str, Any]) -> Any:
    raw = answer["body"]
    return json.loads(base64.b64decode(raw) if answer.get("isBase64Encoded") else raw)


def store(lambda_app, name: str = "CT_small.dcm") -> str:
    answer = lambda_app(proxy_event("POST", "/instances", body=sample_file(name)))
    assert answer["statusCode"] == 200
    return body_of(answer)["ID"]


def test_a_route_is_served_through_the_proxy(lambda_app) -> None:
    answer = lambda_app(proxy_event("GET", "/system"))
    assert answer["statusCode"] == 200
    assert body_of(answer)["Name"] == "Cirrus"


@pytest.mark.parametrize("base_path", ["", "/cirrus"])
def test_errors_name_the_uri_relative_to_the_api(lambda_app, base_path: str) -> None:
    """Neither the stage (in requestContext.path) nor a custom domain's base path mapping (in
    path too) is part of the URI Orthanc would report."""
    event = proxy_event("GET", "/instances/unknown/file", base_path=base_path)
    answer = lambda_app(event)
    assert answer["statusCode"] == 404
    assert body_of(answer) == {
        "HttpError": "Not Found",
        "HttpStatus": 404,
        "Message": "Unknown resource",
        "Method": "GET",
        "OrthancError": "Unknown resource",
        "OrthancStatus": 17,
        "Uri": "/instances/unknown/file",
    }


@pytest.mark.parametrize("path", ["/nothing/here", "/instances/x/y/z/w", "/system/"])
def test_unknown_paths_answer_orthancs_unknown_resource(lambda_app, path: str) -> None:
    answer = lambda_app(proxy_event("GET", path))
    if path == "/system/":  # a trailing slash is not another path
        assert answer["statusCode"] == 200
        return
    assert answer["statusCode"] == 404
    error = body_of(answer)
    assert (error["OrthancStatus"], error["Method"], error["Uri"]) == (17, "GET", path)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/system", "GET"),
        ("PUT", "/instances", "GET,POST"),
        ("PATCH", "/instances/x", "GET,DELETE"),
        ("HEAD", "/system", "GET"),
        ("OPTIONS", "/tools/find", "POST"),
    ],
)
def test_other_methods_answer_405_with_allow(lambda_app, method, path, allow) -> None:
    """API Gateway's ANY method passes every verb to the function, which answers for the
    ones a route lacks as Orthanc does for DELETE /system: 405 and Allow."""
    answer = lambda_app(proxy_event(method, path))
    assert answer["statusCode"] == 405
    assert answer["headers"]["Allow"] == allow
    error = body_of(answer)
    assert (error["HttpStatus"], error["OrthancStatus"], error["Method"], error["Uri"]) == (
        405,
        8,
        method,
        path,
    )


def test_binary_bodies_and_answers_pass_in_base64(lambda_app) -> None:
    """Every body arrives in base64; with curl's "Accept: */*" a file leaves in base64,
    which API Gateway turns back into bytes because every type is binary to it."""
    dicom = sample_file("CT_small.dcm")
    instance = store(lambda_app)
    answer = lambda_app(proxy_event("GET", f"/instances/{instance}/file"))
    assert (answer["statusCode"], answer["isBase64Encoded"]) == (200, True)
    assert base64.b64decode(answer["body"]) == dicom


def test_json_bodies_and_query_strings_are_read(lambda_app) -> None:
    instance = store(lambda_app)
    query = json.dumps({"Level": "Instance", "Query": {"Modality": "CT"}}).encode()
    found = lambda_app(
        proxy_event(
            "POST",
            "/tools/find",
            body=query,
            headers={"Content-Type": "application/json"},
        )
    )
    assert (found["statusCode"], body_of(found)) == (200, [instance])
    listed = lambda_app(
        proxy_event("GET", "/instances", query={"expand": [""], "since": ["0"], "limit": ["1"]})
    )
    assert [item["ID"] for item in body_of(listed)] == [instance]


def test_path_parameters_reach_the_route(lambda_app) -> None:
    """Two parameters filled from one proxy value; the authorizer's user is recorded."""
    instance = store(lambda_app)
    answer = lambda_app(proxy_event("GET", f"/instances/{instance}/metadata/HttpUsername"))
    assert (answer["statusCode"], answer["body"]) == (200, "orthanc")


def test_unknown_paths_and_methods_are_answered_after_authentication(aws, configure) -> None:
    """As Orthanc: a caller without credentials learns nothing about the routes (on AWS the
    authorizer refuses it before the function runs)."""
    from app import app

    configure(AuthenticationEnabled=True, RegisteredUsers={"alice": "secret"})
    for method, path in (("GET", "/nothing"), ("PATCH", "/system")):
        event = proxy_event(method, path)
        answer = app(event, None)
        assert answer["statusCode"] == 401
        assert answer["headers"]["WWW-Authenticate"] == 'Basic realm="Orthanc Secure Area"'
    credentials = base64.b64encode(b"alice:secret").decode()
    known = proxy_event("PATCH", "/system", headers={"Authorization": f"Basic {credentials}"})
    assert app(known, None)["statusCode"] == 405


def test_every_route_and_method_is_dispatched_to_chalice_as_its_own_resource(
    lambda_app, monkeypatch
) -> None:
    """Each method of each declared route, sent through the proxy, reaches Chalice's handler
    with the event API Gateway would have sent to a resource of that route."""
    from chalice.app import Response, RestAPIEventHandler

    from app import app

    seen: list[tuple[str, str, dict[str, str] | None, str]] = []

    def record(handler: RestAPIEventHandler, event: dict[str, Any], context: Any) -> Response:
        context_ = event["requestContext"]
        assert event["resource"] == context_["resourcePath"]
        seen.append(
            (context_["httpMethod"], event["resource"], event["pathParameters"], event["path"])
        )
        return Response(body="", status_code=204)

    monkeypatch.setattr(RestAPIEventHandler, "_main_rest_api_handler", record)
    expected = []
    for route, methods in app.routes.items():
        path, params = concrete(route)
        for method in methods:
            assert lambda_app(proxy_event(method, path))["statusCode"] == 204
            expected.append((method, route, params or None, path))
    assert seen == expected
    assert len(seen) > 150


@pytest.mark.parametrize(
    ("path", "proxied"),
    [("/instances/a%20b/file?x=1", "instances/a b/file"), ("/", None), ("/system", "system")],
)
def test_the_local_gateway_sends_what_api_gateway_sends(
    aws, path: str, proxied: str | None
) -> None:
    """The local stack's gateway (and so the tests' client) feeds the app the greedy proxy
    event, on the keys the routing reads, and leaves the app's route table as it was."""
    from chalice.config import Config

    from app import app
    from local_stack.gateway import OrthancGateway

    routes_before = dict(app.routes)
    local = OrthancGateway(app, Config())._generate_lambda_event("GET", path, {}, None)
    aws = proxy_event("GET", path.split("?")[0])
    for event in (local, aws):
        assert event["pathParameters"] == ({"proxy": proxied} if proxied else None)
    for key in ("resource", "path", "httpMethod"):
        assert local[key] == aws[key], key
    assert local["requestContext"]["resourcePath"] == aws["requestContext"]["resourcePath"]
    assert local["multiValueQueryStringParameters"] == ({"x": ["1"]} if "?" in path else None)
    client_answer = OrthancGateway(app, Config()).handle_request("GET", path, {}, None)
    assert client_answer["statusCode"] in (200, 301, 404)  # 301: "/" redirects to the console
    assert dict(app.routes) == routes_before
