"""Shortcuts for integration tests that drive the app through Chalice's test client."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydicom.data import get_testdata_file

CT_SMALL_IDS = {
    "ID": "f689ddd2-662f8fe1-8b18180d-ec2a2cee-937917af",
    "ParentPatient": "fa558bce-587a86d3-ad0da9b3-9d043d9d-4f5c5718",
    "ParentStudy": "8a8cf898-ca27c490-d0c7058c-929d0581-2bbf104d",
    "ParentSeries": "93034833-163e42c3-bc9a428b-194620cf-2c5799e5",
}


def sample_file(name: str) -> bytes:
    path = get_testdata_file(name)
    assert path, f"pydicom test file {name} is missing"
    with open(path, "rb") as handle:
        return handle.read()


def body(response: Any) -> Any:
    return json.loads(response.body)


def upload(client: Any, data: bytes, headers: dict[str, str] | None = None) -> Any:
    response = client.http.post("/instances", body=data, headers=headers or {})
    assert response.status_code == 200, response.body
    return body(response)


def get(client: Any, path: str, status: int = 200) -> Any:
    response = client.http.get(path)
    assert response.status_code == status, (path, response.status_code, response.body)
    return body(response) if "json" in response.headers.get("Content-Type", "") else response


def assert_orthanc_error(response: Any, status: int, orthanc_status: int, method: str) -> None:
    """Every error carries Orthanc's JSON body."""
    assert response.status_code == status, response.body
    answer = body(response)
    assert answer["HttpStatus"] == status
    assert answer["OrthancStatus"] == orthanc_status
    assert answer["Method"] == method
    assert set(answer) >= {"HttpError", "Message", "OrthancError", "Uri"}


def wait_job(client: Any, job_id: str, states: tuple[str, ...] = ("Success", "Failure")) -> Any:
    """The job once in one of ``states`` (20 s at most)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = get(client, f"/jobs/{job_id}")
        if job["State"] in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job['State']}")


def kill_the_first_mark(monkeypatch: Any) -> dict[str, int]:
    """Make the job worker die once, after doing a step's work but before recording it (the
    first ``JobStore.mark`` raises); the returned counter says how many marks were tried,
    so a test can check the step ran again."""
    from chalicelib.storage.jobs import JobStore

    real_mark = JobStore.mark
    calls = {"n": 0}

    def dying_mark(self: JobStore, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("worker killed")
        return real_mark(self, *args, **kwargs)

    monkeypatch.setattr(JobStore, "mark", dying_mark)
    return calls


@contextmanager
def aws_requests(
    this_thread: bool = False, services: tuple[str, ...] = ("dynamodb", "s3")
) -> Iterator[Counter[str]]:
    """The requests the app makes to ``services`` inside the block, by operation, and those
    naming an S3 key also by operation and the key's first segment (``GetObject:dicom``, an
    instance file), to say which objects a route reads. ``this_thread``: only the requests
    of the calling thread (a route's own, not those a job runner thread makes meanwhile)."""
    import threading

    from chalicelib.storage import aws as aws_clients

    calls: Counter[str] = Counter()
    caller = threading.get_ident()

    def count(model: Any, params: Any = None, **_: Any) -> None:
        if this_thread and threading.get_ident() != caller:
            return
        key = (params or {}).get("Key")  # an S3 key; DynamoDB's are dicts
        prefixed = [f"{model.name}:{key.split('/')[0]}"] if isinstance(key, str) else []
        calls.update([model.name, *prefixed])

    clients = [aws_clients.client(service) for service in services]
    for one in clients:
        one.meta.events.register("before-parameter-build.*.*", count)
    try:
        yield calls
    finally:
        for one in clients:
            one.meta.events.unregister("before-parameter-build.*.*", count)


def deployment_secrets() -> dict[str, dict[str, Any]]:
    """The secrets under the deployment's prefix (peers', DICOMweb servers'): name -> value."""
    from chalicelib.storage import aws as aws_clients
    from chalicelib.storage.secrets import secrets_prefix

    client = aws_clients.client("secretsmanager")
    names = [s["Name"] for s in client.list_secrets()["SecretList"]]
    return {
        n: json.loads(client.get_secret_value(SecretId=n)["SecretString"])
        for n in names
        if n.startswith(secrets_prefix())
    }
