"""DICOMweb servers through the app: definitions kept in the ``remotes`` table with their
passwords in Secrets Manager (apart from the peers'), and what the proxies send to a server
and hand back, seen by a recording stand-in server (tests/support/fake_dicomweb.py): headers,
credentials, arguments, bodies, answer types, the answer cap, the destination check and the
timeout. Answers compared with Orthanc's plugin: tests/interop/test_dicomweb_servers_vs_orthanc.py.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.peer_client.dicomweb import PROXY_MAXIMUM_ANSWER
from chalicelib.storage import aws as aws_clients
from chalicelib.storage.schema import table_name
from chalicelib.storage.secrets import secrets_prefix
from tests.integration.helpers import aws_requests as app_requests
from tests.integration.helpers import body, deployment_secrets, get
from tests.support.fake_dicomweb import Canned, FakeDicomWeb

PASSWORD = "dicomweb-Pa55word"


@pytest.fixture
def server() -> Iterator[FakeDicomWeb]:
    with FakeDicomWeb() as fake:
        yield fake


def put(client: Any, name: str, definition: Any) -> None:
    response = client.http.put(f"/dicom-web/servers/{name}", body=json.dumps(definition))
    assert (response.status_code, body(response)) == (200, {}), response.body


def proxy(client: Any, name: str, operation: str, request: dict[str, Any]) -> Any:
    return client.http.post(
        f"/dicom-web/servers/{name}/{operation}",
        body=json.dumps(request),
        headers={"Accept": "application/json"},
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def aws_requests() -> Any:
    """The route's DynamoDB and Secrets Manager requests, by operation."""
    return app_requests(services=("dynamodb", "secretsmanager"))


def test_passwords_live_in_their_own_secrets_and_are_never_shown(
    client: Any, configure: Any, server: FakeDicomWeb
) -> None:
    configure()
    definition = {"Url": server.url, "Username": "bob", "Password": PASSWORD, "HasDelete": True}
    put(client, "pacs", definition)
    put(client, "other", [server.url, "eve", "another-password"])
    # A peer of the same name keeps its own secret.
    peer = client.http.put("/peers/pacs", body=json.dumps([server.url, "bob", "peer-pw"]))
    assert peer.status_code == 200
    item = aws_clients.client("dynamodb").get_item(
        TableName=table_name("remotes"), Key={"pk": {"S": "dicomweb"}, "sk": {"S": "pacs"}}
    )["Item"]
    assert PASSWORD not in json.dumps(item)
    assert deployment_secrets() == {
        f"{secrets_prefix()}dicomweb/pacs": {"Password": PASSWORD},
        f"{secrets_prefix()}dicomweb/other": {"Password": "another-password"},
        f"{secrets_prefix()}pacs": {"Password": "peer-pw"},
    }
    expanded = get(client, "/dicom-web/servers?expand")
    assert expanded["pacs"] == {
        "HasDelete": "1",
        "HttpHeaders": [],
        "Password": None,
        "Pkcs11": False,
        "Timeout": 0,
        "Url": server.url,
        "Username": "bob",
    }
    assert PASSWORD not in json.dumps(expanded)
    bootstrap.reset()  # another Lambda container: the password comes from Secrets Manager
    assert proxy(client, "pacs", "get", {"Uri": "/studies"}).status_code == 200
    assert server.requests[-1].headers["authorization"] == basic("bob", PASSWORD)
    # Deleting the server deletes its secret, not the peer's.
    assert body(client.http.delete("/dicom-web/servers/pacs")) == {}
    assert f"{secrets_prefix()}pacs" in deployment_secrets()
    assert f"{secrets_prefix()}dicomweb/pacs" not in deployment_secrets()
    assert get(client, "/dicom-web/servers") == ["other"]


def test_the_configuration_secret_completes_the_files_servers(
    client: Any, configure: Any, server: FakeDicomWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIRRUS_CONFIG_SECRET", "cirrus/configuration")
    aws_clients.client("secretsmanager").create_secret(
        Name="cirrus/configuration",
        SecretString=json.dumps({"DicomWeb": {"Servers": {"pacs": {"Password": PASSWORD}}}}),
    )
    configure(DicomWeb={"Servers": {"pacs": [server.url, "bob", ""]}})
    assert proxy(client, "pacs", "qido", {"Uri": "/studies"}).status_code == 200
    assert server.requests[-1].headers["authorization"] == basic("bob", PASSWORD)


def test_the_proxies_send_headers_arguments_and_bodies_as_the_plugin_does(
    client: Any, configure: Any, server: FakeDicomWeb
) -> None:
    headers = {"X-Site": "a", "Accept": "application/dicom+json"}
    configure(DicomWeb={"Servers": {"pacs": {"Url": server.url, "HttpHeaders": headers}}})
    request = {
        "Uri": "//studies/1.2.3//series",
        "Arguments": {"PatientName": "Doe^J*", "b": "x y/z", "a": "", "é": "ü"},
        "HttpHeaders": {"Accept": "application/dicom+xml", "X-Request": "r"},
    }
    assert proxy(client, "pacs", "get", request).status_code == 200
    sent = server.requests[-1]
    assert (sent.method, sent.target) == (
        "GET",
        "/dicom-web/studies/1.2.3/series?PatientName=Doe%5EJ%2A&a&b=x%20y/z&%C3%A9=%C3%BC",
    )
    assert sent.headers["accept"] == "application/dicom+xml"  # the request's wins
    assert (sent.headers["x-site"], sent.headers["x-request"]) == ("a", "r")
    assert sent.headers["user-agent"] == "Cirrus"
    assert "authorization" not in sent.headers
    assert sent.headers["host"] == server.url.split("/")[2]

    posted = {"Uri": "/studies", "Body": '{"k": "é"}', "HttpHeaders": {"Content-Type": "x/y"}}
    server.answers["/dicom-web/studies"] = Canned(content_type="application/x-answer", body=b"ok")
    response = proxy(client, "pacs", "post", posted)
    assert (response.status_code, response.body) == (200, b"ok")
    assert response.headers["Content-Type"] == "application/x-answer"
    sent = server.requests[-1]
    assert (sent.method, sent.body, sent.headers["content-type"]) == (
        "POST",
        '{"k": "é"}'.encode(),
        "x/y",
    )


def test_binary_answers_come_back_intact(client: Any, configure: Any, server: FakeDicomWeb) -> None:
    configure(DicomWeb={"Servers": {"pacs": [server.url]}})
    data = bytes(range(256)) * 64
    for content_type, expected in (
        ("application/dicom", "application/dicom"),
        ('multipart/related; type="application/dicom"; boundary=x', None),
        ("application/x-unknown", "application/octet-stream"),
    ):
        server.answers["/dicom-web/wado"] = Canned(content_type=content_type, body=data)
        response = proxy(client, "pacs", "get", {"Uri": "/wado"})
        assert (response.status_code, response.body) == (200, data), content_type
        assert response.headers["Content-Type"] == (expected or content_type)


def test_answers_are_capped(client: Any, configure: Any, server: FakeDicomWeb) -> None:
    configure(DicomWeb={"Servers": {"pacs": [server.url]}})
    server.answers["/dicom-web/studies"] = Canned(body=b" " * PROXY_MAXIMUM_ANSWER)
    assert proxy(client, "pacs", "get", {"Uri": "/studies"}).status_code == 200
    server.answers["/dicom-web/studies"] = Canned(body=b" " * (PROXY_MAXIMUM_ANSWER + 1))
    response = proxy(client, "pacs", "get", {"Uri": "/studies"})
    assert (response.status_code, body(response)["OrthancStatus"]) == (500, 9)
    assert f"answered more than {PROXY_MAXIMUM_ANSWER} bytes" in body(response)["Details"]


def test_destinations_outside_the_allowed_networks_are_refused(
    client: Any, configure: Any, server: FakeDicomWeb
) -> None:
    configure(DicomWeb={"Servers": {"pacs": [server.url]}}, RemoteNetworksAllowed=["10.0.0.0/8"])
    response = proxy(client, "pacs", "qido", {"Uri": "/studies"})
    assert (response.status_code, body(response)["Details"]) == (
        500,
        f"Cannot reach DICOMweb server 'pacs' at {server.url}studies",
    )
    assert server.requests == []


def test_the_servers_timeout_bounds_a_silent_server(
    client: Any, configure: Any, server: FakeDicomWeb
) -> None:
    configure(DicomWeb={"Servers": {"pacs": {"Url": server.url, "Timeout": 1}}})
    server.answers["/dicom-web/studies"] = Canned(delay=4)
    started = time.monotonic()
    response = proxy(client, "pacs", "get", {"Uri": "/studies"})
    assert time.monotonic() - started < 3.5
    assert (response.status_code, body(response)["OrthancStatus"]) == (500, 9)


def test_aws_requests_per_route(client: Any, configure: Any, server: FakeDicomWeb) -> None:
    configure(DicomWeb={"Servers": {"file": [server.url]}})
    # Every request may first read the run-time settings (1 Query, cached 5 s per process).
    client.http.get("/dicom-web/servers")
    with aws_requests() as counts:
        put(client, "api", [server.url, "bob", PASSWORD])
    assert counts == {"PutItem": 1, "CreateSecret": 1}
    with aws_requests() as counts:
        put(client, "api", [server.url, "bob", "changed"])
    assert counts == {"PutItem": 1, "CreateSecret": 1, "PutSecretValue": 1}
    for path, expected in (
        ("/dicom-web/servers?expand", {"Query": 1}),
        ("/dicom-web/servers/api", {"GetItem": 1}),
    ):
        with aws_requests() as counts:
            get(client, path)
        assert counts == expected, path
    bootstrap.reset()
    client.http.get("/dicom-web/servers")
    with aws_requests() as counts:
        proxy(client, "api", "qido", {"Uri": "/studies"})
        proxy(client, "api", "get", {"Uri": "/studies"})
    # The secret is read once per process and version.
    assert counts == {"GetItem": 2, "GetSecretValue": 1}
    with aws_requests() as counts:
        client.http.delete("/dicom-web/servers/api")
    assert counts == {"GetItem": 1, "PutItem": 1, "DeleteSecret": 1}
