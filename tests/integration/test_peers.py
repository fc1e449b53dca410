"""The /peers API: the configuration file's peers, changed through the API and kept in
DynamoDB (shapes observed on Orthanc 1.10.1, docs/notes/orthanc-jobs-peers-observed.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import bootstrap
from tests.integration.helpers import assert_orthanc_error, body, get

CONFIGURED = {
    "long": {
        "Url": "http://127.0.0.1:18043",
        "Username": "bob",
        "Password": "secret",
        "HttpHeaders": {"X-Token": "t0ken", "X-A": "a"},
        "Timeout": 7,
    },
    "short": ["http://127.0.0.1:18044/", "alice", "secret"],
    "anonymous": ["http://127.0.0.1:1/"],
}


@pytest.fixture
def peers(client: Any, configure: Any) -> Any:
    configure(OrthancPeers=CONFIGURED)
    return client


def test_list_and_configuration_never_show_passwords(peers: Any) -> None:
    assert get(peers, "/peers") == ["anonymous", "long", "short"]
    assert get(peers, "/peers/long") == ["configuration", "store", "store-straight", "system"]
    assert get(peers, "/peers/long/configuration") == {
        "HttpHeaders": ["X-A", "X-Token"],
        "Password": None,
        "Pkcs11": False,
        "Timeout": 7,
        "Url": "http://127.0.0.1:18043/",
        "Username": "bob",
    }
    assert get(peers, "/peers/anonymous/configuration") == {
        "HttpHeaders": [],
        "Pkcs11": False,
        "Timeout": 0,
        "Url": "http://127.0.0.1:1/",
    }
    expanded = get(peers, "/peers?expand")
    assert expanded["short"] == get(peers, "/peers/short/configuration")
    assert "secret" not in json.dumps(expanded)


def test_put_and_delete_are_stored_for_every_lambda(peers: Any) -> None:
    response = peers.http.put("/peers/new", body=json.dumps(["http://10.0.0.1:8042", "u", "p"]))
    assert (response.status_code, response.body) == (200, b"")
    response = peers.http.delete("/peers/long")
    assert (response.status_code, response.body) == (200, b"")
    bootstrap.reset()  # another Lambda container: nothing in process memory
    assert get(peers, "/peers") == ["anonymous", "new", "short"]
    assert get(peers, "/peers/new/configuration")["Url"] == "http://10.0.0.1:8042/"
    assert_orthanc_error(peers.http.get("/peers/long/configuration"), 404, 17, "GET")
    # A peer of the file can be defined again through the API.
    peers.http.put("/peers/long", body=json.dumps({"Url": "https://example.org/orthanc/"}))
    assert get(peers, "/peers/long/configuration")["Url"] == "https://example.org/orthanc/"


def test_unknown_peers(peers: Any) -> None:
    response = peers.http.get("/peers/nobody/configuration")
    assert_orthanc_error(response, 404, 17, "GET")
    assert body(response)["Details"] == "No peer with symbolic name: nobody"
    response = peers.http.delete("/peers/nobody")
    assert_orthanc_error(response, 404, 7, "DELETE")
    assert body(response)["Details"] == "Unknown Orthanc peer: nobody"


@pytest.mark.parametrize(
    ("payload", "status", "orthanc_status"),
    [
        ("{}", 400, 15),
        ('{"Username": "bob"}', 400, 15),
        ('["http://h/", "bob"]', 400, 15),
        ('["http://h/", "bob", "pw", "extra"]', 400, 15),
        ('{"Url": 5}', 400, 15),
        ('{"Url": "ftp://h/"}', 400, 15),
        ('{"Url": "http://h/", "HttpHeaders": {"X": 1}}', 400, 15),
        ('"http://h/"', 400, 15),
        ("not json", 400, 28),
    ],
)
def test_malformed_peer_definitions(
    peers: Any, payload: str, status: int, orthanc_status: int
) -> None:
    response = peers.http.put("/peers/new", body=payload)
    assert_orthanc_error(response, status, orthanc_status, "PUT")
    assert "new" not in get(peers, "/peers")
