"""Cirrus and a real Orthanc 1.10.1 as peers of each other, over HTTP with Basic auth, through
the local stack exactly as ``make run`` serves it (job runner included); and a job runner
process killed in the middle of a transfer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from pydicom.uid import generate_uid

from tests.e2e.stack import PROJECT_ROOT, LocalStack
from tests.support.dicom_factory import make_instance
from tests.support.fake_peer import FakePeer
from tests.support.orthanc_server import OrthancServer, free_port

CIRRUS_USER = ("alice", "cirrus-pw")
ORTHANC_USER = ("bob", "orthanc-pw")


def study_files(count: int) -> list[bytes]:
    study, series = generate_uid(), generate_uid()
    return [
        make_instance(study_uid=study, series_uid=series, instance_number=n + 1)
        for n in range(count)
    ]


def wait_job(session: requests.Session, url: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = session.get(f"{url}/jobs/{job_id}", timeout=10).json()
        if job["State"] in ("Success", "Failure"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStack, OrthancServer]]:
    cirrus_port = free_port()
    orthanc = OrthancServer(
        {
            "AuthenticationEnabled": True,
            "RegisteredUsers": dict([ORTHANC_USER]),
            "OrthancPeers": {"cirrus": [f"http://127.0.0.1:{cirrus_port}/", *CIRRUS_USER]},
        },
        auth=ORTHANC_USER,
    )
    with orthanc:
        stack = LocalStack(
            tmp_path_factory.mktemp("peers") / "data",
            config={
                "AuthenticationEnabled": True,
                "RegisteredUsers": dict([CIRRUS_USER]),
                "OrthancPeers": {
                    "orthanc": {
                        "Url": orthanc.url,
                        "Username": ORTHANC_USER[0],
                        "Password": ORTHANC_USER[1],
                    }
                },
            },
        )
        stack.http_port = cirrus_port
        with stack:
            yield stack, orthanc


def test_orthanc_sends_to_cirrus(pair: tuple[LocalStack, OrthancServer]) -> None:
    stack, orthanc = pair
    files = study_files(3)
    uploaded = [orthanc.upload(data) for data in files]
    study = uploaded[0]["ParentStudy"]
    response = orthanc.post("/peers/cirrus/store", json={"Resources": [study]})
    assert response.status_code == 200, response.text
    assert response.json()["InstancesCount"] == 3
    cirrus = requests.Session()
    cirrus.auth = CIRRUS_USER
    assert sorted(
        cirrus.get(f"{stack.url}/studies/{study}/instances", timeout=10).json(),
        key=lambda i: i["ID"],
    ) == sorted(
        [cirrus.get(f"{stack.url}/instances/{u['ID']}", timeout=10).json() for u in uploaded],
        key=lambda i: i["ID"],
    )
    for answer, data in zip(uploaded, files, strict=True):
        assert cirrus.get(f"{stack.url}/instances/{answer['ID']}/file", timeout=10).content == data
    # Compressed: Orthanc sends gzip bodies (Content-Encoding), which Cirrus decodes.
    compressed = [orthanc.upload(data) for data in study_files(2)]
    response = orthanc.post(
        "/peers/cirrus/store",
        json={"Resources": [compressed[0]["ParentStudy"]], "Compress": True},
    )
    assert response.status_code == 200, response.text
    for answer in compressed:
        assert cirrus.get(f"{stack.url}/instances/{answer['ID']}", timeout=10).ok


def test_cirrus_sends_to_orthanc(pair: tuple[LocalStack, OrthancServer]) -> None:
    stack, orthanc = pair
    files = study_files(4)
    cirrus = requests.Session()
    cirrus.auth = CIRRUS_USER
    uploaded = [
        cirrus.post(f"{stack.url}/instances", data=data, timeout=30).json() for data in files
    ]
    study = uploaded[0]["ParentStudy"]
    started = cirrus.post(
        f"{stack.url}/peers/orthanc/store",
        json={"Resources": [study], "Asynchronous": True},
        timeout=30,
    ).json()
    job = wait_job(cirrus, stack.url, started["ID"])
    assert job["State"] == "Success", job
    assert job["Content"]["InstancesCount"] == 4
    assert job["Content"]["Size"] == str(sum(len(f) for f in files))
    there = orthanc.get_json(f"/studies/{study}")
    assert len(orthanc.get_json(f"/studies/{study}/instances")) == 4
    assert (
        there["MainDicomTags"]["StudyInstanceUID"]
        == orthanc.get_json(f"/instances/{uploaded[0]['ID']}/simplified-tags")["StudyInstanceUID"]
    )
    for answer, data in zip(uploaded, files, strict=True):
        assert orthanc.get(f"/instances/{answer['ID']}/file").content == data
    # Wrong credentials for the peer: a failed job that says why.
    cirrus.put(f"{stack.url}/peers/bad", json=[orthanc.url, "bob", "wrong"], timeout=10)
    response = cirrus.post(f"{stack.url}/peers/bad/store", json=[uploaded[0]["ID"]], timeout=30)
    assert response.status_code == 500
    assert "answered HTTP 401" in response.json()["Details"]


def _runner(stack: LocalStack) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "local_stack.job_runner"],
        cwd=PROJECT_ROOT,
        env=stack.aws_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_a_killed_job_runner_resumes_and_sends_each_instance_once(tmp_path: Path) -> None:
    with FakePeer() as peer:
        peer.hold_at = 4
        config = {"OrthancPeers": {"fake": [peer.url]}}
        env = {"CIRRUS_JOB_RUNNER": "external"}
        with LocalStack(tmp_path / "data", config=config, env=env) as stack:
            files = study_files(12)
            uploaded = [
                requests.post(f"{stack.url}/instances", data=d, timeout=30).json() for d in files
            ]
            started = requests.post(
                f"{stack.url}/peers/fake/store",
                json={"Resources": [uploaded[0]["ParentStudy"]], "Asynchronous": True},
                timeout=30,
            ).json()
            first = _runner(stack)
            try:
                # The 4th upload reached the peer; its worker dies before hearing the answer.
                assert peer.holding.wait(60), "the runner never sent the 4th instance"
                os.killpg(first.pid, signal.SIGKILL)
                first.wait(10)
            finally:
                if first.poll() is None:
                    os.killpg(first.pid, signal.SIGKILL)
            peer.release.set()
            running = requests.get(f"{stack.url}/jobs/{started['ID']}", timeout=10).json()
            assert running["State"] == "Running"
            second = _runner(stack)
            try:
                job = wait_job(requests.Session(), stack.url, started["ID"])
            finally:
                os.killpg(second.pid, signal.SIGTERM)
                second.wait(10)
            assert job["State"] == "Success", job
            assert job["Content"]["InstancesCount"] == 12
            assert peer.posts == {answer["ID"]: 1 for answer in uploaded}
