"""Differential tests of searching and of the changes log: the same files uploaded to a fresh
Orthanc 1.10.1 and to Cirrus, the same /tools/find bodies, the same answers; the same
sequence of changes in /changes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pydicom.data
import pytest

from tests.conftest import chalice_client, moto_storage
from tests.interop.test_rest_vs_orthanc import Pair, _comparable
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer


def _corpus() -> list[bytes]:
    """Patients, studies and series chosen to exercise each matching rule."""
    files = []
    common = {"StudyTime": "101500", "ReferringPhysicianName": ""}
    # Patient 1: two studies, one of them with a CT and an MR series.
    for number, modality in enumerate(("CT", "CT", "MR"), start=1):
        series = 1 if modality == "CT" else 2
        files.append(
            make_instance(
                "PAT1",
                study_uid="1.2.826.0.1.3680043.99.1",
                series_uid=f"1.2.826.0.1.3680043.99.1.{series}",
                sop_uid=f"1.2.826.0.1.3680043.99.1.{series}.{number}",
                instance_number=number,
                PatientName="Doe^John",
                StudyDate="20180323",
                AccessionNumber="ACC-1",
                StudyDescription="Head CT",
                Modality=modality,
                DeviceSerialNumber="123" if modality == "CT" else "abc",
                **common,
            )
        )
    files.append(
        make_instance(
            "PAT1",
            study_uid="1.2.826.0.1.3680043.99.2",
            series_uid="1.2.826.0.1.3680043.99.2.1",
            sop_uid="1.2.826.0.1.3680043.99.2.1.1",
            PatientName="Doe^John",
            StudyDate="20180325",
            AccessionNumber="acc-2",
            StudyDescription="Knee (R)",
            Modality="CR",
            **common,
        )
    )
    # Patient 2: a lower-case name, no accession number, another date.
    files.append(
        make_instance(
            "pat2",
            study_uid="1.2.826.0.1.3680043.99.3",
            series_uid="1.2.826.0.1.3680043.99.3.1",
            sop_uid="1.2.826.0.1.3680043.99.3.1.1",
            PatientName="smith^jane",
            StudyDate="20200101",
            StudyDescription="head mri",
            Modality="MR",
            PatientSex="F",
            **common,
        )
    )
    for name in ("CT_small.dcm", "MR_small.dcm"):
        with open(pydicom.data.get_testdata_file(name), "rb") as handle:
            files.append(handle.read())
    return files


FIND_BODIES: list[dict[str, Any]] = [
    {"Level": "Patient", "Query": {}},
    {"Level": "studies", "Query": {}},
    {"Level": "SERIES", "Query": {}},
    {"Level": "Instances", "Query": {}},
    {"Level": "Image", "Query": {}},
    {"Level": "images", "Query": {"SOPInstanceUID": "*"}},
    {"Level": "Study", "Query": {"PatientID": "PAT1"}},
    {"Level": "Study", "Query": {"PatientID": "pat1"}},
    {"Level": "Study", "Query": {"PatientID": "pat1"}, "CaseSensitive": True},
    {"Level": "Study", "Query": {"PatientID": "PAT1\\pat2"}},
    {"Level": "Study", "Query": {"PatientID": "P*"}},
    {"Level": "Study", "Query": {"PatientID": "?AT?"}, "CaseSensitive": True},
    {"Level": "Study", "Query": {"StudyInstanceUID": "1.2.826.0.1.3680043.99.1"}},
    {"Level": "Series", "Query": {"StudyInstanceUID": "1.2.826.0.1.3680043.99.1"}},
    {"Level": "Instance", "Query": {"StudyInstanceUID": "1.2.826.0.1.3680043.99.1"}},
    {"Level": "Instance", "Query": {"SOPInstanceUID": "1.2.826.0.1.3680043.99.1.1.2"}},
    {"Level": "Series", "Query": {"SeriesInstanceUID": "1.2.826.0.1.3680043.99.1.2"}},
    {"Level": "Study", "Query": {"AccessionNumber": "acc-1"}},
    {"Level": "Study", "Query": {"AccessionNumber": "ACC-2"}, "CaseSensitive": True},
    {"Level": "Study", "Query": {"AccessionNumber": "ACC*"}},
    {"Level": "Study", "Query": {"StudyDate": "20180323-"}},
    {"Level": "Study", "Query": {"StudyDate": "-20180324"}},
    {"Level": "Study", "Query": {"StudyDate": "20180323-20180325"}},
    {"Level": "Study", "Query": {"StudyDate": "20180325"}},
    {"Level": "Study", "Query": {"StudyDate": "20180325\\20200101"}},
    {"Level": "Study", "Query": {"StudyDate": "2004-"}},
    {"Level": "Instance", "Query": {"StudyDate": "20180323-", "PatientID": "*"}},
    {"Level": "Instance", "Query": {"Modality": "CT", "StudyDate": "20180323-"}},
    {"Level": "Study", "Query": {"PatientName": "doe*"}},
    {"Level": "Study", "Query": {"PatientName": "doe*"}, "CaseSensitive": True},
    {"Level": "Study", "Query": {"PatientName": "*J*"}},
    {"Level": "Study", "Query": {"PatientName": "SMITH^JANE"}},
    {"Level": "Series", "Query": {"PatientName": "Doe^John", "Modality": "MR"}},
    {"Level": "Study", "Query": {"StudyDescription": "head*"}},
    {"Level": "Study", "Query": {"StudyDescription": "Head CT "}},
    {"Level": "Study", "Query": {"StudyDescription": "Knee (R)"}},
    {"Level": "Study", "Query": {"StudyDescription": "*(R)"}},
    {"Level": "Study", "Query": {"StudyDescription": ""}},
    {"Level": "Study", "Query": {"ModalitiesInStudy": "MR"}},
    {"Level": "Study", "Query": {"ModalitiesInStudy": "cr\\mr"}},
    {"Level": "Study", "Query": {"ModalitiesInStudy": "C*"}},
    {"Level": "Series", "Query": {"ModalitiesInStudy": "CT"}},
    {"Level": "Study", "Query": {"Modality": "CT"}},
    {"Level": "Patient", "Query": {"StudyDescription": "Head CT"}},
    {"Level": "Series", "Query": {"PatientSex": "F\\O"}},
    {"Level": "Instance", "Query": {"InstanceNumber": "2\\3"}},
    {"Level": "Instance", "Query": {"InstanceNumber": "1-2"}},
    {"Level": "Series", "Query": {"DeviceSerialNumber": "123"}},
    {"Level": "Series", "Query": {"DeviceSerialNumber": "123\\abc"}},
    {"Level": "Study", "Query": {"0018,1000": "abc"}},
    {"Level": "Patient", "Query": {"SliceLocation": "-77.2040634155"}},
    {"Level": "Instance", "Query": {"0010,0010": "Doe^John"}, "Limit": 2},
    {"Level": "Instance", "Query": {}, "Since": 2, "Limit": 3},
    {"Level": "Study", "Query": {"PatientID": "PAT1"}, "Expand": True},
    {"Level": "Series", "Query": {"Modality": "MR"}, "Expand": True, "Short": True},
    {"Level": "Patient", "Query": {"PatientID": "pat2"}, "Expand": True, "Full": True},
    {"Level": "Instance", "Query": {"PatientID": "pat2"}, "Expand": True},
    # Errors.
    {"Level": "Foo", "Query": {}},
    {"Query": {}},
    {"Level": "Study"},
    {"Level": "Study", "Query": {"PatientID": 3}},
    {"Level": "Study", "Query": {}, "Limit": -1},
    {"Level": "Study", "Query": {}, "Limit": "3"},
    {"Level": "Study", "Query": {"StudyInstanceUID": "1.2.*"}},
    {"Level": "Study", "Query": {"StudyDate": "2018*"}},
]


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        for data in _corpus():
            theirs, ours = pair.post("/instances", data)
            assert theirs[0] == ours[0] == 200, (theirs, ours)
        yield pair


def _comparable_find(body: dict[str, Any], answer: Any) -> Any:
    if not isinstance(answer, list):
        return answer
    if "Limit" in body:
        return len(answer)  # which resources fill a limited page is an ordering detail
    if body.get("Expand"):
        return sorted((_comparable(a) for a in answer), key=lambda a: a["ID"])
    return sorted(answer)


@pytest.mark.parametrize("body", FIND_BODIES, ids=lambda b: json.dumps(b, sort_keys=True))
def test_find_answers_like_orthanc(pair: Pair, body: dict[str, Any]) -> None:
    theirs, ours = pair.post("/tools/find", json.dumps(body).encode())
    assert ours[0] == theirs[0], (theirs, ours)
    if theirs[0] == 200:
        assert _comparable_find(body, ours[1]) == _comparable_find(body, theirs[1])
        assert ours[1] or body["Query"], "a query that matches nothing proves little"
    elif isinstance(theirs[1], dict):
        assert ours[1]["OrthancStatus"] == theirs[1]["OrthancStatus"], (theirs, ours)


@pytest.mark.parametrize("value", ["PAT1", "pat1", "1.2.826.0.1.3680043.99.1", "ACC-1", ""])
def test_lookup_answers_like_orthanc(pair: Pair, value: str) -> None:
    theirs, ours = pair.post("/tools/lookup", value.encode())
    assert ours == theirs


# -- the changes log -------------------------------------------------------------------------


def _changes(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["ChangeType"], c["ResourceType"], c["ID"]) for c in answer["Changes"]]


def test_changes_follow_orthanc(feed: Any) -> None:
    """New resources, additions to existing ones, and deletes (which make Orthanc forget the
    changes of the deleted resources) give the same log, entry for entry."""
    with OrthancServer({"StableAge": 3600}) as orthanc, chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        study = "1.2.826.0.1.3680043.98.1"
        uploads = [
            make_instance("P1", study_uid=study, series_uid=f"{study}.1", sop_uid=f"{study}.1.1"),
            make_instance("P1", study_uid=study, series_uid=f"{study}.1", sop_uid=f"{study}.1.2"),
            make_instance("P1", study_uid=study, series_uid=f"{study}.2", sop_uid=f"{study}.2.1"),
            make_instance("P2", study_uid=f"{study}.9", series_uid="9.1", sop_uid="9.1.1"),
        ]
        answers = [pair.post("/instances", data) for data in uploads]
        feed.pump()
        theirs, ours = pair.get("/changes")
        assert _changes(ours[1]) == _changes(theirs[1])
        assert [c["Seq"] for c in ours[1]["Changes"]] == list(range(1, 12))
        assert ours[1]["Done"] and ours[1]["Last"] == theirs[1]["Last"] == 11

        # A page in the middle, then the last entry alone.
        theirs, ours = pair.get("/changes?since=3&limit=4")
        assert _changes(ours[1]) == _changes(theirs[1])
        assert (ours[1]["Done"], ours[1]["Last"]) == (theirs[1]["Done"], theirs[1]["Last"])
        theirs, ours = pair.get("/changes?last")
        assert _changes(ours[1]) == _changes(theirs[1])

        # Deleting the second series forgets its changes; a replayed stream adds nothing.
        series = answers[2][0][1]["ParentSeries"]
        pair.delete(f"/series/{series}")
        feed.pump()
        theirs, ours = pair.get("/changes")
        assert _changes(ours[1]) == _changes(theirs[1])

        # DELETE /changes empties the log and numbering goes on.
        pair.delete("/changes")
        pair.post("/instances", make_instance("P3", sop_uid="3.3.3"))
        feed.pump()
        theirs, ours = pair.get("/changes")
        assert _changes(ours[1]) == _changes(theirs[1])
        assert [c["Seq"] for c in ours[1]["Changes"]][0] > 11


def test_stable_changes_follow_orthanc(feed: Any, configure: Any) -> None:
    """StableSeries, StableStudy, StablePatient once StableAge has passed, and IsStable."""
    from chalicelib import bootstrap

    configure(StableAge=1)
    with OrthancServer({"StableAge": 1}) as orthanc, chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        theirs, ours = pair.post("/instances", make_instance("S1", sop_uid="5.5.5"))
        feed.pump()
        study = ours[1]["ParentStudy"]
        assert pair.get(f"/studies/{study}")[1][1]["IsStable"] is False
        time.sleep(2.5)
        bootstrap.stability().run()
        theirs, ours = pair.get("/changes")
        stable = [c for c in _changes(theirs[1]) if c[0].startswith("Stable")]
        assert [c for c in _changes(ours[1]) if c[0].startswith("Stable")] == stable
        assert len(stable) == 3
        assert pair.get(f"/studies/{study}")[1][1]["IsStable"] is True
        # Nothing new: a second check logs nothing.
        bootstrap.stability().run()
        assert _changes(pair.get("/changes")[1][1]) == _changes(ours[1])
