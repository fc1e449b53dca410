"""DICOMweb servers as remotes, against Orthanc 1.10.1 with Debian's DICOMweb plugin 1.7: the
same ``/dicom-web/servers`` calls on Cirrus and on that Orthanc, both knowing the same
servers, and their ``/qido`` and ``/get`` proxies pointed at the same target (a second
Orthanc's ``/dicom-web/``, behind a password, holding a few files) or at a stand-in server
answering failures.

Documented differences (docs/compatibility.md), normalised here: ``GET
/dicom-web/servers/{name}`` lists the operations Cirrus serves (the plugin also lists
``wado`` and ``delete``); definitions Cirrus refuses are refused with
the same status and error code, in Cirrus's words but for the messages the plugin's parser
shares with Cirrus; a failed proxy request says which server answered what (the plugin gives
no details). ``/post`` is not in plugin 1.7 (tests/integration/test_dicomweb_servers.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.api.routes.dicomweb_servers import OPERATIONS
from tests.support.dicom_factory import make_instance
from tests.support.fake_dicomweb import Canned, FakeDicomWeb
from tests.support.orthanc_server import OrthancServer, dicomweb_config, free_port

USER = ("reader", "dicomweb-pw")
STUDY = "1.2.826.0.1.3680043.97.1"


@pytest.fixture(scope="module")
def target() -> Iterator[OrthancServer]:
    """The server both proxies ask: Orthanc's DICOMweb behind a password, three files."""
    options = {"AuthenticationEnabled": True, "RegisteredUsers": dict([USER])}
    with OrthancServer({**dicomweb_config(), **options}, auth=USER) as server:
        for number in (1, 2, 3):
            server.upload(
                make_instance(
                    f"PAT{number % 2}",
                    study_uid=f"{STUDY}.{number % 2}",
                    series_uid=f"{STUDY}.{number % 2}.1",
                    sop_uid=f"{STUDY}.{number % 2}.1.{number}",
                    instance_number=number,
                )
            )
        yield server


@pytest.fixture(scope="module")
def standin() -> Iterator[FakeDicomWeb]:
    with FakeDicomWeb() as fake:
        yield fake


@pytest.fixture(scope="module")
def servers(target: OrthancServer, standin: FakeDicomWeb) -> dict[str, Any]:
    """``DicomWeb.Servers`` of both (``closed``: a port nobody listens on)."""
    return {
        "target": [f"{target.url}/dicom-web", *USER],
        "bare": [f"{target.url}/dicom-web/"],
        "standin": {
            "Url": standin.url,
            "Username": "u",
            "Password": "secret",
            "HttpHeaders": {"X-Site": "a", "Authorization-Extra": "b"},
            "HasDelete": True,
            "ChunkedTransfers": False,
            "Timeout": 7,
            "Colour": "red",
            "Floors": 3,
        },
        "closed": [f"http://127.0.0.1:{free_port()}/dicom-web/"],
    }


@pytest.fixture(scope="module")
def orthanc(servers: dict[str, Any]) -> Iterator[OrthancServer]:
    """Orthanc with its DICOMweb plugin knowing the servers (module-scoped: PUT and DELETE
    change it)."""
    with OrthancServer(dicomweb_config(Servers=servers)) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, configure: Any, servers: dict[str, Any]) -> Any:
    configure(DicomWeb={"Servers": servers})
    return client


def _call(server: OrthancServer | Any, method: str, path: str, data: Any = None) -> Any:
    """(status, body as JSON or bytes, content type) of one request to Orthanc or Cirrus."""
    raw = data if isinstance(data, str | None) else json.dumps(data)
    if isinstance(server, OrthancServer):
        response = server.session.request(method, server.url + path, data=raw, timeout=30)
        status, content, headers = response.status_code, response.content, response.headers
    else:
        response = getattr(server.http, method.lower())(path, body=raw or "")
        status, content, headers = response.status_code, response.body, response.headers
    content_type = headers.get("Content-Type", "")
    try:
        return status, json.loads(content), content_type.split(";")[0]
    except ValueError:
        return status, content, content_type


def _error(answer: Any) -> Any:
    """What an error must share: the status, Orthanc's code."""
    status, body, _ = answer
    return status, body["OrthancStatus"] if isinstance(body, dict) else body


def test_listing_and_reading_servers_like_the_plugin(cirrus: Any, orthanc: OrthancServer) -> None:
    for path in ("/dicom-web/servers", "/dicom-web/servers?expand"):
        assert _call(cirrus, "GET", path) == _call(orthanc, "GET", path), path
    assert "secret" not in json.dumps(_call(cirrus, "GET", "/dicom-web/servers?expand")[1])
    for name in ("standin", "bare"):
        theirs = _call(orthanc, "GET", f"/dicom-web/servers/{name}")[1]
        ours = _call(cirrus, "GET", f"/dicom-web/servers/{name}")[1]
        # The operations both serve, in the same order (the plugin 1.7 has no "post").
        assert [op for op in ours if op in theirs] == [op for op in theirs if op in ours]
        assert ours == OPERATIONS and {"get", "retrieve", "qido"} <= set(theirs)
    path = "/dicom-web/servers/nope"
    assert _call(cirrus, "GET", path)[:2] == _call(orthanc, "GET", path)[:2]


@pytest.mark.parametrize(
    "definition",
    [
        ["http://127.0.0.1:9/dicom-web"],
        ["http://127.0.0.1:9/dicom-web/", "u", "p"],
        {"Url": "http://127.0.0.1:9/x", "HasDelete": "yes", "Timeout": 3},
        {"Url": "http://127.0.0.1:9/x", "HasWadoRsUniversalTransferSyntax": False, "N": -2},
        {"Url": "http://127.0.0.1:9/x", "HttpHeaders": {"X-Token": "t"}, "Username": "u"},
        {"Url": "http://127.0.0.1:9/x", "Colour": {"not": "a string"}},
        {"Url": "ftp://127.0.0.1/x"},
        ["http://127.0.0.1:9/", "u"],
        {"Username": "u"},
        "not JSON",
    ],
)
def test_writing_and_deleting_servers_like_the_plugin(
    cirrus: Any, orthanc: OrthancServer, definition: Any
) -> None:
    path = "/dicom-web/servers/new"
    theirs = _call(orthanc, "PUT", path, definition)
    ours = _call(cirrus, "PUT", path, definition)
    if theirs[0] != 200:
        assert _error(ours) == _error(theirs)
        if "User-defined" in theirs[1].get("Details", ""):
            assert ours[1]["Details"] == theirs[1]["Details"]
        return
    assert ours == theirs
    expanded = "/dicom-web/servers?expand"
    assert _call(cirrus, "GET", expanded) == _call(orthanc, "GET", expanded)
    assert _call(cirrus, "DELETE", path) == _call(orthanc, "DELETE", path)
    again = _call(orthanc, "DELETE", path)
    assert _call(cirrus, "DELETE", path)[:2] == again[:2]
    assert _call(cirrus, "GET", expanded) == _call(orthanc, "GET", expanded)


@pytest.mark.parametrize(
    "request_body",
    [
        {"Uri": "/studies"},
        {"Uri": "studies", "Arguments": {"PatientID": "PAT1"}},
        {"Uri": "//series", "Arguments": {"limit": "1", "00100020": "PAT0"}},
        {"Uri": f"/studies/{STUDY}.1/instances", "Arguments": {"includefield": "all"}},
        {"Uri": "/instances", "HttpHeaders": {"Accept": "application/dicom+json"}},
    ],
)
def test_qido_and_get_proxies_answer_like_the_plugin(
    cirrus: Any, orthanc: OrthancServer, request_body: dict[str, Any]
) -> None:
    for operation in ("qido", "get"):
        path = f"/dicom-web/servers/target/{operation}"
        theirs = _call(orthanc, "POST", path, request_body)
        assert theirs[0] == 200 and theirs[1], theirs
        assert _call(cirrus, "POST", path, request_body) == theirs, operation


def test_get_proxy_relays_metadata_and_multipart_bodies(
    cirrus: Any, orthanc: OrthancServer
) -> None:
    metadata = {"Uri": f"/studies/{STUDY}.1/metadata"}
    path = "/dicom-web/servers/target/get"
    assert _call(cirrus, "POST", path, metadata) == _call(orthanc, "POST", path, metadata)
    # A WADO-RS instance: the same DICOM file in a multipart body (boundaries differ).
    instance = {"Uri": f"/studies/{STUDY}.1/series/{STUDY}.1.1/instances/{STUDY}.1.1.1"}
    theirs = orthanc.session.post(orthanc.url + path, data=json.dumps(instance), timeout=30)
    ours = cirrus.http.post(path, body=json.dumps(instance), headers={"Accept": "*/*"})
    assert ours.status_code == theirs.status_code == 200
    assert ours.headers["Content-Type"].split(";")[0] == "multipart/related"
    assert _parts(ours.body, ours.headers["Content-Type"]) == _parts(
        theirs.content, theirs.headers["Content-Type"]
    )


def _parts(body: bytes, content_type: str) -> list[bytes]:
    """The parts' bodies of a multipart answer."""
    boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip('"')
    pieces = body.split(b"--" + boundary.encode())[1:-1]
    return [piece.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n") for piece in pieces]


@pytest.mark.parametrize(
    ("server", "request_body"),
    [
        ("target", {}),
        ("target", []),
        ("target", "not JSON"),
        ("target", {"Uri": 3}),
        ("target", {"Uri": "/studies?PatientID=1"}),
        ("target", {"Uri": "/studies", "Arguments": 3}),
        ("target", {"Uri": "/studies", "Arguments": {"PatientID": 1}}),
        ("target", {"Uri": "/studies", "HttpHeaders": ["Accept"]}),
        ("nope", {"Uri": "/studies"}),
        ("nope", {"Uri": "/studies?x"}),
        ("target", {"Uri": "/nothing-here"}),
        ("bare", {"Uri": "/studies"}),  # no password: the target answers 401
        ("closed", {"Uri": "/studies"}),
    ],
)
def test_proxy_errors_like_the_plugin(
    cirrus: Any, orthanc: OrthancServer, server: str, request_body: Any
) -> None:
    for operation in ("qido", "get"):
        path = f"/dicom-web/servers/{server}/{operation}"
        theirs = _call(orthanc, "POST", path, request_body)
        ours = _call(cirrus, "POST", path, request_body)
        assert _error(ours) == _error(theirs), (operation, theirs)
        details = theirs[1].get("Details")
        if details and not details.startswith("Cannot issue"):
            assert ours[1]["Details"] == details


@pytest.mark.parametrize(
    "canned",
    [
        Canned(status=400, body=b"{}"),
        Canned(status=403, body=b"{}"),
        Canned(status=500, body=b"{}"),
        Canned(status=503, body=b"{}"),
        Canned(content_type="text/plain", body=b"not JSON"),
        Canned(body=b'{"not": "a list"}'),
        Canned(body=b'[{"00100010": {"Value": ["no VR"]}}]'),
    ],
)
def test_failing_servers_like_the_plugin(
    cirrus: Any, orthanc: OrthancServer, standin: FakeDicomWeb, canned: Canned
) -> None:
    standin.answers["/dicom-web/studies"] = canned
    for operation in ("qido", "get"):
        path = f"/dicom-web/servers/standin/{operation}"
        theirs = _call(orthanc, "POST", path, {"Uri": "/studies"})
        ours = _call(cirrus, "POST", path, {"Uri": "/studies"})
        if theirs[0] == 200:
            assert ours == theirs, operation
        else:
            assert _error(ours) == _error(theirs), (operation, theirs)


def test_qido_listing_of_every_kind_of_value_like_the_plugin(
    cirrus: Any, orthanc: OrthancServer, standin: FakeDicomWeb
) -> None:
    match = {
        "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^John"}, {"Alphabetic": "X"}]},
        "00100020": {"vr": "LO", "Value": ["PAT1", "PAT2"]},
        "00201208": {"vr": "IS", "Value": [12]},
        "00280030": {"vr": "DS", "Value": [0.5, 0.5]},
        "00081115": {"vr": "SQ", "Value": [{"0020000E": {"vr": "UI", "Value": ["1.2"]}}]},
        "00180050": {"vr": "DS"},
        "00091001": {"vr": "LO", "Value": ["private"]},
        "7FE00010": {"vr": "OW", "BulkDataURI": "http://x/bulk"},
        "00280010": {"vr": "US", "Value": [18446744073709551615]},
        "00280011": {"vr": "US", "Value": [True]},
        "not-a-tag": {"vr": "LO", "Value": ["skipped"]},
        "0010,0030": {"vr": "DA", "Value": ["19700101"]},
        "0010002a": {"vr": "LO", "Value": ["lower-case key"]},
    }
    standin.answers["/dicom-web/studies"] = Canned(body=json.dumps([match, {}]).encode())
    path = "/dicom-web/servers/standin/qido"
    theirs = _call(orthanc, "POST", path, {"Uri": "/studies"})
    assert theirs[0] == 200
    assert _call(cirrus, "POST", path, {"Uri": "/studies"}) == theirs


def test_redirects_are_not_followed(cirrus: Any, standin: FakeDicomWeb) -> None:
    """A difference: Orthanc's HTTP client follows a redirect, Cirrus fails instead (the
    Location could name any host, past RemoteNetworksAllowed)."""
    standin.answers["/dicom-web/studies"] = Canned(
        status=302, body=b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    before = len(standin.requests)
    status, error, _ = _call(cirrus, "POST", "/dicom-web/servers/standin/get", {"Uri": "/studies"})
    assert (status, error["OrthancStatus"]) == (500, 9)
    assert "answered HTTP 302" in error["Details"]
    assert len(standin.requests) == before + 1
