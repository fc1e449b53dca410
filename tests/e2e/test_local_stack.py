"""The local stack as a user meets it: ``python -m local_stack``, then HTTP and the AWS emulator."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pydicom
import pytest
import requests
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from local_stack.recording import read_writes
from tests.e2e.stack import RESOURCE_PREFIX, LocalStack

CT_SMALL = Path(get_testdata_file("CT_small.dcm"))
CT_SMALL_ID = "f689ddd2-662f8fe1-8b18180d-ec2a2cee-937917af"


def upload(url: str, data: bytes) -> dict:
    response = requests.post(
        f"{url}/instances", data=data, headers={"Content-Type": "application/dicom"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_system_answers(stack: LocalStack) -> None:
    response = requests.get(f"{stack.url}/system", timeout=10)

    assert response.status_code == 200
    assert "Version" in response.json()


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_route_answers_like_orthanc(stack: LocalStack, method: str) -> None:
    response = requests.request(method, f"{stack.url}/no/such/route?expand", timeout=10)

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {
        "HttpError": "Not Found",
        "HttpStatus": 404,
        "Message": "Unknown resource",
        "Method": method,
        "OrthancError": "Unknown resource",
        "OrthancStatus": 17,
        "Uri": "/no/such/route",
    }


def test_upload_gives_orthanc_identifier(stack: LocalStack) -> None:
    answer = upload(stack.url, CT_SMALL.read_bytes())

    assert answer["ID"] == CT_SMALL_ID
    assert answer["Status"] in ("Success", "AlreadyStored")


def test_chunked_upload_is_decoded(stack: LocalStack) -> None:
    data = CT_SMALL.read_bytes()
    # A generator body makes requests send Transfer-Encoding: chunked.
    chunks = (data[i : i + 4096] for i in range(0, len(data), 4096))

    response = requests.post(f"{stack.url}/instances", data=chunks, timeout=30)

    assert response.status_code == 200, response.text
    assert response.json()["ID"] == CT_SMALL_ID


def test_malformed_chunked_body_is_refused(stack: LocalStack) -> None:
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=10) as connection:
        connection.sendall(
            b"POST /instances HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
        )
        answer = connection.makefile("rb").read()

    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b'"OrthancStatus": 8' in answer


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_upload_with_expect_100_continue(stack: LocalStack) -> None:
    result = subprocess.run(
        ["curl", "-sS", "-v", "--fail", "-X", "POST", f"{stack.url}/instances",
         "-H", "Expect: 100-continue", "-H", "Content-Type: application/dicom",
         "--data-binary", f"@{CT_SMALL}"],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip

    assert "HTTP/1.1 100 Continue" in result.stderr
    assert json.loads(result.stdout)["ID"] == CT_SMALL_ID


def test_expect_100_continue_is_answered_before_the_body(stack: LocalStack) -> None:
    data = CT_SMALL.read_bytes()
    with socket.create_connection(("127.0.0.1", stack.http_port), timeout=10) as connection:
        connection.sendall(
            b"POST /instances HTTP/1.1\r\nHost: x\r\nContent-Type: application/dicom\r\n"
            b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(data)
        )
        stream = connection.makefile("rb")
        assert stream.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert stream.readline() == b"\r\n"
        connection.sendall(data)
        assert stream.readline().startswith(b"HTTP/1.1 200 ")


def test_keep_alive_serves_many_requests_on_one_connection(stack: LocalStack) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    connection.connect()
    first_socket = connection.sock
    for _ in range(20):
        connection.request("GET", "/system")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert connection.sock is first_socket
    connection.close()


def test_emulator_is_usable_with_boto3(stack: LocalStack) -> None:
    options = dict(
        endpoint_url=stack.emulator_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    tables = boto3.client("dynamodb", **options).list_tables()["TableNames"]
    buckets = [b["Name"] for b in boto3.client("s3", **options).list_buckets()["Buckets"]]

    assert f"{RESOURCE_PREFIX}-index" in tables
    assert f"{RESOURCE_PREFIX}-dicom" in buckets


def _changes(url: str, count: int) -> list[tuple[str, str]]:
    """The change log once it holds ``count`` entries (the stream consumer polls)."""
    deadline = time.monotonic() + 15
    while True:
        changes = requests.get(f"{url}/changes", timeout=10).json()["Changes"]
        if len(changes) >= count or time.monotonic() > deadline:
            return [(c["ChangeType"], c["ID"]) for c in changes]
        time.sleep(0.1)


def test_changes_log_and_stability_run_in_the_stack(tmp_path: Path) -> None:
    with LocalStack(tmp_path / "data", config={"StableAge": 1}) as stack:
        answer = upload(stack.url, CT_SMALL.read_bytes())
        changes = _changes(stack.url, 7)
        assert changes == [
            ("NewInstance", answer["ID"]),
            ("NewSeries", answer["ParentSeries"]),
            ("NewStudy", answer["ParentStudy"]),
            ("NewPatient", answer["ParentPatient"]),
            ("StableSeries", answer["ParentSeries"]),
            ("StableStudy", answer["ParentStudy"]),
            ("StablePatient", answer["ParentPatient"]),
        ]
        assert requests.get(f"{stack.url}/series/{answer['ParentSeries']}", timeout=10).json()[
            "IsStable"
        ]
        stack.kill()
    # After a restart the replayed stream is not logged a second time.
    with LocalStack(tmp_path / "data") as again:
        time.sleep(1)
        assert _changes(again.url, 8) == changes


@pytest.mark.parametrize("ending", ["SIGTERM", "SIGKILL"])
def test_restart_keeps_what_was_stored(tmp_path: Path, ending: str) -> None:
    data_dir = tmp_path / "data"
    with LocalStack(data_dir) as first:
        assert upload(first.url, CT_SMALL.read_bytes())["Status"] == "Success"
        if ending == "SIGKILL":
            first.kill()

    # New ports too: the recording must not depend on the old ones.
    with LocalStack(data_dir) as second:
        assert requests.get(f"{second.url}/instances/{CT_SMALL_ID}", timeout=10).ok
        stored = requests.get(f"{second.url}/instances/{CT_SMALL_ID}/file", timeout=10)
        assert stored.content == CT_SMALL.read_bytes()
        assert upload(second.url, CT_SMALL.read_bytes())["Status"] == "AlreadyStored"
        assert "reads dropped" in second.log


def test_concurrent_uploads_replay_to_the_same_state(tmp_path: Path) -> None:
    """Parallel uploads of one series race on conditional writes to the same parents: the
    replay must reach the state the clients saw, counters included."""
    files = [_variant(tmp_path, i) for i in range(24)]
    data_dir = tmp_path / "data"
    with LocalStack(data_dir) as first:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(lambda f: upload(first.url, f.read_bytes()), files))
        before = _snapshot(first.url)
        first.kill()

    with LocalStack(data_dir) as second:
        assert _snapshot(second.url) == before
    assert len(before["instances"]) == len(files)


def test_sigterm_stops_everything_and_exits_0(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path / "data").start()
    started = time.monotonic()

    code = stack.stop()

    assert code == 0, stack.log
    assert time.monotonic() - started < 10
    assert not stack.processes_left()


def test_sigint_stops_everything_and_exits_0(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path / "data").start()
    assert stack.process is not None

    # What Ctrl-C in a terminal does: SIGINT to every process of the foreground group.
    stack.process.send_signal(signal.SIGINT)
    code = stack.process.wait(15)

    assert code == 0, stack.log
    assert not stack.processes_left()


def test_unexpected_death_of_a_service_stops_the_stack(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path / "data").start()
    assert stack.process is not None
    os.kill(_child_running(stack.process.pid, "local_stack.emulator"), signal.SIGKILL)
    code = stack.process.wait(15)

    assert code != 0
    assert "exited unexpectedly" in stack.log
    assert not stack.processes_left()


def test_port_in_use_fails_fast(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path / "data")
    stack.config_path.write_text("{}")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        stack.http_port = squatter.getsockname()[1]

        started = time.monotonic()
        result = subprocess.run(
            stack.command, env=stack.environment(), capture_output=True, text=True, timeout=30
        )

    assert result.returncode != 0
    assert time.monotonic() - started < 10
    assert f"port {stack.http_port}" in result.stderr
    assert "already in use" in result.stderr


def test_reading_a_recording_skips_reads_and_a_torn_last_line(tmp_path: Path) -> None:
    def entry(method: str, target: str | None = None) -> str:
        headers = {"X-Amz-Target": target} if target else {}
        return json.dumps({"method": method, "url": "/", "headers": headers, "body": ""})

    recording = tmp_path / "recording.jsonl"
    lines = [
        entry("PUT"),  # S3 PutObject: kept
        entry("GET"),  # S3 GetObject
        entry("HEAD"),
        entry("POST", "DynamoDB_20120810.TransactWriteItems"),  # kept
        entry("POST", "DynamoDB_20120810.Query"),
        entry("POST", "DynamoDB_20120810.DescribeTable"),
        entry("POST", "DynamoDBStreams_20120810.GetRecords"),
        entry("POST", "DynamoDB_20120810.UpdateItem")[:25],  # cut short by a crash
    ]
    recording.write_text("\n".join(lines))

    result = read_writes(recording)

    assert (result.kept, result.dropped, result.broken) == (2, 5, 1)
    assert result.entries == [json.loads(lines[0]), json.loads(lines[3])]


def _variant(folder: Path, number: int) -> Path:
    """CT_small as another instance of the same series."""
    dataset = pydicom.dcmread(CT_SMALL)
    dataset.SOPInstanceUID = generate_uid()
    dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    path = folder / f"variant-{number}.dcm"
    dataset.save_as(path)
    return path


def _snapshot(url: str) -> dict:
    def get(path: str) -> object:
        response = requests.get(f"{url}{path}", timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    series = get("/series")
    return {
        "statistics": get("/statistics"),
        "instances": sorted(get("/instances")),
        "series": [get(f"/series/{s}/statistics") for s in sorted(series)],
    }


def _child_running(pid: int, module: str) -> int:
    """The child process of ``pid`` running ``python -m module`` (Linux /proc)."""
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        if module in Path(f"/proc/{child}/cmdline").read_text().split("\0"):
            return int(child)
    raise LookupError(f"No child of {pid} runs {module}")


def test_large_file_goes_through_presigned_urls(stack: LocalStack) -> None:
    """Above the default 4 MiB threshold: POST /instances refuses the body, the presigned
    upload is ingested by the local S3-event stand-in, and the download redirects to the
    emulator, which curl -L and requests follow."""
    from tests.support.dicom_factory import make_instance

    data = make_instance(patient_id="LARGE", size=1500)  # 4.5 MB of pixels
    refused = requests.post(f"{stack.url}/instances", data=data, timeout=30)
    assert refused.status_code == 413 and "/cirrus/uploads" in refused.json()["Details"]

    created = requests.post(f"{stack.url}/cirrus/uploads", json={"Size": len(data)}, timeout=10)
    assert requests.put(created.json()["Url"], data=data, timeout=30).status_code == 200
    deadline = time.monotonic() + 30
    while (status := requests.get(stack.url + created.json()["Path"], timeout=10).json())[
        "State"
    ] == "Pending":
        assert time.monotonic() < deadline, "the upload was never ingested"
        time.sleep(0.2)
    assert status["HttpStatus"] == 200
    instance = status["Answer"]["ID"]

    redirect = requests.get(
        f"{stack.url}/instances/{instance}/file", allow_redirects=False, timeout=10
    )
    assert redirect.status_code == 307
    assert requests.get(f"{stack.url}/instances/{instance}/file", timeout=30).content == data
    import pyorthanc  # an httpx client: redirects are followed when asked

    client = pyorthanc.Orthanc(stack.url, follow_redirects=True)
    assert client.get_instances_id_file(instance) == data
    if shutil.which("curl"):
        fetched = subprocess.run(
            ["curl", "-sfL", f"{stack.url}/instances/{instance}/file"],
            capture_output=True,
            check=True,
            timeout=30,
        )
        assert fetched.stdout == data
