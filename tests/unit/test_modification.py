"""The modification engine (chalicelib/dicom/modification/) without AWS or Orthanc: paths,
values, the options' rules, UIDs, and the invariant the jobs rely on (the identifiers a job
names before reading any file are those its files get). The facts were observed on Orthanc
1.10.1 (tests/interop/test_modification_vs_orthanc.py checks them side by side)."""

from __future__ import annotations

import io
from typing import Any

import pydicom
import pytest
from pydicom.dataset import Dataset

from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.modification.apply import apply, derived_identifiers
from chalicelib.dicom.modification.files import modify_file
from chalicelib.dicom.modification.paths import DicomPath, Step, parse_path, parse_path_tag
from chalicelib.dicom.modification.spec import (
    Modification,
    check_level,
    detect_level,
    parse_anonymize,
    parse_modify,
)
from chalicelib.dicom.modification.uids import UidMapper
from chalicelib.dicom.modification.values import replaced_elements
from chalicelib.dicom.parsing import read_identifiers
from chalicelib.errors import ErrorCode, OrthancError
from tests.support.dicom_factory import make_instance

REFERENCED_IMAGES = 0x00081140
REFERENCED_SOP = 0x00081155
PATIENT_NAME = 0x00100010


def error(call: Any, *args: Any) -> tuple[ErrorCode, str | None]:
    with pytest.raises(OrthancError) as raised:
        call(*args)
    return raised.value.code, raised.value.details


# -- paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("PatientName", PATIENT_NAME),
        ("0010,0010", PATIENT_NAME),
        ("0010-0010", PATIENT_NAME),
        ("00100010", PATIENT_NAME),
        ("(0010,0010)", PATIENT_NAME),
        ("(0010-0010)", PATIENT_NAME),
        ("10,10", PATIENT_NAME),  # DCMTK's sscanf("%x,%x")
        (" 0x10,0x10 and more", PATIENT_NAME),
        ("-1,2", 0xFFFF0002),
    ],
)
def test_tags_are_read_as_dcmtk_reads_them(text: str, tag: int) -> None:
    assert parse_path_tag(text) == tag


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("(PatientName)", "Cannot parse tag: (PatientName)"),  # parentheses: hexadecimal only
        ("(0010,0010", None),
        ("patientname", None),
        ("", None),
    ],
)
def test_unknown_tags(text: str, details: str | None) -> None:
    assert error(parse_path_tag, text) == (ErrorCode.UNKNOWN_DICOM_TAG, details)


def test_a_path_reaches_into_items() -> None:
    path = parse_path(" ReferencedImageSequence [ +1 ] . (0008,1140)[*].0008-1155 ")
    assert path == DicomPath(
        (Step(REFERENCED_IMAGES, 1), Step(REFERENCED_IMAGES, None)), REFERENCED_SOP
    )
    assert not path.top_level
    assert path.matches([(REFERENCED_IMAGES, 1), (REFERENCED_IMAGES, 5)], REFERENCED_SOP)
    assert not path.matches([(REFERENCED_IMAGES, 0), (REFERENCED_IMAGES, 5)], REFERENCED_SOP)
    # A path naming a sequence covers what the sequence holds.
    sequence = parse_path("ReferencedImageSequence")
    assert sequence.matches([(REFERENCED_IMAGES, 3)], PATIENT_NAME)
    assert not sequence.matches([], PATIENT_NAME)


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("ReferencedImageSequence.PatientName", "Parent path doesn't contain an index"),
        ("[0].PatientName", "Parent path doesn't contain a tag"),
        (
            "ReferencedImageSequence[0.PatientName",
            "Parent path doesn't contain the end of the index",
        ),
        ("ReferencedImageSequence[x].PatientName", "Not a valid index in parent path: [x]"),
        ("ReferencedImageSequence[].PatientName", "Not a valid index in parent path: []"),
        ("ReferencedImageSequence[1_0].PatientName", "Not a valid index in parent path: [1_0]"),
        (
            "ReferencedImageSequence[2147483648].PatientName",
            "Not a valid index in parent path: [2147483648]",
        ),
        ("ReferencedImageSequence[-1].PatientName", "Negative index in parent path: -1"),
    ],
)
def test_malformed_paths(text: str, details: str) -> None:
    assert error(parse_path, text) == (ErrorCode.PARAMETER_OUT_OF_RANGE, details)


@pytest.mark.parametrize("text", ["Sequence.NoSuchTag", "PatientName.", "A[0]B.NoSuchTag"])
def test_the_final_tag_is_read_first(text: str) -> None:
    """A malformed path ending in an unknown name is an unknown tag (Orthanc's order)."""
    assert error(parse_path, text) == (ErrorCode.UNKNOWN_DICOM_TAG, None)


# -- values ---------------------------------------------------------------------------------


def dataset(**tags: Any) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    for keyword, value in tags.items():
        setattr(ds, keyword, value)
    return ds


def written(tag: int, value: Any, creator: str = "", nested: bool = False) -> list[Any]:
    return [
        (int(e.tag), e.VR, e.value)
        for e in replaced_elements(dataset(), tag, value, creator, nested=nested)
    ]


def test_values_take_the_dictionary_vr() -> None:
    assert written(PATIENT_NAME, "Doe^Jane") == [(PATIENT_NAME, "PN", "Doe^Jane")]
    assert written(0x00280010, "64") == [(0x00280010, "US", 64)]
    assert written(0x00189087, "1000.5") == [(0x00189087, "FD", 1000.5)]
    assert written(0x00080008, "A\\B")[0][2] == ["A", "B"]
    assert written(0x00280009, "FrameTime") == [(0x00280009, "AT", 0x00181063)]


def test_null_is_the_empty_string() -> None:
    assert written(PATIENT_NAME, None) == [(PATIENT_NAME, "PN", "")]


def test_an_empty_value_is_checked_inside_sequences_only() -> None:
    """At the top level an empty string makes an empty element of any VR (a sequence
    too); a path's element is parsed from the value, so an empty number is refused."""
    assert written(0x00280010, "") == [(0x00280010, "US", None)]
    assert written(REFERENCED_IMAGES, "")[0][1:] == ("SQ", [])
    code, details = error(written, 0x00280010, "", "", True)
    assert (code, details) == (
        ErrorCode.BAD_FILE_FORMAT,
        'While creating a DICOM instance, tag (0028,0010) has out-of-range value: ""',
    )


@pytest.mark.parametrize(
    ("tag", "value", "code", "details"),
    [
        (PATIENT_NAME, 1, ErrorCode.BAD_PARAMETER_TYPE, "Bad Parameter type for tag 0010,0010"),
        (PATIENT_NAME, True, ErrorCode.BAD_PARAMETER_TYPE, "Bad Parameter type for tag 0010,0010"),
        (PATIENT_NAME, ["a"], ErrorCode.BAD_PARAMETER_TYPE, "Bad Parameter type for tag 0010,0010"),
        (0x7FE00008, {}, ErrorCode.BAD_PARAMETER_TYPE, "Bad Parameter type for tag 7fe0,0008"),
        (REFERENCED_IMAGES, [1], ErrorCode.BAD_PARAMETER_TYPE, None),
        (REFERENCED_IMAGES, [[1]], ErrorCode.BAD_PARAMETER_TYPE, None),
        (
            REFERENCED_IMAGES,
            "x",
            ErrorCode.BAD_FILE_FORMAT,
            'While creating a DICOM instance, tag (0008,1140) has out-of-range value: "x"',
        ),
        (
            0x00280010,
            "1\\2",
            ErrorCode.BAD_FILE_FORMAT,
            'While creating a DICOM instance, tag (0028,0010) has out-of-range value: "1\\2"',
        ),
        (PATIENT_NAME, "data:application/octet-stream;base64,!!!", ErrorCode.BAD_FILE_FORMAT, None),
        (0x00080018, 5, ErrorCode.BAD_PARAMETER_TYPE, None),
    ],
)
def test_bad_values(tag: int, value: Any, code: ErrorCode, details: str | None) -> None:
    assert error(written, tag, value) == (code, details)


def test_an_unknown_tag_in_an_item_is_the_client_s_error() -> None:
    """create-dicom answers Orthanc's 500 for it; a modification answers 400 (the class of
    the error, not only its code)."""
    with pytest.raises(OrthancError) as raised:
        written(REFERENCED_IMAGES, [{"Nope": "x"}])
    assert type(raised.value) is OrthancError
    assert raised.value.code is ErrorCode.UNKNOWN_DICOM_TAG


def test_sequences_and_binary_values() -> None:
    [(_, vr, items)] = written(REFERENCED_IMAGES, [{"ReferencedSOPInstanceUID": "1.2"}, []])
    assert vr == "SQ" and len(items) == 2
    assert items[0].ReferencedSOPInstanceUID == "1.2" and len(items[1]) == 0
    uri = "data:application/octet-stream;base64,AAECAwQF"
    assert written(0x04000120, uri) == [(0x04000120, "OB", b"\0\1\2\3\4\5")]
    assert written(0x00080070, "data:application/octet-stream;base64,QUJD")[0][2] == "ABC"


def test_private_tags_take_their_creator_s_vr_and_odd_binary_values_are_padded() -> None:
    assert written(0x00191002, "123", "GEMS_ACQU_01") == [(0x00191002, "SL", 123)]
    assert written(0x00991001, "value", "MY CREATOR") == [(0x00991001, "UN", b"value\0")]


def test_group_lengths_are_not_written() -> None:
    assert written(0x00100000, "12") == []


# -- the options ----------------------------------------------------------------------------


def test_options_cancel_what_came_before() -> None:
    """The profile, then Remove, Replace and Keep: the last one to name a tag wins; any
    option leaves the tag DeidentificationMethod as the file has it."""
    body = {"Remove": ["StudyDescription"], "Replace": {"StudyDescription": "x"}}
    modification = parse_anonymize(body, "", "Cirrus 0")
    assert modification.replacements[0x00081030] == "x"
    assert 0x00081030 not in modification.removals
    assert 0x00120063 not in modification.replacements
    keep = parse_anonymize({"Keep": ["StudyDescription"]}, "", "Cirrus 0")
    assert not keep.is_altered(0x00081030)
    plain = parse_anonymize({"DicomVersion": "2021b"}, "", "Cirrus 0")
    expected = "Cirrus 0 - PS 3.15-2021b Table E.1-1 Basic Profile"
    assert plain.replacements[0x00120063] == expected


@pytest.mark.parametrize(
    ("body", "code", "details"),
    [
        ([], ErrorCode.BAD_FILE_FORMAT, None),
        ({"Force": 1}, ErrorCode.BAD_FILE_FORMAT, 'Member "Force" should be a Boolean value'),
        (
            {"PrivateCreator": 1},
            ErrorCode.BAD_FILE_FORMAT,
            "String value expected in field: PrivateCreator",
        ),
        ({"Replace": []}, ErrorCode.BAD_REQUEST, None),
        ({"Remove": [1]}, ErrorCode.BAD_REQUEST, None),
        (
            {"Keep": ["SOPInstanceUID"]},
            ErrorCode.BAD_REQUEST,
            'Marking tag "SOPInstanceUID" as to be kept requires the "Force" option to be set '
            "to true",
        ),
    ],
)
def test_bad_modify_bodies(body: Any, code: ErrorCode, details: str | None) -> None:
    assert error(parse_modify, body, "") == (code, details)


def test_an_unknown_dicom_version() -> None:
    assert error(parse_anonymize, {"DicomVersion": "2019a"}, "", "Cirrus 0") == (
        ErrorCode.PARAMETER_OUT_OF_RANGE,
        "Unknown specific version of the DICOM standard: 2019a",
    )


@pytest.mark.parametrize(
    ("body", "level", "details"),
    [
        ({}, Level.PATIENT, "When modifying a patient, her PatientID is required to be modified"),
        (
            {"Replace": {"PatientID": "x"}, "Force": True},
            Level.STUDY,
            "When modifying a study, the parent PatientID cannot be manually modified",
        ),
        (
            {"Replace": {"StudyInstanceUID": "1.2"}, "Force": True},
            Level.SERIES,
            "When modifying a series, the parent StudyInstanceUID cannot be manually modified",
        ),
        ({"Remove": ["SeriesInstanceUID"], "Force": True}, Level.SERIES, None),
    ],
)
def test_the_level_s_rules(body: dict[str, Any], level: Level, details: str | None) -> None:
    modification = parse_modify(body, "")
    modification.level = level
    assert error(check_level, modification) == (ErrorCode.BAD_REQUEST, details)


@pytest.mark.parametrize(
    ("replaced", "level"),
    [
        ({"PatientID": "x", "StudyInstanceUID": "1"}, Level.PATIENT),
        ({"StudyInstanceUID": "1", "SeriesInstanceUID": "2"}, Level.STUDY),
        ({"SeriesInstanceUID": "2"}, Level.SERIES),
        ({"SOPInstanceUID": "3"}, Level.INSTANCE),
        ({}, Level.INSTANCE),
    ],
)
def test_the_level_of_a_single_instance(replaced: dict[str, str], level: Level) -> None:
    assert detect_level(parse_modify({"Replace": replaced, "Force": True}, "")) is level


def test_a_modification_survives_a_job_s_json() -> None:
    body = {
        "Replace": {"ReferencedImageSequence[*].ReferencedSOPInstanceUID": "1.2", "Rows": "8"},
        "Remove": ["ReferencedImageSequence[0].PatientName"],
        "Keep": ["StudyDescription", "SourceImageSequence"],
        "DicomVersion": "2017c",
    }
    modification = parse_anonymize(body, "CREATOR", "Cirrus 0")
    assert Modification.from_json(modification.to_json()) == modification


# -- identifiers ----------------------------------------------------------------------------


def test_new_identifiers_depend_on_the_seed_and_the_original_only() -> None:
    one, same, other = UidMapper("seed"), UidMapper("seed"), UidMapper("other")
    uid = one.map("1.2.3", Level.INSTANCE)
    assert uid.startswith("2.25.") and uid == same.map(" 1.2.3 ", Level.INSTANCE)
    assert uid != other.map("1.2.3", Level.INSTANCE)
    assert uid != one.map("1.2.3", Level.STUDY)  # each kind of identifier its own values
    patient = one.map("PAT", Level.PATIENT)
    assert len(patient) == 36 and patient.count("-") == 4  # a UUID, as Orthanc's
    one.force("1.2.3", "9.9", Level.STUDY)
    assert one.map("1.2.3", Level.STUDY) == "9.9"


@pytest.mark.parametrize(
    ("level", "body"),
    [
        (Level.STUDY, {"Replace": {"StudyDescription": "x"}}),
        (Level.SERIES, {"Replace": {"SeriesInstanceUID": "1.2.3"}, "Force": True}),
        (Level.PATIENT, {"Replace": {"PatientID": "NEW"}, "Force": True}),
        (None, {"DicomVersion": "2021b"}),
        (None, {"Keep": ["StudyInstanceUID"], "Force": True}),
        (None, {"Replace": {"StudyInstanceUID": "1.2.3", "PatientID": "ANON"}, "Force": True}),
    ],
)
def test_a_job_names_the_identifiers_its_files_get(
    level: Level | None, body: dict[str, Any]
) -> None:
    """``derived_identifiers`` (what a job answers before reading any file) agrees with what
    ``apply`` writes into each file."""
    modification = parse_modify(body, "") if level else parse_anonymize(body, "", "Cirrus 0")
    if level:
        modification.level = level
    source = make_instance("PAT", "1.2.826.0.1.1", "1.2.826.0.1.2", "1.2.826.0.1.3")
    ids = read_identifiers(pydicom.dcmread(io.BytesIO(source)))
    expected = derived_identifiers(modification, UidMapper("seed"), ids)
    result = modify_file(source, modification, UidMapper("seed"))
    assert read_identifiers(pydicom.dcmread(io.BytesIO(result.data))) == expected


def test_references_to_replaced_identifiers_follow() -> None:
    """An anonymization that replaces the StudyInstanceUID maps references to the study (an
    RT structure set's) to the same value; a replacement that is not a string is refused
    before anything is written."""
    ds = pydicom.dcmread(io.BytesIO(make_instance("PAT", "1.2.826.0.1.1")))
    frames = Dataset()
    study = Dataset()
    study.ReferencedSOPInstanceUID = "1.2.826.0.1.1"
    frames.RTReferencedStudySequence = [study]
    ds.ReferencedFrameOfReferenceSequence = [frames]
    body = {"Replace": {"StudyInstanceUID": "9.8.7"}, "Force": True}
    apply(ds, parse_anonymize(body, "", "Cirrus 0"), UidMapper("seed"))
    reference = ds.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0]
    assert ds.StudyInstanceUID == reference.ReferencedSOPInstanceUID == "9.8.7"
    bad = parse_anonymize({"Replace": {"StudyInstanceUID": 5}, "Force": True}, "", "Cirrus 0")
    assert error(apply, ds, bad, UidMapper("seed")) == (ErrorCode.BAD_PARAMETER_TYPE, None)
