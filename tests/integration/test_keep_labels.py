"""``KeepLabels`` of the modify and anonymize jobs (Orthanc 1.12.3; Orthanc 1.10.1 has no
labels, so these tests check Cirrus against what 1.12.3's source does): the new patient,
study, series and instances get the labels of the resources they were made from, and the
label index stays exact when job steps are replayed. One difference, on purpose: Orthanc
1.12.3 gives the source instance's labels back to the source instance (never to the new one);
Cirrus gives them to the new instance."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydicom.uid import generate_uid

from chalicelib.services.jobs.steps import BATCH_SIZE
from chalicelib.services.resources.labels import MAX_LABELS_PER_RESOURCE
from tests.integration.helpers import assert_orthanc_error, body, get, kill_the_first_mark, upload
from tests.support.dicom_factory import make_instance


def _post(client: Any, path: str, payload: Any) -> Any:
    return client.http.post(
        path, body=json.dumps(payload), headers={"Content-Type": "application/json"}
    )


def _label(client: Any, path: str, label: str) -> None:
    response = client.http.put(f"{path}/labels/{label}", body=b"")
    assert response.status_code == 200, response.body


def _labels(client: Any, collection: str, resource_id: str) -> list[str]:
    return get(client, f"/{collection}/{resource_id}/labels")


def _study(client: Any, patient: str, count: int) -> dict[str, Any]:
    """A study of ``count`` instances in one series, labelled at every level (the first
    instance only at the instance level): its IDs, by level."""
    study_uid, series_uid = generate_uid(), generate_uid()
    uploaded = [
        upload(client, make_instance(patient, study_uid, series_uid, generate_uid()))
        for _ in range(count)
    ]
    first = uploaded[0]
    ids = {
        "patients": first["ParentPatient"],
        "studies": first["ParentStudy"],
        "series": first["ParentSeries"],
        "instances": first["ID"],
    }
    for collection, resource_id in ids.items():
        _label(client, f"/{collection}/{resource_id}", f"{collection}-label")
    _label(client, f"/studies/{ids['studies']}", "shared")
    return {**ids, "all_instances": [u["ID"] for u in uploaded]}


def _new_ids(client: Any, study_id: str) -> dict[str, Any]:
    """The IDs of a (new) study's resources, and its instances by SOP Instance UID order of
    their sources (``ModifiedFrom``/``AnonymizedFrom`` name them)."""
    study = get(client, f"/studies/{study_id}")
    series = get(client, f"/studies/{study_id}/series")
    assert len(series) == 1
    return {
        "patients": study["ParentPatient"],
        "studies": study_id,
        "series": series[0]["ID"],
        "instances": [i["ID"] for i in get(client, f"/studies/{study_id}/instances")],
    }


def _source_of(client: Any, instance_id: str, key: str) -> str:
    return get(client, f"/instances/{instance_id}/metadata/{key}").body.decode()


def test_modify_study_gives_the_new_resources_their_sources_labels(
    client: Any, job_runner: Any, feed: Any
) -> None:
    """Also: labels are not logged as changes (Orthanc logs none for them), so the change
    feed lets those record updates pass."""
    source = _study(client, "KL1", 2)
    answer = body(
        _post(
            client,
            f"/studies/{source['studies']}/modify",
            {"Replace": {"StudyDescription": "copy"}, "KeepLabels": True},
        )
    )
    new = _new_ids(client, answer["ID"])
    assert new["patients"] == source["patients"]  # same PatientID: the same patient
    assert _labels(client, "patients", new["patients"]) == ["patients-label"]
    assert _labels(client, "studies", new["studies"]) == ["shared", "studies-label"]
    assert _labels(client, "series", new["series"]) == ["series-label"]
    by_source = {_source_of(client, i, "ModifiedFrom"): i for i in new["instances"]}
    labelled, other = (by_source[i] for i in source["all_instances"])
    assert _labels(client, "instances", labelled) == ["instances-label"]
    assert _labels(client, "instances", other) == []
    # The sources keep theirs, and a label search finds both generations.
    assert _labels(client, "instances", source["instances"]) == ["instances-label"]
    found = body(
        _post(client, "/tools/find", {"Level": "Study", "Query": {}, "Labels": ["shared"]})
    )
    assert sorted(found) == sorted([source["studies"], new["studies"]])
    assert feed.pump() > 0
    logged = {c["ChangeType"] for c in get(client, "/changes?limit=1000")["Changes"]}
    assert logged == {"NewInstance", "NewSeries", "NewStudy", "NewPatient"}


def test_without_keep_labels_the_new_resources_have_none(client: Any, job_runner: Any) -> None:
    source = _study(client, "KL2", 1)
    answer = body(_post(client, f"/studies/{source['studies']}/anonymize", {}))
    new = _new_ids(client, answer["ID"])
    for collection in ("patients", "studies", "series"):
        assert _labels(client, collection, new[collection]) == []
    assert _labels(client, "instances", new["instances"][0]) == []


def test_anonymized_patient_keeps_its_labels_and_the_sources_can_go(
    client: Any, job_runner: Any
) -> None:
    """``KeepSource: false``: the sources and their labels go, the new resources' labels
    stay, and ``/tools/labels`` counts them (a label whose carriers are all deleted is no
    longer listed, so a count left too high would show)."""
    source = _study(client, "KL3", 2)
    answer = body(
        _post(
            client,
            f"/patients/{source['patients']}/anonymize",
            {"KeepLabels": True, "KeepSource": False},
        )
    )
    assert get(client, f"/patients/{source['patients']}", status=404)
    new_study = get(client, f"/patients/{answer['ID']}/studies")[0]["ID"]
    new = _new_ids(client, new_study)
    assert _labels(client, "patients", new["patients"]) == ["patients-label"]
    assert _labels(client, "studies", new["studies"]) == ["shared", "studies-label"]
    assert sorted(get(client, "/tools/labels")) == [
        "instances-label",
        "patients-label",
        "series-label",
        "shared",
        "studies-label",
    ]
    response = client.http.delete(f"/patients/{new['patients']}")
    assert response.status_code == 200
    assert get(client, "/tools/labels") == []


def test_bulk_anonymize_with_keep_labels(client: Any, job_runner: Any) -> None:
    first, second = _study(client, "KL4", 1), _study(client, "KL5", 1)
    _label(client, f"/series/{second['series']}", "second-only")
    answer = body(
        _post(
            client,
            "/tools/bulk-anonymize",
            {"Resources": [first["series"], second["series"]], "KeepLabels": True},
        )
    )
    new_series = [r["ID"] for r in answer["Resources"] if r["Type"] == "Series"]
    labels = sorted(tuple(_labels(client, "series", s)) for s in new_series)
    assert labels == [("second-only", "series-label"), ("series-label",)]


def test_replayed_steps_keep_the_label_counts_exact(
    client: Any, job_runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two batches copy the same series, study and patient labels (the second finds them
    there), and the first step dies after storing its instances: its retry copies again.
    Deleting every carrier then empties ``/tools/labels``: no count was raised twice."""
    source = _study(client, "KL6", BATCH_SIZE + 2)
    calls = kill_the_first_mark(monkeypatch)
    answer = body(
        _post(
            client,
            f"/patients/{source['patients']}/modify",
            {"Replace": {"PatientID": "KL6-copy"}, "Force": True, "KeepLabels": True},
        )
    )
    assert calls["n"] >= 2
    assert answer["FailedInstancesCount"] == 0
    assert _labels(client, "patients", answer["ID"]) == ["patients-label"]
    for patient in (source["patients"], answer["ID"]):
        assert client.http.delete(f"/patients/{patient}").status_code == 200
    assert get(client, "/tools/labels") == []


def test_labels_that_would_not_fit_fail_the_item(client: Any, job_runner: Any) -> None:
    """A modified patient merged into an existing one that carries Cirrus's most labels:
    nothing is added to it, and the item fails (Orthanc has no bound)."""
    source = _study(client, "KL7", 1)
    target = upload(client, make_instance("KL7-full", sop_uid=generate_uid()))["ParentPatient"]
    for number in range(MAX_LABELS_PER_RESOURCE):
        _label(client, f"/patients/{target}", f"full{number}")
    answer = _post(
        client,
        f"/patients/{source['patients']}/modify",
        {"Replace": {"PatientID": "KL7-full"}, "Force": True, "KeepLabels": True},
    )
    assert_orthanc_error(answer, 400, 3, "POST")  # the item's error: ParameterOutOfRange
    assert "at most" in body(answer)["Details"]
    assert len(_labels(client, "patients", target)) == MAX_LABELS_PER_RESOURCE
    assert "patients-label" not in _labels(client, "patients", target)


@pytest.mark.parametrize("path", ["/instances/{id}/modify", "/studies/{study}/anonymize"])
def test_keep_labels_must_be_a_boolean(client: Any, path: str) -> None:
    """Read as Orthanc reads it: before ``Remove``, whose error would come next."""
    source = _study(client, "KL8", 1)
    uri = path.format(id=source["instances"], study=source["studies"])
    response = _post(client, uri, {"KeepLabels": "yes", "Remove": [1]})
    assert_orthanc_error(response, 400, 15, "POST")
