"""Throttling and transient AWS errors during ingest, find, delete, a job and the stream handler
(tests/support/fault_injection.py injects them under botocore, with AWS's own error shapes).

* Failures that botocore's retries absorb change nothing a client sees.
* Failures that outlast the retries answer Orthanc's clean, retryable 503 (DatabaseUnavailable),
  never a 500, a traceback or a hang; the same requests succeed once AWS recovers.
* Afterwards the index, S3 and the counters agree exactly (tests/support/consistency.py).
  The only objects left behind are those whose deletion S3 refused after the index let go of
  them: orphans by design, reported apart, for the orphan sweeper
  (services/resources/sweeper.py, tested with its own grace period elsewhere).
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from pydicom.uid import generate_uid

from tests.integration.helpers import body, get, wait_job
from tests.support.consistency import Report, check
from tests.support.dicom_factory import make_instance
from tests.support.fault_injection import FAULTS, Injector, injecting

DATABASE_UNAVAILABLE = 36
FIND = json.dumps({"Level": "Instance", "Query": {"PatientID": "FAULT*"}})


def consistency() -> Report:
    from chalicelib.storage import aws
    from chalicelib.storage.schema import bucket_name, table_name

    return check(
        aws.client("dynamodb"), aws.client("s3"), table_name("index"), bucket_name("dicom")
    )


def files() -> list[bytes]:
    """Two studies of three instances in one series each, and a study of its own: most
    uploads land in a study and series an earlier one created."""
    studies = [(generate_uid(), generate_uid()) for _ in range(3)]
    return [
        make_instance(f"FAULT{s % 2}", *studies[s], instance_number=n + 1)
        for s, count in enumerate((3, 3, 1))
        for n in range(count)
    ]


def clean(response: Any, method: str) -> bool:
    """True for a success; for a failure, checks it is Orthanc's retryable 503 and says no."""
    if response.status_code == 200:
        return True
    assert response.status_code == 503, (method, response.status_code, response.body)
    answer = body(response)
    assert answer["OrthancStatus"] == DATABASE_UNAVAILABLE and answer["Method"] == method
    return False


def pump(feed: Any) -> bool:
    """One delivery of the stream to the handler, as Lambda makes it: a batch that raised is
    delivered again from its first record next time."""
    try:
        feed.pump()
    except Exception:  # noqa: BLE001 - what Lambda does with a failed invocation: retry it
        return False
    return True


def drain(feed: Any) -> None:
    """Deliver the stream until a delivery succeeds (AWS has recovered: the first should)."""
    assert any(pump(feed) for _ in range(3)), "the stream handler keeps failing"


def changes(client: Any) -> list[tuple[str, str]]:
    answer = get(client, "/changes?limit=1000")
    assert answer["Done"]
    return [(c["ChangeType"], c["ID"]) for c in answer["Changes"]]


def test_faults_the_retries_absorb_change_nothing(client: Any, feed: Any, job_runner: Any) -> None:
    with injecting(Injector(seed=7, rate=0.5)) as injector:
        stored = [body(client.http.post("/instances", body=data)) for data in files()]
        assert all("ID" in answer for answer in stored), stored
        found = client.http.post("/tools/find", body=FIND)
        assert sorted(body(found)) == sorted(a["ID"] for a in stored)
        study = stored[0]["ParentStudy"]
        job = client.http.post(
            f"/studies/{study}/modify",
            body=json.dumps({"Replace": {"StudyDescription": "x"}, "Asynchronous": True}),
        )
        assert job.status_code == 200, job.body
        assert wait_job(client, body(job)["ID"])["State"] == "Success"
        assert client.http.delete(f"/studies/{study}").status_code == 200
        assert pump(feed)
        assert get(client, "/statistics")["CountInstances"] == 7 - 3 + 3
    assert {key.split(":")[0].split(".")[0] for key in injector.injected} == {
        "dynamodb",
        "s3",
        "sfn",
    }, injector.injected
    report = consistency()
    assert report.ok, str(report)
    logged = changes(client)
    assert len(logged) == len(set(logged))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_faults_beyond_the_retries_answer_503_and_leave_the_store_consistent(
    client: Any, feed: Any, job_runner: Any, seed: int
) -> None:
    data = files()
    retry: list[Callable[[], Any]] = []
    with injecting(Injector(seed=seed, rate=0.15, persistent=True)) as injector:
        stored: dict[int, dict[str, Any]] = {}
        for number, file in enumerate(data):
            answer = client.http.post("/instances", body=file)
            if clean(answer, "POST"):
                stored[number] = body(answer)
            else:
                retry.append(lambda file=file: client.http.post("/instances", body=file))
        if not clean(client.http.post("/tools/find", body=FIND), "POST"):
            retry.append(lambda: client.http.post("/tools/find", body=FIND))
        job_ids = _modify_the_first_study(client, stored, retry)
        deleted = _delete_the_last_study(client, stored, retry)
        pump(feed)
        injector.enabled = False  # AWS recovers; the hook stays, calls pass through it

        for again in retry:
            assert again().status_code == 200
        for job_id in job_ids:
            _finish(client, job_id)
        drain(feed)
    assert retry, injector.calls  # the seed made some requests fail
    report = consistency()
    assert report.problems == [], str(report)
    assert set(report.orphans) <= _keys_s3_refused_to_delete(injector), str(report)
    logged = changes(client)
    assert len(logged) == len(set(logged))
    instances = {i for kind, i in logged if kind == "NewInstance"}
    assert set(get(client, "/instances")) == instances
    assert get(client, "/statistics")["CountInstances"] == report.counts["Instances"]
    assert deleted is None or client.http.get(f"/studies/{deleted}").status_code == 404


def _modify_the_first_study(
    client: Any, stored: dict[int, dict[str, Any]], retry: list[Callable[[], Any]]
) -> list[str]:
    """An asynchronous modification (a job that reads files and stores new ones): the IDs of
    the jobs submitted, the failed submission to retry."""
    if 0 not in stored:
        return []
    path = f"/studies/{stored[0]['ParentStudy']}/modify"
    request = json.dumps({"Replace": {"StudyDescription": "x"}, "Asynchronous": True})
    answer = client.http.post(path, body=request)
    if clean(answer, "POST"):
        return [body(answer)["ID"]]
    jobs: list[str] = []
    retry.append(lambda: _record(jobs, client.http.post(path, body=request)))
    return jobs


def _record(jobs: list[str], answer: Any) -> Any:
    if answer.status_code == 200:
        jobs.append(body(answer)["ID"])
    return answer


def _delete_the_last_study(
    client: Any, stored: dict[int, dict[str, Any]], retry: list[Callable[[], Any]]
) -> str | None:
    """DELETE of the study of its own (its patient keeps another study): the study ID."""
    last = max(stored, default=None)
    if last != 6:
        return None
    study = stored[last]["ParentStudy"]
    if not clean(client.http.delete(f"/studies/{study}"), "DELETE"):
        retry.append(lambda: client.http.delete(f"/studies/{study}"))
    return study


def _finish(client: Any, job_id: str) -> None:
    """A job ends in Success, or in a Failure that names the database (its step kept
    failing under Step Functions' retries): resubmitted once AWS recovers, it succeeds."""
    job = wait_job(client, job_id)
    if job["State"] == "Failure":
        assert job["ErrorCode"] == DATABASE_UNAVAILABLE, job
        assert client.http.post(f"/jobs/{job_id}/resubmit", body=b"").status_code == 200
        job = wait_job(client, job_id)
    assert job["State"] == "Success", job


def _keys_s3_refused_to_delete(injector: Injector) -> set[str]:
    """The keys of the DeleteObjects calls that failed for good."""
    bodies = injector.failed_bodies.get("s3.DeleteObjects", [])
    return {key for data in bodies for key in re.findall(r"<Key>([^<]+)</Key>", data.decode())}


def test_the_same_seed_chooses_the_same_calls() -> None:
    first, second, other = (Injector(seed=n, rate=0.5) for n in (5, 5, 6))
    picks = [[i._choose("dynamodb", "Query") for _ in range(50)] for i in (first, second, other)]
    assert picks[0] == picks[1] != picks[2]
    assert 10 < sum(p is not None for p in picks[0]) < 40


@pytest.mark.parametrize("service", ["s3", "dynamodb"])
def test_a_job_whose_steps_keep_failing_names_the_database(
    client: Any, feed: Any, job_runner: Any, service: str
) -> None:
    """Every read of the job's files (S3) or of the index (DynamoDB) fails: Step Functions'
    retries give up and the job fails with DatabaseUnavailable, not an internal error; once
    AWS recovers, the resubmitted job stores each modified instance once."""
    stored = [body(client.http.post("/instances", body=data)) for data in files()]
    path = f"/studies/{stored[0]['ParentStudy']}/modify"
    request = json.dumps({"Replace": {"StudyDescription": "x"}, "Asynchronous": True})
    reads = ("GetObject", "BatchGetItem")
    # The job runner's thread fails from the job's first step; this test's requests do not.
    injector = Injector(
        seed=1,
        rate=1.0,
        persistent=True,
        services=(service,),
        operations=reads,
        spared_thread=threading.get_ident(),
    )
    with injecting(injector):
        job_id = body(client.http.post(path, body=request))["ID"]
        job = wait_job(client, job_id)
    assert job["State"] == "Failure" and job["ErrorCode"] == DATABASE_UNAVAILABLE, job
    assert "Traceback" not in job["ErrorDetails"]
    _finish(client, job_id)
    assert pump(feed)
    report = consistency()
    assert report.ok, str(report)
    assert report.counts["Instances"] == len(stored) + 3


@pytest.mark.parametrize("seed", [1, 2])
def test_the_stream_handler_loses_no_record_and_logs_none_twice(
    client: Any, feed: Any, seed: int
) -> None:
    """The changes log's writes fail: the handler answers a partial batch failure (the
    stream is read again from the failed record, as Lambda does), and once DynamoDB
    recovers every arrival is logged exactly once."""
    stored = [body(client.http.post("/instances", body=data)) for data in files()]
    with injecting(
        Injector(seed=seed, rate=1.0, persistent=True, operations=("TransactWriteItems",))
    ):
        assert pump(feed) and changes(client) == []  # a partial batch failure, not an error
    with injecting(
        Injector(seed=seed, rate=0.3, persistent=True, services=("dynamodb",))
    ) as injector:
        for _ in range(5):
            pump(feed)
        injector.enabled = False
        drain(feed)
    logged = Counter(changes(client))
    assert set(logged.values()) == {1}
    kinds = Counter(kind for kind, _ in logged)
    assert kinds == {"NewInstance": 7, "NewSeries": 3, "NewStudy": 3, "NewPatient": 2}
    assert {i for kind, i in logged if kind == "NewInstance"} == {a["ID"] for a in stored}
    assert consistency().ok


def test_a_transaction_throttled_on_every_try_answers_503(client: Any) -> None:
    """DynamoDB cancels the transaction for ThrottlingError, which the SDK does not retry:
    the product's own conflict retries give up with 503, not 500, and nothing is written."""
    first, second = files()[:2]
    study = body(client.http.post("/instances", body=first))["ParentStudy"]
    throttled = tuple(f for f in FAULTS if f.code == "TransactionCanceledException")
    with injecting(Injector(seed=1, rate=1.0, persistent=True, faults=throttled)) as injector:
        assert not clean(client.http.post("/instances", body=second), "POST")
        assert not clean(client.http.delete(f"/studies/{study}"), "DELETE")
    assert injector.injected
    report = consistency()
    assert report.ok and report.counts["Instances"] == 1, str(report)


def test_s3_refusing_to_delete_after_the_index_does_not_fail_the_delete(client: Any) -> None:
    """The index write is the commit: a DELETE whose files S3 then refuses to delete answers
    200 (a retry would answer 404), and the files are orphans for the sweeper."""
    stored = [body(client.http.post("/instances", body=data)) for data in files()[:3]]
    injector = Injector(seed=1, rate=1.0, persistent=True, operations=("DeleteObjects",))
    with injecting(injector):
        assert client.http.delete(f"/studies/{stored[0]['ParentStudy']}").status_code == 200
    report = consistency()
    assert report.problems == [] and report.counts["Instances"] == 0, str(report)
    assert set(report.orphans) == _keys_s3_refused_to_delete(injector)
    assert len(report.orphans) == 3
