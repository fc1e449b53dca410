"""The /modalities API and C-ECHO, side by side with Orthanc 1.10.1 configured with the same
modalities (Cirrus in-process on moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from tests.support.orthanc_server import OrthancServer, free_port

DEAD_PORT = free_port()
MODALITIES = {
    "short": ["SHORT", "127.0.0.1", DEAD_PORT],
    "manu": ["M", "127.0.0.1", 105, "GE"],
    "long": {
        "AET": "LONG",
        "Host": "127.0.0.1",
        "Port": 106,
        "AllowEcho": False,
        "LocalAet": "ME",
        "Timeout": 5,
    },
}


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer({"DicomModalities": MODALITIES}) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, configure: Any, orthanc: OrthancServer) -> Any:
    configure(DicomModalities=MODALITIES, DicomAet="CIRRUS")
    return client


def both(orthanc: OrthancServer, cirrus: Any, method: str, path: str, data: str = "") -> tuple:
    theirs = orthanc.session.request(method, orthanc.url + path, data=data, timeout=30)
    ours = getattr(cirrus.http, method.lower())(path, body=data)
    return _shape(theirs.status_code, theirs.content), _shape(ours.status_code, ours.body)


def _shape(status: int, content: bytes) -> tuple[int, Any]:
    """Status and JSON; for errors, what matters of Orthanc's body."""
    answer = json.loads(content) if content.strip() else None
    if status >= 400 and isinstance(answer, dict):
        answer = {k: answer.get(k) for k in ("OrthancStatus", "Message", "Details")}
    return status, answer


@pytest.mark.parametrize(
    "path",
    [
        "/modalities",
        "/modalities?expand",
        "/modalities/short",
        "/modalities/short/configuration",
        "/modalities/long/configuration",
        "/modalities/manu/configuration",
        "/modalities/nope/configuration",
    ],
)
def test_reading_modalities_answers_like_orthanc(
    cirrus: Any, orthanc: OrthancServer, path: str
) -> None:
    theirs, ours = both(orthanc, cirrus, "GET", path)
    assert ours == theirs


@pytest.mark.parametrize(
    "body",
    [
        '["NEW", "10.0.0.1", 104]',
        '{"AET": "X", "Host": "h", "Port": 1, "AllowStore": false}',
        '{"AET": "X", "Host": "h", "Port": "12"}',
        "{}",
        '{"AET": "X", "Host": "h", "Port": 70000}',
        # Options Orthanc does not know are ignored; manufacturers are Orthanc's list.
        '{"AET": "X", "Host": "h", "Port": 1, "Colour": {"a": 1}, "Comment": "lab"}',
        '{"AET": "X", "Host": "h", "Port": 1, "Manufacturer": "Siemens"}',
        '["X", "h", 1, "ge"]',
        '["X", "h", 1, "AgfaImpax"]',
        '{"AET": "X", "Host": "h", "Port": 1, "Manufacturer": "Dcm4Chee"}',
        '{"AET": "X", "Host": "h", "Port": 1, "Manufacturer": "GenericNoUniversalWildcard"}',
    ],
)
def test_writing_modalities_answers_like_orthanc(
    cirrus: Any, orthanc: OrthancServer, body: str
) -> None:
    theirs, ours = both(orthanc, cirrus, "PUT", "/modalities/new", body)
    assert ours[0] == theirs[0]
    if theirs[0] == 200:
        theirs, ours = both(orthanc, cirrus, "GET", "/modalities/new/configuration")
        assert ours == theirs
        bootstrap.reset()  # another Lambda: the change is in DynamoDB, not in memory
        assert both(orthanc, cirrus, "GET", "/modalities")[1][1] == ["long", "manu", "new", "short"]
        theirs, ours = both(orthanc, cirrus, "DELETE", "/modalities/new")
        assert ours[0] == theirs[0] == 200
    else:
        assert ours[1]["OrthancStatus"] == theirs[1]["OrthancStatus"]
        assert ours[1]["Details"] == theirs[1]["Details"]
    theirs, ours = both(orthanc, cirrus, "DELETE", "/modalities/new")
    assert ours == theirs


def test_echo_like_orthanc(cirrus: Any, orthanc: OrthancServer) -> None:
    target = json.dumps(["ORTHANCTEST", "127.0.0.1", orthanc.dicom_port])
    both(orthanc, cirrus, "PUT", "/modalities/orthanc", target)
    theirs, ours = both(orthanc, cirrus, "POST", "/modalities/orthanc/echo")
    assert ours == theirs == (200, {})
    theirs, ours = both(orthanc, cirrus, "POST", "/modalities/orthanc/echo", '{"Timeout": 3}')
    assert ours == theirs == (200, {})
    theirs, ours = both(orthanc, cirrus, "POST", "/modalities/nope/echo")
    assert ours == theirs
    # Nothing listens on the port: error 9 within the timeout, not a hang.
    theirs, ours = both(orthanc, cirrus, "POST", "/modalities/short/echo")
    assert (
        (ours[0], ours[1]["OrthancStatus"]) == (theirs[0], theirs[1]["OrthancStatus"]) == (500, 9)
    )
    assert 'connecting to AET "SHORT"' in ours[1]["Details"]
    body = json.dumps({"AET": "ORTHANCTEST", "Host": "127.0.0.1", "Port": orthanc.dicom_port})
    theirs, ours = both(orthanc, cirrus, "POST", "/tools/dicom-echo", body)
    assert ours == theirs == (200, {})
    both(orthanc, cirrus, "DELETE", "/modalities/orthanc")
