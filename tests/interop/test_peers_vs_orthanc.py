"""Sending to a real Orthanc 1.10.1 peer: Cirrus (in-process, on moto, jobs run by the local
job runner) and an Orthanc sender store the same files to the same receiving Orthanc, and
their answers are compared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydicom.uid import generate_uid

from tests.integration.helpers import body, sample_file, upload
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

USER = ("bob", "peer-pw")


@pytest.fixture(scope="module")
def receiver() -> Iterator[OrthancServer]:
    with OrthancServer(
        {"AuthenticationEnabled": True, "RegisteredUsers": dict([USER])}, auth=USER
    ) as server:
        yield server


@pytest.fixture(scope="module")
def sender(receiver: OrthancServer) -> Iterator[OrthancServer]:
    with OrthancServer(
        {"OrthancPeers": {"b": [receiver.url, *USER]}, "LogExportedResources": True}
    ) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, receiver: OrthancServer) -> Any:
    configure(OrthancPeers={"b": [receiver.url, *USER]}, LogExportedResources=True)
    return client


def _files() -> list[bytes]:
    study, series = generate_uid(), generate_uid()
    generated = [
        make_instance(study_uid=study, series_uid=series, instance_number=n + 1) for n in range(3)
    ]
    return [*generated, sample_file("CT_small.dcm")]


@pytest.mark.parametrize("compress", [False, True])
def test_store_answers_and_content_match_orthanc(
    cirrus: Any, sender: OrthancServer, receiver: OrthancServer, compress: bool
) -> None:
    files = _files()
    ours = [upload(cirrus, data) for data in files]
    theirs = [sender.upload(data) for data in files]
    assert [a["ID"] for a in ours] == [a["ID"] for a in theirs]
    request = {"Resources": [ours[0]["ParentStudy"], ours[3]["ID"]], "Compress": compress}

    expected = sender.post("/peers/b/store", json=request)
    for answer in theirs:
        receiver.delete(f"/instances/{answer['ID']}")
    response = cirrus.http.post("/peers/b/store", body=json.dumps(request))
    assert (response.status_code, body(response)) == (200, expected.json())

    for answer, data in zip(ours, files, strict=True):
        assert receiver.get(f"/instances/{answer['ID']}/file").content == data
    # The exports log entries, but for their sequence numbers and dates.
    volatile = {"Seq", "Date"}
    their_exports = sender.get_json("/exports?limit=1000")["Exports"][-2:]
    our_exports = json.loads(cirrus.http.get("/exports").body)["Exports"][-2:]
    assert [{k: v for k, v in e.items() if k not in volatile} for e in our_exports] == [
        {k: v for k, v in e.items() if k not in volatile} for e in their_exports
    ]


def test_peer_system_and_configuration_match_orthanc(
    cirrus: Any, sender: OrthancServer, receiver: OrthancServer
) -> None:
    for path in ("/peers", "/peers/b", "/peers/b/configuration", "/peers?expand"):
        assert json.loads(cirrus.http.get(path).body) == sender.get_json(path), path
    assert json.loads(cirrus.http.get("/peers/b/system").body) == sender.get_json("/peers/b/system")


@pytest.mark.parametrize(
    "definition",
    [
        # RemoteSelf: written by every site that uses Orthanc's transfers accelerator.
        {"Url": "http://127.0.0.1:9/", "RemoteSelf": "site-a", "Username": "u", "Password": "p"},
        {"Url": "http://127.0.0.1:9/", "Colour": {"not": "a string"}},
        # Booleans and integers are kept as strings ("1", "12").
        {"Url": "http://127.0.0.1:9/", "Flag": True, "Count": 12},
        {"Url": "http://127.0.0.1:9/", "Timeout": 3, "HttpHeaders": {"X-Site": "a"}},
    ],
)
def test_writing_peers_answers_like_orthanc(
    cirrus: Any, sender: OrthancServer, definition: dict[str, Any]
) -> None:
    theirs = sender.session.put(sender.url + "/peers/new", data=json.dumps(definition), timeout=30)
    ours = cirrus.http.put("/peers/new", body=json.dumps(definition))
    assert ours.status_code == theirs.status_code
    if theirs.status_code != 200:
        error = json.loads(ours.body)
        assert (error["OrthancStatus"], error["Details"]) == (
            theirs.json()["OrthancStatus"],
            theirs.json()["Details"],
        )
        return
    for path in ("/peers/new/configuration", "/peers?expand"):
        assert json.loads(cirrus.http.get(path).body) == sender.get_json(path), path
    sender.delete("/peers/new")
    cirrus.http.delete("/peers/new")


def test_user_properties_in_the_configuration_file_like_orthanc(
    client: Any, configure: Any
) -> None:
    peers = {"a": {"Url": "http://127.0.0.1:9/", "RemoteSelf": "site-a"}}
    configure(OrthancPeers=peers)
    with OrthancServer({"OrthancPeers": peers}) as orthanc:
        assert json.loads(client.http.get("/peers?expand").body) == orthanc.get_json(
            "/peers?expand"
        )


def test_store_straight_matches_orthanc(
    cirrus: Any, sender: OrthancServer, receiver: OrthancServer
) -> None:
    data = make_instance()
    expected = sender.post("/peers/b/store-straight", data=data).json()
    response = cirrus.http.post("/peers/b/store-straight", body=data)
    assert (response.status_code, body(response)) == (200, {**expected, "Status": "AlreadyStored"})
