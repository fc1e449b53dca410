"""``GET /`` against a real Orthanc 1.10.1: both redirect a browser to their web interface with
the same status and a relative ``Location`` (Orthanc's explorer ``app/explorer.html``, Cirrus's
console ``ui/app/``: the one difference, docs/compatibility.md), refuse other methods with 405
and ``Allow: GET``, and, with ``AuthenticationEnabled``, ask for credentials first."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support.orthanc_server import OrthancServer

USER = ("alice", "s3cret")
# Where each server sends a browser: the one difference.
TARGETS = {"orthanc": "app/explorer.html", "cirrus": "ui/app/"}


@pytest.fixture(scope="module")
def orthanc_with_auth() -> Iterator[OrthancServer]:
    config = {"AuthenticationEnabled": True, "RegisteredUsers": dict([USER])}
    with OrthancServer(config, auth=USER) as server:
        yield server


def ask(orthanc: OrthancServer, client: Any, method: str, path: str, **headers: str) -> tuple:
    """(Orthanc's, Cirrus's) status, Location and Allow for the same request."""
    theirs = requests.request(
        method, orthanc.url + path, headers=headers, allow_redirects=False, timeout=10
    )
    ours = getattr(client.http, method.lower())(path, headers=headers)
    return tuple(
        (answer_status, answer_headers.get("Location"), answer_headers.get("Allow"))
        for answer_status, answer_headers in (
            (theirs.status_code, theirs.headers),
            (ours.status_code, ours.headers),
        )
    )


@pytest.mark.parametrize("path", ["/", "/?expand", "//"])
def test_the_root_redirects_like_orthanc(orthanc: OrthancServer, client, path: str) -> None:
    theirs, ours = ask(orthanc, client, "GET", path)
    assert theirs == (301, TARGETS["orthanc"], None)
    assert ours == (301, TARGETS["cirrus"], None)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_refused_like_orthanc(orthanc: OrthancServer, client, method) -> None:
    theirs, ours = ask(orthanc, client, method, "/")
    assert theirs == ours == (405, None, "GET")


def test_the_root_needs_credentials_like_orthanc(
    orthanc_with_auth: OrthancServer, client, configure
) -> None:
    configure(AuthenticationEnabled=True, RegisteredUsers=dict([USER]))
    server = orthanc_with_auth
    theirs = requests.get(server.url + "/", allow_redirects=False, timeout=10)
    ours = client.http.get("/")
    assert theirs.status_code == ours.status_code == 401
    for answer in (theirs.headers, ours.headers):
        assert answer["WWW-Authenticate"].startswith("Basic realm=")
        assert "Location" not in answer
    credentials = "Basic " + base64.b64encode(":".join(USER).encode()).decode()
    theirs, ours = ask(server, client, "GET", "/", Authorization=credentials)
    assert theirs == (301, TARGETS["orthanc"], None)
    assert ours == (301, TARGETS["cirrus"], None)
