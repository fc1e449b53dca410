"""POST /instances through the app, against moto."""

from __future__ import annotations

import gzip
import io
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
    testdata,
    upload,
)
from tests.support.dicom_factory import make_instance


def test_upload_answers_orthanc_ids_and_paths(client) -> None:
    answer = upload(client, testdata("CT_small.dcm"), {"Content-Type": "application/dicom"})
    assert answer == {
        **CT_SMALL_IDS,
        "Path": f"/instances/{CT_SMALL_IDS['ID']}",
        "Status": "Success",
    }


def test_second_upload_is_already_stored_and_not_counted_twice(client) -> None:
    data = testdata("CT_small.dcm")
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


def test_zip_upload_skips_non_dicom_and_harmless_traversal_names(client) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/ct.dcm", testdata("CT_small.dcm"))
        archive.writestr("../../etc/evil.dcm", testdata("MR_small.dcm"))
        archive.writestr("readme.txt", b"not dicom")
        archive.writestr("folder/", b"")
    answers = upload(client, buffer.getvalue(), {"Content-Type": "application/zip"})
    assert [a["Status"] for a in answers] == ["Success", "Success"]
    assert answers[0]["ID"] == CT_SMALL_IDS["ID"]
    assert len(get(client, "/instances")) == 2


def test_gzip_content_encoding(client) -> None:
    data = testdata("CT_small.dcm")
    answer = upload(client, gzip.compress(data), {"Content-Encoding": "gzip"})
    assert answer["ID"] == CT_SMALL_IDS["ID"]
    assert client.http.get(f"/instances/{answer['ID']}/file").body == data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"random bytes that are not DICOM at all",
        testdata("CT_small.dcm")[:300],
    ],
    ids=["empty", "random", "truncated"],
)
def test_bad_dicom_is_400_with_orthanc_body(client, data: bytes) -> None:
    response = client.http.post("/instances", body=data)
    assert_orthanc_error(response, 400, 15, "POST")
    assert get(client, "/statistics")["CountInstances"] == 0


def test_file_without_sop_instance_uid_is_refused(client) -> None:
    import pydicom

    ds = pydicom.dcmread(io.BytesIO(make_instance()))
    del ds.SOPInstanceUID
    out = io.BytesIO()
    ds.save_as(out)
    response = client.http.post("/instances", body=out.getvalue())
    assert_orthanc_error(response, 400, 15, "POST")
    assert "SOPInstanceUID" in body(response)["Details"]


def test_too_large_body_is_413(client, configure) -> None:
    configure(MaximumUploadSize=1000)
    response = client.http.post("/instances", body=testdata("CT_small.dcm"))
    assert_orthanc_error(response, 413, 8, "POST")


def test_gzip_bomb_is_bounded(client, configure) -> None:
    configure(MaximumUploadSize=100_000)
    bomb = gzip.compress(bytes(50_000_000))
    response = client.http.post("/instances", body=bomb, headers={"Content-Encoding": "gzip"})
    assert_orthanc_error(response, 413, 8, "POST")


def test_chunked_upload_without_body_is_refused_clearly(client) -> None:
    response = client.http.post("/instances", body=b"", headers={"Transfer-Encoding": "chunked"})
    assert_orthanc_error(response, 411, 8, "POST")


def test_concurrent_uploads_into_one_series_lose_nothing(client) -> None:
    study, series = generate_uid(), generate_uid()
    files = [
        make_instance(study_uid=study, series_uid=series, instance_number=i) for i in range(30)
    ]
    ingest = bootstrap.ingest()
    from chalicelib.services.ingest import Origin

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda d: ingest.store(d, Origin()), files))
    assert {r.status.value for r in results} == {"Success"}
    series_id = results[0].ids.series
    assert len(get(client, f"/series/{series_id}")["Instances"]) == 30
    stats = get(client, "/statistics")
    assert (stats["CountPatients"], stats["CountStudies"], stats["CountSeries"]) == (1, 1, 1)
    assert stats["CountInstances"] == 30


def test_failed_index_write_leaves_nothing_behind(client, monkeypatch) -> None:
    """A crash between the S3 write and the index write: no visible instance, no object."""
    index = bootstrap.index()

    def broken_insert(*args, **kwargs):
        raise ClientError({"Error": {"Code": "InternalServerError"}}, "TransactWriteItems")

    monkeypatch.setattr(index, "insert", broken_insert)
    response = client.http.post("/instances", body=testdata("CT_small.dcm"))
    assert_orthanc_error(response, 503, 36, "POST")
    monkeypatch.undo()
    assert get(client, "/instances") == []
    s3 = bootstrap.blobs()._client
    listed = s3.list_objects_v2(Bucket=bootstrap.blobs()._bucket)
    assert listed.get("KeyCount", 0) == 0
    # ... and a retry succeeds.
    assert upload(client, testdata("CT_small.dcm"))["Status"] == "Success"
