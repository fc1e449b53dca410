"""POST /instances through the app, against moto."""

from __future__ import annotations

import gzip
import io
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError
from pydicom.uid import generate_uid

from chalicelib import bootstrap
from tests.integration.helpers import (
    CT_SMALL_IDS,
    assert_orthanc_error,
    body,
    get,
    sample_file,
    upload,
)
from tests.support.dicom_factory import make_instance


def test_upload_answers_orthanc_ids_and_paths(client) -> None:
    answer = upload(client, sample_file("CT_small.dcm"), {"Content-Type": "application/dicom"})
    assert answer == {
        **CT_SMALL_IDS,
        "Path": f"/instances/{CT_SMALL_IDS['ID']}",
        "Status": "Success",
    }


def test_second_upload_is_already_stored_and_not_counted_twice(client) -> None:
    data = sample_file("CT_small.dcm")
    upload(client, data)
    assert upload(client, data)["Status"] == "AlreadyStored"
    stats = get(client, "/statistics")
    assert stats["CountInstances"] == 1
    assert stats["TotalDiskSize"] == str(len(data))


def test_overwrite_instances_replaces_the_file(client, configure) -> None:
    configure(OverwriteInstances=True)
    sop = generate_uid()
    first = make_instance(sop_uid=sop, study_uid="1.2.3", series_uid="1.2.3.4")
    second = make_instance(sop_uid=sop, study_uid="1.2.3", series_uid="1.2.3.4", size=16)
    upload(client, first)
    answer = upload(client, second)
    assert answer["Status"] == "Success"
    file = client.http.get(f"/instances/{answer['ID']}/file")
    assert file.body == second
    stats = get(client, "/statistics")
    assert (stats["CountInstances"], stats["TotalDiskSize"]) == (1, str(len(second)))


def test_aws_requests_of_a_new_a_repeated_and_an_overwriting_upload(client, configure) -> None:
    """A new instance costs 3 requests, whose read asks for the records' keys only (which
    of the instance and its ancestors exist: nothing else is used, and botocore parsing the
    records was a tenth of its ingest work); a repeated one costs 1; an overwrite reads the
    stored record in full too (its file, attachments and labels are replaced), so 4."""
    from chalicelib.storage import aws

    calls: list[tuple[str, dict]] = []

    def record() -> None:
        """Note each request of the current clients (``configure`` builds new ones)."""
        calls.clear()
        for service in ("dynamodb", "s3"):
            aws.client(service).meta.events.register(
                f"before-parameter-build.{service}",
                lambda model, params, **_: calls.append((model.name, params)),
            )

    def names() -> list[str]:
        """The requests of the upload, without the settings' read (once per 5 s)."""
        settings = bootstrap.table_name("remotes")
        return [name for name, params in calls if params.get("TableName") != settings]

    data = make_instance(sop_uid=generate_uid(), study_uid="1.2.3", series_uid="1.2.3.4")
    record()
    upload(client, data)
    assert names() == ["BatchGetItem", "PutObject", "TransactWriteItems"]
    read = next(iter(calls[-3][1]["RequestItems"].values()))
    assert read["ProjectionExpression"] == "pk" and read["ConsistentRead"] is True
    calls.clear()
    assert upload(client, data)["Status"] == "AlreadyStored"
    assert names() == ["BatchGetItem"]
    configure(OverwriteInstances=True)
    record()
    assert upload(client, data)["Status"] == "Success"
    # The replaced file is deleted after the index points at the new one.
    assert names() == [
        "BatchGetItem",
        "GetItem",
        "PutObject",
        "TransactWriteItems",
        "DeleteObjects",
    ]


def test_zip_upload_skips_non_dicom_and_harmless_traversal_names(client) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/ct.dcm", sample_file("CT_small.dcm"))
        archive.writestr("../../etc/evil.dcm", sample_file("MR_small.dcm"))
        archive.writestr("readme.txt", b"not dicom")
        archive.writestr("folder/", b"")
    answers = upload(client, buffer.getvalue(), {"Content-Type": "application/zip"})
    assert [a["Status"] for a in answers] == ["Success", "Success"]
    assert answers[0]["ID"] == CT_SMALL_IDS["ID"]
    assert len(get(client, "/instances")) == 2


def test_gzip_content_encoding(client) -> None:
    data = sample_file("CT_small.dcm")
    answer = upload(client, gzip.compress(data), {"Content-Encoding": "gzip"})
    assert answer["ID"] == CT_SMALL_IDS["ID"]
    assert client.http.get(f"/instances/{answer['ID']}/file").body == data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"random bytes that are not DICOM at all",
        sample_file("CT_small.dcm")[:300],
    ],
    ids=["empty", "random", "truncated"],
)
def test_bad_dicom_is_400_with_orthanc_body(client, data: bytes) -> None:
    response = client.http.post("/instances", body=data)
    assert_orthanc_error(response, 400, 15, "POST")
    assert get(client, "/statistics")["CountInstances"] == 0


@pytest.mark.parametrize(
    ("value", "status", "orthanc_status"),
    [(None, 404, 21), ("", 400, 15)],
    ids=["absent", "empty"],
)
def test_file_without_sop_instance_uid_is_refused(client, value, status, orthanc_status) -> None:
    """As Orthanc: an absent UID is "Inexistent tag" (404), an empty one "Bad file format"."""
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(make_instance()))
    if value is None:
        del ds.SOPInstanceUID
    else:
        ds.SOPInstanceUID = value
    out = io.BytesIO()
    ds.save_as(out)
    response = client.http.post("/instances", body=out.getvalue())
    assert_orthanc_error(response, status, orthanc_status, "POST")
    assert "SOPInstanceUID" in body(response)["Details"]


def test_too_large_body_is_413(client, configure) -> None:
    configure(MaximumUploadSize=1000)
    response = client.http.post("/instances", body=sample_file("CT_small.dcm"))
    assert_orthanc_error(response, 413, 8, "POST")


def test_gzip_bomb_is_bounded(client, configure) -> None:
    configure(MaximumUploadSize=100_000)
    bomb = gzip.compress(bytes(50_000_000))
    response = client.http.post("/instances", body=bomb, headers={"Content-Encoding": "gzip"})
    assert_orthanc_error(response, 413, 8, "POST")


def test_chunked_upload_without_body_is_refused_clearly(client) -> None:
    response = client.http.post("/instances", body=b"", headers={"Transfer-Encoding": "chunked"})
    assert_orthanc_error(response, 411, 8, "POST")


def test_concurrent_uploads_into_one_series_lose_nothing(client, monkeypatch) -> None:
    """Six threads upload 30 instances of one new series at once.

    moto's backends are not thread-safe, while each real AWS request is atomic: a lock around
    every AWS call models exactly that, and leaves the service code between calls free to
    interleave (two threads both see the series missing, both try to create it...).
    """
    from botocore.client import BaseClient

    lock = threading.Lock()
    original = BaseClient._make_api_call

    def atomic_call(self, operation, params):
        with lock:
            return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", atomic_call)
    study, series = generate_uid(), generate_uid()
    files = [
        make_instance(study_uid=study, series_uid=series, instance_number=i) for i in range(30)
    ]
    ingest = bootstrap.ingest()
    from chalicelib.services.resources.ingest import Origin

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda d: ingest.store(d, Origin()), files))
    assert {r.status.value for r in results} == {"Success"}
    series_id = results[0].ids.series
    assert len(get(client, f"/series/{series_id}")["Instances"]) == 30
    stats = get(client, "/statistics")
    assert (stats["CountPatients"], stats["CountStudies"], stats["CountSeries"]) == (1, 1, 1)
    assert stats["CountInstances"] == 30


def test_lost_race_on_a_new_series_is_retried(client, monkeypatch) -> None:
    """Another upload creates the series between our read and our transaction."""
    index = bootstrap.index()
    study, series = generate_uid(), generate_uid()
    upload(client, make_instance(study_uid=study, series_uid=series, instance_number=1))
    original = index.existing
    stale = {"calls": 0}

    def stale_first_read(ids):
        stale["calls"] += 1
        return set() if stale["calls"] == 1 else original(ids)

    monkeypatch.setattr(index, "existing", stale_first_read)
    answer = upload(client, make_instance(study_uid=study, series_uid=series, instance_number=2))
    assert answer["Status"] == "Success"
    assert stale["calls"] == 2
    stats = get(client, "/statistics")
    assert [stats[k] for k in ("CountPatients", "CountStudies", "CountSeries")] == [1, 1, 1]
    assert stats["CountInstances"] == 2


def test_lost_race_on_the_same_instance_is_already_stored(client, monkeypatch) -> None:
    """The same file uploaded twice at once: one wins, the other answers AlreadyStored and
    leaves no second object in S3."""
    data = sample_file("CT_small.dcm")
    upload(client, data)
    index = bootstrap.index()
    monkeypatch.setattr(index, "existing", lambda ids: set())
    assert upload(client, data)["Status"] == "AlreadyStored"
    blobs = bootstrap.blobs()
    assert blobs._client.list_objects_v2(Bucket=blobs._bucket)["KeyCount"] == 1
    assert get(client, "/statistics")["CountInstances"] == 1


def test_lost_answer_of_our_own_commit_is_success(client, monkeypatch) -> None:
    """The transaction commits but its answer is lost; the SDK's retry fails the condition.
    (DynamoDB's idempotency token normally prevents this; the service must not rely on it.)"""
    from chalicelib.storage.index import TransactionConflict

    index = bootstrap.index()
    original = index.insert

    def commit_then_conflict(records, links, delta, replaced=None):
        original(records, links, delta, replaced)
        raise TransactionConflict({records[-1].id})

    monkeypatch.setattr(index, "insert", commit_then_conflict)
    answer = upload(client, sample_file("CT_small.dcm"))
    monkeypatch.undo()
    assert answer["Status"] == "Success"
    assert client.http.get(f"/instances/{answer['ID']}/file").body == sample_file("CT_small.dcm")
    assert get(client, "/statistics")["CountInstances"] == 1


def test_failed_index_write_leaves_nothing_behind(client, monkeypatch) -> None:
    """A crash between the S3 write and the index write: no visible instance, no object."""
    index = bootstrap.index()

    def broken_insert(*args, **kwargs):
        raise ClientError({"Error": {"Code": "InternalServerError"}}, "TransactWriteItems")

    monkeypatch.setattr(index, "insert", broken_insert)
    response = client.http.post("/instances", body=sample_file("CT_small.dcm"))
    assert_orthanc_error(response, 503, 36, "POST")
    monkeypatch.undo()
    assert get(client, "/instances") == []
    s3 = bootstrap.blobs()._client
    listed = s3.list_objects_v2(Bucket=bootstrap.blobs()._bucket)
    assert listed.get("KeyCount", 0) == 0
    # ... and a retry succeeds.
    assert upload(client, sample_file("CT_small.dcm"))["Status"] == "Success"


def test_counter_update_names_only_the_counts_that_change(client, configure) -> None:
    """An instance into an existing series adds to two of the five totals, and only those
    two are in the transaction's ADD (a shorter expression for DynamoDB and for moto, whose
    update costs grow with it); an overwrite by a file of the same size changes none and
    still sends a valid update."""
    from chalicelib.storage import aws as aws_clients

    configure(OverwriteInstances=True)
    study, series, sop = generate_uid(), generate_uid(), generate_uid()
    updates: list[str] = []

    def capture(params: dict, **_: object) -> None:
        updates.extend(
            action["Update"]["UpdateExpression"]
            for action in params.get("TransactItems", [])
            if "Update" in action
        )

    event = "provide-client-params.dynamodb.TransactWriteItems"
    dynamodb = aws_clients.client("dynamodb")
    dynamodb.meta.events.register(event, capture)
    try:
        upload(client, make_instance(study_uid=study, series_uid=series, instance_number=1))
        second = make_instance(study_uid=study, series_uid=series, sop_uid=sop)
        upload(client, second)
        upload(client, second)  # the same file again: replaced by itself
    finally:
        dynamodb.meta.events.unregister(event, capture)
    assert updates == [
        "ADD Patients :Patients, Studies :Studies, Series :Series, Instances :Instances, "
        "DiskSize :DiskSize",
        "ADD Instances :Instances, DiskSize :DiskSize",
        "ADD Instances :Instances",
    ]
    stats = get(client, "/statistics")
    assert (stats["CountPatients"], stats["CountSeries"], stats["CountInstances"]) == (1, 1, 2)


def test_uploads_into_one_series_share_no_item_but_a_counter_shard(client) -> None:
    """Two transactions that touch the same item conflict on DynamoDB (a ConditionCheck
    included), which moto does not model: so instances arriving in parallel into one series
    must write (or check) no common item, the series' record included, except the counter
    shard each picks at random among 16 (docs/architecture.md, "no hot item")."""
    from chalicelib.storage import aws as aws_clients

    study, series = generate_uid(), generate_uid()
    touched: list[set[str]] = []

    def capture(params: dict, **_: object) -> None:
        keys = set()
        for action in params["TransactItems"]:
            (operation,) = action.values()
            key = operation.get("Key") or operation["Item"]
            keys.add(f"{key['pk']['S']}|{key['sk']['S']}")
        touched.append(keys)

    event = "provide-client-params.dynamodb.TransactWriteItems"
    dynamodb = aws_clients.client("dynamodb")
    upload(client, make_instance(study_uid=study, series_uid=series, instance_number=1))
    dynamodb.meta.events.register(event, capture)
    try:
        for number in (2, 3, 4):
            upload(
                client, make_instance(study_uid=study, series_uid=series, instance_number=number)
            )
    finally:
        dynamodb.meta.events.unregister(event, capture)
    assert len(touched) == 3
    for one, other in ((0, 1), (0, 2), (1, 2)):
        shared = touched[one] & touched[other]
        assert all(key.startswith("#stats#") for key in shared), shared
