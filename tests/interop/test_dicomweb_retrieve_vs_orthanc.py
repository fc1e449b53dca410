"""``POST /dicom-web/servers/{name}/retrieve`` against Orthanc 1.10.1 with Debian's DICOMweb
plugin 1.7: Cirrus and an Orthanc both retrieve from a third Orthanc's ``/dicom-web/``, and
answer alike (the synchronous answer, the job's Type and Content, the errors of the body),
with the files they store identical, byte for byte, to the source's.

Documented differences (docs/compatibility.md), checked here as such: a failed job is
recorded with the error it met (the plugin records its engine's code 1 and keeps the error
in the Content's ``FunctionErrorCode``, which both show alike); an unknown server is a 404
before any job; a faulty ``Synchronous`` or ``Priority`` is answered with details.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.helpers import body, wait_job
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, dicomweb_config
from tests.support.serial_moto import serial_moto  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("serial_moto")

STUDY = "1.2.826.0.1.3680043.99.1"
OTHER_STUDY = "1.2.826.0.1.3680043.99.2"
# (study, series, instance) of the source's files.
SOURCE = [
    (STUDY, f"{STUDY}.1", f"{STUDY}.1.1"),
    (STUDY, f"{STUDY}.1", f"{STUDY}.1.2"),
    (STUDY, f"{STUDY}.2", f"{STUDY}.2.1"),
    (OTHER_STUDY, f"{OTHER_STUDY}.1", f"{OTHER_STUDY}.1.1"),
]


@pytest.fixture(scope="module")
def source() -> Iterator[OrthancServer]:
    """The server both retrieve from; ``source.ids`` maps SOP Instance UIDs to Orthanc IDs."""
    with OrthancServer(dicomweb_config()) as server:
        ids = {}
        for number, (study, series, sop) in enumerate(SOURCE, 1):
            data = make_instance("SRC", study, series, sop, instance_number=number, size=16)
            ids[sop] = server.upload(data)["ID"]
        server.ids = ids  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def orthanc(source: OrthancServer) -> Iterator[OrthancServer]:
    """An Orthanc retrieving from the source (module-scoped: it stores what it retrieves)."""
    servers = {"source": [f"{source.url}/dicom-web/"]}
    with OrthancServer(dicomweb_config(Servers=servers)) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, source: OrthancServer) -> Any:
    configure(DicomWeb={"Servers": {"source": [f"{source.url}/dicom-web/"]}})
    return client


def _retrieve(server: Any, request: Any, name: str = "source") -> tuple[int, Any]:
    """(status, JSON answer) of a retrieve by Orthanc or by Cirrus."""
    path = f"/dicom-web/servers/{name}/retrieve"
    raw = request if isinstance(request, str) else json.dumps(request)
    if isinstance(server, OrthancServer):
        response = server.session.post(server.url + path, data=raw, timeout=60)
        return response.status_code, response.json()
    answer = server.http.post(path, body=raw, headers={"Content-Type": "application/json"})
    return answer.status_code, body(answer)


def _file(server: Any, instance_id: str) -> bytes:
    if isinstance(server, OrthancServer):
        response = server.session.get(f"{server.url}/instances/{instance_id}/file", timeout=30)
        assert response.status_code == 200, instance_id
        return response.content
    answer = server.http.get(f"/instances/{instance_id}/file")
    assert answer.status_code == 200, instance_id
    return bytes(answer.body)


def _orthanc_job(server: OrthancServer, job_id: str) -> dict[str, Any]:
    for _ in range(200):
        job = server.get_json(f"/jobs/{job_id}")
        if job["State"] in ("Success", "Failure"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"Orthanc's job {job_id} did not finish")


@pytest.mark.parametrize(
    "resources",
    [
        [{"Study": STUDY}],
        [{"Study": STUDY, "Series": f"{STUDY}.1"}],
        [{"Study": STUDY, "Series": f"{STUDY}.2", "Instance": f"{STUDY}.2.1"}],
        [{"Study": OTHER_STUDY}, {"Study": STUDY, "Series": f"{STUDY}.2"}],
    ],
)
def test_retrieved_files_are_the_sources_byte_for_byte(
    cirrus: Any, orthanc: OrthancServer, source: OrthancServer, resources: list[dict[str, str]]
) -> None:
    ours = _retrieve(cirrus, {"Resources": resources})
    theirs = _retrieve(orthanc, {"Resources": resources})
    assert ours == theirs
    wanted = [
        sop
        for study, series, sop in SOURCE
        if any(
            r["Study"] == study
            and r.get("Series", series) == series
            and r.get("Instance", sop) == sop
            for r in resources
        )
    ]
    assert ours[1]["ReceivedInstancesCount"] == str(len(wanted))
    for sop in wanted:
        instance_id = source.ids[sop]  # type: ignore[attr-defined]
        original = _file(source, instance_id)
        assert _file(cirrus, instance_id) == original == _file(orthanc, instance_id)
        origin = f"/instances/{instance_id}/metadata/Origin"
        assert (
            cirrus.http.get(origin).body.decode() == orthanc.session.get(orthanc.url + origin).text
        )
    stored = body(cirrus.http.get("/instances"))
    assert sorted(stored) == sorted(source.ids[sop] for sop in wanted)  # type: ignore[attr-defined]


def test_the_job_is_shown_as_the_plugins(cirrus: Any, orthanc: OrthancServer) -> None:
    request = {"Resources": [{"Study": STUDY}], "Asynchronous": True, "Priority": 2}
    ours = wait_job(cirrus, _retrieve(cirrus, request)[1]["ID"])
    theirs = _orthanc_job(orthanc, _retrieve(orthanc, request)[1]["ID"])
    assert set(ours) == set(theirs)
    for key in ("Type", "Content", "State", "Priority", "Progress", "ErrorCode", "ErrorDetails"):
        assert ours[key] == theirs[key], key
    assert ours["Content"] == {"NetworkUsageMB": "0", "ReceivedInstancesCount": "3"}


def test_a_failed_job_names_the_error_in_its_content(cirrus: Any, orthanc: OrthancServer) -> None:
    """The plugin records its engine's error (1) and the job's own in the Content; Cirrus
    records the job's own error, and shows the Content alike (with the details)."""
    request = {"Resources": [{"Study": "1.2.3.404"}], "Asynchronous": True}
    ours = wait_job(cirrus, _retrieve(cirrus, request)[1]["ID"])
    theirs = _orthanc_job(orthanc, _retrieve(orthanc, request)[1]["ID"])
    assert (
        (ours["Type"], ours["State"])
        == (theirs["Type"], theirs["State"])
        == (
            "DicomWebWadoRetrieveClient",
            "Failure",
        )
    )
    assert theirs["ErrorCode"] == 1
    assert ours["ErrorCode"] == theirs["Content"]["FunctionErrorCode"] == 9
    details = ours["Content"].pop("FunctionErrorDetails")
    assert details == ours["ErrorDetails"] and "1.2.3.404" in details
    assert ours["Content"] == theirs["Content"]


@pytest.mark.parametrize(
    "request_body",
    [
        "not JSON",
        {},
        {"Resources": {"Study": STUDY}},
        {"Resources": [STUDY]},
        {"Resources": [{"Series": STUDY}]},
        {"Resources": [{"Study": STUDY, "Instance": "1"}]},
        {"Resources": [{"Study": 1}]},
        {"Resources": [{"Study": STUDY, "Series": 5}]},
        {"Resources": [{"Study": 1}], "Synchronous": "x"},
        {"Resources": [{"Study": STUDY}], "HttpHeaders": 3},
        {"Resources": [{"Study": STUDY}], "HttpHeaders": {"X": 3}},
        {"Resources": [{"Study": STUDY}], "Synchronous": "x"},
        {"Resources": [{"Study": STUDY}], "Priority": "x"},
        {"Resources": []},
    ],
)
def test_requests_are_answered_as_the_plugin_answers_them(
    cirrus: Any, orthanc: OrthancServer, request_body: Any
) -> None:
    ours, theirs = _retrieve(cirrus, request_body), _retrieve(orthanc, request_body)
    assert ours[0] == theirs[0]
    if theirs[0] == 200:
        assert ours[1] == theirs[1]
        return
    assert ours[1]["OrthancStatus"] == theirs[1]["OrthancStatus"]
    if "Details" in theirs[1]:  # the plugin gives none for some; Cirrus always does
        assert ours[1]["Details"] == theirs[1]["Details"]
