"""Bodies larger than the API carries go through S3, against moto: downloads answer a redirect
to a presigned URL, uploads use POST /cirrus/uploads and the S3 event handler. The threshold is
lowered so that small pydicom files take the large path."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from typing import Any

import pytest
import requests

from chalicelib.storage import aws as aws_clients
from chalicelib.storage.schema import bucket_name
from chalicelib.storage.transfers import DOWNLOADS, MIN_PART_SIZE, UPLOADS
from local_stack.feed import s3_event, upload_poller
from tests.integration.helpers import (
    CT_SMALL_IDS,
    assert_orthanc_error,
    body,
    sample_file,
    upload,
)

THRESHOLD = 5000


@pytest.fixture
def large(client: Any, configure: Any) -> Any:
    configure(LargeObjectThreshold=THRESHOLD)
    return client


def _s3_keys(prefix: str) -> list[str]:
    answer = aws_clients.client("s3").list_objects_v2(Bucket=bucket_name("dicom"), Prefix=prefix)
    return [item["Key"] for item in answer.get("Contents", [])]


def _deliver(client: Any) -> None:
    """What S3 does after an upload: call the app's handler for each new object."""
    from app import upload_received

    upload_poller(aws_clients.client("s3"), bucket_name("dicom"), upload_received)()


# -- downloads ---------------------------------------------------------------------------------


def test_small_file_is_in_the_body(large: Any) -> None:
    small = sample_file("rtplan.dcm")
    assert len(small) < THRESHOLD
    answer = upload(large, small)
    response = large.http.get(f"/instances/{answer['ID']}/file")
    assert response.status_code == 200
    assert response.body == small


def test_large_file_redirects_to_a_presigned_url_with_the_same_bytes(large: Any) -> None:
    data = sample_file("CT_small.dcm")
    assert len(data) > THRESHOLD
    # POST /instances refuses it now: it goes through a presigned upload.
    store_through_s3(large, data)
    response = large.http.get(f"/instances/{CT_SMALL_IDS['ID']}/file")
    assert response.status_code == 307
    assert response.body in (b"", "")
    fetched = requests.get(response.headers["Location"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched.headers["Content-Type"] == "application/dicom"
    assert fetched.headers["Content-Disposition"].endswith('.dcm"')


def store_through_s3(client: Any, data: bytes) -> None:
    """Store ``data`` through the upload path meant for it: a presigned upload."""
    created = body(client.http.post("/cirrus/uploads", body=""))
    assert requests.put(created["Url"], data=data, timeout=10).status_code == 200
    _deliver(client)
    status = body(client.http.get(created["Path"]))
    assert status["State"] == "Done" and status["HttpStatus"] == 200, status


def _archive_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_large_archive_is_streamed_to_s3_and_redirected(large: Any) -> None:
    for name in ("CT_small.dcm", "MR_small.dcm"):
        store_through_s3(large, sample_file(name))
    study = CT_SMALL_IDS["ParentStudy"]
    response = large.http.get(f"/studies/{study}/archive")
    assert response.status_code == 307
    location = response.headers["Location"]
    archive = requests.get(location, timeout=10)
    assert archive.headers["Content-Type"] == "application/zip"
    assert archive.headers["Content-Disposition"] == f'filename="{study}.zip"'
    [member] = _archive_names(archive.content)
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert opened.read(member) == sample_file("CT_small.dcm")
    assert len(_s3_keys(DOWNLOADS)) == 1
    # POST asks for the same archive: 303, so that clients GET the URL instead of posting.
    posted = large.http.post(f"/studies/{study}/archive", body="{}")
    assert posted.status_code == 303
    assert requests.get(posted.headers["Location"], timeout=10).content[:2] == b"PK"


def test_the_console_asks_for_the_link_instead_of_the_redirect(large: Any) -> None:
    """The web console cannot read a redirect's Location: with ``X-Cirrus-Download: link``
    the same URL comes as JSON; small answers are unchanged."""
    store_through_s3(large, sample_file("CT_small.dcm"))
    study = CT_SMALL_IDS["ParentStudy"]
    link = {"X-Cirrus-Download": "link"}
    posted = large.http.post(
        "/tools/create-archive", body=f'{{"Resources": ["{study}"]}}', headers=link
    )
    assert posted.status_code == 200
    answer = body(posted)
    assert answer["FileName"] == "Archive.zip"
    with zipfile.ZipFile(io.BytesIO(requests.get(answer["Url"], timeout=10).content)) as opened:
        assert [opened.read(name) for name in opened.namelist()] == [sample_file("CT_small.dcm")]
    small = upload(large, sample_file("rtplan.dcm"))
    response = large.http.get(f"/instances/{small['ID']}/file", headers=link)
    assert response.status_code == 200
    assert response.body == sample_file("rtplan.dcm")


def test_streamed_write_uses_parts_and_keeps_every_byte(aws: None) -> None:
    from chalicelib.storage.transfers import Transfers

    transfers = Transfers(aws_clients.client("s3"), bucket_name("dicom"))
    chunks = [bytes([n]) * (MIN_PART_SIZE // 3 + 7) for n in range(10)]
    size = transfers.write("downloads/test/big.bin", iter(chunks), "application/octet-stream")
    assert size == sum(len(c) for c in chunks)
    assert transfers.read("downloads/test/big.bin") == b"".join(chunks)
    # One chunk of several parts is split too (a NumPy answer comes in one piece).
    whole = bytes(range(256)) * (MIN_PART_SIZE * 2 // 256 + 11)
    assert transfers.write("downloads/test/one.bin", [whole], "application/octet-stream") == len(
        whole
    )
    assert transfers.read("downloads/test/one.bin") == whole
    head = aws_clients.client("s3").head_object(
        Bucket=bucket_name("dicom"), Key="downloads/test/one.bin"
    )
    assert head["ETag"].endswith('-2"')  # a multipart object of two parts (8 MiB + rest)


# -- uploads -----------------------------------------------------------------------------------


def test_post_instances_above_the_threshold_points_to_the_upload_route(large: Any) -> None:
    response = large.http.post("/instances", body=sample_file("CT_small.dcm"))
    assert_orthanc_error(response, 413, 8, "POST")
    assert "/cirrus/uploads" in body(response)["Details"]


def test_presigned_upload_is_ingested_with_the_answer_of_post_instances(large: Any) -> None:
    created = body(large.http.post("/cirrus/uploads", body=json.dumps({"Size": 1000})))
    assert created["Method"] == "PUT" and created["Path"] == f"/cirrus/uploads/{created['ID']}"
    assert body(large.http.get(created["Path"])) == {"ID": created["ID"], "State": "Pending"}
    data = sample_file("CT_small.dcm")
    assert requests.put(created["Url"], data=data, timeout=10).status_code == 200
    _deliver(large)
    assert body(large.http.get(created["Path"])) == {
        "ID": created["ID"],
        "State": "Done",
        "HttpStatus": 200,
        "Answer": {**CT_SMALL_IDS, "Path": f"/instances/{CT_SMALL_IDS['ID']}", "Status": "Success"},
    }
    assert _s3_keys(UPLOADS) == []
    metadata = body(large.http.get(f"/instances/{CT_SMALL_IDS['ID']}/metadata?expand"))
    assert metadata["Origin"] == "RestApi"
    # S3 may deliver an event twice: the second delivery changes nothing.
    from app import upload_received

    upload_received(s3_event(bucket_name("dicom"), f"{UPLOADS}{created['ID']}", 1), None)
    assert body(large.http.get(created["Path"]))["Answer"]["Status"] == "Success"


def test_gzip_and_zip_uploads_answer_as_post_instances(large: Any) -> None:
    created = body(large.http.post("/cirrus/uploads", body=json.dumps({"ContentEncoding": "gzip"})))
    requests.put(created["Url"], data=gzip.compress(sample_file("CT_small.dcm")), timeout=10)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as members:
        members.writestr("a.dcm", sample_file("MR_small.dcm"))
        members.writestr("readme.txt", "not DICOM")
    second = body(large.http.post("/cirrus/uploads", body=""))
    requests.put(second["Url"], data=archive.getvalue(), timeout=10)
    _deliver(large)
    assert body(large.http.get(created["Path"]))["Answer"]["ID"] == CT_SMALL_IDS["ID"]
    answer = body(large.http.get(second["Path"]))["Answer"]
    assert isinstance(answer, list) and [a["Status"] for a in answer] == ["Success"]


def test_multipart_upload_is_completed_by_the_server(large: Any) -> None:
    data = sample_file("CT_small.dcm")
    created = body(
        large.http.post("/cirrus/uploads", body=json.dumps({"Size": len(data), "Multipart": True}))
    )
    [part] = created["Parts"]
    assert part["PartNumber"] == 1 and created["PartSize"] >= MIN_PART_SIZE
    assert requests.put(part["Url"], data=data, timeout=10).status_code == 200
    completed = large.http.post(created["Complete"], body="")
    assert body(completed)["State"] == "Pending"
    _deliver(large)
    assert body(large.http.get(created["Path"]))["Answer"]["ID"] == CT_SMALL_IDS["ID"]
    # Completing twice is refused: the upload is no longer pending.
    assert_orthanc_error(large.http.post(created["Complete"], body=""), 400, 8, "POST")


@pytest.mark.parametrize(
    "data",
    [b"not a DICOM file" * 100, sample_file("CT_small.dcm")[:3000]],
    ids=["not-dicom", "cut-short"],
)
def test_upload_errors_are_recorded_as_orthanc_errors(large: Any, data: bytes) -> None:
    """Refused as POST /instances refuses them, nothing stored (a file cut short too)."""
    created = body(large.http.post("/cirrus/uploads", body=""))
    requests.put(created["Url"], data=data, timeout=10)
    _deliver(large)
    status = body(large.http.get(created["Path"]))
    assert status["HttpStatus"] == 400
    assert status["Answer"]["OrthancError"] == "Bad file format"
    assert status["Answer"]["Uri"] == created["Path"]
    assert body(large.http.get("/instances")) == []


def test_upload_requests_are_checked(large: Any, configure: Any) -> None:
    assert_orthanc_error(
        large.http.post("/cirrus/uploads", body=json.dumps({"Multipart": True})), 400, 8, "POST"
    )
    assert_orthanc_error(
        large.http.post("/cirrus/uploads", body=json.dumps({"Size": "big"})), 400, 8, "POST"
    )
    assert_orthanc_error(
        large.http.post("/cirrus/uploads", body=json.dumps({"Size": 10**12})), 413, 8, "POST"
    )
    assert_orthanc_error(large.http.get("/cirrus/uploads/nope"), 404, 17, "GET")
    assert_orthanc_error(
        large.http.get("/cirrus/uploads/2b6e4c50-0000-4000-8000-000000000000"),
        404,
        17,
        "GET",
    )


def test_small_generated_answers_are_in_the_body(large: Any) -> None:
    """Only answers above the threshold redirect: a client that does not follow redirects
    still gets the NumPy array, archive and media of a small instance directly."""
    import numpy as np

    from tests.support.dicom_factory import make_instance

    stored = upload(large, make_instance(size=8))
    series = stored["ParentSeries"]
    for path in (
        f"/instances/{stored['ID']}/numpy",
        f"/instances/{stored['ID']}/frames/0/numpy",
        f"/series/{series}/numpy",
        f"/series/{series}/archive",
        f"/series/{series}/media",
    ):
        response = large.http.get(path)
        assert (response.status_code, "location" in response.headers) == (200, False), path
        assert 0 < len(response.body) < THRESHOLD, path
    array = np.load(io.BytesIO(large.http.get(f"/instances/{stored['ID']}/numpy").body))
    assert array.shape == (1, 8, 8, 1)


def test_large_numpy_answer_is_redirected(large: Any) -> None:
    import numpy as np

    store_through_s3(large, sample_file("CT_small.dcm"))
    response = large.http.get(f"/instances/{CT_SMALL_IDS['ID']}/numpy")
    assert response.status_code == 307
    array = np.load(io.BytesIO(requests.get(response.headers["Location"], timeout=10).content))
    assert array.shape == (1, 128, 128, 1) and array.dtype == np.float32
