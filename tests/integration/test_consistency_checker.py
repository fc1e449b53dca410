"""The consistency checker (tests/support/consistency.py) passes on a store the app built and
catches each kind of disagreement made by hand."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.helpers import get, upload
from tests.support.consistency import COUNTERS, Report, check
from tests.support.dicom_factory import make_instance


def _clients() -> tuple[Any, Any, str, str]:
    from chalicelib.storage import aws
    from chalicelib.storage.schema import bucket_name, table_name

    return aws.client("dynamodb"), aws.client("s3"), table_name("index"), bucket_name("dicom")


def run_check() -> Report:
    return check(*_clients())


@pytest.fixture
def stored(client: Any) -> dict[str, Any]:
    """Two instances of one series and one of another patient, a label and an attachment."""
    study, series = "1.2.3.4", "1.2.3.4.5"
    first = upload(client, make_instance("P1", study, series, "1.2.3.4.5.1", 1))
    upload(client, make_instance("P1", study, series, "1.2.3.4.5.2", 2))
    other = upload(client, make_instance("P2", instance_number=1))
    assert (
        client.http.put(f"/studies/{first['ParentStudy']}/labels/Red", body=b"").status_code == 200
    )
    answer = client.http.put(f"/patients/{other['ParentPatient']}/attachments/1024", body=b"1234")
    assert answer.status_code == 200, answer.body
    return {"first": first, "other": other}


def _item(pk: str, sk: str = "R") -> dict[str, Any]:
    from chalicelib.storage.index import dump_item, load_item

    dynamodb, _, table, _ = _clients()
    return load_item(
        dynamodb.get_item(TableName=table, Key=dump_item({"pk": pk, "sk": sk}))["Item"]
    )


def _put(item: dict[str, Any]) -> None:
    from chalicelib.storage.index import dump_item

    dynamodb, _, table, _ = _clients()
    dynamodb.put_item(TableName=table, Item=dump_item(item))


def _delete(pk: str, sk: str) -> None:
    from chalicelib.storage.index import dump_item

    dynamodb, _, table, _ = _clients()
    dynamodb.delete_item(TableName=table, Key=dump_item({"pk": pk, "sk": sk}))


def test_a_healthy_store_is_consistent(client: Any, stored: dict[str, Any]) -> None:
    report = run_check()
    assert report.problems == [] and report.orphans == [], str(report)
    statistics = get(client, "/statistics")
    for counter, name in COUNTERS.items():
        assert str(statistics[name]) == str(report.counts[counter]), name
    assert report.counts["Instances"] == 3


def test_an_empty_store_is_consistent(aws: None) -> None:
    assert run_check().ok


def test_a_missing_file(client: Any, stored: dict[str, Any]) -> None:
    _, s3, _, bucket = _clients()
    key = _item(stored["first"]["ID"])["BlobKey"]
    s3.delete_object(Bucket=bucket, Key=key)
    report = run_check()
    assert report.problems == [
        f"Instance {stored['first']['ID']} file: s3 object {key!r} is missing"
    ]
    assert report.orphans == []


def test_a_missing_attachment_and_a_truncated_file(client: Any, stored: dict[str, Any]) -> None:
    _, s3, _, bucket = _clients()
    patient = stored["other"]["ParentPatient"]
    uuid = _item(patient)["Att"]["1024"]["Uuid"]
    s3.delete_object(Bucket=bucket, Key=f"attachments/{patient}/{uuid}")
    key = _item(stored["other"]["ID"])["BlobKey"]
    s3.put_object(Bucket=bucket, Key=key, Body=b"short")
    problems = run_check().problems
    assert len(problems) == 2
    assert any(f"Patient {patient} attachment 1024" in p and "missing" in p for p in problems)
    assert any(
        f"Instance {stored['other']['ID']} file" in p and "holds 5 bytes" in p for p in problems
    )


def test_an_orphan_object_is_reported_apart(client: Any, stored: dict[str, Any]) -> None:
    _, s3, _, bucket = _clients()
    s3.put_object(Bucket=bucket, Key="dicom/x/y.dcm", Body=b"lost")
    s3.put_object(Bucket=bucket, Key="downloads/z/a.zip", Body=b"transient")
    report = run_check()
    assert report.problems == []
    assert report.orphans == ["dicom/x/y.dcm"]
    assert not report.ok


def test_a_bumped_counter(client: Any, stored: dict[str, Any]) -> None:
    dynamodb, _, table, _ = _clients()
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": "#stats#03"}, "sk": {"S": "R"}},
        UpdateExpression="ADD Instances :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert run_check().problems == [
        "counter Instances (CountInstances) is 4, the records add up to 3"
    ]


def test_a_child_without_parent_and_a_parent_without_children(
    client: Any, stored: dict[str, Any]
) -> None:
    first = stored["first"]
    _delete(first["ParentSeries"], "R")
    problems = run_check().problems
    series = first["ParentSeries"]
    assert f"Instance {first['ID']}: its parent {series} has no record" in problems
    assert f"link {first['ParentStudy']} -> {series}: the child has no record" in problems
    # Each instance's Anc no longer follows the chain: Anc names the missing series.
    assert any(p.startswith(f"Instance {first['ID']}: Anc is") for p in problems)


def test_a_missing_link_and_a_childless_parent(client: Any, stored: dict[str, Any]) -> None:
    other = stored["other"]
    _delete(other["ParentSeries"], f"C#{other['ID']}")
    problems = run_check().problems
    assert sorted(problems) == sorted(
        [
            f"Series {other['ParentSeries']} has no children",
            f"Instance {other['ID']}: no link from its parent {other['ParentSeries']}",
        ]
    )


def test_label_items_that_disagree(client: Any, stored: dict[str, Any]) -> None:
    study = stored["first"]["ParentStudy"]
    _delete("#label#Red", f"Study#{study}")
    _put({"pk": "#label#Blue", "sk": "Series#nothing"})
    problems = run_check().problems
    assert sorted(problems) == sorted(
        [
            "label 'Blue': member Series#nothing without a labelled record",
            f"label 'Red': Study#{study} carries it without a member item",
            "label 'Blue': the registry counts 0, 1 resources carry it",
            "label 'Red': the registry counts 1, 0 resources carry it",
        ]
    )
