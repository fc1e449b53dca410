"""STOW-RS to a DICOMweb server as a job, against Orthanc 1.10.1 with Debian's DICOMweb
plugin 1.7: Cirrus and a reference Orthanc hold the same study and each sends it by
``POST /dicom-web/servers/target/stow`` to its own real Orthanc (``/dicom-web/``); the files
that arrive are compared byte for byte with the sender's (``GET /instances/{id}/file``), and
the answers, the jobs' JSON and the refusals with the plugin's.

Documented differences (docs/compatibility.md), normalised here: the asynchronous answer's
``Path`` is ``/jobs/{id}`` (the plugin's is relative, ``.././../jobs/{id}``); an unknown
server is refused at once with a 404 (the plugin submits a job that fails); a failed job
records the error it met (the plugin records ``Plugin`` error 1 and puts the error under
``Content.FunctionError...``, which Cirrus also does, with the details); an instance named
twice in ``Resources`` (itself and its study) is sent once, the plugin sends it twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydicom.uid import generate_uid

from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, dicomweb_config, free_port


@pytest.fixture(scope="module")
def targets() -> Iterator[tuple[OrthancServer, OrthancServer]]:
    """The servers receiving the instances: Cirrus's, and the reference Orthanc's."""
    with OrthancServer(dicomweb_config()) as ours, OrthancServer(dicomweb_config()) as theirs:
        yield ours, theirs


@pytest.fixture(scope="module")
def closed() -> list[str]:
    """A server nobody listens on."""
    return [f"http://127.0.0.1:{free_port()}/dicom-web/"]


@pytest.fixture(scope="module")
def orthanc(
    targets: tuple[OrthancServer, OrthancServer], closed: list[str]
) -> Iterator[OrthancServer]:
    """The reference sender (module-scoped: the tests upload to it)."""
    servers = {"target": [f"{targets[1].url}/dicom-web/"], "closed": closed}
    with OrthancServer(dicomweb_config(Servers=servers)) as server:
        yield server


@pytest.fixture
def cirrus(
    client: Any,
    job_runner: Any,
    configure: Any,
    targets: tuple[OrthancServer, OrthancServer],
    closed: list[str],
) -> Any:
    servers = {"target": [f"{targets[0].url}/dicom-web/"], "closed": closed}
    configure(DicomWeb={"Servers": servers}, HttpTimeout=10)
    return client


def both_hold_a_study(cirrus: Any, orthanc: OrthancServer) -> tuple[str, list[str]]:
    """The same study of two series (three instances) on both; (study ID, instance IDs)."""
    study_uid = generate_uid()
    series = [generate_uid(), generate_uid()]
    ids = []
    for number in range(3):
        data = make_instance(
            "STOW", study_uid=study_uid, series_uid=series[number % 2], instance_number=number
        )
        response = cirrus.http.post("/instances", body=data)
        assert response.status_code == 200, response.body
        ids.append(json.loads(response.body)["ID"])
        assert orthanc.upload(data)["ID"] == ids[-1]
    return json.loads(response.body)["ParentStudy"], ids


def call(server: OrthancServer | Any, path: str, request: Any) -> tuple[int, Any]:
    """(status, JSON body) of a POST to Orthanc or Cirrus."""
    data = request if isinstance(request, str) else json.dumps(request)
    if isinstance(server, OrthancServer):
        response = server.session.post(server.url + path, data=data, timeout=60)
        return response.status_code, response.json()
    answer = server.http.post(path, body=data)
    return answer.status_code, json.loads(answer.body)


def job(server: OrthancServer | Any, job_id: str) -> dict[str, Any]:
    """A job once finished (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        if isinstance(server, OrthancServer):
            answer = server.get_json(f"/jobs/{job_id}")
        else:
            answer = json.loads(server.http.get(f"/jobs/{job_id}").body)
        if answer["State"] in ("Success", "Failure") or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_a_study_arrives_byte_for_byte(
    cirrus: Any, orthanc: OrthancServer, targets: tuple[OrthancServer, OrthancServer]
) -> None:
    study_id, ids = both_hold_a_study(cirrus, orthanc)
    path = "/dicom-web/servers/target/stow"
    theirs = call(orthanc, path, {"Resources": [study_id]})
    ours = call(cirrus, path, {"Resources": [study_id]})
    assert ours == theirs == (200, {"InstancesCount": "3", "NetworkSizeMB": "0"})
    ours_target, theirs_target = targets
    for instance_id in ids:
        sent = cirrus.http.get(f"/instances/{instance_id}/file").body
        arrived = ours_target.get(f"/instances/{instance_id}/file")
        assert arrived.status_code == 200
        assert arrived.content == bytes(sent)
        assert arrived.content == theirs_target.get(f"/instances/{instance_id}/file").content


def test_the_job_like_the_plugins(cirrus: Any, orthanc: OrthancServer) -> None:
    study_id, ids = both_hold_a_study(cirrus, orthanc)
    path = "/dicom-web/servers/target/stow"
    request = {"Resources": [ids[0], study_id], "Asynchronous": True, "Priority": 3}
    theirs = call(orthanc, path, request)
    ours = call(cirrus, path, request)
    assert ours[0] == theirs[0] == 200 and set(ours[1]) == set(theirs[1]) == {"ID", "Path"}
    assert ours[1]["Path"] == f"/jobs/{ours[1]['ID']}"
    their_job, our_job = job(orthanc, theirs[1]["ID"]), job(cirrus, ours[1]["ID"])
    assert set(our_job) == set(their_job)
    for key in ("Type", "State", "Progress", "Priority", "ErrorCode"):
        assert our_job[key] == their_job[key], key
    # An instance named twice (itself, and in its study) is sent once; the plugin sends it
    # twice (documented).
    assert our_job["Content"] == {"InstancesCount": "3", "NetworkSizeMB": "0"}
    assert their_job["Content"] == {"InstancesCount": "4", "NetworkSizeMB": "0"}


def test_a_failed_job_like_the_plugins(cirrus: Any, orthanc: OrthancServer) -> None:
    study_id, _ = both_hold_a_study(cirrus, orthanc)
    path = "/dicom-web/servers/closed/stow"
    theirs = call(orthanc, path, {"Resources": [study_id], "Asynchronous": True})
    ours = call(cirrus, path, {"Resources": [study_id], "Asynchronous": True})
    their_job, our_job = job(orthanc, theirs[1]["ID"]), job(cirrus, ours[1]["ID"])
    assert our_job["State"] == their_job["State"] == "Failure"
    assert (their_job["ErrorCode"], our_job["ErrorCode"]) == (1, 9)  # documented
    details = our_job["Content"].pop("FunctionErrorDetails")
    assert "Cannot reach DICOMweb server 'closed'" in details
    assert our_job["Content"] == their_job["Content"]
    # Synchronously, both answer a server error.
    assert call(cirrus, path, {"Resources": [study_id]})[0] == 500
    assert call(orthanc, path, {"Resources": [study_id]})[0] == 500


@pytest.mark.parametrize(
    "request_body",
    [
        "not json",
        {"Resources": "x"},
        [],
        {"Resources": [], "HttpHeaders": []},
        {"Resources": [], "HttpHeaders": {"X": 1}},
        {"Resources": [7]},
        {"Resources": [""]},
        {"Resources": ["nope"]},
        {"Resources": ["0123456789abcdef0123456789abcdef01234567"]},
        {"Resources": [], "Synchronous": "yes"},
        {"Resources": [], "Priority": "x"},
    ],
)
def test_refusals_like_the_plugins(cirrus: Any, orthanc: OrthancServer, request_body: Any) -> None:
    path = "/dicom-web/servers/target/stow"
    theirs, ours = call(orthanc, path, request_body), call(cirrus, path, request_body)
    assert theirs[0] in (400, 404)
    assert (ours[0], ours[1]["OrthancStatus"]) == (theirs[0], theirs[1]["OrthancStatus"])
    if "Details" in theirs[1]:
        assert ours[1]["Details"] == theirs[1]["Details"]


def test_an_empty_request_like_the_plugins(cirrus: Any, orthanc: OrthancServer) -> None:
    path = "/dicom-web/servers/target/stow"
    assert call(cirrus, path, {"Resources": []}) == call(orthanc, path, {"Resources": []})
