"""C-STORE to a modality (a real Orthanc 1.10.1): Cirrus (in-process, jobs run by the local
job runner) and an Orthanc sender store the same files to the same receiving Orthanc."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from tests.integration.helpers import body, upload
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, free_port


@pytest.fixture(scope="module")
def receiver() -> Iterator[OrthancServer]:
    with OrthancServer() as server:
        yield server


@pytest.fixture(scope="module")
def sender(receiver: OrthancServer) -> Iterator[OrthancServer]:
    modalities = {"r": ["ORTHANCTEST", "127.0.0.1", receiver.dicom_port]}
    config = {"DicomModalities": modalities, "DicomAet": "SENDER", "LogExportedResources": True}
    with OrthancServer(config) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, receiver: OrthancServer) -> Any:
    configure(
        DicomAet="SENDER",
        DicomModalities={
            "r": ["ORTHANCTEST", "127.0.0.1", receiver.dicom_port],
            "dead": ["NOBODY", "127.0.0.1", free_port()],
        },
        LogExportedResources=True,
        DicomScuTimeout=3,
    )
    return client


def _files() -> list[bytes]:
    study, series = generate_uid(), generate_uid()
    generated = [
        make_instance(study_uid=study, series_uid=series, instance_number=n + 1) for n in range(3)
    ]
    return [*generated, Path(get_testdata_file("MR_small_RLE.dcm")).read_bytes()]


def test_store_answers_and_content_match_orthanc(
    cirrus: Any, sender: OrthancServer, receiver: OrthancServer
) -> None:
    files = _files()
    ours = [upload(cirrus, data) for data in files]
    for data in files:
        sender.upload(data)
    request = {
        "Resources": [ours[0]["ParentStudy"], ours[3]["ID"]],
        "MoveOriginatorAet": "MOVER",
        "MoveOriginatorID": 7,
    }
    expected = sender.post("/modalities/r/store", json=request)
    assert expected.status_code == 200, expected.text
    for answer in ours:
        receiver.delete(f"/instances/{answer['ID']}")
    response = cirrus.http.post("/modalities/r/store", body=json.dumps(request))
    assert (response.status_code, body(response)) == (200, expected.json())
    for answer, data in zip(ours, files, strict=True):
        # Sent as stored: the same dataset, in the same transfer syntax (RLE included).
        received = dcmread(BytesIO(receiver.get(f"/instances/{answer['ID']}/file").content))
        original = dcmread(BytesIO(data))
        assert received.file_meta.TransferSyntaxUID == original.file_meta.TransferSyntaxUID
        assert received == original
        assert receiver.get(f"/instances/{answer['ID']}/metadata/RemoteAET").text == "SENDER"
    their_exports = sender.get_json("/exports?limit=1000")["Exports"][-2:]
    our_exports = json.loads(cirrus.http.get("/exports").body)["Exports"][-2:]
    volatile = {"Seq", "Date"}
    assert [{k: v for k, v in e.items() if k not in volatile} for e in our_exports] == [
        {k: v for k, v in e.items() if k not in volatile} for e in their_exports
    ]


def test_asynchronous_store_is_a_dicom_modality_store_job(
    cirrus: Any, receiver: OrthancServer
) -> None:
    ours = [upload(cirrus, data) for data in _files()]
    payload = {"Resources": [ours[0]["ParentStudy"]], "Asynchronous": True, "LocalAet": "OTHER"}
    started = body(cirrus.http.post("/modalities/r/store", body=json.dumps(payload)))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = body(cirrus.http.get(started["Path"]))
        if job["State"] in ("Success", "Failure"):
            break
        time.sleep(0.05)
    assert job["State"] == "Success", job
    assert job["Type"] == "DicomModalityStore"
    assert job["Content"]["LocalAet"] == "OTHER" and job["Content"]["InstancesCount"] == 3
    assert len(receiver.get_json(f"/studies/{ours[0]['ParentStudy']}/instances")) == 3


def test_store_straight_and_errors(cirrus: Any, sender: OrthancServer) -> None:
    data = make_instance()
    expected = sender.post("/modalities/r/store-straight", data=data).json()
    response = cirrus.http.post("/modalities/r/store-straight", body=data)
    assert (response.status_code, body(response)) == (200, expected)
    answer = upload(cirrus, data)
    dead = cirrus.http.post("/modalities/dead/store", body=answer["ID"])
    assert dead.status_code == 500
    assert body(dead)["OrthancStatus"] == 9
    assert 'connecting to AET "NOBODY"' in body(dead)["Details"]
    unknown = cirrus.http.post("/modalities/nope/store", body=answer["ID"])
    assert (unknown.status_code, body(unknown)["OrthancStatus"]) == (404, 7)
