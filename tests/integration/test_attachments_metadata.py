"""Attachments and user metadata through the app: revision sequences, the S3 objects behind
attachments (replaced, deleted with their resource), the disk size counters, concurrent
writers, body limits and the configuration options."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from chalicelib.settings.config import ConfigError, parse_config
from tests.integration.helpers import body, upload
from tests.support.dicom_factory import make_instance

OPTIONS = {
    "UserMetadata": {"Note": 1024},
    "UserContentType": {"report": [1025, "application/pdf"], "raw": 1026},
    "CheckRevisions": True,
}


@pytest.fixture
def stored(client: Any, configure: Any) -> dict[str, str]:
    configure(**OPTIONS)
    return upload(client, make_instance("ATT", "1.2.826.0.8.1", "1.2.826.0.8.2", "1.2.826.0.8.3"))


def _objects(prefix: str) -> list[str]:
    from chalicelib.storage import aws
    from chalicelib.storage.schema import bucket_name

    listing = aws.client("s3").list_objects_v2(Bucket=bucket_name("dicom"), Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_revisions_count_up_and_start_again_after_a_delete(client: Any, stored: Any) -> None:
    path = f"/studies/{stored['ParentStudy']}/metadata/Note"
    etags = [client.http.put(path, body=b"v0").headers["ETag"]]
    for value in (b"v1", b"v2"):
        answer = client.http.put(path, body=value, headers={"If-Match": etags[-1]})
        assert answer.status_code == 200
        etags.append(answer.headers["ETag"])
    assert [e.split("-")[0] for e in etags] == ['"0', '"1', '"2']
    read = client.http.get(path)
    assert (read.body, read.headers["ETag"]) == (b"v2", etags[-1])
    stale = client.http.put(path, body=b"late", headers={"If-Match": etags[1]})
    assert stale.status_code == 409 and body(stale)["OrthancStatus"] == 43
    assert client.http.put(path, body=b"no if-match").status_code == 409  # CheckRevisions
    assert client.http.delete(path, headers={"If-Match": etags[-1]}).status_code == 200
    assert client.http.put(path, body=b"anew").headers["ETag"].startswith('"0-')


def test_attachment_objects_follow_the_index(client: Any, stored: Any) -> None:
    patient = stored["ParentPatient"]
    base = f"/patients/{patient}/attachments/report"
    before = body(client.http.get("/statistics"))
    first = client.http.put(base, body=b"first report")
    assert first.status_code == 200
    (first_key,) = _objects(f"attachments/{patient}/")
    second = client.http.put(base, body=b"the second", headers={"If-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert _objects(f"attachments/{patient}/") not in ([], [first_key])  # replaced by a new key
    assert client.http.get(f"{base}/data").body == b"the second"
    instance = f"/instances/{stored['ID']}/attachments/raw"
    assert client.http.put(instance, body=b"12345").status_code == 200
    after = body(client.http.get("/statistics"))
    assert int(after["TotalDiskSize"]) == int(before["TotalDiskSize"]) + len(b"the second") + 5
    stats = body(client.http.get(f"/patients/{patient}/statistics"))
    assert int(stats["DiskSize"]) - int(stats["DicomDiskSize"]) == len(b"the second") + 5
    assert client.http.delete(f"/patients/{patient}").status_code == 200
    assert _objects("attachments/") == [] and _objects("dicom/") == []
    assert body(client.http.get("/statistics"))["TotalDiskSize"] == "0"


def test_a_writer_with_a_stale_read_loses(client: Any, stored: Any) -> None:
    """Both writers read the record; the second conditional write is refused, so the first
    one's value is never silently lost."""
    from chalicelib import bootstrap

    index = bootstrap.index()
    read = index.get(stored["ID"])
    assert read is not None
    path = f"/instances/{stored['ID']}/metadata/Note"
    assert client.http.put(path, body=b"first writer").status_code == 200
    assert not index.replace_metadata(read, {**read.metadata, "Note": "second"}, {})
    assert client.http.get(path).body == b"first writer"
    attachment = f"/instances/{stored['ID']}/attachments/raw"
    assert client.http.put(attachment, body=b"first").status_code == 200
    assert not index.replace_attachments(read, {}, 0)
    assert client.http.get(f"{attachment}/data").body == b"first"


def test_bodies_are_bounded(client: Any, configure: Any) -> None:
    configure(**OPTIONS, LargeObjectThreshold=2048)
    ids = upload(client, make_instance("ATT", "1.2.826.0.8.1", "1.2.826.0.8.2", "1.2.826.0.8.3"))
    answer = client.http.put(f"/instances/{ids['ID']}/attachments/raw", body=b"x" * 2049)
    assert answer.status_code == 413
    answer = client.http.put(f"/instances/{ids['ID']}/metadata/Note", body=b"x" * 70000)
    assert answer.status_code == 413


def test_the_md5_of_a_file_stored_without_one_is_computed(client: Any, stored: Any) -> None:
    from chalicelib import bootstrap
    from chalicelib.storage import aws

    table = bootstrap.index()._table
    aws.client("dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": stored["ID"]}, "sk": {"S": "R"}},
        UpdateExpression="REMOVE Md5",
    )
    file = client.http.get(f"/instances/{stored['ID']}/file").body
    md5 = client.http.get(f"/instances/{stored['ID']}/attachments/dicom/md5").body.decode()
    assert md5 == hashlib.md5(file).hexdigest()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"UserMetadata": {"Low": 1023}}, "between 1024 and 65535"),
        ({"UserMetadata": {"Word": "1024"}}, "Not a number"),
        ({"UserMetadata": {"A": 1024, "B": 1024}}, "Cannot register"),
        ({"UserMetadata": {"LastUpdate": 2000}}, "Cannot register"),
        ({"UserMetadata": {"12": 2000}}, "Cannot register"),
        ({"UserContentType": {"dicom": 1030}}, "Cannot register"),
        ({"UserContentType": {"pdf": [1030]}}, "Not a number"),
        ({"UserContentType": {"big": 65536}}, "between 1024 and 65535"),
    ],
)
def test_bad_user_types_stop_start_up(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(json.dumps(options))


def test_user_types_in_orthancs_forms_are_read() -> None:
    config = parse_config(
        json.dumps({**OPTIONS, "UserContentType": {"a": 1025, "b": [1026, "x/y"]}})
    )
    assert config.CheckRevisions is True
    assert config.UserContentType == {"a": 1025, "b": [1026, "x/y"]}
