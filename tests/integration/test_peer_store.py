"""Sending to Orthanc peers through jobs: the app, moto, the local job runner and a recording
peer. (The same against a real Orthanc 1.10.1 is in tests/interop/test_peers_vs_orthanc.py.)"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydicom.uid import generate_uid

from chalicelib.services.jobs import steps
from chalicelib.services.jobs.steps import BATCH_SIZE, RECORD_EVERY
from chalicelib.storage import aws as aws_clients
from chalicelib.storage.schema import bucket_name
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
from tests.support.fake_peer import FakePeer
from tests.support.orthanc_server import free_port


@pytest.fixture
def peer() -> Iterator[FakePeer]:
    with FakePeer(credentials=("bob", "pw")) as running:
        yield running


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, peer: FakePeer) -> Any:
    configure(
        OrthancPeers={
            "fake": {"Url": peer.url, "Username": "bob", "Password": "pw"},
            "dead": [f"http://127.0.0.1:{free_port()}/"],
        },
        LogExportedResources=True,
        HttpTimeout=5,
    )
    return client


def series(client: Any, count: int, size: int = 8) -> tuple[str, list[dict[str, Any]], list[bytes]]:
    """Upload a series of ``count`` instances; (series ID, answers, files)."""
    study, series_uid = generate_uid(), generate_uid()
    files = [
        make_instance(study_uid=study, series_uid=series_uid, instance_number=n + 1, size=size)
        for n in range(count)
    ]
    answers = [upload(client, data) for data in files]
    return answers[0]["ParentSeries"], answers, files


def post(client: Any, path: str, payload: Any, raw: bool = False) -> Any:
    data = payload if raw else json.dumps(payload)
    return client.http.post(path, body=data, headers={"Content-Type": "application/json"})


def start(client: Any, peer_name: str, resource: str) -> dict[str, Any]:
    """An asynchronous store of one resource: ``{"ID", "Path"}``."""
    payload = {"Resources": [resource], "Asynchronous": True}
    return body(post(client, f"/peers/{peer_name}/store", payload))


def test_synchronous_store_sends_each_instance_once(cirrus: Any, peer: FakePeer) -> None:
    series_id, answers, files = series(cirrus, 3)
    response = post(cirrus, "/peers/fake/store", {"Resources": [series_id]})
    assert response.status_code == 200, response.body
    assert body(response) == {
        "Compress": False,
        "Description": "REST API",
        "FailedInstancesCount": 0,
        "InstancesCount": 3,
        "ParentResources": [series_id],
        "Peer": [peer.url, "bob", ""],
        "Size": str(sum(len(f) for f in files)),
        "SizeMB": 0,
    }
    assert peer.posts == {answer["ID"]: 1 for answer in answers}


def test_body_forms_bare_id_json_string_and_list(cirrus: Any, peer: FakePeer) -> None:
    _, answers, _ = series(cirrus, 2)
    first, second = answers[0]["ID"], answers[1]["ID"]
    assert post(cirrus, "/peers/fake/store", f"  {first}\n", raw=True).status_code == 200
    assert post(cirrus, "/peers/fake/store", second).status_code == 200
    both = post(cirrus, "/peers/fake/store", [first, second, first])
    assert body(both)["InstancesCount"] == 2
    assert body(both)["ParentResources"] == sorted([first, second])
    assert peer.posts == {first: 2, second: 2}


def test_asynchronous_store_is_a_job(cirrus: Any, peer: FakePeer) -> None:
    series_id, answers, files = series(cirrus, 2)
    response = post(
        cirrus,
        "/peers/fake/store",
        {"Resources": [series_id], "Asynchronous": True, "Priority": 5, "UserData": {"a": 1}},
    )
    started = body(response)
    assert set(started) == {"ID", "Path"} and started["Path"] == f"/jobs/{started['ID']}"
    job = wait_job(cirrus, started["ID"])
    assert job["State"] == "Success" and job["Progress"] == 100
    assert job["Type"] == "OrthancPeerStore" and job["Priority"] == 5
    assert job["ErrorCode"] == 0 and job["ErrorDescription"] == "Success"
    assert job["ErrorDetails"] == "" and job["UserData"] == {"a": 1}
    assert job["Content"]["InstancesCount"] == 2
    assert job["CompletionTime"] >= job["CreationTime"]
    assert isinstance(job["EffectiveRuntime"], float)
    assert started["ID"] in get(cirrus, "/jobs")
    assert [j["ID"] for j in get(cirrus, "/jobs?expand")] == get(cirrus, "/jobs")
    assert peer.posts == {a["ID"]: 1 for a in answers}


def test_aws_requests_of_a_store(
    cirrus: Any, peer: FakePeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per instance one GetObject, and the progress recorded in groups: one transaction per
    RECORD_EVERY instances of a batch (the time limit of a group put out of reach here)."""
    monkeypatch.setattr(steps, "RECORD_SECONDS", 3600.0)
    count = BATCH_SIZE + RECORD_EVERY + 1  # more than one batch
    series_id, answers, _ = series(cirrus, count)
    with aws_requests() as calls:
        answer = body(post(cirrus, "/peers/fake/store", {"Resources": [series_id]}))
    assert answer["InstancesCount"] == count and answer["FailedInstancesCount"] == 0
    assert peer.posts == {a["ID"]: 1 for a in answers}
    assert calls["GetObject:dicom"] == count
    groups = sum(-(-len(b) // RECORD_EVERY) for b in steps.split_in_batches([0] * count))
    export = 1  # the export's entry in the log (LogExportedResources)
    assert calls["TransactWriteItems"] == groups + export


def test_compressed_store_sends_gzip(cirrus: Any, peer: FakePeer) -> None:
    _, answers, files = series(cirrus, 1, size=64)
    answer = body(
        post(cirrus, "/peers/fake/store", {"Resources": [answers[0]["ID"]], "Compress": True})
    )
    assert peer.headers[-1]["content-encoding"] == "gzip"
    assert answer["Compress"] is True
    assert int(answer["Size"]) == len(gzip.compress(files[0], compresslevel=9))
    assert int(answer["Size"]) < len(files[0])


def test_unreachable_peer_fails_the_job_clearly(cirrus: Any) -> None:
    _, answers, _ = series(cirrus, 1)
    response = post(cirrus, "/peers/dead/store", [answers[0]["ID"]])
    assert_orthanc_error(response, 500, 9, "POST")
    assert "Cannot reach peer 'dead'" in body(response)["Details"]
    started = start(cirrus, "dead", answers[0]["ID"])
    job = wait_job(cirrus, started["ID"])
    assert job["State"] == "Failure"
    assert (job["ErrorCode"], job["ErrorDescription"]) == (9, "Error in the network protocol")
    assert "Cannot reach peer 'dead'" in job["ErrorDetails"]
    assert "CompletionTime" in job


def test_bad_credentials_at_the_peer_fail_the_job(
    cirrus: Any, configure: Any, peer: FakePeer
) -> None:
    configure(OrthancPeers={"fake": [peer.url, "bob", "wrong"]})
    _, answers, _ = series(cirrus, 1)
    response = post(cirrus, "/peers/fake/store", [answers[0]["ID"]])
    assert_orthanc_error(response, 500, 9, "POST")
    assert "answered HTTP 401" in body(response)["Details"]


@pytest.mark.parametrize(
    ("payload", "raw", "status", "details"),
    [
        ("nonexistent", True, 400, "Must provide a JSON value"),
        ('{"Resources": [', True, 400, "Must provide a JSON value"),
        ("", True, 400, "Must provide a JSON value"),
        (5, False, 400, "Must provide a JSON object, or a JSON array of strings"),
        ({}, False, 400, 'Missing field in JSON: "Resources"'),
        ({"Resources": 5}, False, 400, 'JSON field "Resources" must contain an array'),
        (
            {"Resources": [5]},
            False,
            400,
            "Resources to be exported must be specified as a JSON array of strings",
        ),
        (["nonexistent"], False, 400, "This string is not a valid Orthanc identifier: nonexistent"),
        (["00000000-00000000-00000000-00000000-00000000"], False, 404, None),
    ],
)
def test_malformed_store_bodies(
    cirrus: Any, payload: Any, raw: bool, status: int, details: Any
) -> None:
    response = post(cirrus, "/peers/fake/store", payload, raw=raw)
    assert_orthanc_error(response, status, 15 if status == 400 else 17, "POST")
    assert body(response).get("Details") == details
    assert get(cirrus, "/jobs") == []


def test_bad_options_and_unknown_peer(cirrus: Any) -> None:
    _, answers, _ = series(cirrus, 1)
    instance = answers[0]["ID"]
    response = post(cirrus, "/peers/fake/store", {"Resources": [instance], "Priority": "high"})
    assert_orthanc_error(response, 400, 15, "POST")
    assert body(response)["Details"] == "Integer value expected in field: Priority"
    response = post(cirrus, "/peers/fake/store", {"Resources": [instance], "Compress": "yes"})
    assert body(response)["Details"] == "Boolean value expected in field: Compress"
    response = post(cirrus, "/peers/nobody/store", [instance])
    assert_orthanc_error(response, 404, 17, "POST")
    assert body(response)["Details"] == "No peer with symbolic name: nobody"


def test_empty_list_succeeds_with_nothing_sent(cirrus: Any, peer: FakePeer) -> None:
    answer = body(post(cirrus, "/peers/fake/store", []))
    assert answer["InstancesCount"] == 0 and answer["Size"] == "0"
    assert "ParentResources" not in answer
    assert not peer.posts


def test_exports_are_logged_per_requested_resource(cirrus: Any) -> None:
    series_id, answers, _ = series(cirrus, 2)
    post(cirrus, "/peers/fake/store", {"Resources": [series_id, answers[0]["ID"]]})
    exports = get(cirrus, "/exports")["Exports"]
    assert [(e["ResourceType"], e["ID"]) for e in exports] == [
        ("Series", series_id),
        ("Instance", answers[0]["ID"]),
    ]
    instance_tags = get(cirrus, f"/instances/{answers[0]['ID']}/simplified-tags")
    assert exports[1] == {
        "Date": exports[1]["Date"],
        "ID": answers[0]["ID"],
        "Path": f"/instances/{answers[0]['ID']}",
        "PatientID": "PAT1",
        "RemoteModality": "fake",
        "ResourceType": "Instance",
        "SOPInstanceUID": instance_tags["SOPInstanceUID"],
        "Seq": exports[1]["Seq"],
        "SeriesInstanceUID": instance_tags["SeriesInstanceUID"],
        "StudyInstanceUID": instance_tags["StudyInstanceUID"],
    }
    assert set(exports[0]) == {
        "Date",
        "ID",
        "Path",
        "PatientID",
        "RemoteModality",
        "ResourceType",
        "Seq",
        "SeriesInstanceUID",
        "StudyInstanceUID",
    }
    assert len(exports[1]["Date"]) == 15


def test_a_worker_dying_after_a_send_does_not_send_twice(
    cirrus: Any, peer: FakePeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker sends the instances then dies before recording them: the retried batch asks
    the peer, finds them there, and goes on without sending them again."""
    series_id, answers, _ = series(cirrus, 4)
    calls = kill_the_first_mark(monkeypatch)
    answer = body(post(cirrus, "/peers/fake/store", {"Resources": [series_id]}))
    assert answer["InstancesCount"] == 4 and answer["FailedInstancesCount"] == 0
    assert calls["n"] >= 2  # the step died once, and was run again
    assert peer.posts == {a["ID"]: 1 for a in answers}


def test_cancel_stops_within_a_group_of_instances(cirrus: Any, peer: FakePeer) -> None:
    series_id, _, _ = series(cirrus, RECORD_EVERY + 15)  # one batch, more than a group
    peer.hold_at = 2
    started = start(cirrus, "fake", series_id)
    assert peer.holding.wait(10)
    assert body(post(cirrus, f"/jobs/{started['ID']}/cancel", {})) == {}
    peer.release.set()
    job = wait_job(cirrus, started["ID"])
    assert (job["State"], job["ErrorCode"]) == ("Failure", 37)
    assert job["ErrorDescription"] == "This job was canceled"
    time.sleep(0.7)  # a worker that missed the cancel would have sent more by now
    assert sum(peer.posts.values()) <= 2 + RECORD_EVERY


def test_pause_then_resume_sends_everything_once(cirrus: Any, peer: FakePeer) -> None:
    series_id, answers, _ = series(cirrus, RECORD_EVERY + 15)  # one batch, more than a group
    peer.hold_at = 2
    started = start(cirrus, "fake", series_id)
    job_id = started["ID"]
    assert peer.holding.wait(10)
    assert body(post(cirrus, f"/jobs/{job_id}/pause", {})) == {}
    assert get(cirrus, f"/jobs/{job_id}")["State"] == "Paused"
    peer.release.set()
    time.sleep(1.0)
    paused = get(cirrus, f"/jobs/{job_id}")
    assert paused["State"] == "Paused" and "CompletionTime" not in paused
    sent_while_paused = sum(peer.posts.values())
    assert sent_while_paused <= 2 + RECORD_EVERY
    assert body(post(cirrus, f"/jobs/{job_id}/resume", {})) == {}
    job = wait_job(cirrus, job_id)
    assert job["State"] == "Success" and job["Progress"] == 100
    assert peer.posts == {a["ID"]: 1 for a in answers}


def test_resubmit_a_failed_job(cirrus: Any, peer: FakePeer) -> None:
    _, answers, _ = series(cirrus, 1)
    started = start(cirrus, "dead", answers[0]["ID"])
    assert wait_job(cirrus, started["ID"])["State"] == "Failure"
    response = cirrus.http.put(
        "/peers/dead", body=json.dumps({"Url": peer.url, "Username": "bob", "Password": "pw"})
    )
    assert response.status_code == 200
    assert body(post(cirrus, f"/jobs/{started['ID']}/resubmit", {})) == {}
    job = wait_job(cirrus, started["ID"], ("Success",))
    assert job["ErrorCode"] == 0 and job["Progress"] == 100
    assert peer.posts == {answers[0]["ID"]: 1}


def test_permissive_goes_on_past_a_missing_file(cirrus: Any, peer: FakePeer) -> None:
    series_id, answers, _ = series(cirrus, 3)
    instance = get(cirrus, f"/instances/{answers[1]['ID']}")
    key = f"dicom/{instance['ID']}/{instance['FileUuid']}.dcm"
    aws_clients.client("s3").delete_object(Bucket=bucket_name("dicom"), Key=key)
    strict = post(cirrus, "/peers/fake/store", {"Resources": [series_id]})
    assert_orthanc_error(strict, 404, 17, "POST")
    lenient = body(
        post(cirrus, "/peers/fake/store", {"Resources": [series_id], "Permissive": True})
    )
    assert (lenient["InstancesCount"], lenient["FailedInstancesCount"]) == (3, 1)


def test_job_control_errors(cirrus: Any, peer: FakePeer) -> None:
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_orthanc_error(cirrus.http.get(f"/jobs/{unknown}"), 404, 17, "GET")
    for action in ("cancel", "pause", "resume", "resubmit"):
        assert_orthanc_error(post(cirrus, f"/jobs/{unknown}/{action}", {}), 400, 8, "POST")
    output = cirrus.http.get(f"/jobs/{unknown}/archive")
    assert_orthanc_error(output, 404, 7, "GET")
    assert body(output)["Details"] == "Job has no such output: archive"
    _, answers, _ = series(cirrus, 1)
    started = start(cirrus, "fake", answers[0]["ID"])
    job_id = started["ID"]
    wait_job(cirrus, job_id)
    assert body(post(cirrus, f"/jobs/{job_id}/cancel", {})) == {}  # no change once finished
    assert get(cirrus, f"/jobs/{job_id}")["State"] == "Success"
    assert_orthanc_error(post(cirrus, f"/jobs/{job_id}/resume", {}), 400, 8, "POST")
    assert_orthanc_error(post(cirrus, f"/jobs/{job_id}/resubmit", {}), 400, 8, "POST")
    assert cirrus.http.delete(f"/jobs/{job_id}").status_code == 200
    assert_orthanc_error(cirrus.http.get(f"/jobs/{job_id}"), 404, 17, "GET")


def test_history_keeps_the_newest_finished_jobs(
    cirrus: Any, configure: Any, peer: FakePeer
) -> None:
    configure(OrthancPeers={"fake": [peer.url, "bob", "pw"]}, JobsHistorySize=2)
    _, answers, _ = series(cirrus, 1)
    ids = []
    for _ in range(3):
        started = start(cirrus, "fake", answers[0]["ID"])
        wait_job(cirrus, started["ID"])
        ids.append(started["ID"])
    assert get(cirrus, "/jobs") == sorted(ids[1:])
    # The oldest is deleted by the step that finished the newest, just after its Success.
    deadline = time.monotonic() + 10
    while cirrus.http.get(f"/jobs/{ids[0]}").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert_orthanc_error(cirrus.http.get(f"/jobs/{ids[0]}"), 404, 17, "GET")


def test_a_synchronous_call_that_takes_too_long_names_its_job(
    cirrus: Any, configure: Any, peer: FakePeer
) -> None:
    configure(OrthancPeers={"fake": [peer.url, "bob", "pw"]}, SynchronousJobTimeout=1)
    _, answers, _ = series(cirrus, 1)
    peer.hold_at = 1
    response = post(cirrus, "/peers/fake/store", [answers[0]["ID"]])
    assert_orthanc_error(response, 504, 16, "POST")
    details = body(response)["Details"]
    assert '"Asynchronous": true' in details
    job_id = details.split("as job ")[1].split(" ")[0]
    peer.release.set()
    assert wait_job(cirrus, job_id)["State"] == "Success"


def test_store_straight_and_system(cirrus: Any, peer: FakePeer) -> None:
    data = make_instance()
    response = cirrus.http.post(
        "/peers/fake/store-straight", body=data, headers={"Content-Type": "application/dicom"}
    )
    assert response.status_code == 200, response.body
    answer = body(response)
    assert answer["Status"] == "Success" and peer.posts[answer["ID"]] == 1
    assert get(cirrus, "/peers/fake/system") == {"Name": "FakePeer", "Version": "1.10.1"}
    assert_orthanc_error(cirrus.http.get("/peers/dead/system"), 500, 9, "GET")
    assert get(cirrus, "/jobs") == []  # store-straight is not a job


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_peer_with_client_certificate(
    client: Any, job_runner: Any, configure: Any, tmp_path: Any
) -> None:
    import ssl

    from tests.support.certificates import KEY_PASSWORD, make_certificates

    certs = make_certificates(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(certs.server_cert, certs.server_key)
    tls.load_verify_locations(certs.ca)
    tls.verify_mode = ssl.CERT_REQUIRED  # the peer insists on a client certificate
    with FakePeer(tls=tls) as peer:
        with_certificate = {
            "Url": peer.url,
            "CertificateFile": str(certs.client_cert),
            "CertificateKeyFile": str(certs.client_key),
            "CertificateKeyPassword": KEY_PASSWORD,
        }
        peers = {"tls": with_certificate, "anonymous": [peer.url]}
        configure(OrthancPeers=peers, HttpsCACertificates=str(certs.ca), HttpTimeout=5)
        _, answers, _ = series(client, 1)
        instance = answers[0]["ID"]
        assert post(client, "/peers/tls/store", [instance]).status_code == 200
        assert peer.posts == {instance: 1}
        assert get(client, "/peers/tls/system")["Name"] == "FakePeer"
        # No client certificate: the peer's TLS handshake refuses us.
        assert_orthanc_error(post(client, "/peers/anonymous/store", [instance]), 500, 9, "POST")
        # Without the CA, the peer's certificate is not trusted...
        configure(OrthancPeers=peers)
        refused = post(client, "/peers/tls/store", [instance])
        assert_orthanc_error(refused, 500, 9, "POST")
        assert "CERTIFICATE_VERIFY_FAILED" in body(refused)["Details"]
        # ...unless verification is off (HttpsVerifyPeers), as in Orthanc.
        configure(OrthancPeers=peers, HttpsVerifyPeers=False)
        assert post(client, "/peers/tls/store", [instance]).status_code == 200
        assert peer.posts == {instance: 2}


def test_peer_http_headers_and_credentials_are_sent(
    cirrus: Any, configure: Any, peer: FakePeer
) -> None:
    long_form = {
        "Url": peer.url,
        "Username": "bob",
        "Password": "pw",
        "HttpHeaders": {"X-Site": "A"},
    }
    configure(OrthancPeers={"fake": long_form})
    _, answers, _ = series(cirrus, 1)
    assert post(cirrus, "/peers/fake/store", [answers[0]["ID"]]).status_code == 200
    sent = peer.headers[-1]
    assert sent["x-site"] == "A" and sent["content-type"] == "application/dicom"
    assert sent["authorization"] == "Basic Ym9iOnB3"  # bob:pw
