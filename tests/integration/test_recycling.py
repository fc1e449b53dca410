"""Protection and recycling through the app, on moto: PUT/GET /patients/{id}/protected,
MaximumPatientCount and MaximumStorageSize with MaximumStorageMode Recycle and Reject, the
recycling order the change feed refreshes, and the C-STORE status of a full archive."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.helpers import assert_orthanc_error, body, get, upload
from tests.support.dicom_factory import make_instance

# A 16-bit image of 400 x 400 pixels: about 320 KB a file, so three of them fill 1 MB.
BIG = 400


def _patients(client: Any) -> list[str]:
    return sorted(get(client, "/patients"))


def _store(client: Any, patient: str, **kwargs: Any) -> str:
    """Upload an instance of ``patient``; its patient's Orthanc ID."""
    return str(upload(client, make_instance(patient, **kwargs))["ParentPatient"])


def _protect(client: Any, patient_id: str, value: str) -> None:
    response = client.http.put(f"/patients/{patient_id}/protected", body=value)
    assert response.status_code == 200, response.body
    assert response.body in (b"", "")


def _is_protected(client: Any, patient_id: str) -> str:
    response = client.http.get(f"/patients/{patient_id}/protected")
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.body.decode() if isinstance(response.body, bytes) else response.body


# -- protection ---------------------------------------------------------------------------


def test_protection_is_set_and_cleared(client: Any) -> None:
    patient = _store(client, "A")
    assert _is_protected(client, patient) == "0"
    for value, expected in (("1", "1"), ("false", "0"), (" true\n", "1"), ("0", "0")):
        _protect(client, patient, value)
        assert _is_protected(client, patient) == expected
    # The patient's JSON does not show it (Orthanc 1.10.1 does not either).
    assert "IsProtected" not in get(client, f"/patients/{patient}")


def test_protection_errors_are_orthancs(client: Any) -> None:
    answer = upload(client, make_instance("A"))
    unknown = "00000000-00000000-00000000-00000000-00000000"
    for method in ("GET", "PUT"):
        for resource in (unknown, answer["ParentStudy"], "not-an-id"):
            response = getattr(client.http, method.lower())(
                f"/patients/{resource}/protected", body="1"
            )
            assert_orthanc_error(response, 400, 3, method)
    for value in ("", "2", "yes", "True", "{}"):
        response = client.http.put(f"/patients/{answer['ParentPatient']}/protected", body=value)
        assert_orthanc_error(response, 400, 15, "PUT")
        assert body(response)["Details"] == "Boolean value expected"
    # The body is read before the patient is looked up.
    response = client.http.put(f"/patients/{unknown}/protected", body="maybe")
    assert_orthanc_error(response, 400, 15, "PUT")
    response = client.http.post(f"/patients/{answer['ParentPatient']}/protected", body="1")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET,PUT"


# -- recycling by patient count -----------------------------------------------------------


def test_no_limit_reads_no_totals(client: Any) -> None:
    from chalicelib import bootstrap

    assert bootstrap.recycling() is None
    for n in range(3):
        _store(client, f"P{n}")
    assert len(_patients(client)) == 3


def test_oldest_patient_is_recycled(client: Any, configure: Any) -> None:
    configure(MaximumPatientCount=2)
    _store(client, "A")
    b = _store(client, "B")
    c = _store(client, "C")
    assert _patients(client) == sorted([b, c])
    statistics = get(client, "/statistics")
    assert (statistics["CountPatients"], statistics["CountInstances"]) == (2, 2)


def test_a_patient_receiving_an_instance_moves_to_the_end(
    client: Any, feed: Any, configure: Any
) -> None:
    configure(MaximumPatientCount=2)
    a = _store(client, "A")
    _store(client, "B")
    _store(client, "A")  # a second instance: A is now the most recent
    feed.pump()
    c = _store(client, "C")
    assert _patients(client) == sorted([a, c])


def test_protected_patients_are_kept(client: Any, configure: Any) -> None:
    configure(MaximumPatientCount=2)
    a = _store(client, "A")
    _store(client, "B")
    _protect(client, a, "1")
    c = _store(client, "C")
    assert _patients(client) == sorted([a, c])
    _protect(client, c, "1")
    response = client.http.post("/instances", body=make_instance("D"))
    assert_orthanc_error(response, 500, 19, "POST")
    assert body(response)["Details"] == "Cannot recycle more patients"
    assert _patients(client) == sorted([a, c])
    # More instances of a patient already stored are welcome.
    _store(client, "A")
    assert get(client, "/statistics")["CountInstances"] == 3


def test_unprotecting_moves_a_patient_to_the_end(client: Any, configure: Any) -> None:
    configure(MaximumPatientCount=2)
    a = _store(client, "A")
    _store(client, "B")
    _protect(client, a, "1")
    _protect(client, a, "0")
    c = _store(client, "C")
    assert _patients(client) == sorted([a, c])


def test_recycled_patients_are_deleted_as_by_delete(client: Any, feed: Any, configure: Any) -> None:
    """Files gone, changes of the recycled patient forgotten, like DELETE /patients/{id}."""
    from chalicelib import bootstrap
    from chalicelib.storage import aws
    from chalicelib.storage.schema import bucket_name

    configure(MaximumPatientCount=1)
    a = _store(client, "A", sop_uid="1.2.3.1")
    key = bootstrap.index().get(get(client, f"/patients/{a}/instances")[0]["ID"]).blob_key
    feed.pump()
    b = _store(client, "B")
    feed.pump()
    assert _patients(client) == [b]
    listed = aws.client("s3").list_objects_v2(Bucket=bucket_name("dicom"), Prefix="dicom/")
    assert key not in {item["Key"] for item in listed.get("Contents", [])}
    changes = get(client, "/changes")["Changes"]
    assert a not in {change["ID"] for change in changes}
    assert [c["ChangeType"] for c in changes][-1] == "NewPatient"


# -- recycling by size --------------------------------------------------------------------


def test_oldest_patients_are_recycled_until_the_file_fits(client: Any, configure: Any) -> None:
    configure(MaximumStorageSize=1)
    size = len(make_instance("X", size=BIG))
    stored = [_store(client, f"P{n}", size=BIG) for n in range((1024 * 1024) // size)]
    assert len(stored) == 3
    _store(client, "Q", size=BIG)
    assert stored[0] not in _patients(client)
    assert len(_patients(client)) == 3
    assert int(get(client, "/statistics")["TotalDiskSize"]) <= 1024 * 1024
    # The file's own patient is not recycled for it: the others are, and then none is left.
    for _ in range(2):
        _store(client, "Q", size=BIG)
    assert len(_patients(client)) == 1
    response = client.http.post("/instances", body=make_instance("Q", size=BIG))
    assert_orthanc_error(response, 500, 19, "POST")
    assert body(response)["Details"] == "Cannot recycle more patients"


def test_a_file_larger_than_the_storage_is_refused(client: Any, configure: Any) -> None:
    configure(MaximumStorageSize=1)
    data = make_instance("A", size=800)
    response = client.http.post("/instances", body=data)
    assert_orthanc_error(response, 500, 19, "POST")
    assert body(response)["Details"] == (
        f"Cannot store an instance of size {len(data)} bytes in a storage area limited to "
        f"{1024 * 1024}"
    )
    assert _patients(client) == []


def test_an_overwrite_counts_the_file_it_replaces(client: Any, configure: Any) -> None:
    configure(MaximumStorageSize=1, OverwriteInstances=True)
    uids = [
        {"study_uid": f"1.{n}", "series_uid": f"1.{n}.1", "sop_uid": f"1.{n}.1.1"} for n in range(3)
    ]
    stored = [_store(client, f"P{n}", size=BIG, **uids[n]) for n in range(3)]
    _store(client, "P2", size=BIG, **uids[2])  # the same instance again: its file replaced
    assert _patients(client) == sorted(stored)


# -- MaximumStorageMode: Reject -----------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "details"),
    [
        ({"MaximumPatientCount": 1}, "Maximum patient count reached"),
        ({"MaximumStorageSize": 1}, "Maximum storage size reached"),
    ],
)
def test_reject_mode_refuses_with_507(
    client: Any, configure: Any, options: dict[str, int], details: str
) -> None:
    configure(MaximumStorageMode="Reject", **options)
    a = _store(client, "A", size=BIG)
    _store(client, "A", size=BIG)
    if "MaximumStorageSize" in options:
        _store(client, "A", size=BIG)
    response = client.http.post("/instances", body=make_instance("B", size=BIG))
    assert_orthanc_error(response, 507, 19, "POST")
    answer = body(response)
    assert (answer["Details"], answer["HttpError"]) == (details, "Insufficient Storage")
    assert _patients(client) == [a]


def test_cstore_of_a_full_archive_is_out_of_resources(client: Any, configure: Any) -> None:
    from chalicelib import bootstrap
    from chalicelib.services.dicom_served.store import (
        OUT_OF_RESOURCES,
        SUCCESS,
        store_received,
    )
    from chalicelib.services.resources.ingest import Origin

    configure(MaximumPatientCount=1, MaximumStorageMode="Reject")
    origin = Origin(protocol="DicomProtocol", remote_aet="MODALITY")
    assert store_received(bootstrap.ingest(), make_instance("A"), origin) == SUCCESS
    assert store_received(bootstrap.ingest(), make_instance("B"), origin) == OUT_OF_RESOURCES


def test_an_unknown_storage_mode_stops_start_up() -> None:
    from chalicelib.settings.config import ConfigError, parse_config

    assert parse_config('{"MaximumStorageMode": "Reject"}').MaximumStorageMode == "Reject"
    with pytest.raises(ConfigError, match="MaximumStorageMode"):
        parse_config('{"MaximumStorageMode": "Delete"}')
    with pytest.raises(ConfigError, match="MaximumStorageSize"):
        parse_config('{"MaximumStorageSize": -1}')


def test_the_index_lag_never_recycles_a_protected_patient(
    client: Any, configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ByRecycling`` is eventually consistent: a patient it still lists after being
    deleted or protected is checked on its record and skipped."""
    from chalicelib.storage.index import ResourceIndex

    configure(MaximumPatientCount=2)
    gone, protected = _store(client, "GONE"), _store(client, "KEPT")
    client.http.delete(f"/patients/{gone}")
    _protect(client, protected, "1")
    _store(client, "OLD")
    listed = ResourceIndex.recycling_order

    def lagging(index: ResourceIndex, page: int) -> Any:
        yield from (gone, protected)
        yield from listed(index, page)

    monkeypatch.setattr(ResourceIndex, "recycling_order", lagging)
    newest = _store(client, "NEW")
    assert _patients(client) == sorted([protected, newest])  # the oldest one recycled


def test_patients_stored_before_recycling_enter_it_at_a_reconstruct(
    client: Any, configure: Any
) -> None:
    """A patient record written before recycling existed has neither ``rcy`` nor ``Prot``:
    it reads as unprotected (as it is) but is out of ``ByRecycling`` until a reconstruct
    puts it in, at its last update, so the oldest such patient goes first."""
    from chalicelib.storage import aws
    from chalicelib.storage.schema import table_name

    old, older = _store(client, "LEGACY1"), _store(client, "LEGACY0")
    kept = _store(client, "KEPT")
    _protect(client, kept, "1")
    for patient, last_update in ((old, "20200102T000000"), (older, "20200101T000000")):
        aws.client("dynamodb").update_item(
            TableName=table_name("index"),
            Key={"pk": {"S": patient}, "sk": {"S": "R"}},
            UpdateExpression="SET LastUpdate = :t REMOVE rcy, rpos",
            ExpressionAttributeValues={":t": {"S": last_update}},
        )
    assert _is_protected(client, old) == "0"
    configure(MaximumPatientCount=3)
    assert get(client, "/statistics")["CountPatients"] == 3
    refused = client.http.post("/instances", body=make_instance("NEW1"))
    assert_orthanc_error(refused, 500, 19, "POST")  # FullStorage: nothing recyclable yet

    for patient in (old, older, kept):
        response = client.http.post(f"/patients/{patient}/reconstruct", body=b"")
        assert response.status_code == 200, response.body
    assert _is_protected(client, kept) == "1"
    newest = _store(client, "NEW1")
    assert _patients(client) == sorted([old, kept, newest])  # the older legacy one went
    newer = _store(client, "NEW2")
    assert _patients(client) == sorted([kept, newest, newer])
