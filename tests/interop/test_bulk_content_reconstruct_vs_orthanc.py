"""Differential tests of ``/tools/bulk-content``, ``/{level}/{id}/reconstruct`` and of the
tag format options read by presence (``?simplify=false`` simplifies), against a real
Orthanc 1.10.1 of this module's own (these tests store and change things).

Resource IDs are the same on both servers (hashes of the DICOM identifiers), so requests
are sent as is and the answers compared, without the fields that differ by nature (file
UUIDs, times, stability) and Cirrus's Orthanc 1.12 ``Labels``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import chalice_client, moto_storage
from tests.integration.helpers import sample_file
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

VOLATILE = {"FileUuid", "LastUpdate", "IsStable", "Labels", "ReceptionDate"}


class Pair:
    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc, self.cirrus = orthanc, cirrus
        self.uploads: dict[str, dict[str, str]] = {}

    def upload(self, name: str, data: bytes) -> dict[str, str]:
        theirs = self.orthanc.post("/instances", data=data)
        ours = self.cirrus.http.post("/instances", body=data)
        assert theirs.status_code == ours.status_code == 200, (theirs.text, ours.body)
        assert json.loads(ours.body)["ID"] == theirs.json()["ID"]
        self.uploads[name] = theirs.json()
        return self.uploads[name]

    def send(self, method: str, path: str, body: Any = None) -> tuple[Any, Any]:
        """(status, content type, JSON or text) of each server."""
        data = body if isinstance(body, str | None) else json.dumps(body)
        theirs = self.orthanc.session.request(
            method, self.orthanc.url + path, data=data, timeout=30
        )
        ours = getattr(self.cirrus.http, method.lower())(path, body=data or "")
        return (
            _shape(theirs.status_code, theirs.headers.get("Content-Type"), theirs.content),
            _shape(ours.status_code, ours.headers.get("Content-Type"), ours.body),
        )

    def same(self, method: str, path: str, body: Any = None) -> Any:
        """Orthanc's answer, checked equal to Cirrus's (errors: status and Orthanc code)."""
        theirs, ours = self.send(method, path, body)
        assert ours[0] == theirs[0], (path, body, theirs, ours)
        if theirs[0] >= 400:
            if isinstance(theirs[2], dict):
                assert ours[2]["OrthancStatus"] == theirs[2]["OrthancStatus"], (body, ours)
            return theirs[2]
        assert ours[1] == theirs[1], (path, theirs, ours)
        assert _comparable(ours[2]) == _comparable(theirs[2]), (path, body)
        return theirs[2]


def _shape(status: int, content_type: str | None, content: bytes | str) -> tuple[int, str, Any]:
    kind = (content_type or "").split(";")[0].strip()
    text = content.decode() if isinstance(content, bytes) else content
    return (
        status,
        kind,
        json.loads(text) if kind == "application/json" or status >= 400 and text else text,
    )


def _comparable(value: Any) -> Any:
    """Without volatile fields; child lists sorted (Orthanc lists them by arrival)."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k in ("Studies", "Series", "Instances") else _comparable(v)
            for k, v in value.items()
            if k not in VOLATILE
        }
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        both = Pair(orthanc, cirrus)
        both.upload("ct", sample_file("CT_small.dcm"))
        both.upload("mr", sample_file("MR_small.dcm"))
        for number in (1, 2, 3):
            both.upload(
                f"a{number}",
                make_instance(
                    "PAT-A",
                    study_uid="1.2.840.99.1",
                    series_uid=f"1.2.840.99.1.{1 + number // 3}",
                    sop_uid=f"1.2.840.99.1.9.{number}",
                    instance_number=number,
                    AccessionNumber="ACC-1",
                    StudyDescription="Head",
                    SeriesDescription=f"Series {1 + number // 3}",
                ),
            )
        yield both


def test_bulk_content_describes_each_resource_at_its_level_in_request_order(pair: Pair) -> None:
    ct, a1 = pair.uploads["ct"], pair.uploads["a1"]
    resources = [
        ct["ID"],
        a1["ParentPatient"],
        "nope",
        ct["ID"],  # twice: described twice
        a1["ParentSeries"],
        a1["ParentStudy"],
        "",
    ]
    answer = pair.same("POST", "/tools/bulk-content", {"Resources": resources})
    assert [item["ID"] for item in answer] == [r for r in resources if r not in ("nope", "")]
    pair.same("POST", "/tools/bulk-content", {"Resources": resources, "Metadata": False})
    pair.same("POST", "/tools/bulk-content", {"Resources": []})


@pytest.mark.parametrize(
    "level", ["Patient", "Study", "Series", "Instance", "studies", "INSTANCES"]
)
def test_bulk_content_moves_every_resource_to_the_level_asked(pair: Pair, level: str) -> None:
    a1, a3, mr = pair.uploads["a1"], pair.uploads["a3"], pair.uploads["mr"]
    resources = [a1["ParentPatient"], a3["ID"], mr["ParentSeries"], a1["ParentStudy"], "nope"]
    answer = pair.same("POST", "/tools/bulk-content", {"Resources": resources, "Level": level})
    assert [item["ID"] for item in answer] == sorted(item["ID"] for item in answer)
    assert answer


@pytest.mark.parametrize(
    "options",
    [
        {"Short": True},
        {"Full": True},
        {"Simplify": True, "Short": True},
        {"Short": False, "Full": True},
        {"Simplify": False, "Short": True, "Level": "Study"},
        {"Full": True, "Level": "Instance", "Metadata": False},
    ],
)
def test_bulk_content_formats_the_main_tags(pair: Pair, options: dict[str, Any]) -> None:
    ct = pair.uploads["ct"]
    resources = [ct["ID"], ct["ParentStudy"], ct["ParentPatient"], ct["ParentSeries"]]
    pair.same("POST", "/tools/bulk-content", {"Resources": resources, **options})


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        [],
        '"Resources"',
        {},
        {"Resources": "x"},
        {"Resources": [1]},
        {"Resources": [1], "Level": "Study"},
        {"Level": "Study"},
        {"Resources": [], "Level": "Nope"},
        {"Resources": [], "Level": 3},
        {"Resources": [], "Metadata": "yes"},
        {"Resources": [], "Short": "x"},
        {"Resources": [], "Simplify": True, "Short": "not read"},
        {"Resources": [1], "Metadata": 1},
        {"Resources": [1], "Level": "Nope", "Full": 2},
    ],
)
def test_bulk_content_refuses_bodies_as_orthanc(pair: Pair, body: Any) -> None:
    pair.same("POST", "/tools/bulk-content", body)


@pytest.mark.parametrize(
    "query", ["?simplify=false", "?short=0", "?full=false", "?short=no&simplify=0", "?full=1"]
)
def test_tag_formats_are_read_by_presence(pair: Pair, query: str) -> None:
    ct = pair.uploads["ct"]
    pair.same("GET", f"/instances/{ct['ID']}/tags{query}")
    pair.same("GET", f"/instances/{ct['ID']}/header{query}")
    pair.same("GET", f"/series/{ct['ParentSeries']}/shared-tags{query}")


def test_reconstruct_answers_as_orthanc_at_every_level(pair: Pair) -> None:
    mr = pair.uploads["mr"]
    before = [pair.same("GET", f"/{level}/{mr[key]}") for level, key in _LEVELS]
    for level, key in _LEVELS:
        pair.same("POST", f"/{level}/{mr[key]}/reconstruct")
    pair.same("POST", f"/patients/{mr['ParentSeries']}/reconstruct")  # the level is not checked
    pair.same("POST", f"/instances/{mr['ID']}/reconstruct", "any body")
    pair.same("POST", "/studies/nope/reconstruct")
    pair.same("POST", f"/series/{mr['ID'][:-1]}0/reconstruct")
    after = [pair.same("GET", f"/{level}/{mr[key]}") for level, key in _LEVELS]
    assert _comparable(after) == _comparable(before)
    pair.same("GET", f"/instances/{mr['ID']}/metadata?expand")
    pair.same("GET", "/tools/reconstruct")  # 405


def test_reconstructing_an_instance_gives_its_values_to_its_ancestors(pair: Pair) -> None:
    """Two instances of one series disagree on series, study and patient tags: the first to
    arrive set them; reconstructing the second forces its own upon the ancestors."""
    first = pair.upload(
        "b1",
        make_instance(
            "PAT-B",
            study_uid="1.2.840.99.2",
            series_uid="1.2.840.99.2.1",
            sop_uid="1.2.840.99.2.9.1",
            PatientName="First^Name",
            StudyDescription="First",
            AccessionNumber="ACC-B1",
            SeriesDescription="First series",
            StudyDate="20200101",
        ),
    )
    second = pair.upload(
        "b2",
        make_instance(
            "PAT-B",
            study_uid="1.2.840.99.2",
            series_uid="1.2.840.99.2.1",
            sop_uid="1.2.840.99.2.9.2",
            PatientName="Second^Name",
            StudyDescription="Second",
            AccessionNumber="ACC-B2",
            SeriesDescription="Second series",
            StudyDate="20210202",
            Modality="MR",
        ),
    )
    resources = [first[key] for key in ("ParentPatient", "ParentStudy", "ParentSeries")]
    described = pair.same("POST", "/tools/bulk-content", {"Resources": resources})
    assert described[1]["MainDicomTags"]["StudyDescription"] == "First"
    pair.same("POST", f"/instances/{second['ID']}/reconstruct")
    described = pair.same("POST", "/tools/bulk-content", {"Resources": resources})
    assert described[1]["MainDicomTags"]["StudyDescription"] == "Second"
    assert described[1]["PatientMainDicomTags"]["PatientName"] == "Second^Name"
    for query in (
        {"AccessionNumber": "ACC-B2"},
        {"AccessionNumber": "ACC-B1"},
        {"StudyDate": "20210202"},
    ):
        pair.same("POST", "/tools/find", {"Level": "Study", "Query": query})
    pair.same("POST", f"/instances/{first['ID']}/reconstruct")
    pair.same("POST", "/tools/bulk-content", {"Resources": resources})
    pair.same("POST", "/tools/find", {"Level": "Series", "Query": {"Modality": "CT"}})


_LEVELS = [
    ("patients", "ParentPatient"),
    ("studies", "ParentStudy"),
    ("series", "ParentSeries"),
    ("instances", "ID"),
]
