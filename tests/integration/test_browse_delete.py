"""Browsing the hierarchy, statistics and deletes through the app, against moto."""

from __future__ import annotations

from pydicom.uid import generate_uid

from tests.integration.helpers import (
    CT_SMALL_IDS,
    assert_orthanc_error,
    body,
    get,
    sample_file,
    upload,
)
from tests.support.dicom_factory import make_instance


def _study(client, patient: str = "P1", series_count: int = 2, per_series: int = 3):
    study = generate_uid()
    ids = []
    for _ in range(series_count):
        series = generate_uid()
        for i in range(per_series):
            data = make_instance(patient, study, series, instance_number=i + 1)
            ids.append(upload(client, data))
    return ids


def test_resource_shapes(client) -> None:
    upload(client, sample_file("CT_small.dcm"))
    patient = get(client, f"/patients/{CT_SMALL_IDS['ParentPatient']}")
    assert set(patient) == {
        "ID",
        "IsStable",
        "Labels",
        "LastUpdate",
        "MainDicomTags",
        "Studies",
        "Type",
    }
    assert patient["Type"] == "Patient"
    assert patient["Studies"] == [CT_SMALL_IDS["ParentStudy"]]
    study = get(client, f"/studies/{CT_SMALL_IDS['ParentStudy']}")
    assert study["ParentPatient"] == CT_SMALL_IDS["ParentPatient"]
    assert study["PatientMainDicomTags"]["PatientID"] == "1CT1"
    assert study["Series"] == [CT_SMALL_IDS["ParentSeries"]]
    series = get(client, f"/series/{CT_SMALL_IDS['ParentSeries']}")
    assert series["Instances"] == [CT_SMALL_IDS["ID"]]
    assert series["ExpectedNumberOfInstances"] is None
    assert series["Status"] == "Unknown"
    instance = get(client, f"/instances/{CT_SMALL_IDS['ID']}")
    assert instance["FileSize"] == 39206
    assert instance["IndexInSeries"] == 1
    assert instance["ParentSeries"] == CT_SMALL_IDS["ParentSeries"]
    assert len(instance["FileUuid"]) == 36


def test_lists_expand_since_limit(client) -> None:
    uploaded = _study(client, series_count=1, per_series=5)
    all_ids = get(client, "/instances")
    assert sorted(all_ids) == sorted(u["ID"] for u in uploaded)
    assert all_ids == sorted(all_ids)  # listed in ID order, page after page
    page = get(client, "/instances?since=1&limit=2")
    assert page == all_ids[1:3]
    assert get(client, "/instances?since=5&limit=2") == []
    expanded = get(client, "/instances?expand")
    assert [e["ID"] for e in expanded] == all_ids
    assert get(client, "/instances?expand=false") == all_ids
    response = client.http.get("/instances?since=1")
    assert_orthanc_error(response, 400, 8, "GET")
    response = client.http.get("/instances?since=x&limit=1")
    assert_orthanc_error(response, 400, 3, "GET")


def test_hierarchy_helpers(client) -> None:
    uploaded = _study(client)
    first = uploaded[0]
    study_instances = get(client, f"/studies/{first['ParentStudy']}/instances")
    assert sorted(i["ID"] for i in study_instances) == sorted(u["ID"] for u in uploaded)
    assert len(get(client, f"/patients/{first['ParentPatient']}/series")) == 2
    assert get(client, f"/instances/{first['ID']}/patient")["ID"] == first["ParentPatient"]
    assert get(client, f"/instances/{first['ID']}/study")["ID"] == first["ParentStudy"]
    assert get(client, f"/series/{first['ParentSeries']}/study")["ID"] == first["ParentStudy"]
    assert get(client, f"/instances/{first['ID']}/series")["ID"] == first["ParentSeries"]


def test_statistics(client) -> None:
    uploaded = _study(client)
    stats = get(client, f"/studies/{uploaded[0]['ParentStudy']}/statistics")
    assert (stats["CountSeries"], stats["CountInstances"]) == (2, 6)
    assert int(stats["DiskSize"]) == int(stats["DicomDiskSize"]) > 0
    assert get(client, "/statistics")["CountInstances"] == 6


def test_unknown_and_malformed_ids_are_404(client) -> None:
    upload(client, sample_file("CT_small.dcm"))
    for path in (
        "/patients/" + "0" * 8 + "-00000000-00000000-00000000-00000000",
        "/studies/not-an-id",
        f"/series/{CT_SMALL_IDS['ID']}",  # an instance ID at the series level
        f"/instances/{CT_SMALL_IDS['ParentSeries']}/file",
    ):
        assert_orthanc_error(client.http.get(path), 404, 17, "GET")


def test_wrong_method_is_405_with_allow(client) -> None:
    response = client.http.put(f"/instances/{CT_SMALL_IDS['ID']}", body=b"")
    assert_orthanc_error(response, 405, 8, "PUT")
    assert response.headers["Allow"] == "GET,DELETE"


def test_delete_instance_cascades_up_and_names_the_remaining_ancestor(client) -> None:
    uploaded = _study(client, series_count=2, per_series=1)
    first, second = uploaded
    answer = body(client.http.delete(f"/instances/{first['ID']}"))
    # The series became empty and went too; the study still has the other series.
    assert answer == {
        "RemainingAncestor": {
            "ID": first["ParentStudy"],
            "Path": f"/studies/{first['ParentStudy']}",
            "Type": "Study",
        }
    }
    assert_orthanc_error(client.http.get(f"/series/{first['ParentSeries']}"), 404, 17, "GET")
    assert get(client, f"/studies/{first['ParentStudy']}")["Series"] == [second["ParentSeries"]]
    answer = body(client.http.delete(f"/instances/{second['ID']}"))
    assert answer == {"RemainingAncestor": None}
    assert get(client, "/patients") == []
    stats = get(client, "/statistics")
    assert [stats[k] for k in ("CountPatients", "CountStudies", "CountSeries")] == [0, 0, 0]
    assert (stats["CountInstances"], stats["TotalDiskSize"]) == (0, "0")


def test_delete_patient_removes_everything_and_the_files(client) -> None:
    from chalicelib import bootstrap

    uploaded = _study(client, patient="DEL")
    other = upload(client, make_instance("KEEP"))
    answer = body(client.http.delete(f"/patients/{uploaded[0]['ParentPatient']}"))
    assert answer == {"RemainingAncestor": None}
    assert get(client, "/instances") == [other["ID"]]
    blobs = bootstrap.blobs()
    keys = blobs._client.list_objects_v2(Bucket=blobs._bucket).get("Contents", [])
    assert [k["Key"].split("/")[1] for k in keys] == [other["ID"]]
    assert get(client, "/statistics")["CountInstances"] == 1
    assert_orthanc_error(
        client.http.delete(f"/patients/{uploaded[0]['ParentPatient']}"), 404, 17, "DELETE"
    )
