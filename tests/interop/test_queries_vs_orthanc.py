"""Query/retrieve C-FIND from the REST API, side by side with Orthanc 1.10.1.

A "remote" Orthanc holds a few studies; Cirrus (in-process on moto) and a second Orthanc, both
calling as the same AE title, query it with the same requests. Every answer must be the same,
up to the query IDs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from tests.support.dicom_factory import make_instance
from tests.support.differential import Both
from tests.support.orthanc_server import OrthancServer, free_port

CALLER = "QRSCU"
REMOTE_AET = "REMOTE"
DEAD_PORT = free_port()


@pytest.fixture(scope="module")
def remote() -> Iterator[OrthancServer]:
    config = {"DicomAet": REMOTE_AET, "DicomModalities": {"caller": [CALLER, "127.0.0.1", 1]}}
    with OrthancServer(config) as server:
        study, series = generate_uid(), generate_uid()
        for n in range(3):
            server.upload(
                make_instance(
                    study_uid=study,
                    series_uid=series,
                    instance_number=n + 1,
                    AccessionNumber="ACC1",
                    StudyDescription="Generated",
                    SeriesDescription="S1",
                )
            )
        for name in ("CT_small.dcm", "MR_small.dcm"):
            server.upload(Path(get_testdata_file(name)).read_bytes())
        yield server


def _modalities(remote: OrthancServer) -> dict[str, Any]:
    return {
        "remote": [REMOTE_AET, "127.0.0.1", remote.dicom_port],
        "dead": ["NOBODY", "127.0.0.1", DEAD_PORT],
    }


@pytest.fixture(scope="module")
def orthanc(remote: OrthancServer) -> Iterator[OrthancServer]:
    config = {"DicomAet": CALLER, "DicomModalities": _modalities(remote), "DicomScuTimeout": 3}
    with OrthancServer(config) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, configure: Any, orthanc: OrthancServer, remote: OrthancServer) -> Any:
    configure(DicomAet=CALLER, DicomModalities=_modalities(remote), DicomScuTimeout=3)
    return client


@pytest.fixture
def both(orthanc: OrthancServer, cirrus: Any) -> Both:
    return Both(orthanc, cirrus)


QUERIES = [
    {"Level": "Study", "Query": {"PatientID": "*"}},
    {"Level": "patient", "Query": {"PatientName": "*", "StudyDescription": "x"}},
    {"Level": "SERIES", "Query": {"Modality": "CT", "0008,103e": ""}},
    {"Level": "Image", "Query": {"PatientID": "PAT1", "InstanceNumber": ""}},
    {"Level": "Instance", "Query": {"SOPClassUID": "1.2.840.10008.5.1.4.1.1.2"}},
    {"Level": "Study", "Query": {"ModalitiesInStudy": "", "Modality": "CT"}},
    {"Level": "Study", "Query": {"StudyDescription": "Gen*"}, "Normalize": False},
    {"Level": "Study", "Query": {"00100020": "PAT1"}, "Timeout": 5},
    {"Level": "Study"},
]
READS = [
    "",
    "/level",
    "/modality",
    "/query",
    "/query?simplify",
    "/query?short",
    "/answers",
    "/answers?expand",
    "/answers?expand&simplify",
    "/answers?expand&short",
    "/answers/0",
    "/answers/0/content",
    "/answers/0/content?simplify",
    "/answers/0/content?short",
    "/answers/1/content?short",
    "/answers/99",
    "/answers/99/content",
    "/answers/x/content",
]


@pytest.mark.parametrize("request_body", QUERIES, ids=lambda q: json.dumps(q))
def test_query_and_its_answers_match_orthanc(both: Both, request_body: dict[str, Any]) -> None:
    created = both.same("POST", "/modalities/remote/query", request_body)
    path = created[1]["Path"]
    for read in READS:
        both.same("GET", path + read)


def test_listing_and_deleting_queries(both: Both, cirrus: Any) -> None:
    created = both.same("POST", "/modalities/remote/query", QUERIES[0])
    query_id = created[1]["ID"]
    ours = json.loads(cirrus.http.get("/queries").body)
    assert both.ids[query_id] in ours and ours == sorted(ours)
    both.same("DELETE", f"/queries/{query_id}")
    both.same("GET", f"/queries/{query_id}")
    both.same("DELETE", "/queries/unknown")
    both.same("GET", "/queries/unknown/answers")
    assert both.ids[query_id] not in json.loads(cirrus.http.get("/queries").body)


def test_drill_down_from_answers(both: Both) -> None:
    patients = both.same("POST", "/modalities/remote/query", {"Level": "Patient", "Query": {}})
    studies = both.same("POST", "/modalities/remote/query", {"Level": "Study", "Query": {}})
    series = both.same("POST", "/modalities/remote/query", {"Level": "Series", "Query": {}})
    for parent, child, body in [
        (patients, "query-studies", {}),
        (patients, "query-series", {"Query": {"Modality": "CT"}}),
        (patients, "query-instances", {}),
        (studies, "query-series", {"Query": {"SeriesDescription": ""}}),
        (studies, "query-instances", {"Query": {"StudyInstanceUID": "override"}}),
        (series, "query-instances", {"Query": {"InstanceNumber": "2"}}),
    ]:
        for index in range(3):
            path = f"{parent[1]['Path']}/answers/{index}/{child}"
            created = both.same("POST", path, body)
            for read in ("/level", "/modality", "/query?short", "/answers?expand&short"):
                both.same("GET", created[1]["Path"] + read)
    both.same("POST", f"{series[1]['Path']}/answers/0/query-series", {})
    both.same("POST", f"{studies[1]['Path']}/answers/9/query-series", {})
    both.same("POST", f"{studies[1]['Path']}/answers/0/query-series", {"Query": []})
    both.same("POST", f"{studies[1]['Path']}/answers/0/query-series", "")


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("find-patient", {}),
        ("find-patient", {"PatientName": "*", "StudyDescription": "x"}),
        ("find-study", {"PatientID": "PAT1"}),
        ("find-study", {"PatientID": "PAT1", "PatientName": "x", "Modality": "MR"}),
        ("find-study", {"PatientID": "12"}),
        ("find-study", {"AccessionNumber": "ACC1"}),
        ("find-series", {"PatientID": "PAT1"}),
        ("find-series", {"PatientID": "PAT1", "StudyInstanceUID": "*"}),
        (
            "find-instance",
            {"PatientID": "PAT1", "StudyInstanceUID": "1.*", "SeriesInstanceUID": "1.*"},
        ),
        ("find-patient", "not json"),
        ("find-patient", []),
        ("find-patient", {"NoSuchTag": "x"}),
        ("find", {}),
        ("find", {"PatientID": "PAT1"}),
        ("find", []),
    ],
)
def test_older_find_routes_match_orthanc(both: Both, route: str, body: Any) -> None:
    both.same("POST", f"/modalities/remote/{route}", body)


@pytest.mark.parametrize(
    "body",
    [
        {"Level": "Bad", "Query": {}},
        {"Level": "Worklist", "Query": {}},
        {"Query": {}},
        {"Level": 3},
        {"Level": "Study", "Query": []},
        {"Level": "Study", "Query": {"PatientID": 3}},
        {"Level": "Study", "Query": {"NoSuchTag": "x"}},
        {"Level": "Study", "Query": {"patientid": "x"}},
        {"Level": "Study", "Normalize": "yes"},
        {"Level": "Study", "Timeout": "x"},
        {"Level": "Study", "Timeout": -1},
        {"Level": "Study", "Query": {"ReferencedPatientSequence": "x"}},
        "not json",
        [],
    ],
    ids=json.dumps,
)
def test_bad_queries_match_orthanc(both: Both, body: Any) -> None:
    both.same("POST", "/modalities/remote/query", body)


def test_unknown_and_unreachable_modalities(both: Both) -> None:
    both.same("POST", "/modalities/nope/query", {"Level": "Study"})
    both.same("POST", "/modalities/nope/query", "not json")
    started = time.monotonic()
    expected, actual = both.call("POST", "/modalities/dead/query", {"Level": "Study"})
    assert time.monotonic() - started < 10
    assert actual[0] == expected[0] == 500
    assert actual[1]["OrthancStatus"] == expected[1]["OrthancStatus"] == 9
    assert actual[1]["Details"].startswith('DicomAssociation - connecting to AET "NOBODY"')


def test_modality_lists_the_query_routes(both: Both) -> None:
    expected, actual = both.call("GET", "/modalities/remote")
    assert set(actual[1]) <= set(expected[1])
    assert {"query", "find", "find-patient", "find-study"} <= set(actual[1])
