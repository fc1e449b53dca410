"""Archive and media jobs (the Asynchronous forms) against moto and the local job runner, and
archives larger than the large-object threshold, which go through S3 and a redirect. (The same
against a real Orthanc 1.10.1 is in tests/interop/test_media_vs_orthanc.py.)"""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any

import pydicom
import pytest
import requests
from pydicom.uid import generate_uid

from chalicelib.storage import aws as aws_clients
from chalicelib.storage.schema import bucket_name
from chalicelib.storage.transfers import DOWNLOADS
from tests.integration.helpers import assert_orthanc_error, body, upload
from tests.support.dicom_factory import make_instance

ZIP = {"Accept": "application/zip"}
THRESHOLD = 3000


def _study(client: Any, count: int = 3, size: int = 8) -> tuple[str, list[dict[str, Any]]]:
    study, series = generate_uid(), generate_uid()
    answers = [
        upload(client, make_instance("J", study, series, instance_number=n + 1, size=size))
        for n in range(count)
    ]
    return answers[0]["ParentStudy"], answers


def _names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return archive.namelist()


def _submit(client: Any, path: str, request: dict[str, Any]) -> dict[str, Any]:
    response = client.http.post(path, body=json.dumps(request))
    assert response.status_code == 200, response.body
    return body(response)


def _finished(client: Any, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        job = body(client.http.get(f"/jobs/{job_id}"))
        if job["State"] in ("Success", "Failure") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


@pytest.mark.parametrize("route", ["/tools/create-archive", "/tools/create-media"])
def test_job_output_has_the_synchronous_entries(client: Any, job_runner: Any, route: str) -> None:
    study, answers = _study(client)
    request = {"Resources": [study]}
    synchronous = client.http.post(route, body=json.dumps(request), headers=ZIP)
    submitted = _submit(client, route, {**request, "Asynchronous": True})
    assert submitted == {"ID": submitted["ID"], "Path": f"/jobs/{submitted['ID']}"}
    job = _finished(client, submitted["ID"])
    assert job["State"] == "Success", job
    assert job["Type"] == ("Media" if "media" in route else "Archive")
    assert job["Progress"] == 100
    output = client.http.get(f"/jobs/{submitted['ID']}/archive", headers=ZIP)
    assert output.status_code == 200
    assert output.headers["Content-Type"] == "application/zip"
    assert output.headers["Content-Disposition"] == 'filename="archive.zip"'
    assert _names(output.body) == _names(synchronous.body)
    assert job["Content"] == {
        "Description": "REST API",
        "InstancesCount": len(answers),
        "UncompressedSize": job["Content"]["UncompressedSize"],
        "UncompressedSizeMB": 0,
        "ArchiveSize": str(len(output.body)),
        "ArchiveSizeMB": 0,
    }
    assert int(job["Content"]["UncompressedSize"]) > 0


def test_transcode_is_shown_and_applied(client: Any, job_runner: Any) -> None:
    study, _ = _study(client, count=1)
    request = {"Resources": [study], "Asynchronous": True, "Transcode": "1.2.840.10008.1.2"}
    job = _finished(client, _submit(client, "/tools/create-media", request)["ID"])
    assert job["Content"]["Transcode"] == "1.2.840.10008.1.2"
    output = client.http.get(f"/jobs/{job['ID']}/archive", headers=ZIP)
    with zipfile.ZipFile(io.BytesIO(output.body)) as archive:
        written = pydicom.dcmread(io.BytesIO(archive.read("IMAGES/IM0")))
    assert written.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2"


def test_output_is_404_until_the_job_succeeded(client: Any) -> None:
    """Without the job runner the job stays pending: no output yet, as in Orthanc."""
    study, _ = _study(client, count=1)
    submitted = _submit(client, f"/studies/{study}/archive", {"Asynchronous": True})
    response = client.http.get(f"/jobs/{submitted['ID']}/archive")
    assert_orthanc_error(response, 404, 7, "GET")
    assert body(response)["Details"] == "Job has no such output: archive"
    other = client.http.get(f"/jobs/{submitted['ID']}/other")
    assert body(other)["Details"] == "Job has no such output: other"


def test_an_instance_deleted_before_the_job_runs_is_left_out(client: Any, job_runner: Any) -> None:
    study, answers = _study(client, count=2)
    job_runner.stop()
    job_runner.wait_idle(10)
    submitted = _submit(
        client, "/tools/create-archive", {"Resources": [study], "Synchronous": False}
    )
    assert client.http.delete(f"/instances/{answers[1]['ID']}").status_code == 200
    job_runner.start()
    job = _finished(client, submitted["ID"])
    assert job["State"] == "Success"
    assert job["Content"]["InstancesCount"] == 2  # counted at submission, as Orthanc does
    output = client.http.get(f"/jobs/{submitted['ID']}/archive", headers=ZIP)
    assert len(_names(output.body)) == 1


def test_a_resource_deleted_before_the_job_runs_fails_it(client: Any, job_runner: Any) -> None:
    study, _ = _study(client, count=1)
    job_runner.stop()
    job_runner.wait_idle(10)
    submitted = _submit(client, "/tools/create-media", {"Resources": [study], "Asynchronous": True})
    assert client.http.delete(f"/studies/{study}").status_code == 200
    job_runner.start()
    job = _finished(client, submitted["ID"])
    assert job["State"] == "Failure"
    assert job["ErrorCode"] == 17
    assert_orthanc_error(client.http.get(f"/jobs/{submitted['ID']}/archive"), 404, 7, "GET")


# -- large archives ------------------------------------------------------------------------------


@pytest.fixture
def large(client: Any, configure: Any) -> Any:
    configure(LargeObjectThreshold=THRESHOLD)
    return client


@pytest.mark.parametrize("path", ["archive", "media"])
def test_large_synchronous_answer_redirects_to_a_valid_zip(large: Any, path: str) -> None:
    study, answers = _study(large, count=4, size=32)
    response = large.http.get(f"/studies/{study}/{path}", headers=ZIP)
    assert response.status_code == 307
    fetched = requests.get(response.headers["Location"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.headers["Content-Type"] == "application/zip"
    assert len(fetched.content) > THRESHOLD
    assert len(_names(fetched.content)) == len(answers) + (path == "media")
    posted = large.http.post(f"/studies/{study}/{path}", body=b"{}", headers=ZIP)
    assert posted.status_code == 303


def test_large_job_output_redirects_to_the_object_the_job_wrote(
    large: Any, job_runner: Any
) -> None:
    study, answers = _study(large, count=4, size=32)
    submitted = _submit(
        large, "/tools/create-media-extended", {"Resources": [study], "Asynchronous": True}
    )
    job = _finished(large, submitted["ID"])
    assert job["State"] == "Success"
    keys = aws_clients.client("s3").list_objects_v2(
        Bucket=bucket_name("dicom"), Prefix=f"{DOWNLOADS}job-outputs/"
    )["Contents"]
    [key] = [item["Key"] for item in keys]
    assert key.endswith(f"-{submitted['ID']}/archive.zip")
    response = large.http.get(f"/jobs/{submitted['ID']}/archive", headers=ZIP)
    assert response.status_code == 307
    fetched = requests.get(response.headers["Location"], timeout=10)
    assert fetched.headers["Content-Disposition"] == 'filename="archive.zip"'
    assert str(len(fetched.content)) == job["Content"]["ArchiveSize"]
    assert _names(fetched.content) == [f"IMAGES/IM{n}" for n in range(len(answers))] + ["DICOMDIR"]


@pytest.mark.parametrize("kept", [1, 2])
def test_only_the_newest_media_archive_size_outputs_are_kept(
    client: Any, job_runner: Any, configure: Any, kept: int
) -> None:
    """As Orthanc (MediaArchiveSize, 1 by default; checked against Orthanc 1.10.1 in
    tests/interop/test_media_vs_orthanc.py): once a newer job has written its ZIP, the
    output of the oldest beyond the number answers 404."""
    configure(MediaArchiveSize=kept)
    study, _ = _study(client)
    jobs = []
    for route in ("archive", "media", "archive"):
        submitted = _submit(client, f"/studies/{study}/{route}", {"Asynchronous": True})
        assert _finished(client, submitted["ID"])["State"] == "Success"
        jobs.append(submitted["ID"])
    statuses = [client.http.get(f"/jobs/{job}/archive").status_code for job in jobs]
    assert statuses == [404] * (3 - kept) + [200] * kept
    assert_orthanc_error(client.http.get(f"/jobs/{jobs[0]}/archive"), 404, 7, "GET")
