"""QIDO-RS against Orthanc's DICOMweb plugin 1.7: the same files stored in both, the same
searches, the same DICOM JSON answers.

Answers are compared as sets of data sets (the plugin answers in Orthanc's internal order,
Cirrus in ``/tools/find``'s ID order), with the Retrieve URLs relative to ``/dicom-web/``
(the host differs). Documented differences (docs/compatibility.md), normalised here and
checked on their own:

* Cirrus adds InstanceAvailability (0008,0056) ``ONLINE`` where PS3.18 lists it; the plugin
  leaves it out;
* a page (``limit``, ``offset``) holds the same number of matches, not the same ones (order);
* bad values are 400 on both sides, with Cirrus's own messages;
* a percent-encoded value (``Doe%5EJohn``, as browsers send ``^``) is decoded by Cirrus; the
  plugin receives it undecoded from Orthanc and matches nothing.

The corpus keeps the study-level tags of a study (and the series-level ones of a series)
equal in all its files, as modalities write them: the plugin reads them from one file of
each match, Cirrus from the index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import chalice_client, moto_storage
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, dicomweb_config

ROOT = "1.2.826.0.1.3680043.96"
STUDY_A, STUDY_B, STUDY_C, STUDY_D = (f"{ROOT}.{n}" for n in (1, 2, 3, 4))
AVAILABILITY = "00080056"


def _instance(patient: str, study: str, series: int, number: int, **tags: Any) -> bytes:
    """Instance ``number`` of series ``series`` of ``study``, their UIDs under the study's."""
    return make_instance(
        patient,
        study_uid=study,
        series_uid=f"{study}.{series}",
        sop_uid=f"{study}.{series}.{number}",
        instance_number=number,
        **tags,
    )


def _corpus() -> list[bytes]:
    """Three patients, four studies, names with ``^`` and accents, several dates."""
    doe = {"PatientName": "Doe^John", "PatientBirthDate": "19700101", "PatientSex": "M"}
    head_ct = {"StudyDescription": "Head CT", "ReferringPhysicianName": "Ref^Doc", "StudyID": "S1"}
    study_a = {"StudyDate": "20180323", "StudyTime": "101500", "AccessionNumber": "ACC-1"}
    study_a.update(head_ct, **doe)
    latin = {"SpecificCharacterSet": "ISO_IR 100"}
    # The other studies, of one instance each.
    others = [
        (
            "PAT1",
            STUDY_B,
            {
                "Modality": "CR",
                "StudyDate": "20180325",
                "AccessionNumber": "acc-2",
                "StudyDescription": "Knee (R)",
                **doe,
            },
        ),
        (
            "PAT2",
            STUDY_C,
            {
                **latin,
                "Modality": "MR",
                "PatientName": "Müller^Jörg",
                "PatientSex": "F",
                "StudyDate": "20200101",
                "ReferringPhysicianName": "",
                "StudyDescription": "head mri",
                "PatientAge": "042Y",
            },
        ),
        (
            "PAT3",
            STUDY_D,
            {
                **latin,
                "PatientName": "O'Brien^Seán^^Dr",
                "StudyDate": "20211231",
                "NumberOfFrames": 1,
            },
        ),
    ]
    return [
        *(
            _instance(
                "PAT1",
                STUDY_A,
                series,
                number,
                Modality=modality,
                SeriesNumber=series,
                SeriesDescription="axial" if modality == "CT" else "t1",
                **study_a,
            )
            for number, (series, modality) in enumerate([(1, "CT"), (1, "CT"), (2, "MR")], 1)
        ),
        *(_instance(patient, study, 1, 1, **tags) for patient, study, tags in others),
    ]


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[OrthancServer, Any]]:
    with (
        OrthancServer(extra_config=dicomweb_config()) as orthanc,
        moto_storage(),
        chalice_client() as cirrus,
    ):
        for data in _corpus():
            orthanc.upload(data)
            assert cirrus.http.post("/instances", body=data).status_code == 200
        yield orthanc, cirrus


def _ask(servers: tuple[OrthancServer, Any], query: str) -> tuple[Any, Any]:
    """(Orthanc's, Cirrus's) answers to ``GET /dicom-web/<query>``: (status, JSON)."""
    orthanc, cirrus = servers
    theirs = orthanc.get(f"/dicom-web/{query}")
    ours = cirrus.http.get(f"/dicom-web/{query}")
    return (theirs.status_code, theirs.json()), (ours.status_code, json.loads(ours.body))


def _comparable(matches: list[dict[str, Any]], ours: bool) -> list[dict[str, Any]]:
    """Matches sorted by their UIDs, Retrieve URLs relative to the DICOMweb root, and
    (Cirrus) InstanceAvailability checked then left out."""
    normalised = []
    for match in matches:
        match = dict(match)
        url = match["00081190"]["Value"][0]
        match["00081190"] = {"vr": "UR", "Value": [url.split("/dicom-web/", 1)[1]]}
        if ours and AVAILABILITY in match:
            assert match.pop(AVAILABILITY) == {"vr": "CS", "Value": ["ONLINE"]}
        normalised.append(match)
    return sorted(normalised, key=lambda m: m["00081190"]["Value"][0])


SEARCHES = [
    "studies",
    "studies?PatientID=PAT1",
    "studies?00100020=PAT2",
    "studies?PatientName=DOE*",
    "studies?PatientName=doe?john",
    "studies?PatientName=M*ller*",
    "studies?PatientName=O'Brien*",
    "studies?StudyDate=20180101-20181231",
    "studies?StudyDate=20180323",
    "studies?StudyDate=-20190101",
    "studies?StudyDate=20200101-",
    f"studies?StudyInstanceUID={STUDY_A},{STUDY_C}",
    f"studies?StudyInstanceUID={STUDY_A}%2C{STUDY_D}",
    "studies?AccessionNumber=ACC-1",
    "studies?ModalitiesInStudy=MR",
    "studies?StudyDescription=head*",
    "studies?PatientSex=F",
    "studies?includefield=StudyDescription",
    "studies?includefield=00081030&includefield=PatientAge",
    "studies?includefield=00081030,00100040",
    "studies?includefield=all",
    "studies?fuzzymatching=true&PatientName=Doe*",
    "studies?unknownkey=1",
    "studies?PatientName=",
    f"studies/{STUDY_A}/series",
    f"studies/{STUDY_A}/series?Modality=CT",
    f"studies/{STUDY_A}/series?SeriesInstanceUID={STUDY_A}.2",
    f"studies/{STUDY_A}/series?includefield=SeriesDescription",
    "studies/9.9.9/series",
    "series",
    "series?Modality=MR",
    f"series?StudyInstanceUID={STUDY_A}",
    "series?PatientID=PAT1",
    "series?SeriesNumber=1",
    "instances",
    f"instances?SOPInstanceUID={STUDY_A}.1.2",
    f"instances?SeriesInstanceUID={STUDY_A}.2",
    f"instances?StudyInstanceUID={STUDY_A}&SeriesInstanceUID={STUDY_A}.1",
    "instances?InstanceNumber=2",
    f"studies/{STUDY_A}/instances",
    f"studies/{STUDY_A}/series/{STUDY_A}.1/instances",
    f"studies/{STUDY_A}/series/{STUDY_A}.1/instances?InstanceNumber=1",
]


@pytest.mark.parametrize("query", SEARCHES)
def test_search_answers_like_the_plugin(servers: Any, query: str) -> None:
    (their_status, theirs), (our_status, ours) = _ask(servers, query)
    assert our_status == their_status == 200
    assert _comparable(ours, True) == _comparable(theirs, False)


def test_the_corpus_is_searched_for_real(servers: Any) -> None:
    """The comparisons above are not between empty answers."""
    counts = {q: len(_ask(servers, q)[1][1]) for q in ("studies", "series", "instances")}
    assert counts == {"studies": 4, "series": 5, "instances": 6}


@pytest.mark.parametrize(
    ("query", "total"), [("studies?limit=2", 4), ("studies?offset=3", 4), ("series?limit=3", 5)]
)
def test_pages_hold_as_many_matches(servers: Any, query: str, total: int) -> None:
    (their_status, theirs), (our_status, ours) = _ask(servers, query)
    assert our_status == their_status == 200
    assert len(ours) == len(theirs) < total


def test_paging_walks_every_match_once(servers: Any) -> None:
    _, cirrus = servers
    seen = [
        m["0020000D"]["Value"][0]
        for offset in range(0, 4, 2)
        for m in json.loads(cirrus.http.get(f"/dicom-web/studies?limit=2&offset={offset}").body)
    ]
    assert sorted(seen) == sorted({STUDY_A, STUDY_B, STUDY_C, STUDY_D})


def test_percent_encoded_values_are_decoded_unlike_the_plugin(servers: Any) -> None:
    (_, theirs), (_, ours) = _ask(servers, "studies?PatientName=doe%5Ejohn")
    assert theirs == []
    assert sorted(m["0020000D"]["Value"][0] for m in ours) == [STUDY_A, STUDY_B]


@pytest.mark.parametrize(
    "query", ["studies?StudyDate=2018*", "studies?fuzzymatching=maybe", "studies?limit=abc"]
)
def test_bad_values_are_400_on_both(servers: Any, query: str) -> None:
    (their_status, _), (our_status, ours) = _ask(servers, query)
    assert our_status == their_status == 400
    assert ours["HttpStatus"] == 400


def test_xml_answers_hold_one_document_per_match(servers: Any) -> None:
    orthanc, cirrus = servers
    accept = {"Accept": "application/dicom+xml"}
    theirs = orthanc.get("/dicom-web/studies?PatientID=PAT1", headers=accept)
    ours = cirrus.http.get("/dicom-web/studies?PatientID=PAT1", headers=accept)
    for content_type in (theirs.headers["Content-Type"], ours.headers["Content-Type"]):
        assert content_type.startswith('multipart/related; type="application/dicom+xml"')
    assert ours.body.count(b"<NativeDicomModel") == theirs.content.count(b"<NativeDicomModel") == 2
