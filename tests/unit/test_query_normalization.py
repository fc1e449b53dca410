"""The C-FIND identifiers of REST queries, as a real Orthanc 1.10.1 sends them (recorded with
a C-FIND SCP spy; see docs/notes/orthanc-dicom-observed.md)."""

from __future__ import annotations

import pytest

from chalicelib.api.error_map import http_status
from chalicelib.dicom import query_normalization as qn
from chalicelib.errors import ErrorCode, OrthancError


@pytest.mark.parametrize(
    ("text", "level"),
    [("Patient", "Patient"), ("study", "Study"), ("SERIES", "Series"), ("Image", "Instance")],
)
def test_levels_in_any_case(text: str, level: str) -> None:
    assert qn.parse_level(text) == level


@pytest.mark.parametrize("text", ["Worklist", "", 3, None])
def test_unknown_level_is_out_of_range(text: object) -> None:
    with pytest.raises(OrthancError) as caught:
        qn.parse_level(text)
    assert caught.value.code is ErrorCode.PARAMETER_OUT_OF_RANGE


def test_query_tags_by_keyword_or_number() -> None:
    parsed = qn.parse_query({"PatientID": "a", "00100010": "b", "0008,103E": "c"})
    assert parsed == {"0010,0020": "a", "0010,0010": "b", "0008,103e": "c"}


@pytest.mark.parametrize(
    ("raw", "details"),
    [
        ([], "The field Query must contain a JSON object"),
        ({"PatientID": 3}, qn.QUERY_EXPECTED),
        ({"patientid": "x"}, qn.QUERY_EXPECTED),
        ({"NoSuchTag": "x"}, qn.QUERY_EXPECTED),
    ],
)
def test_bad_queries(raw: object, details: str) -> None:
    with pytest.raises(OrthancError) as caught:
        qn.parse_query(raw)
    assert (caught.value.code, caught.value.details) == (ErrorCode.BAD_FILE_FORMAT, details)


def test_study_level_keeps_patient_and_study_tags_and_adds_identifiers() -> None:
    query = {"0010,0020": "P", "0008,1030": "d", "0008,0060": "MR", "0008,0016": "1.2"}
    query["0008,0061"] = "CT"
    assert qn.identifier("Study", query) == {
        "0010,0020": "P",
        "0008,1030": "d",
        "0008,0061": "CT",
        "0008,0050": "",
        "0020,000d": "",
    }


def test_patient_level_drops_deeper_tags_and_private_ones() -> None:
    query = {"0010,0010": "A*", "0008,1030": "x", "0008,0060": "CT", "0011,0010": "p"}
    assert qn.identifier("Patient", query) == {"0010,0010": "A*", "0010,0020": ""}


def test_counters_belong_to_their_level_only() -> None:
    assert "0020,1206" in qn.allowed_tags("Study")
    assert "0020,1206" not in qn.allowed_tags("Series")
    assert "0020,1209" in qn.allowed_tags("Series")
    assert "0020,1200" not in qn.allowed_tags("Study")


def test_instance_level_adds_every_identifier() -> None:
    assert qn.identifier("Instance", {"0008,1030": "d"}) == {
        "0008,1030": "d",
        "0010,0020": "",
        "0008,0050": "",
        "0020,000d": "",
        "0020,000e": "",
        "0008,0018": "",
    }


def test_without_normalization_everything_is_sent() -> None:
    sent = qn.identifier("Study", {"0008,0060": "MR"}, normalize=False)
    assert sent == {"0008,0060": "MR", "0010,0020": "", "0008,0050": "", "0020,000d": ""}


def test_legacy_templates_ignore_other_tags() -> None:
    body = {"PatientID": "123", "PatientName": "N", "StudyDescription": "x", "Modality": "CT"}
    assert qn.legacy_identifier("Study", body) == {
        "0008,0020": "",
        "0008,0030": "",
        "0008,0050": "",
        "0008,0090": "",
        "0008,1030": "x",
        "0010,0020": "123",
        "0020,000d": "",
        "0020,0010": "",
    }


@pytest.mark.parametrize(
    ("level", "body", "runs"),
    [
        ("Patient", {}, True),
        ("Study", {"PatientID": "12"}, False),
        ("Study", {"AccessionNumber": "123"}, True),
        ("Series", {"PatientID": "123"}, False),
        ("Series", {"PatientID": "123", "StudyInstanceUID": "123"}, True),
        ("Instance", {"PatientID": "123", "StudyInstanceUID": "123"}, False),
        (
            "Instance",
            {"AccessionNumber": "123", "StudyInstanceUID": "123", "SeriesInstanceUID": "123"},
            True,
        ),
    ],
)
def test_legacy_routes_want_identifiers(level: str, body: dict[str, str], runs: bool) -> None:
    assert (qn.legacy_identifier(level, body) is not None) is runs


def test_legacy_unknown_tag_is_a_500() -> None:
    with pytest.raises(OrthancError) as caught:
        qn.legacy_identifier("Patient", {"Nope": "x"})
    assert (caught.value.code, http_status(caught.value)) == (ErrorCode.UNKNOWN_DICOM_TAG, 500)


def test_drill_down_copies_the_answer_uids_over_the_query() -> None:
    answer = {"0010,0020": "P", "0020,000d": "1.2", "0020,000e": "1.2.3"}
    child = qn.drill_down("Series", "Instance", answer, {"0020,000d": "x", "0020,0013": "2"})
    assert child == {"0020,000d": "1.2", "0020,000e": "1.2.3", "0020,0013": "2"}
    assert qn.drill_down("Study", "Study", answer, {}) is None
    assert qn.drill_down("Instance", "Instance", answer, {}) is None
    assert qn.drill_down("Patient", "Series", answer, {}) == {"0010,0020": "P"}
