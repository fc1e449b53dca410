"""Reconstructing the index (``/{level}/{id}/reconstruct``, ``/tools/reconstruct``) and
``/tools/bulk-content`` through the app: what the differential tests cannot show (records
written by an older Cirrus brought up to date, the conditions on the writes, the job that
reconstructs the whole archive, the AWS requests of each route)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.storage import aws as aws_clients
from chalicelib.storage.index import TagRewrite, TransactionConflict, dump_item
from chalicelib.storage.schema import table_name
from tests.integration.helpers import get, upload, wait_job
from tests.support.dicom_factory import make_instance

STUDY = "1.2.826.0.1.3680043.97.1"


def _study(client: Any, study_uid: str = STUDY, patient: str = "REC") -> list[dict[str, str]]:
    """Two instances in two series of one study, with the tags the keys are built from."""
    return [
        upload(
            client,
            make_instance(
                patient,
                study_uid,
                f"{study_uid}.{n}",
                f"{study_uid}.{n}.1",
                AccessionNumber=f"ACC-{patient}",
                StudyDate="20190304",
                StudyDescription="Knee",
                SeriesDescription=f"Series {n}",
            ),
        )
        for n in (1, 2)
    ]


def _resources(uploaded: list[dict[str, str]]) -> list[str]:
    ids = {u[key] for u in uploaded for key in ("ParentPatient", "ParentStudy", "ParentSeries")}
    return sorted(ids) + sorted(u["ID"] for u in uploaded)


def _describe(client: Any, resources: list[str]) -> Any:
    response = client.http.post("/tools/bulk-content", body=json.dumps({"Resources": resources}))
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def _as_an_older_version_wrote(resource_ids: list[str]) -> None:
    """Records whose main tags and keys an older main-tags extraction wrote: fewer tags,
    other keys, a stale TransferSyntax for instances."""
    dynamodb = aws_clients.client("dynamodb")
    records = bootstrap.index().get_many(resource_ids)
    for resource_id in resource_ids:
        update = "SET Main = :empty, uid = :uid, PatientMain = :empty, sdate = :date, acc = :acc"
        values: dict[str, Any] = {":empty": {}, ":uid": "stale", ":date": "D1900", ":acc": "OLD"}
        if records[resource_id].level.value == "Instance":
            update += ", Meta.TransferSyntax = :syntax"
            values[":syntax"] = "1.2"
        dynamodb.update_item(
            TableName=table_name("index"),
            Key=dump_item({"pk": resource_id, "sk": "R"}),
            UpdateExpression=update,
            ExpressionAttributeValues=dump_item(values),
        )


def _count_requests() -> Iterator[Counter[str]]:
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls.update([model.name])

    clients = [aws_clients.client(service) for service in ("dynamodb", "s3")]
    for client in clients:
        client.meta.events.register("before-call.*.*", count)
    yield calls
    for client in clients:
        client.meta.events.unregister("before-call.*.*", count)


def _find(client: Any, level: str, query: dict[str, str]) -> list[str]:
    response = client.http.post("/tools/find", body=json.dumps({"Level": level, "Query": query}))
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def test_reconstructing_a_study_rewrites_what_an_older_version_indexed(client: Any) -> None:
    uploaded = _study(client)
    resources = _resources(uploaded)
    before = _describe(client, resources)
    _as_an_older_version_wrote(resources)
    assert _describe(client, resources) != before
    assert _find(client, "Study", {"AccessionNumber": "ACC-REC"}) == []

    response = client.http.post(f"/studies/{uploaded[0]['ParentStudy']}/reconstruct")
    assert (response.status_code, response.body) == (200, b"")
    # All of it, LastUpdate and ReceptionDate included: nothing but the derived values moved.
    assert _describe(client, resources) == before
    study = uploaded[0]["ParentStudy"]
    assert _find(client, "Study", {"AccessionNumber": "ACC-REC"}) == [study]
    assert _find(client, "Study", {"StudyDate": "20190101-20191231"}) == [study]
    assert _find(client, "Patient", {"PatientID": "REC"}) == [uploaded[0]["ParentPatient"]]


def test_reconstruct_costs_a_few_requests_per_study(client: Any) -> None:
    uploaded = _study(client)
    path = f"/studies/{uploaded[0]['ParentStudy']}/reconstruct"
    client.http.post(path)  # the process's first request reads the settings once
    counting = _count_requests()
    calls = next(counting)
    assert client.http.post(path).status_code == 200
    next(counting, None)
    # The study's partition, each series' partition; the instances, then their ancestors;
    # each file; one transaction for the 6 records (and no check: each source is written).
    assert calls == {"Query": 3, "BatchGetItem": 2, "GetObject": 2, "TransactWriteItems": 1}


def test_reconstruct_logs_no_change(client: Any, feed: Any) -> None:
    uploaded = _study(client)
    feed.pump()
    last = get(client, "/changes?last")["Last"]
    for level, key in (("patients", "ParentPatient"), ("instances", "ID")):
        assert client.http.post(f"/{level}/{uploaded[0][key]}/reconstruct").status_code == 200
    feed.pump()
    assert get(client, "/changes?last")["Last"] == last
    assert get(client, f"/changes?since={last}")["Changes"] == []


def test_a_write_holds_only_while_the_instance_holds_the_file_read(client: Any) -> None:
    uploaded = _study(client)
    index = bootstrap.index()
    instance = index.get(uploaded[0]["ID"])
    series = index.get(uploaded[0]["ParentSeries"])
    assert instance is not None and series is not None
    changed = {**series.main_tags, "SeriesDescription": "Changed"}
    stale = [
        TagRewrite(instance, instance.id, "another-file"),
        TagRewrite(series.__class__(**{**series.__dict__, "main_tags": changed}), instance.id, "x"),
    ]
    for rewrites in (stale, stale[1:]):  # the instance's own condition, then the check
        with pytest.raises(TransactionConflict) as conflict:
            index.rewrite_tags(rewrites)
        assert instance.id in conflict.value.failed
    assert index.get(series.id) == series


def test_an_instance_overwritten_during_a_reconstruct_gives_its_new_file(
    client: Any, configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file read is replaced before the write: the write is refused, and the study is
    read again, so that it ends with the values of the file the index holds."""
    configure(OverwriteInstances=True)
    uploaded = _study(client)
    instance = uploaded[0]
    newer = make_instance(
        "REC",
        STUDY,
        f"{STUDY}.1",
        f"{STUDY}.1.1",
        StudyDescription="Newer",
        AccessionNumber="ACC-REC",
    )
    service = bootstrap.reconstruct()
    read = service._read
    overwritten: list[bool] = []

    def overwritten_after_read(record: Any) -> Any:
        values = read(record)
        if record.id == instance["ID"] and not overwritten:
            overwritten.append(True)
            upload(client, newer)
        return values

    monkeypatch.setattr(service, "_read", overwritten_after_read)
    response = client.http.post(f"/instances/{instance['ID']}/reconstruct")
    assert response.status_code == 200
    assert overwritten
    study = get(client, f"/studies/{instance['ParentStudy']}")
    assert study["MainDicomTags"]["StudyDescription"] == "Newer"


def test_tools_reconstruct_runs_the_whole_archive_as_a_job(client: Any, job_runner: Any) -> None:
    first = _study(client)
    second = _study(client, "1.2.826.0.1.3680043.97.2", "REC2")
    resources = _resources(first) + _resources(second)
    before = _describe(client, resources)
    _as_an_older_version_wrote(resources)

    response = client.http.post("/tools/reconstruct")
    assert (response.status_code, response.body) == (200, b"")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert _describe(client, resources) == before
    jobs = get(client, "/jobs?expand")
    assert [(j["Type"], j["State"], j["Content"]["StudiesCount"]) for j in jobs] == [
        ("Reconstruct", "Success", 2)
    ]

    _as_an_older_version_wrote(resources)
    answer = json.loads(
        client.http.post("/tools/reconstruct", body=json.dumps({"Asynchronous": True})).body
    )
    assert answer["Path"] == f"/jobs/{answer['ID']}"
    assert wait_job(client, answer["ID"])["State"] == "Success"
    assert _describe(client, resources) == before


def test_bulk_content_costs(client: Any) -> None:
    uploaded = _study(client)
    patient = uploaded[0]["ParentPatient"]
    asked = [uploaded[0]["ID"], uploaded[0]["ParentSeries"]]
    _describe(client, asked)  # the process's first request reads the settings once
    counting = _count_requests()
    calls = next(counting)
    assert [item["ID"] for item in _describe(client, asked)] == asked
    assert calls == {"BatchGetItem": 1, "Query": 1}  # the records; the series' links
    calls.clear()
    body = json.dumps({"Resources": [patient], "Level": "Instance", "Metadata": False})
    answer = json.loads(client.http.post("/tools/bulk-content", body=body).body)
    assert [item["ID"] for item in answer] == sorted(u["ID"] for u in uploaded)
    assert "Metadata" not in answer[0]
    # The patient; its links, its study's, its series'; the instances.
    assert calls == {"BatchGetItem": 2, "Query": 4}
    next(counting, None)
