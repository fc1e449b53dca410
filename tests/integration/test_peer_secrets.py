"""Peer passwords live in Secrets Manager, never in the ``remotes`` table: what ``PUT /peers``
writes (the raw item, read with boto3), that a peer with a password still authenticates
(a recording peer requiring Basic credentials), that redefining or deleting a peer updates or
deletes its secret, and the deployment's configuration secret completing the peers of the
configuration file, read only when a connection needs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib import bootstrap
from chalicelib.storage import aws as aws_clients
from chalicelib.storage.schema import table_name
from chalicelib.storage.secrets import secrets_prefix
from tests.integration.helpers import body, deployment_secrets, get, upload
from tests.support.dicom_factory import make_instance
from tests.support.fake_peer import FakePeer

PASSWORD = "s3cret-Pa55word"


@pytest.fixture
def peer() -> Iterator[FakePeer]:
    with FakePeer(credentials=("bob", PASSWORD)) as running:
        yield running


def put(client: Any, name: str, definition: Any) -> None:
    response = client.http.put(f"/peers/{name}", body=json.dumps(definition))
    assert (response.status_code, response.body) == (200, b""), response.body


def raw_item(name: str) -> dict[str, Any]:
    """The item of ``remotes`` as DynamoDB holds it."""
    answer = aws_clients.client("dynamodb").get_item(
        TableName=table_name("remotes"), Key={"pk": {"S": "peer"}, "sk": {"S": name}}
    )
    return answer["Item"]


@pytest.mark.parametrize(
    "definition",
    [
        pytest.param(lambda url: {"Url": url, "Username": "bob", "Password": PASSWORD}, id="long"),
        pytest.param(lambda url: [url, "bob", PASSWORD], id="short"),
    ],
)
def test_the_table_holds_a_reference_and_the_peer_authenticates(
    client: Any, configure: Any, job_runner: Any, peer: FakePeer, definition: Any
) -> None:
    configure()
    put(client, "remote", definition(peer.url))
    item = raw_item("remote")
    assert PASSWORD not in json.dumps(item)
    assert item["secret"]["S"].startswith(secrets_prefix() + "remote#")
    assert deployment_secrets() == {secrets_prefix() + "remote": {"Password": PASSWORD}}
    # The answers are those of a peer whose password is in the table (never shown).
    assert get(client, "/peers/remote/configuration") == {
        "HttpHeaders": [],
        "Password": None,
        "Pkcs11": False,
        "Timeout": 0,
        "Url": peer.url,
        "Username": "bob",
    }
    bootstrap.reset()  # another Lambda container: the password comes from Secrets Manager
    assert get(client, "/peers/remote/system")["Version"]
    sent = upload(client, make_instance("SECRET"))
    response = client.http.post(
        "/peers/remote/store", body=json.dumps({"Resources": [sent["ID"]], "Synchronous": True})
    )
    assert response.status_code == 200, response.body
    assert peer.posts[sent["ID"]] == 1


def test_a_new_password_replaces_the_secret_and_the_connection(
    client: Any, configure: Any, peer: FakePeer
) -> None:
    configure()
    put(client, "remote", {"Url": peer.url, "Username": "bob", "Password": PASSWORD})
    assert get(client, "/peers/remote/system")["Version"]
    peer.credentials = ("bob", "changed")
    put(client, "remote", {"Url": peer.url, "Username": "bob", "Password": "changed"})
    assert deployment_secrets() == {secrets_prefix() + "remote": {"Password": "changed"}}
    # The same process: its client of the old definition is not reused.
    assert get(client, "/peers/remote/system")["Version"]


def test_redefining_without_a_password_or_deleting_removes_the_secret(
    client: Any, configure: Any, peer: FakePeer
) -> None:
    configure()
    put(client, "a", {"Url": peer.url, "Username": "bob", "Password": PASSWORD})
    put(client, "b", [peer.url, "bob", PASSWORD])
    assert set(deployment_secrets()) == {secrets_prefix() + "a", secrets_prefix() + "b"}
    put(client, "a", [peer.url])
    assert set(deployment_secrets()) == {secrets_prefix() + "b"}
    assert "secret" not in raw_item("a")
    response = client.http.delete("/peers/b")
    assert response.status_code == 200, response.body
    assert deployment_secrets() == {}
    # Defined again at once under the same name (nothing waits for a recovery window).
    put(client, "b", [peer.url, "bob", PASSWORD])
    assert get(client, "/peers/b/system")["Version"]


def test_names_secrets_manager_cannot_spell_are_escaped(
    client: Any, configure: Any, peer: FakePeer
) -> None:
    configure()
    for name in ("my peer", "pëer=1"):
        put(client, quote(name), [peer.url, "bob", PASSWORD])
        assert get(client, f"/peers/{quote(name)}/system")["Version"]
    assert set(deployment_secrets()) == {
        secrets_prefix() + "my=20peer",
        secrets_prefix() + "p=C3=ABer=3D1",
    }
    for name in ("my peer", "pëer=1"):
        assert client.http.delete(f"/peers/{quote(name)}").status_code == 200
    assert deployment_secrets() == {}


@pytest.fixture
def configuration_secret(monkeypatch: pytest.MonkeyPatch, aws: None) -> str:
    """The deployment's configuration secret, named but not created yet."""
    name = "cirrus/configuration"
    monkeypatch.setenv("CIRRUS_CONFIG_SECRET", name)
    return name


def test_the_configuration_secret_completes_the_file_when_a_connection_needs_it(
    client: Any, configure: Any, peer: FakePeer, configuration_secret: str
) -> None:
    configure(OrthancPeers={"fake": [peer.url, "bob", ""]})
    # Not read by the routes that do not connect: they answer while it does not exist.
    assert get(client, "/peers?expand")["fake"]["Password"] is None
    assert get(client, "/peers/fake") == ["configuration", "store", "store-straight", "system"]
    assert get(client, "/peers/fake/configuration")["Username"] == "bob"
    secrets = aws_clients.client("secretsmanager")
    secrets.create_secret(
        Name=configuration_secret,
        SecretString=json.dumps({"OrthancPeers": {"fake": {"Password": PASSWORD}}}),
    )
    assert get(client, "/peers/fake/system")["Version"]
    # Read once per process: a change reaches new containers.
    secrets.put_secret_value(SecretId=configuration_secret, SecretString="{}")
    assert get(client, "/peers/fake/system")["Version"]
    bootstrap.reset()
    response = client.http.get("/peers/fake/system")
    assert response.status_code == 500 and "401" in body(response)["Details"], response.body


def test_a_peer_redefined_through_the_api_does_not_get_the_configured_password(
    client: Any, configure: Any, peer: FakePeer, configuration_secret: str
) -> None:
    """Otherwise a caller could point the configured peer's name at its own host and
    receive the configured password."""
    aws_clients.client("secretsmanager").create_secret(
        Name=configuration_secret,
        SecretString=json.dumps({"OrthancPeers": {"fake": {"Password": PASSWORD}}}),
    )
    configure(OrthancPeers={"fake": ["http://127.0.0.1:1/", "bob", ""]})
    put(client, "fake", [peer.url, "bob", ""])
    # The peer requires the configured password: it refuses what Cirrus sends.
    response = client.http.get("/peers/fake/system")
    assert response.status_code == 500 and "401" in body(response)["Details"], response.body


def test_a_malformed_configuration_secret_is_the_servers_fault(
    client: Any, configure: Any, peer: FakePeer, configuration_secret: str
) -> None:
    aws_clients.client("secretsmanager").create_secret(
        Name=configuration_secret, SecretString="not json"
    )
    configure(OrthancPeers={"fake": [peer.url, "bob", ""]})
    response = client.http.get("/peers/fake/system")
    assert response.status_code == 500, response.body
    assert "configuration secret is not a JSON object" in body(response)["Details"]
