"""STOW-RS to a DICOMweb server as a job (``POST /dicom-web/servers/{name}/stow``) through the
app, moto and the local job runner, seen by a stand-in server that stores what it receives
(tests/support/fake_stow.py): the multipart requests parsed back and their parts compared
byte for byte with the stored files, the bounded requests, headers, credentials and
arguments, the server's failures, the resume of a killed job without sending an instance
twice, and the AWS requests per instance. Against Orthanc's plugin:
tests/interop/test_dicomweb_stow_job_vs_orthanc.py."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydicom.uid import generate_uid

from chalicelib.services.dicomweb import stow_job
from chalicelib.services.jobs import steps
from chalicelib.services.jobs.steps import BATCH_SIZE, RECORD_EVERY
from tests.integration.helpers import (
    assert_orthanc_error,
    aws_requests,
    body,
    get,
    kill_the_first_mark,
    upload,
    wait_job,
)
from tests.support.dicom_factory import make_instance
from tests.support.fake_dicomweb import Canned
from tests.support.fake_stow import FakeStowServer
from tests.support.orthanc_server import free_port

STOW_PATH = "/dicom-web/studies"


@pytest.fixture
def server() -> Iterator[FakeStowServer]:
    with FakeStowServer() as fake:
        yield fake


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, server: FakeStowServer) -> Any:
    configure(HttpTimeout=5)
    definition = {
        "Url": server.url,
        "Username": "bob",
        "Password": "stow-pw",
        "HttpHeaders": {"X-Site": "server", "X-Both": "server"},
    }
    for name, value in (("pacs", definition), ("closed", [f"http://127.0.0.1:{free_port()}/"])):
        response = client.http.put(f"/dicom-web/servers/{name}", body=json.dumps(value))
        assert response.status_code == 200, response.body
    return client


def study(client: Any, count: int, size: int = 8) -> tuple[str, list[dict[str, Any]]]:
    """Upload a study of ``count`` instances in one series; (study ID, upload answers)."""
    study_uid, series_uid = generate_uid(), generate_uid()
    answers = [
        upload(
            client,
            make_instance(
                study_uid=study_uid, series_uid=series_uid, instance_number=n + 1, size=size
            ),
        )
        for n in range(count)
    ]
    return answers[0]["ParentStudy"], answers


def stow(client: Any, request: Any, name: str = "pacs") -> Any:
    data = request if isinstance(request, str) else json.dumps(request)
    return client.http.post(f"/dicom-web/servers/{name}/stow", body=data)


def stored_file(client: Any, instance_id: str) -> bytes:
    response = client.http.get(f"/instances/{instance_id}/file")
    assert response.status_code == 200
    return bytes(response.body)


def study_files(client: Any, study_id: str) -> list[bytes]:
    """The files of a study's instances, in the order ``/studies/{id}/instances`` lists them
    (the plugin sends them in that order, and so does Cirrus)."""
    return [stored_file(client, i["ID"]) for i in get(client, f"/studies/{study_id}/instances")]


def test_a_study_goes_in_one_request_of_the_stored_files(
    cirrus: Any, server: FakeStowServer
) -> None:
    study_id, answers = study(cirrus, 3)
    response = stow(cirrus, {"Resources": [study_id]})
    assert response.status_code == 200, response.body
    assert body(response) == {"InstancesCount": "3", "NetworkSizeMB": "0"}
    posts = [r for r in server.requests if r.method == "POST"]
    assert [r.target for r in posts] == [STOW_PATH]
    assert server.stow_parts == [study_files(cirrus, study_id)]
    assert sorted(server.stow_parts[0]) == sorted(stored_file(cirrus, a["ID"]) for a in answers)
    headers = posts[0].headers
    assert headers["content-type"].startswith('multipart/related; type="application/dicom"; ')
    assert headers["accept"] == "application/dicom+json"
    assert headers["authorization"] == "Basic " + base64.b64encode(b"bob:stow-pw").decode()
    assert int(headers["content-length"]) == len(posts[0].body)
    # Each part carries its type and length, as the plugin's parts do.
    assert posts[0].body.count(b"Content-Type: application/dicom\r\n") == 3


def test_headers_and_arguments_of_the_request(cirrus: Any, server: FakeStowServer) -> None:
    _, answers = study(cirrus, 1)
    request = {
        "Resources": [answers[0]["ID"]],
        "HttpHeaders": {"X-Both": "request", "X-Call": "1", "Accept": "text/plain"},
        "Arguments": {"b": "2 3", "a": ""},
    }
    assert stow(cirrus, request).status_code == 200
    sent = server.requests[-1]
    assert sent.target == f"{STOW_PATH}?a&b=2%203"
    assert (sent.headers["x-site"], sent.headers["x-both"]) == ("server", "request")
    assert sent.headers["x-call"] == "1"
    assert sent.headers["accept"] == "application/dicom+json"  # STOW-RS's, as the plugin


def test_requests_are_bounded_in_instances_and_bytes(
    cirrus: Any, server: FakeStowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stow_job, "MAX_INSTANCES_PER_REQUEST", 2)
    study_id, _ = study(cirrus, 5)
    assert body(stow(cirrus, {"Resources": [study_id]}))["InstancesCount"] == "5"
    files = study_files(cirrus, study_id)
    assert server.stow_parts == [files[0:2], files[2:4], files[4:5]]

    server.stow_parts.clear()
    small_id, _ = study(cirrus, 3, size=8)
    large_id, _ = study(cirrus, 1, size=64)
    small_files = study_files(cirrus, small_id)
    [large_file] = study_files(cirrus, large_id)
    # Room for the two first small files, not for a third one, nor for the large one.
    monkeypatch.setattr(stow_job, "MAX_INSTANCES_PER_REQUEST", 25)
    monkeypatch.setattr(stow_job, "MAX_BYTES_PER_REQUEST", 2 * len(small_files[0]) + 1)
    assert len(large_file) > stow_job.MAX_BYTES_PER_REQUEST
    assert stow(cirrus, {"Resources": [small_id, large_id]}).status_code == 200
    assert server.stow_parts == [small_files[0:2], small_files[2:3], [large_file]]


def test_asynchronous_job_and_its_json(cirrus: Any, server: FakeStowServer) -> None:
    study_id, _ = study(cirrus, 2)
    started = body(stow(cirrus, {"Resources": [study_id], "Asynchronous": True}))
    assert started == {"ID": started["ID"], "Path": f"/jobs/{started['ID']}"}
    job = wait_job(cirrus, started["ID"])
    assert (job["Type"], job["State"], job["Progress"]) == ("DicomWebStowClient", "Success", 100)
    assert job["Content"] == {"InstancesCount": "2", "NetworkSizeMB": "0"}
    assert len(server.received) == 2


def test_an_empty_request_sends_nothing(cirrus: Any, server: FakeStowServer) -> None:
    assert body(stow(cirrus, {"Resources": []})) == {"InstancesCount": "0"}
    assert server.requests == []


@pytest.mark.parametrize(
    ("request_body", "status", "code", "details"),
    [
        ("not json", 400, 15, "A JSON file was expected"),
        ({"Resources": "x"}, 400, 15, 'field "Resources" containing an array'),
        (["0" * 8], 400, 15, 'field "Resources" containing an array'),
        ({"Resources": [], "HttpHeaders": []}, 400, 15, "not a JSON associative array"),
        ({"Resources": [], "HttpHeaders": {"X": 1}}, 400, 15, 'Value "X" in the associative'),
        ({"Resources": [7]}, 400, 15, None),
        ({"Resources": [""]}, 404, 17, None),
        ({"Resources": ["0123456789abcdef0123456789abcdef01234567"]}, 404, 17, None),
        ({"Resources": [], "Synchronous": "yes"}, 400, 15, None),
        ({"Resources": [], "Priority": "x"}, 400, 15, None),
    ],
)
def test_refused_requests(
    cirrus: Any, server: FakeStowServer, request_body: Any, status: int, code: int, details: Any
) -> None:
    response = stow(cirrus, request_body)
    assert_orthanc_error(response, status, code, "POST")
    if details:
        assert details in body(response)["Details"]
    assert server.requests == []


def test_an_unknown_server_is_refused_once_the_resources_are_found(cirrus: Any) -> None:
    study_id, _ = study(cirrus, 1)
    response = stow(cirrus, {"Resources": [study_id]}, name="nope")
    assert_orthanc_error(response, 404, 7, "POST")
    assert body(response)["Details"] == "Inexistent server: nope"
    unknown = stow(cirrus, {"Resources": ["0123456789abcdef0123456789abcdef01234567"]}, "nope")
    assert_orthanc_error(unknown, 404, 17, "POST")


@pytest.mark.parametrize(
    ("canned", "details"),
    [
        (Canned(status=500, body=b"{}"), "answered HTTP 500"),
        (Canned(body=b"not json"), "is not a JSON object"),
        (Canned(body=b"{}"), "has no Referenced SOP Sequence"),
        (Canned(body=b'{"00081199": {"vr": "SQ", "Value": [{}]}}'), "stored 1 of the 2"),
        (
            Canned(body=b'{"00081199": {"Value": [{}, {}]}, "00081198": {"Value": [{}]}}'),
            "lists 1 items in its Failed SOP Sequence",
        ),
        (
            Canned(body=b'{"00081199": {"Value": [{}, {}]}, "0008119a": {"Value": [{}]}}'),
            "lists 1 items in its Other Failures Sequence",
        ),
    ],
)
def test_a_failed_request_fails_the_job(
    cirrus: Any, server: FakeStowServer, canned: Canned, details: str
) -> None:
    study_id, _ = study(cirrus, 2)
    server.answers[STOW_PATH] = canned
    started = body(stow(cirrus, {"Resources": [study_id], "Asynchronous": True}))
    job = wait_job(cirrus, started["ID"])
    assert (job["State"], job["ErrorCode"]) == ("Failure", 9)
    assert job["Content"]["FunctionErrorCode"] == 9
    assert job["Content"]["FunctionErrorDescription"] == "Error in the network protocol"
    assert details in job["Content"]["FunctionErrorDetails"]
    assert details in job["ErrorDetails"]
    # A synchronous request answers the job's error.
    synchronous = stow(cirrus, {"Resources": [study_id]})
    assert_orthanc_error(synchronous, 500, 9, "POST")


def test_failed_instances_fail_their_request(
    cirrus: Any, server: FakeStowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Failed SOP Sequence fails every instance of its request; Permissive goes on."""
    monkeypatch.setattr(stow_job, "MAX_INSTANCES_PER_REQUEST", 2)
    study_id, _ = study(cirrus, 4)
    server.refuse.add(sop_instance_uid(study_files(cirrus, study_id)[0]))
    failed = stow(cirrus, {"Resources": [study_id]})
    assert_orthanc_error(failed, 500, 9, "POST")
    assert "stored 1 of the 2 instances" in body(failed)["Details"]
    assert len(server.stow_parts) == 1  # the job stopped at its first failure
    started = body(
        stow(cirrus, {"Resources": [study_id], "Asynchronous": True, "Permissive": True})
    )
    job = wait_job(cirrus, started["ID"])
    assert job["State"] == "Success" and job["Content"]["InstancesCount"] == "4"
    assert len(server.stow_parts) == 3


def sop_instance_uid(data: bytes) -> str:
    """The SOP Instance UID of a file."""
    import io

    import pydicom

    return str(pydicom.dcmread(io.BytesIO(data)).SOPInstanceUID)


def test_a_killed_job_resumes_without_sending_an_instance_twice(
    cirrus: Any, server: FakeStowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker sends a first request, then dies before recording it; the batch run again
    finds those instances on the server (QIDO-RS) and sends the others, each once."""
    monkeypatch.setattr(stow_job, "MAX_INSTANCES_PER_REQUEST", 2)
    monkeypatch.setattr(steps, "RECORD_EVERY", 2)  # a record after each request
    study_id, _ = study(cirrus, 5)
    calls = kill_the_first_mark(monkeypatch)
    answer = body(stow(cirrus, {"Resources": [study_id]}))
    assert answer == {"InstancesCount": "5", "NetworkSizeMB": "0"}
    assert calls["n"] >= 2  # the step died once, and was run again
    assert set(server.received.values()) == {1} and len(server.received) == 5
    files = study_files(cirrus, study_id)
    assert server.stow_parts == [files[0:2], files[2:4], files[4:5]]
    lookups = [r.target for r in server.requests if r.method == "GET"]
    assert len(lookups) == 3  # two found there, the third not: sending resumes with it
    assert all("SOPInstanceUID=" in target for target in lookups)


def test_aws_requests_of_a_stow(
    cirrus: Any, server: FakeStowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per instance one GetObject; the progress recorded in groups of RECORD_EVERY
    instances of a batch, whatever the requests to the server."""
    monkeypatch.setattr(steps, "RECORD_SECONDS", 3600.0)
    count = BATCH_SIZE + RECORD_EVERY + 1  # more than one batch
    study_id, _ = study(cirrus, count)
    with aws_requests() as calls:
        answer = body(stow(cirrus, {"Resources": [study_id]}))
    assert answer["InstancesCount"] == str(count)
    assert len(server.received) == count
    assert calls["GetObject:dicom"] == count
    per_batch = [len(batch) for batch in steps.split_in_batches([0] * count)]
    groups = sum(-(-n // RECORD_EVERY) for n in per_batch)
    assert calls["TransactWriteItems"] == groups
    # Requests: one per MAX_INSTANCES_PER_REQUEST instances of a batch.
    expected = sum(-(-n // stow_job.MAX_INSTANCES_PER_REQUEST) for n in per_batch)
    assert len(server.stow_parts) == expected


def test_aws_requests_of_the_route(cirrus: Any, server: FakeStowServer) -> None:
    """The request itself: the resources (one BatchGetItem), the server's definition (one
    GetItem) and the job's record (one PutItem), then Step Functions' StartExecution."""
    study_id, _ = study(cirrus, 2)
    wait_job(cirrus, body(stow(cirrus, {"Resources": [study_id], "Asynchronous": True}))["ID"])
    # The job runner's thread may still be finishing the first job: only the route's requests.
    with aws_requests(this_thread=True) as calls:
        started = body(stow(cirrus, {"Resources": [study_id], "Asynchronous": True}))
    assert calls == {"BatchGetItem": 1, "GetItem": 1, "PutItem": 1}
    assert wait_job(cirrus, started["ID"])["State"] == "Success"


def test_the_server_lists_stow(cirrus: Any) -> None:
    assert "stow" in get(cirrus, "/dicom-web/servers/pacs")


def test_an_unreachable_server_fails_the_job(cirrus: Any) -> None:
    study_id, _ = study(cirrus, 1)
    response = stow(cirrus, {"Resources": [study_id]}, name="closed")
    assert_orthanc_error(response, 500, 9, "POST")
