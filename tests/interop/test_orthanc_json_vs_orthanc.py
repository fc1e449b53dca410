"""Differential tests: our DICOM-to-JSON against what a real Orthanc 1.10.1 answers.

Every file of pydicom's test suite, plus files generated below for the tricky cases, is
uploaded once to one Orthanc; each answer is fetched, then the instance is deleted again
(pydicom ships several files with the same SOPInstanceUID, which Orthanc would otherwise
answer "AlreadyStored" for and keep the first one's tags).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pydicom
import pydicom.data
import pytest
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

from chalicelib.dicom import main_tags, orthanc_json
from chalicelib.dicom.series_status import series_status
from tests.support.orthanc_server import OrthancServer

TEST_FILES_DIR = Path(pydicom.data.get_testdata_file("CT_small.dcm")).parent

# Files Orthanc 1.10.1 refuses, with its reason (HTTP status). Not DICOM at all, truncated,
# without the DICM preamble Orthanc needs, or without the identifiers it indexes by.
REFUSED = {
    "JPEGLSNearLossless_08.dcm": 404,  # no SOPInstanceUID ("Inexistent tag")
    "JPEGLSNearLossless_16.dcm": 404,
    "MR_truncated.dcm": 400,  # truncated ("Bad file format")
    "README.txt": 400,
    "SC_rgb_jls_lossy_line.dcm": 404,
    "SC_rgb_jls_lossy_sample.dcm": 404,
    "SC_rgb_jpeg.dcm": 400,
    "UN_sequence.dcm": 404,
    "crayons.icc": 400,
    "dicomdirtests/DICOMDIR": 404,  # DICOMDIRs have no SOPInstanceUID
    "dicomdirtests/DICOMDIR-bigEnd": 404,
    "dicomdirtests/DICOMDIR-empty.dcm": 404,
    "dicomdirtests/DICOMDIR-implicit": 404,
    "dicomdirtests/DICOMDIR-nooffset": 404,
    "dicomdirtests/DICOMDIR-nopatient": 404,
    "dicomdirtests/DICOMDIR-reordered": 404,
    "dicomdirtests/README.txt": 400,
    "dicomdirtests/TINY_ALPHA/DICOMDIR": 404,
    "dicomdirtests/TINY_ALPHA/README": 400,
    "empty_charset_LEI.dcm": 404,
    "meta_missing_tsyntax.dcm": 404,
    "nested_priv_SQ.dcm": 404,
    "no_meta.dcm": 400,  # no preamble/meta header
    "no_meta_group_length.dcm": 404,
    "priv_SQ.dcm": 404,
    "rtplan.dump": 400,
    "rtplan_truncated.dcm": 400,
    "rtstruct.dump": 400,
    "test1.json": 400,
    "test_PN.json": 400,
    "zipMR.gz": 400,
}

# Known, explained differences between our output and Orthanc's: (case, view) -> reason.
# Empty on purpose: every view of every accepted file currently matches exactly.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {}

VIEWS = {
    "tags": "/tags",
    "tags?simplify": "/tags?simplify",
    "tags?short": "/tags?short",
    "simplified-tags": "/simplified-tags",
    "header": "/header",
    "header?simplify": "/header?simplify",
    "header?short": "/header?short",
}


# ---------------------------------------------------------------------------------------------
# Generated files
# ---------------------------------------------------------------------------------------------


def _base(uid_suffix: str, implicit: bool = False) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.8.498.1.{uid_suffix}"
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = f"1.2.826.0.1.3680043.8.498.2.{uid_suffix}"
    ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.3.{uid_suffix}"
    ds.PatientID = f"CIRRUS-{uid_suffix}"
    ds.Modality = "OT"
    return ds


def _raw(ds: Dataset, tag: int, vr: str, value: bytes) -> None:
    """Set an element's exact bytes, bypassing pydicom's value validation."""
    ds[tag] = RawDataElement(BaseTag(tag), vr, len(value), value, 0, False, True)


def _bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _latin1() -> bytes:
    ds = _base("101")
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = "Müller^Jérôme"
    ds.StudyDescription = "Étude àçcentuée"
    ds.InstitutionName = "Hôpital  "
    return _bytes(ds)


def _utf8() -> bytes:
    ds = _base("102")
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = "山田^太郎=やまだ^たろう"
    ds.SeriesDescription = "Серия ✓"
    return _bytes(ds)


def _no_charset_latin1_bytes() -> bytes:
    ds = _base("103")
    ds.add_new(0x00100010, "PN", b"Caf\xe9^Cr\xe8me")  # no 0008,0005: Orthanc assumes Latin-1
    return _bytes(ds)


def _long_values() -> bytes:
    ds = _base("104")
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageComments = "x" * 257  # above Orthanc's 256-byte threshold: TooLong
    ds.StudyDescription = "y" * 64
    ds.SeriesDescription = "z" * 64
    ds.add_new(0x00204000, "LT", "a" * 256)  # exactly 256: still a String
    # 200 bytes in the file, 400 in UTF-8: Orthanc measures the UTF-8, so TooLong.
    ds.add_new(0x00081030, "LT", "é" * 200)
    ds.add_new(0x0040A160, "UT", "u" * 300)
    ds.add_new(0x00280030, "DS", ["1.5"] * 100)  # long multi-valued DS
    return _bytes(ds)


def _private_tags() -> bytes:
    ds = _base("105")
    block = ds.private_block(0x0009, "GEMS_IDEN_01", create=True)
    block.add_new(0x01, "SH", "GE_GENESIS_FF")
    block.add_new(0x04, "SH", "product ")
    other = ds.private_block(0x0011, "CIRRUS PRIVATE", create=True)
    other.add_new(0x01, "LO", "unknown to DCMTK")
    other.add_new(0x02, "US", [1, 2, 3])
    other.add_new(0x03, "OB", b"\x00\x01\x02\x03")
    ds.add_new(0x00130010, "LO", "NO BLOCK ELEMENTS")
    ds.add_new(0x00151001, "LO", "orphan private")  # no creator for this block
    return _bytes(ds)


def _private_implicit() -> bytes:
    ds = _base("106", implicit=True)
    block = ds.private_block(0x0019, "GEMS_ACQU_01", create=True)
    block.add_new(0x14, "SS", 7)  # DCMTK knows this one: SS
    block.add_new(0x87, "DS", "3.5")
    other = ds.private_block(0x0011, "CIRRUS PRIVATE", create=True)
    other.add_new(0x01, "LO", "implicit unknown")  # UN for DCMTK -> Null
    ds.add_new(0x00191090, "LO", "x")
    return _bytes(ds)


def _sequences_and_empty() -> bytes:
    ds = _base("107")
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.add_new(0x00280010, "US", None)  # empty US: Null
    ds.add_new(0x00181090, "IS", "")
    inner = Dataset()
    inner.CodeValue = "T-A0100"
    inner.CodingSchemeDesignator = "SRT"
    inner.CodeMeaning = "Brâin"
    middle = Dataset()
    middle.ConceptNameCodeSequence = Sequence([inner])
    _raw(middle, 0x0040A30A, "DS", b"1.0\\2.50 \\ 3")
    empty_item = Dataset()
    ds.ContentSequence = Sequence([middle, empty_item])
    ds.ReferencedImageSequence = Sequence([])
    ds.ImageType = ["ORIGINAL", "PRIMARY", ""]
    ds.WindowCenter = ["40", "400"]
    _raw(ds, 0x00200013, "IS", b" 12 ")
    ds.add_new(0x00181063, "DS", "33.3333333333")
    ds.add_new(0x00189306, "FD", [1.0 / 3, 2.5e-10, 1e20])
    ds.add_new(0x00189307, "FL", [0.1, -2.75])
    ds.add_new(0x00189308, "SL", [-1, 2**31 - 1])
    ds.add_new(0x00209165, "AT", [0x00100010, 0x00200013])
    ds.add_new(0x00189305, "UL", 4000000000)
    ds.add_new(0x00181086, "SS", -5)
    return _bytes(ds)


def _padded_uids() -> bytes:
    ds = _base("108")
    raw = _bytes(ds)
    parsed = pydicom.dcmread(io.BytesIO(raw))
    _raw(parsed, 0x00081150, "UI", b"1.2.840.10008.5.1.4.1.1.7\x00")
    _raw(parsed, 0x00200052, "UI", b"1.2.3.4 ")  # a space is not UID padding for DCMTK
    _raw(parsed, 0x00080080, "LO", b"With NUL\x00")
    _raw(parsed, 0x00081010, "SH", b"A\x00B ")  # DCMTK stops at the first NUL
    parsed.ImagesInAcquisition = "4"
    parsed.NumberOfTemporalPositions = "3"
    parsed.InstanceNumber = "5"
    parsed.OtherPatientIDs = ["A", "B "]
    return _bytes(parsed)


def _expected_counts() -> bytes:
    ds = _base("109")
    ds.add_new(0x00540081, "US", 10)  # NumberOfSlices
    ds.add_new(0x00540101, "US", 2)  # NumberOfTimeSlices
    ds.CardiacNumberOfImages = "7"  # not used: the slices pair comes first
    ds.add_new(0x00541330, "US", 3)  # ImageIndex, but no InstanceNumber
    return _bytes(ds)


def _bad_counts() -> bytes:
    ds = _base("110")
    ds.ImagesInAcquisition = "12"  # no NumberOfTemporalPositions: falls through
    _raw(ds, 0x00181090, "IS", b"x ")  # CardiacNumberOfImages unparsable: null
    _raw(ds, 0x00200013, "IS", b"1.5 ")  # unparsable InstanceNumber
    return _bytes(ds)


def _retired_and_unknown() -> bytes:
    ds = _base("111")
    ds.add_new(0x00321030, "LO", "retired reason")  # RETIRED_ReasonForStudy
    ds.add_new(0x00080000, "UL", 100)  # group length: GenericGroupLength
    ds.add_new(0x00400000, "UL", 0)
    ds.add_new(0x60000010, "US", 512)  # repeating group: OverlayRows
    ds.add_new(0x60020022, "LO", "overlay 2")
    ds.add_new(0x0008EEEE, "LO", "unknown public")
    ds.add_new(0x00080035, "OB", b"\x00\x01")
    ds.add_new(0x00101000, "LO", "OTHER1\\OTHER2")
    return _bytes(ds)


GENERATED = {
    "generated/latin1": _latin1,
    "generated/utf8": _utf8,
    "generated/no_charset_latin1_bytes": _no_charset_latin1_bytes,
    "generated/long_values": _long_values,
    "generated/private_tags": _private_tags,
    "generated/private_implicit": _private_implicit,
    "generated/sequences_and_empty": _sequences_and_empty,
    "generated/padded_uids": _padded_uids,
    "generated/expected_counts": _expected_counts,
    "generated/bad_counts": _bad_counts,
    "generated/retired_and_unknown": _retired_and_unknown,
}


def _pydicom_files() -> list[str]:
    return sorted(
        str(path.relative_to(TEST_FILES_DIR))
        for path in TEST_FILES_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py"
    )


PYDICOM_FILES = _pydicom_files()
ALL_CASES = PYDICOM_FILES + list(GENERATED)
ACCEPTED_CASES = [case for case in ALL_CASES if case not in REFUSED]


def case_bytes(case: str) -> bytes:
    if case in GENERATED:
        return GENERATED[case]()
    return (TEST_FILES_DIR / case).read_bytes()


# ---------------------------------------------------------------------------------------------
# One upload per file, for the whole session
# ---------------------------------------------------------------------------------------------


def _fetch(orthanc: OrthancServer, data: bytes) -> dict[str, Any]:
    status, body = orthanc.try_upload(data)
    if status != 200:
        return {"status": status}
    instance_id = body["ID"]
    answers: dict[str, Any] = {"status": status}
    for view, suffix in VIEWS.items():
        answers[view] = orthanc.get_json(f"/instances/{instance_id}{suffix}")
    answers["instance"] = orthanc.get_json(f"/instances/{instance_id}")
    answers["series"] = orthanc.get_json(f"/series/{body['ParentSeries']}")
    answers["study"] = orthanc.get_json(f"/studies/{body['ParentStudy']}")
    answers["patient"] = orthanc.get_json(f"/patients/{body['ParentPatient']}")
    orthanc.delete(f"/instances/{instance_id}").raise_for_status()
    return answers


@pytest.fixture(scope="session")
def orthanc_answers(orthanc: OrthancServer) -> dict[str, dict[str, Any]]:
    return {case: _fetch(orthanc, case_bytes(case)) for case in ALL_CASES}


def _ours(case: str) -> Dataset:
    """Fresh parse: raw elements, as the converter needs them for exactness."""
    return pydicom.dcmread(io.BytesIO(case_bytes(case)), force=True)


def _compare(case: str, view: str, ours: Any, theirs: Any) -> None:
    reason = KNOWN_DIFFERENCES.get((case, view))
    if reason is not None:
        assert ours != theirs, f"known difference fixed? {case} {view}: {reason}"
        return
    assert ours == theirs


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_refused_files_are_exactly_the_known_ones(orthanc_answers: dict[str, Any]) -> None:
    refused = {case: a["status"] for case, a in orthanc_answers.items() if a["status"] != 200}
    assert refused == REFUSED


@pytest.mark.parametrize("case", ACCEPTED_CASES)
def test_tags_views(case: str, orthanc_answers: dict[str, Any]) -> None:
    answers = orthanc_answers[case]
    assert answers["status"] == 200
    ds = _ours(case)
    full = orthanc_json.instance_tags(ds)
    _compare(case, "tags", full, answers["tags"])
    simplified = orthanc_json.instance_tags(ds, "simplify")
    _compare(case, "tags?simplify", simplified, answers["tags?simplify"])
    _compare(case, "simplified-tags", simplified, answers["simplified-tags"])
    _compare(case, "tags?short", orthanc_json.instance_tags(ds, "short"), answers["tags?short"])


@pytest.mark.parametrize("case", ACCEPTED_CASES)
def test_header_views(case: str, orthanc_answers: dict[str, Any]) -> None:
    answers = orthanc_answers[case]
    ds = _ours(case)
    for view, fmt in (
        ("header", "full"),
        ("header?simplify", "simplify"),
        ("header?short", "short"),
    ):
        _compare(case, view, orthanc_json.instance_header(ds, fmt), answers[view])


@pytest.mark.parametrize("case", ACCEPTED_CASES)
def test_main_tags_and_series_bookkeeping(case: str, orthanc_answers: dict[str, Any]) -> None:
    answers = orthanc_answers[case]
    ds = _ours(case)
    ours = main_tags.extract_main_tags(ds)
    assert ours["Patient"] == answers["patient"]["MainDicomTags"]
    assert ours["Patient"] == answers["study"]["PatientMainDicomTags"]
    assert ours["Study"] == answers["study"]["MainDicomTags"]
    assert ours["Series"] == answers["series"]["MainDicomTags"]
    assert ours["Instance"] == answers["instance"]["MainDicomTags"]
    expected = main_tags.expected_number_of_instances(ds)
    assert expected == answers["series"]["ExpectedNumberOfInstances"]
    assert main_tags.index_in_series(ds) == answers["instance"]["IndexInSeries"]
    status = series_status(expected, [main_tags.index_in_series_metadata(ds)])
    assert status == answers["series"]["Status"]


def test_generated_cases_cover_the_tricky_outputs(orthanc_answers: dict[str, Any]) -> None:
    """Guard against the generated files silently losing what they are here to test."""
    long_values = orthanc_answers["generated/long_values"]["tags"]
    assert long_values["0040,a160"]["Type"] == "TooLong"
    assert long_values["0008,1030"]["Type"] == "TooLong"
    assert long_values["0020,4000"]["Type"] == "String"
    private = orthanc_answers["generated/private_tags"]["tags"]
    assert private["0009,1001"]["Name"] == "FullFidelity"
    assert private["0011,1001"]["Name"] == "Unknown Tag & Data"
    counts = orthanc_answers["generated/expected_counts"]["series"]
    assert counts["ExpectedNumberOfInstances"] == 20
