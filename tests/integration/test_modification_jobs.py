"""Modify and anonymize as jobs, against moto and the local job runner: what Step Functions
and Lambda do to a job (several batches, a step killed and retried, pause, resubmit, a
synchronous call outliving API Gateway) must not duplicate an instance or break the
references between instances. (Orthanc's answers for the same bodies are compared in
tests/interop/test_modification_vs_orthanc.py.)"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, generate_uid

from chalicelib.services.jobs.steps import BATCH_SIZE
from tests.integration.helpers import (
    assert_orthanc_error,
    body,
    get,
    kill_the_first_mark,
    upload,
    wait_job,
)
from tests.support.dicom_factory import make_instance


def post(client: Any, path: str, payload: Any) -> Any:
    return client.http.post(
        path, body=json.dumps(payload), headers={"Content-Type": "application/json"}
    )


def study(client: Any, count: int, referencing: bool = False) -> tuple[str, list[str]]:
    """A study of ``count`` instances in one series; with ``referencing`` the last one points
    at the first (ReferencedImageSequence), as a presentation state or a key image does."""
    study_uid, series_uid = generate_uid(), generate_uid()
    sops = [generate_uid() for _ in range(count)]
    ids = []
    for n, sop in enumerate(sops):
        tags: dict[str, Any] = {}
        if referencing and n == count - 1:
            item = Dataset()
            item.ReferencedSOPClassUID = CTImageStorage
            item.ReferencedSOPInstanceUID = sops[0]
            tags["ReferencedImageSequence"] = Sequence([item])
        data = make_instance("MOD", study_uid, series_uid, sop, instance_number=n + 1, **tags)
        ids.append(upload(client, data)["ID"])
    series = get(client, f"/instances/{ids[0]}")["ParentSeries"]
    return get(client, f"/series/{series}")["ParentStudy"], ids


def tags_by_number(client: Any, study_id: str) -> dict[int, dict[str, Any]]:
    """The simplified tags of a study's instances, by InstanceNumber."""
    answer = {}
    for instance in get(client, f"/studies/{study_id}/instances"):
        tags = get(client, f"/instances/{instance['ID']}/tags?simplify")
        answer[int(tags["InstanceNumber"])] = tags
    return answer


def test_references_follow_their_instance_across_batches(client: Any, job_runner: Any) -> None:
    """The referencing instance is in another batch (another Lambda) than the one it points
    at: both derive the same new UID from the job's seed."""
    count = BATCH_SIZE + 5
    study_id, _ = study(client, count, referencing=True)
    answer = body(post(client, f"/studies/{study_id}/anonymize", {}))
    assert answer["InstancesCount"] == count and answer["Type"] == "Study"
    new = tags_by_number(client, answer["ID"])
    assert len(new) == count
    reference = new[count]["ReferencedImageSequence"][0]["ReferencedSOPInstanceUID"]
    assert reference == new[1]["SOPInstanceUID"]
    assert len({t["SOPInstanceUID"] for t in new.values()}) == count
    assert {t["PatientName"] for t in new.values()} == {new[1]["PatientName"]}
    assert new[1]["PatientName"].startswith("Anonymized")


def test_a_step_killed_after_storing_stores_nothing_twice(
    client: Any, job_runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step stores its instances, then dies before recording them: the retried batch
    stores the same files again (same seed, same UIDs), which the index already has."""
    study_id, _ = study(client, 12)
    calls = kill_the_first_mark(monkeypatch)
    answer = body(post(client, f"/studies/{study_id}/modify", {"Replace": {"StudyID": "X"}}))
    assert calls["n"] >= 2
    assert answer["InstancesCount"] == 12 and answer["FailedInstancesCount"] == 0
    assert len(get(client, f"/studies/{answer['ID']}/instances")) == 12
    assert get(client, "/statistics")["CountInstances"] == 24


def test_pause_resume_and_resubmit_store_each_instance_once(
    client: Any, job_runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.dicom.modification import files

    study_id, _ = study(client, 15)
    real = files.modify_file
    monkeypatch.setattr(
        "chalicelib.services.modification.jobs.modify_file",
        lambda *args, **kwargs: (time.sleep(0.05), real(*args, **kwargs))[1],
    )
    started = body(post(client, f"/studies/{study_id}/anonymize", {"Asynchronous": True}))
    job_id = started["ID"]
    time.sleep(0.2)
    assert body(post(client, f"/jobs/{job_id}/pause", {})) == {}
    assert get(client, f"/jobs/{job_id}")["State"] == "Paused"
    assert body(post(client, f"/jobs/{job_id}/resume", {})) == {}
    job = wait_job(client, job_id)
    assert job["State"] == "Success" and job["Type"] == "ResourceModification"
    new_study = job["Content"]["ID"]
    assert len(get(client, f"/studies/{new_study}/instances")) == 15
    # Cancelled half-way then resubmitted: the items the cancelled run stored are stored
    # again with the same UIDs, so the second job too makes 15 instances, not more.
    second = body(post(client, f"/studies/{study_id}/modify", {"Asynchronous": True}))["ID"]
    time.sleep(0.2)
    assert body(post(client, f"/jobs/{second}/cancel", {})) == {}
    assert wait_job(client, second)["State"] == "Failure"
    assert body(post(client, f"/jobs/{second}/resubmit", {})) == {}
    assert wait_job(client, second)["State"] == "Success"
    assert get(client, "/statistics")["CountInstances"] == 45


def test_keep_source_false_removes_the_sources_and_names_them(client: Any, job_runner: Any) -> None:
    study_id, ids = study(client, 3)
    patient = get(client, f"/studies/{study_id}")["ParentPatient"]
    source_series = get(client, f"/instances/{ids[0]}")["ParentSeries"]
    answer = body(
        post(
            client,
            f"/studies/{study_id}/modify",
            {"Replace": {"StudyDescription": "moved"}, "KeepSource": False},
        )
    )
    assert client.http.get(f"/studies/{study_id}").status_code == 404
    new_study = get(client, f"/studies/{answer['ID']}")
    assert new_study["ModifiedFrom"] == study_id
    assert new_study["ParentPatient"] == patient == answer["PatientID"]
    instance = get(client, f"/studies/{answer['ID']}/instances")[0]
    assert instance["ModifiedFrom"] in ids
    assert get(client, f"/instances/{instance['ID']}/metadata/ModifiedFrom").body.decode() in ids
    # The patient kept its ID, so it names no source; the new series does.
    assert "ModifiedFrom" not in get(client, f"/patients/{patient}")
    assert get(client, f"/series/{instance['ParentSeries']}")["ModifiedFrom"] == source_series
    assert get(client, f"/series/{instance['ParentSeries']}/metadata?expand")["ModifiedFrom"] == (
        source_series
    )


def test_a_synchronous_call_longer_than_the_gateway_names_its_job(
    client: Any, job_runner: Any, configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(SynchronousJobTimeout=1)
    study_id, _ = study(client, 3)
    from chalicelib.dicom.modification import files

    real = files.modify_file
    monkeypatch.setattr(
        "chalicelib.services.modification.jobs.modify_file",
        lambda *args, **kwargs: (time.sleep(0.6), real(*args, **kwargs))[1],
    )
    response = post(client, f"/studies/{study_id}/anonymize", {})
    assert_orthanc_error(response, 504, 16, "POST")
    job_id = body(response)["Details"].split("as job ")[1].split(" ")[0]
    assert wait_job(client, job_id)["State"] == "Success"


def test_a_refused_request_creates_nothing(client: Any, job_runner: Any) -> None:
    study_id, _ = study(client, 2)
    bad = [
        ({"Replace": {"PatientID": "X"}}, 400),  # a study's parent PatientID
        ({"Replace": {"StudyInstanceUID": "1.2"}}, 400),  # needs Force
        ({"Replace": {"NoSuchTag": "1"}}, 400),
        ({"Remove": ["ReferencedImageSequence.ReferencedSOPInstanceUID"]}, 400),
        ({"Transcode": "1.2.3"}, 400),
        ({"Force": "yes"}, 400),
    ]
    for payload, status in bad:
        response = post(client, f"/studies/{study_id}/modify", payload)
        assert response.status_code == status, (payload, response.body)
    assert (
        post(client, f"/studies/{study_id}/anonymize", {"DicomVersion": "2099"}).status_code == 400
    )
    assert get(client, "/jobs") == []
    assert get(client, "/statistics")["CountInstances"] == 2
