"""C-MOVE and C-GET SCU against Orthanc 1.10.1 holding a study ("remote"): Cirrus (REST on
moto, jobs run by the local job runner, its DICOM service in-process on a free port) and a
second Orthanc 1.10.1 ("twin", same DicomAet) send the same requests; answers and job
contents must match. Targets: Cirrus itself (through its DICOM service), and a third AE
(dcmtk's storescp)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydicom.uid import generate_uid

from tests.integration.helpers import body
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, free_port

CIRRUS_AET = "CIRRUS"
REMOTE_AET = "REMOTE"
THIRD_AET = "THIRD"


class Study:
    def __init__(self) -> None:
        self.uid, self.series_uid = generate_uid(), generate_uid()
        self.sop_uids = [generate_uid() for _ in range(3)]
        self.files = [
            make_instance(
                study_uid=self.uid, series_uid=self.series_uid, sop_uid=uid, instance_number=n
            )
            for n, uid in enumerate(self.sop_uids, start=1)
        ]


@pytest.fixture(scope="module")
def ports() -> dict[str, int]:
    return {CIRRUS_AET: free_port(), THIRD_AET: free_port()}


@pytest.fixture(scope="module")
def third(ports: dict[str, int], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("third")
    argv = ["storescp", "-aet", THIRD_AET, "-od", str(folder), str(ports[THIRD_AET])]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        yield folder
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def twin() -> Iterator[OrthancServer]:
    with OrthancServer({"DicomAet": CIRRUS_AET}) as server:
        yield server


@pytest.fixture(scope="module")
def remote(ports: dict[str, int], twin: OrthancServer) -> Iterator[OrthancServer]:
    modalities = {
        # Cirrus's DICOM service: the target of a C-MOVE to "CIRRUS" (the twin calls as
        # CIRRUS too, but only ever asks for moves to THIRD).
        "cirrus": [CIRRUS_AET, "127.0.0.1", ports[CIRRUS_AET]],
        "third": [THIRD_AET, "127.0.0.1", ports[THIRD_AET]],
    }
    with OrthancServer({"DicomAet": REMOTE_AET, "DicomModalities": modalities}) as server:
        twin.session.put(
            f"{twin.url}/modalities/remote",
            json={"AET": REMOTE_AET, "Host": "127.0.0.1", "Port": server.dicom_port},
        ).raise_for_status()
        yield server


@pytest.fixture
def study(remote: OrthancServer) -> Study:
    created = Study()
    for data in created.files:
        remote.upload(data)
    return created


@pytest.fixture
def cirrus(
    client: Any, job_runner: Any, configure: Any, remote: OrthancServer, ports: dict[str, int]
) -> Iterator[Any]:
    from scp_container.service import start

    configure(
        DicomAet=CIRRUS_AET,
        DicomModalities={"remote": [REMOTE_AET, "127.0.0.1", remote.dicom_port]},
        DicomScuTimeout=10,
    )
    server = start("127.0.0.1", ports[CIRRUS_AET], block=False)
    try:
        yield client
    finally:
        server.shutdown()


def _cirrus(client: Any, path: str, payload: Any) -> tuple[int, Any]:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    response = client.http.post(path, body=data)
    return response.status_code, body(response)


def _orthanc(server: OrthancServer, path: str, payload: Any) -> tuple[int, Any]:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    response = server.post(path, data=data)
    return response.status_code, response.json()


def _sop_uids(client: Any) -> set[str]:
    instances = body(client.http.get("/instances?expand"))
    return {instance["MainDicomTags"]["SOPInstanceUID"] for instance in instances}


def _received(folder: Path, study: Study) -> set[str]:
    names = {path.name.split(".", 1)[1] for path in folder.iterdir() if "." in path.name}
    return names & set(study.sop_uids)


def test_move_to_cirrus_itself_lands_through_its_dicom_service(cirrus: Any, study: Study) -> None:
    request = {"Level": "Study", "Resources": [{"StudyInstanceUID": study.uid}], "Timeout": 10}
    assert _cirrus(cirrus, "/modalities/remote/move", request) == (200, {})
    assert _sop_uids(cirrus) == set(study.sop_uids)
    first = body(cirrus.http.get("/instances"))[0]
    metadata = body(cirrus.http.get(f"/instances/{first}/metadata?expand"))
    assert (metadata["Origin"], metadata["RemoteAET"]) == ("DicomProtocol", REMOTE_AET)


@pytest.mark.parametrize("level", ["Patient", "Study", "Series", "Instance"])
def test_move_to_a_third_ae_answers_as_orthanc(
    cirrus: Any, twin: OrthancServer, third: Path, study: Study, level: str
) -> None:
    resource = {"PatientID": "PAT1", "StudyInstanceUID": study.uid}
    if level in ("Series", "Instance"):
        resource["SeriesInstanceUID"] = study.series_uid
    if level == "Instance":
        resource["SOPInstanceUID"] = study.sop_uids[0]
    request = {"Level": level, "Resources": [resource], "TargetAet": THIRD_AET}
    expected = _orthanc(twin, "/modalities/remote/move", request)
    assert expected == (200, {})
    for path in third.iterdir():
        path.unlink()
    assert _cirrus(cirrus, "/modalities/remote/move", request) == expected
    wanted = study.sop_uids[:1] if level == "Instance" else study.sop_uids
    assert _received(third, study) == set(wanted)


def test_move_of_an_unknown_study_fails_as_orthanc(cirrus: Any, twin: OrthancServer) -> None:
    request = {"Level": "Study", "Resources": [{"StudyInstanceUID": "1.2.3.4"}]}
    status, theirs = _orthanc(twin, "/modalities/remote/move", request)
    assert status == 422
    assert _cirrus(cirrus, "/modalities/remote/move", request) == (status, theirs)


def test_query_retrieve_job_matches_orthanc(
    cirrus: Any, twin: OrthancServer, third: Path, study: Study
) -> None:
    query = {"Level": "Study", "Query": {"StudyInstanceUID": study.uid}}
    jobs = []
    for post, get in (
        (lambda p, b: _orthanc(twin, p, b), lambda p: twin.get_json(p)),
        (lambda p, b: _cirrus(cirrus, p, b), lambda p: body(cirrus.http.get(p))),
    ):
        status, created = post("/modalities/remote/query", query)
        assert status == 200, created
        retrieve = {"TargetAet": THIRD_AET, "Asynchronous": True}
        status, job = post(f"/queries/{created['ID']}/retrieve", retrieve)
        assert status == 200, job
        jobs.append(_finished(get, job["Path"]))
    theirs, ours = jobs
    shown = ("Type", "State", "Progress", "ErrorCode", "ErrorDescription", "Content", "Priority")
    assert {k: ours[k] for k in shown} == {k: theirs[k] for k in shown}
    assert theirs["Type"] == "DicomMoveScu"


def _finished(get: Any, path: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job = get(path)
        if job["State"] in ("Success", "Failure") or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.2)


def test_get_from_orthanc_stores_the_study_in_cirrus(cirrus: Any, study: Study) -> None:
    """Orthanc 1.10.1 is the C-GET SCP (it has no C-GET SCU to compare with: Content follows
    Orthanc 1.12.6's DicomGetScu job)."""
    request = {"Level": "Study", "Resources": [{"StudyInstanceUID": study.uid}]}
    status, content = _cirrus(cirrus, "/modalities/remote/get", request)
    assert (status, content) == (
        200,
        {
            "Description": "REST API",
            "LocalAet": CIRRUS_AET,
            "Query": [{"0008,0052": "STUDY", "0020,000d": study.uid}],
            "RemoteAet": REMOTE_AET,
        },
    )
    assert _sop_uids(cirrus) == set(study.sop_uids)


def test_query_retrieve_by_c_get(cirrus: Any, study: Study) -> None:
    query = {"Level": "Series", "Query": {"StudyInstanceUID": study.uid}}
    status, created = _cirrus(cirrus, "/modalities/remote/query", query)
    assert status == 200, created
    answer = _cirrus(cirrus, f"/queries/{created['ID']}/retrieve", {"RetrieveMethod": "C-GET"})
    assert answer[0] == 200, answer
    assert _sop_uids(cirrus) == set(study.sop_uids)
