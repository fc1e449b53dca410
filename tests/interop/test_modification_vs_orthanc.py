"""Modify and anonymize against a real Orthanc 1.10.1: ``POST /instances/{id}/modify|anonymize``
(the answer is the modified file), ``POST /{patients|studies|series}/{id}/modify|anonymize``
(a ``ResourceModification`` job storing new resources) and ``/tools/bulk-modify|anonymize``.

The same files (pydicom's test files, given fresh identifiers for each test and references to
one another) are uploaded to both servers, the same request is sent to both, and the results
are compared: the files element by element, nested ones included, with each server's new
identifiers compared by the places they occupy (tests/support/modification_compare.py); the
job answers, the new resources' JSON and metadata, with each server's new IDs likewise; the
errors exactly (status, code, details).

What legitimately differs is left out of the comparisons, each in one place below: generated
UIDs and patient IDs (their identity relations are compared), the ``Anonymized<N>`` counter,
the DeidentificationMethod's product name, each server's file size and pixel data offset (each
writes its own meta header), times;
and the differences docs/compatibility.md lists, asserted as Cirrus's behaviour by the tests
that meet them: the profile's wildcard rows removed at the top level, ``DicomVersion`` 2023b,
400 where Orthanc answers 500 for an unknown tag name, no big endian, a level mismatch refused
before the job, 404 for a resource of another level, failed instances counted.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import generate_uid

from tests.support.modification_compare import (
    Flat,
    canonical,
    differences,
    flatten,
    is_cirrus_only_removal,
    is_generated,
    original_values,
)
from tests.support.orthanc_server import OrthancServer

ORTHANC_VERSIONS = ("2008", "2017c", "2021b")  # what Orthanc 1.10.1 knows
LEVELS = {"patients": "Patient", "studies": "Study", "series": "Series", "instances": "Instance"}
# Resource and metadata fields each server fills its own way: times, stability, Cirrus's 1.12
# labels, random file UUIDs, and the size of each server's file and where its pixel data
# starts (each writes its own meta header; the data sets are compared element by element).
VOLATILE = frozenset(
    {"LastUpdate", "IsStable", "Labels", "ReceptionDate", "FileUuid", "FileSize", "PixelDataOffset"}
)
CHILD_LISTS = {"Studies", "Series", "Instances"}
EXPLICIT_LITTLE = "1.2.840.10008.1.2.1"
IMPLICIT_LITTLE = "1.2.840.10008.1.2"


# -- files ----------------------------------------------------------------------------------


def sample(name: str) -> Dataset:
    """A pydicom test file, read whole."""
    return pydicom.dcmread(get_testdata_file(name), force=True)


def encode(ds: Dataset, syntax: str = EXPLICIT_LITTLE) -> bytes:
    """``ds`` as a Part 10 file in ``syntax``, its meta header naming its own UIDs."""
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = syntax
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def identify(ds: Dataset, patient: str, study: str, series: str | None = None) -> Dataset:
    """``ds`` moved into a patient and study, in a new (or the given) series, as a new
    instance."""
    ds.PatientID = patient
    ds.PatientName = "Doe^John"
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = series or generate_uid()
    ds.SOPInstanceUID = generate_uid()
    return ds


def reference(sop_class: str, sop_instance: str) -> Dataset:
    item = Dataset()
    item.ReferencedSOPClassUID = sop_class
    item.ReferencedSOPInstanceUID = sop_instance
    return item


# The patient's and study's tags each server indexes (from whichever instance comes first):
# the same in every file of a study, as in real studies.
PATIENT_AND_STUDY_TAGS = (
    *("PatientBirthDate", "PatientSex", "OtherPatientIDs", "StudyDate", "StudyTime"),
    *("StudyID", "StudyDescription", "AccessionNumber", "RequestedProcedureDescription"),
    *("InstitutionName", "RequestingPhysician", "ReferringPhysicianName"),
)


def share(ds: Dataset, model: Dataset, keywords: tuple[str, ...]) -> None:
    """``ds`` given ``model``'s values of ``keywords`` (removed where ``model`` has none)."""
    for keyword in keywords:
        if keyword in model:
            setattr(ds, keyword, copy.deepcopy(model[keyword].value))
        elif keyword in ds:
            delattr(ds, keyword)


def related_study() -> dict[str, bytes]:
    """Two CTs of one series (the second referencing the first), an MR sharing their frame of
    reference, an RT structure set and an SR pointing at the CTs and the study, and an MR with
    an overlay and a reference to the first CT, in one study of one patient (ISO_IR 100); the
    files by role."""
    patient, study = f"P{generate_uid()[-12:]}", generate_uid()
    ct_series, frame = generate_uid(), generate_uid()
    ct1 = identify(sample("CT_small.dcm"), patient, study, ct_series)
    ct1.FrameOfReferenceUID = frame
    ct2 = identify(copy.deepcopy(ct1), patient, study, ct_series)
    ct2.InstanceNumber = 2
    ct2.ReferencedImageSequence = [reference(ct1.SOPClassUID, ct1.SOPInstanceUID)]
    mr = identify(sample("MR_small.dcm"), patient, study)
    mr.FrameOfReferenceUID = frame
    mr.ReferencedImageSequence = [
        reference(ct1.SOPClassUID, uid) for uid in (ct1.SOPInstanceUID, ct2.SOPInstanceUID)
    ]
    rt = identify(sample("rtstruct.dcm"), patient, study)
    frames = rt.ReferencedFrameOfReferenceSequence[0]
    frames.FrameOfReferenceUID = frame
    frames.RTReferencedStudySequence[0].ReferencedSOPInstanceUID = study
    rt_series = frames.RTReferencedStudySequence[0].RTReferencedSeriesSequence[0]
    rt_series.SeriesInstanceUID = ct_series
    rt_series.ContourImageSequence = [reference(ct1.SOPClassUID, ct1.SOPInstanceUID)]
    for roi in rt.StructureSetROISequence:
        roi.ReferencedFrameOfReferenceUID = frame
    for contour in rt.ROIContourSequence:
        contour.ContourSequence = contour.ContourSequence[:1]
        contour.ContourSequence[0].ContourImageSequence = [
            reference(ct2.SOPClassUID, ct2.SOPInstanceUID)
        ]
    sr = identify(sample("test-SR.dcm"), patient, study)
    predecessor = sr.PredecessorDocumentsSequence[0]
    predecessor.StudyInstanceUID = study
    predecessor.ReferencedSeriesSequence[0].SeriesInstanceUID = ct_series
    predecessor.ReferencedSeriesSequence[0].ReferencedSOPSequence[0] = reference(
        ct2.SOPClassUID, ct2.SOPInstanceUID
    )
    overlay = identify(sample("examples_overlay.dcm"), patient, study)
    overlay.ReferencedImageSequence[0].ReferencedSOPInstanceUID = ct1.SOPInstanceUID
    files = {"ct1": ct1, "ct2": ct2, "mr": mr, "rt": rt, "sr": sr, "overlay": overlay}
    for ds in files.values():
        ds.SpecificCharacterSet = "ISO_IR 100"
        share(ds, ct1, PATIENT_AND_STUDY_TAGS)
    return {role: encode(ds) for role, ds in files.items()}


def nested() -> bytes:
    """A CT whose sequences hold what an anonymization visits: identifiers and references
    (one to the CT itself), tags the profile empties or removes (text and binary), private
    tags, a private sequence, and a sequence two levels deep."""
    ds = identify(sample("CT_small.dcm"), f"P{generate_uid()[-12:]}", generate_uid())
    first = reference(ds.SOPClassUID, generate_uid())
    first.PatientName, first.PatientID, first.AccessionNumber = "Nested^Name", "NESTED", "ACC"
    first.StudyDate, first.InstitutionName, first.OperatorsName = "20200101", "Inst", "Op"
    first.StudyInstanceUID, first.SeriesInstanceUID = ds.StudyInstanceUID, generate_uid()
    first.SOPInstanceUID, first.FrameOfReferenceUID = generate_uid(), ds.FrameOfReferenceUID
    first.FlowIdentifier = b"\1\2"
    first.FlowIdentifierSequence = [Dataset()]
    first.FlowIdentifierSequence[0].FlowIdentifier = b"\3\4"
    first.private_block(0x0011, "MY CREATOR", create=True).add_new(0x01, "LO", "secret")
    second = reference(ds.SOPClassUID, generate_uid())
    second.ReferencedImageSequence = [reference(ds.SOPClassUID, ds.SOPInstanceUID)]
    second.ReferencedImageSequence[0].PatientID = "DEEP"
    ds.SourceImageSequence = [first, second]
    other = Dataset()
    other.PatientID, other.IssuerOfPatientID = "OTHER", "ISSUER"
    ds.OtherPatientIDsSequence = [other]
    block = ds.private_block(0x0013, "MY CREATOR", create=True)
    block.add_new(0x10, "SQ", [copy.deepcopy(first)])
    return encode(ds)


def single(name: str, syntax: str = EXPLICIT_LITTLE) -> bytes:
    """A pydicom test file as a new instance of its own patient and study."""
    ds = identify(sample(name), f"P{generate_uid()[-12:]}", generate_uid())
    return encode(ds, syntax)


# -- the two servers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # decoded JSON, else the raw bytes

    @classmethod
    def of(cls, status: int, content: bytes) -> Answer:
        try:
            return cls(status, json.loads(content))
        except ValueError:
            return cls(status, content)


class Pair:
    """Orthanc and Cirrus, sent the same requests."""

    def __init__(self, orthanc: OrthancServer, client: Any) -> None:
        self.orthanc, self.client = orthanc, client

    def upload(self, files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
        """Each file to both servers; Orthanc's answers by role (the IDs are the same)."""
        answers = {}
        for role, data in files.items():
            theirs = self.orthanc.upload(data)
            ours = self.client.http.post("/instances", body=data)
            assert ours.status_code == 200, ours.body
            assert json.loads(ours.body)["ID"] == theirs["ID"]
            answers[role] = theirs
        return answers

    def post(self, path: str, body: Any) -> tuple[Answer, Answer]:
        """(Orthanc's, Cirrus's) answer; a str body is sent as is, anything else as JSON."""
        raw = body if isinstance(body, str) else json.dumps(body)
        theirs = self.orthanc.session.post(self.orthanc.url + path, data=raw, timeout=60)
        ours = self.client.http.post(path, body=raw)
        return Answer.of(theirs.status_code, theirs.content), Answer.of(ours.status_code, ours.body)

    def orthanc_get(self, path: str) -> Any:
        return self.orthanc.get_json(path)

    def cirrus_get(self, path: str, raw: bool = False) -> Any:
        response = self.client.http.get(path)
        assert response.status_code == 200, (path, response.body)
        return response.body if raw else json.loads(response.body)

    def files(self, side: str, instance_ids: list[str]) -> list[bytes]:
        if side == "orthanc":
            return [self.orthanc.get(f"/instances/{i}/file").content for i in instance_ids]
        return [self.cirrus_get(f"/instances/{i}/file", raw=True) for i in instance_ids]

    def get(self, side: str, path: str) -> Any:
        return self.orthanc_get(path) if side == "orthanc" else self.cirrus_get(path)


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    """An Orthanc of this module's own (its changes log is read from the start)."""
    with OrthancServer() as server:
        yield server


@pytest.fixture
def pair(client: Any, job_runner: Any, orthanc: OrthancServer) -> Pair:
    return Pair(orthanc, client)


# -- comparing files ------------------------------------------------------------------------


def without_cirrus_only_removals(theirs: Flat, ours: Flat) -> Flat:
    """Orthanc's anonymized file without the top-level wildcard-row elements (curves,
    overlay data and comments) Cirrus removed (2017c and later: see
    test_top_level_curves_and_overlays_are_removed)."""
    return {
        path: value
        for path, value in theirs.items()
        if path in ours or not is_cirrus_only_removal(path)
    }


def assert_same_files(
    sources: dict[str, bytes],
    theirs: dict[str, bytes],
    ours: dict[str, bytes],
    anonymized: bool,
) -> None:
    """Orthanc's and Cirrus's results (by the source each came from) hold the same elements,
    with new identifiers in the same places."""
    assert sorted(ours) == sorted(theirs)
    originals = original_values(flatten(data) for data in sources.values())
    flat_theirs = {key: flatten(data) for key, data in theirs.items()}
    flat_ours = {key: flatten(data) for key, data in ours.items()}
    if anonymized:
        flat_theirs = {
            key: without_cirrus_only_removals(flat, flat_ours[key])
            for key, flat in flat_theirs.items()
        }
    expected = canonical(flat_theirs, originals)
    actual = canonical(flat_ours, originals)
    problems = [
        f"{key} {line}" for key in expected for line in differences(expected[key], actual[key])
    ]
    assert not problems, "\n".join(problems)


def instance_route(
    pair: Pair, source: bytes, action: str, body: Any
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Both servers' answers to ``/instances/{id}/<action>`` (checked 200, DICOM files)."""
    instance = pair.upload({"file": source})["file"]["ID"]
    theirs, ours = pair.post(f"/instances/{instance}/{action}", body)
    assert theirs.status == 200, theirs.body
    assert ours.status == 200, ours.body
    assert isinstance(theirs.body, bytes) and isinstance(ours.body, bytes)
    return {instance: theirs.body}, {instance: ours.body}


def assert_same_instance_result(pair: Pair, source: bytes, action: str, body: Any) -> None:
    theirs, ours = instance_route(pair, source, action, body)
    key = next(iter(theirs))
    assert_same_files({key: source}, theirs, ours, anonymized=action == "anonymize")


# -- anonymizing one instance ---------------------------------------------------------------

FILES = ("CT_small.dcm", "MR_small.dcm", "rtstruct.dcm", "test-SR.dcm", "examples_overlay.dcm")


@pytest.mark.parametrize("version", ORTHANC_VERSIONS)
@pytest.mark.parametrize("name", FILES)
def test_anonymize_an_instance_with_the_defaults(pair: Pair, version: str, name: str) -> None:
    assert_same_instance_result(pair, single(name), "anonymize", {"DicomVersion": version})


def test_anonymize_an_implicit_vr_instance(pair: Pair) -> None:
    source = single("rtplan.dcm", IMPLICIT_LITTLE)
    assert_same_instance_result(pair, source, "anonymize", {"DicomVersion": "2021b"})


ANONYMIZE_OPTIONS = [
    {"KeepPrivateTags": True},
    {"Keep": ["StudyDescription", "SeriesDescription", "PatientBirthDate", "InstitutionName"]},
    {"Keep": ["PatientName"]},
    {"Keep": ["StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"], "Force": True},
    {"Replace": {"PatientName": "Roe^Jane", "InstitutionName": "Clinic", "PatientSex": "O"}},
    {"Replace": {"PatientID": "ANON-1", "PatientName": "Roe^Jane"}, "Force": True},
    {"Replace": {"StudyInstanceUID": "1.2.3", "SOPInstanceUID": "1.2.3.4.5"}, "Force": True},
    {"Remove": ["Modality", "SeriesNumber", "ImageType"]},
    {"Remove": ["PatientName"]},
    {"Keep": ["0009,1001", "0009,0010"]},
    {"KeepPrivateTags": True, "Replace": {"0019,1002": "77"}, "PrivateCreator": "GEMS_ACQU_01"},
]


@pytest.mark.parametrize("options", ANONYMIZE_OPTIONS, ids=lambda o: json.dumps(o)[:60])
def test_anonymize_an_instance_with_options(pair: Pair, options: dict[str, Any]) -> None:
    body = {"DicomVersion": "2021b", **options}
    assert_same_instance_result(pair, single("CT_small.dcm"), "anonymize", body)


NESTED_OPTIONS = [
    {"DicomVersion": "2008"},
    {"DicomVersion": "2017c"},
    {"DicomVersion": "2021b"},
    {"DicomVersion": "2021b", "KeepPrivateTags": True},
    {"DicomVersion": "2021b", "Keep": ["SourceImageSequence"]},
    {"DicomVersion": "2021b", "Keep": ["SourceImageSequence[0].AccessionNumber"]},
    {"DicomVersion": "2021b", "Keep": ["SourceImageSequence[*].FlowIdentifierSequence"]},
    {"DicomVersion": "2021b", "Keep": ["AccessionNumber", "PatientName", "0011,1001"]},
    {"DicomVersion": "2021b", "Remove": ["SourceImageSequence[1].ReferencedImageSequence"]},
    {"DicomVersion": "2021b", "Replace": {"SourceImageSequence[*].PatientID": "SET"}},
]


@pytest.mark.parametrize("options", NESTED_OPTIONS, ids=lambda o: json.dumps(o)[:80])
def test_anonymize_inside_sequences(pair: Pair, options: dict[str, Any]) -> None:
    """Inside sequences the profile's removals and clearings apply too (a cleared text is
    emptied, anything else removed), private tags go, and identifiers are mapped as the
    resources they name; ``Keep`` paths are left alone."""
    assert_same_instance_result(pair, nested(), "anonymize", options)


@pytest.mark.parametrize(
    "options",
    [{}, {"RemovePrivateTags": True}, {"Remove": ["SourceImageSequence[*].PatientID"]}],
    ids=json.dumps,
)
def test_modify_leaves_sequences_alone(pair: Pair, options: dict[str, Any]) -> None:
    """A modification maps no UID inside sequences and removes top-level private tags only."""
    assert_same_instance_result(pair, nested(), "modify", options)


PATH_OPTIONS = [
    {  # applied in the byte order of the names (jsoncpp's), whatever the body's order
        "Replace": {
            "ReferencedImageSequence[0].ReferencedSOPInstanceUID": "2.2",
            "ReferencedImageSequence[*].ReferencedSOPInstanceUID": "1.1",
            "PatientName": "Last^Wins",
            "0010,0010": "First^Loses",
        }
    },
    {"Replace": {"ReferencedImageSequence[0].ReferencedSOPInstanceUID": "1.2.3.4"}},
    {"Replace": {"ReferencedImageSequence[*].ReferencedSOPClassUID": "1.2.3"}},
    {"Replace": {"(0008,1140)[*].(0010,0010)": "Inserted^Name"}},
    {"Replace": {"ReferencedImageSequence[3].ReferencedSOPInstanceUID": "1.2.3.4"}},
    {"Remove": ["ReferencedImageSequence[0].ReferencedSOPClassUID"]},
    {"Remove": ["(0008,1140)[*].ReferencedSOPInstanceUID"]},
    {"Keep": ["ReferencedImageSequence[0].ReferencedSOPInstanceUID"]},
    {"Keep": ["(0008,1140)[*].ReferencedSOPInstanceUID"]},
    {"Keep": ["ReferencedImageSequence"]},
    {"Keep": ["StorageMediaFileSetUID", "FrameOfReferenceUID"]},
]


@pytest.mark.parametrize("options", PATH_OPTIONS, ids=lambda o: json.dumps(o)[:70])
@pytest.mark.parametrize("action", ["anonymize", "modify"])
def test_paths_into_sequences(pair: Pair, action: str, options: dict[str, Any]) -> None:
    """The overlay file has a Referenced Image Sequence of one item."""
    body = {"DicomVersion": "2021b", **options} if action == "anonymize" else options
    assert_same_instance_result(pair, single("examples_overlay.dcm"), action, body)


@pytest.mark.parametrize(
    ("action", "option"),
    [
        (action, option)
        for action in ("modify", "anonymize")
        for option in ("Replace", "Remove", "Keep")
    ],
)
@pytest.mark.parametrize("tag", ["PatientID", "StudyInstanceUID", "0020,000e", "SOPInstanceUID"])
def test_identifiers_need_force(pair: Pair, action: str, option: str, tag: str) -> None:
    """Orthanc's exact 400 for an identifier named without ``Force``; with it, the same
    result (or, for a removal, the same 400 without details)."""
    source = single("CT_small.dcm")
    instance = pair.upload({"file": source})["file"]["ID"]
    value = {tag: "1.2.3.4"} if option == "Replace" else [tag]
    version = {"DicomVersion": "2021b"} if action == "anonymize" else {}
    theirs, ours = pair.post(f"/instances/{instance}/{action}", {option: value, **version})
    assert theirs.status == 400
    operation = {"Replace": "replaced", "Remove": "removed", "Keep": "kept"}[option]
    assert theirs.body["Details"] == (
        f'Marking tag "{tag}" as to be {operation} requires the "Force" option to be set to true'
    )
    assert ours == theirs
    body = {option: value, "Force": True, **version}
    theirs, ours = pair.post(f"/instances/{instance}/{action}", body)
    if theirs.status == 200:
        assert ours.status == 200
        key = {instance: source}
        mine, expected = {instance: ours.body}, {instance: theirs.body}
        assert_same_files(key, expected, mine, anonymized=action == "anonymize")
    else:
        assert ours == theirs


# -- modifying one instance -----------------------------------------------------------------

MODIFY_OPTIONS = [
    {"Replace": {"InstitutionName": "Clinic", "PatientWeight": "70.5", "StudyDescription": ""}},
    {"Replace": {"ImageType": "DERIVED\\SECONDARY", "SeriesNumber": "12"}},
    {"Replace": {"PatientName": None, "Manufacturer": "data:application/octet-stream;base64,QUJD"}},
    {"Replace": {"0400,0120": "data:application/octet-stream;base64,AAECAwQF"}},
    {"Replace": {"FrameIncrementPointer": "FrameTime", "ExposureTime": "7", "Rows": "64"}},
    {"Replace": {"DiffusionBValue": "1000.5", "SmallestImagePixelValue": "3"}},
    {"Replace": {"OtherPatientIDsSequence": [{"PatientID": "A", "IssuerOfPatientID": "B"}, {}]}},
    {"Replace": {"ReferencedStudySequence": [[], {"ReferencedSOPInstanceUID": "1.2.3"}]}},
    {"Replace": {"ReferencedStudySequence": ""}},
    {"Remove": ["InstitutionName", "ImageType", "0009,1001"]},
    {"RemovePrivateTags": True},
    {"RemovePrivateTags": True, "Keep": ["0019,1002"]},
    {"Replace": {"0019,1002": "123", "0019,10aa": "x"}, "PrivateCreator": "GEMS_ACQU_01"},
    {"Replace": {"0099,1001": "value"}, "PrivateCreator": "MY CREATOR"},
    {"Replace": {"0099,1001": "value"}},
    {"Keep": ["SOPInstanceUID"], "Force": True},
    {"Replace": {"SOPInstanceUID": "1.2.3.4"}, "Force": True},
    {"Replace": {"SeriesInstanceUID": "1.2.3"}, "Force": True},
    {"Replace": {"StudyInstanceUID": "1.2.3"}, "Force": True},
    {"Replace": {"PatientID": "NEW"}, "Force": True},
    {"Replace": {"SOPClassUID": "1.2.840.10008.5.1.4.1.1.7"}},
    {"Replace": {"SpecificCharacterSet": "ISO_IR 192", "InstitutionName": "Clinique Éole"}},
]


@pytest.mark.parametrize("options", MODIFY_OPTIONS, ids=lambda o: json.dumps(o)[:70])
def test_modify_an_instance(pair: Pair, options: dict[str, Any]) -> None:
    assert_same_instance_result(pair, single("CT_small.dcm"), "modify", options)


@pytest.mark.parametrize("syntax", [EXPLICIT_LITTLE, IMPLICIT_LITTLE, "1.2.840.10008.1.2.1.99"])
def test_modify_and_transcode_an_instance(pair: Pair, syntax: str) -> None:
    source = single("rtplan.dcm", IMPLICIT_LITTLE)
    body = {"Replace": {"InstitutionName": "Clinic"}, "Transcode": syntax}
    theirs, ours = instance_route(pair, source, "modify", body)
    key = next(iter(theirs))
    assert pydicom.dcmread(io.BytesIO(ours[key])).file_meta.TransferSyntaxUID == syntax
    assert_same_files({key: source}, theirs, ours, anonymized=False)


def test_an_unknown_transfer_syntax_is_refused(pair: Pair) -> None:
    instance = pair.upload({"file": single("CT_small.dcm")})["file"]["ID"]
    theirs, ours = pair.post(f"/instances/{instance}/modify", {"Transcode": "1.2.3.4"})
    assert theirs.body["Details"] == "Unknown transfer syntax: 1.2.3.4"
    assert ours == theirs


def test_big_endian_is_not_written(pair: Pair) -> None:
    """Orthanc 1.10.1 transcodes this file to big endian; Cirrus cannot write big endian
    (docs/compatibility.md, "Archives and media") and answers the 500 Orthanc answers for a
    transfer syntax it cannot write."""
    big_endian = "1.2.840.10008.1.2.2"
    instance = pair.upload({"file": single("CT_small.dcm")})["file"]["ID"]
    _, ours = pair.post(f"/instances/{instance}/modify", {"Transcode": big_endian})
    assert ours.status == 500
    assert ours.body["Details"] == f"Cannot transcode to transfer syntax: {big_endian}"
    assert ours.body["OrthancStatus"] == -1


# -- modifying and anonymizing resources ----------------------------------------------------


@dataclass
class Results:
    """One server's new resources, by source instance: the new instance, its parents, its
    file."""

    instances: dict[str, dict[str, str]]  # source ID -> {Instance, Series, Study, Patient}
    files: dict[str, bytes]


def results(pair: Pair, side: str, instance_ids: list[str], derivation: str) -> Results:
    instances, files = {}, {}
    for new_id, data in zip(instance_ids, pair.files(side, instance_ids), strict=True):
        source = pair.get(side, f"/instances/{new_id}/metadata?expand")[derivation]
        resource = pair.get(side, f"/instances/{new_id}")
        instances[source] = {
            "Instance": new_id,
            "Series": resource["ParentSeries"],
            "Study": pair.get(side, f"/series/{resource['ParentSeries']}")["ParentStudy"],
        }
        study = pair.get(side, f"/studies/{instances[source]['Study']}")
        instances[source]["Patient"] = study["ParentPatient"]
        files[source] = data
    return Results(instances, files)


def new_instances(pair: Pair, side: str, content: dict[str, Any]) -> list[str]:
    """The instances a job created, from its Content (one resource, or bulk ``Resources``)."""
    if "Resources" in content:
        return [r["ID"] for r in content["Resources"] if r["Type"] == "Instance"]
    return [i["ID"] for i in pair.get(side, f"{content['Path']}/instances")]


class Labels:
    """Each server's new IDs and generated values, replaced by labels both share: the source
    instance (and level) a new resource first comes from, the place a generated value first
    occupies."""

    def __init__(self, results: Results, sources: dict[str, bytes]) -> None:
        originals = original_values(flatten(data) for data in sources.values())
        self.names: dict[str, str] = {}
        for key in sorted(results.instances):
            for level, new_id in results.instances[key].items():
                self.names.setdefault(new_id, f"<{level}:{key}>")
        flat = {key: flatten(data) for key, data in results.files.items()}
        for key in sorted(flat):
            for path in sorted(flat[key]):
                vr, value = flat[key][path]
                if isinstance(value, str) and is_generated(path, vr, value, originals):
                    self.names.setdefault(value, f"<new:{key}:{path}>")
        self._pattern = re.compile("|".join(map(re.escape, sorted(self.names, key=len)[::-1])))

    def __call__(self, value: Any) -> Any:
        """``value`` (JSON) with the labels, volatile fields left out, child lists sorted."""
        if isinstance(value, dict):
            return {
                k: sorted(self(v)) if k in CHILD_LISTS else self(v)
                for k, v in value.items()
                if k not in VOLATILE
            }
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, str) and self.names:
            return self._pattern.sub(lambda m: self.names[m.group(0)], value)
        return value


def assert_same_job_results(
    pair: Pair,
    sources: dict[str, bytes],
    theirs: dict[str, Any],
    ours: dict[str, Any],
    anonymized: bool,
    levels: tuple[str, ...] = ("Instance", "Series", "Study", "Patient"),
) -> None:
    """The jobs' Content, the new files, and the new resources' JSON and metadata at each
    of ``levels`` are the same on both servers, new IDs and values labelled."""
    derivation = "AnonymizedFrom" if anonymized else "ModifiedFrom"
    their_results = results(pair, "orthanc", new_instances(pair, "orthanc", theirs), derivation)
    our_results = results(pair, "cirrus", new_instances(pair, "cirrus", ours), derivation)
    assert_same_files(sources, their_results.files, our_results.files, anonymized)
    their_labels, our_labels = Labels(their_results, sources), Labels(our_results, sources)
    assert our_labels(without_resources(ours)) == their_labels(without_resources(theirs))
    # Orthanc lists a bulk job's new resources by level, each level sorted by ID.
    assert sorted(map(json.dumps, our_labels(ours.get("Resources", [])))) == sorted(
        map(json.dumps, their_labels(theirs.get("Resources", [])))
    )
    for key, resources in their_results.instances.items():
        for level, their_id in resources.items():
            if level not in levels:
                continue
            our_id = our_results.instances[key][level]
            collection = {v: k for k, v in LEVELS.items()}[level]
            for suffix in ("", "/metadata?expand"):
                expected = pair.orthanc_get(f"/{collection}/{their_id}{suffix}")
                actual = pair.cirrus_get(f"/{collection}/{our_id}{suffix}")
                assert our_labels(actual) == their_labels(expected), (level, suffix)


def without_resources(content: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in content.items() if key != "Resources"}


def job(pair: Pair, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    theirs, ours = pair.post(path, body)
    assert theirs.status == 200, theirs.body
    assert ours.status == 200, ours.body
    return theirs.body, ours.body


RESOURCE_CASES = [
    ("studies", "modify", {"Replace": {"StudyDescription": "Changed", "InstitutionName": "X"}}),
    ("studies", "modify", {"Replace": {"StudyInstanceUID": "1.2.3.4"}, "Force": True}),
    ("series", "modify", {"Replace": {"SeriesDescription": "Changed"}, "Remove": ["ImageType"]}),
    ("studies", "modify", {"Replace": {"StudyID": "7"}, "Transcode": IMPLICIT_LITTLE}),
    ("studies", "anonymize", {"DicomVersion": "2021b", "Transcode": IMPLICIT_LITTLE}),
    (
        "patients",
        "modify",
        {"Replace": {"PatientID": "NEW-ID", "PatientName": "New"}, "Force": True},
    ),
    ("studies", "anonymize", {"DicomVersion": "2021b"}),
    ("studies", "anonymize", {"DicomVersion": "2017c", "Keep": ["StudyDescription"]}),
    ("studies", "anonymize", {"DicomVersion": "2008"}),
    ("series", "anonymize", {"DicomVersion": "2021b", "Replace": {"PatientName": "Anon"}}),
    ("patients", "anonymize", {"DicomVersion": "2021b", "KeepPrivateTags": True}),
    (
        "studies",
        "anonymize",
        {"DicomVersion": "2021b", "Replace": {"StudyInstanceUID": "1.2.3"}, "Force": True},
    ),
]


@pytest.mark.parametrize(("collection", "action", "body"), RESOURCE_CASES, ids=str)
def test_modify_or_anonymize_a_resource(
    pair: Pair, collection: str, action: str, body: dict[str, Any]
) -> None:
    """Every instance of the resource, references between them kept (the RT structure set
    and the SR point at the new CTs and study), each level's new resource with its
    ModifiedFrom/AnonymizedFrom."""
    files = related_study()
    uploaded = pair.upload(files)
    parent = {"patients": "ParentPatient", "studies": "ParentStudy", "series": "ParentSeries"}
    resource = uploaded["ct1"][parent[collection]]
    theirs, ours = job(pair, f"/{collection}/{resource}/{action}", body)
    keys = {"Description", "FailedInstancesCount", "ID", "InstancesCount", "IsAnonymization"}
    keys |= {"Path", "PatientID", "Type"} | ({"Transcode"} if "Transcode" in body else set())
    assert set(ours) == set(theirs) == keys
    assert ours["Type"] == theirs["Type"] == LEVELS[collection]
    sources = {uploaded[role]["ID"]: data for role, data in files.items()}
    assert_same_job_results(pair, sources, theirs, ours, action == "anonymize")


def test_references_follow_the_instances_they_point_at(pair: Pair) -> None:
    """In both servers' anonymized study, the RT structure set and the SR reference the new
    CTs, series and study; the MR and the CTs share one new frame of reference."""
    files = related_study()
    uploaded = pair.upload(files)
    path = f"/studies/{uploaded['ct1']['ParentStudy']}/anonymize"
    theirs, ours = job(pair, path, {"DicomVersion": "2021b"})
    for side, content in (("orthanc", theirs), ("cirrus", ours)):
        new = results(pair, side, new_instances(pair, side, content), "AnonymizedFrom")
        ds = {role: pydicom.dcmread(io.BytesIO(new.files[a["ID"]])) for role, a in uploaded.items()}
        rt_frames = ds["rt"].ReferencedFrameOfReferenceSequence[0]
        rt_study = rt_frames.RTReferencedStudySequence[0]
        assert rt_study.ReferencedSOPInstanceUID == ds["ct1"].StudyInstanceUID
        rt_series = rt_study.RTReferencedSeriesSequence[0]
        assert rt_series.SeriesInstanceUID == ds["ct1"].SeriesInstanceUID
        assert (
            rt_series.ContourImageSequence[0].ReferencedSOPInstanceUID == ds["ct1"].SOPInstanceUID
        )
        contour = ds["rt"].ROIContourSequence[0].ContourSequence[0]
        assert contour.ContourImageSequence[0].ReferencedSOPInstanceUID == ds["ct2"].SOPInstanceUID
        predecessor = ds["sr"].PredecessorDocumentsSequence[0].ReferencedSeriesSequence[0]
        assert (
            predecessor.ReferencedSOPSequence[0].ReferencedSOPInstanceUID
            == ds["ct2"].SOPInstanceUID
        )
        assert (
            rt_frames.FrameOfReferenceUID
            == ds["mr"].FrameOfReferenceUID
            == ds["ct1"].FrameOfReferenceUID
        )
        assert (
            ds["ct2"].ReferencedImageSequence[0].ReferencedSOPInstanceUID
            == ds["ct1"].SOPInstanceUID
        )


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("studies/{ParentStudy}/anonymize", {"DicomVersion": "2021b"}),
        ("tools/bulk-anonymize", {"Resources": ["{ParentSeries}"], "DicomVersion": "2021b"}),
        ("studies/{ParentStudy}/modify", {"Replace": {"StudyDescription": "x"}}),
    ],
    ids=str,
)
def test_a_file_without_patient_id(pair: Pair, route: str, body: dict[str, Any]) -> None:
    """An anonymization maps a PatientID but adds none: the new instances belong to the
    patient of an empty PatientID, which the job's answer names (every such file of every
    test goes to that patient: its JSON is not compared)."""
    ds = identify(sample("MR_small.dcm"), "unused", generate_uid())
    del ds.PatientID
    data = encode(ds)
    uploaded = pair.upload({"file": data})["file"]
    path = "/" + route.format(**uploaded)
    body = json.loads(json.dumps(body).replace("{ParentSeries}", uploaded["ParentSeries"]))
    theirs, ours = job(pair, path, body)
    anonymized = route.endswith("anonymize")
    levels = ("Instance", "Series", "Study")
    assert_same_job_results(pair, {uploaded["ID"]: data}, theirs, ours, anonymized, levels)
    assert ours.get("PatientID", "da39a3ee-5e6b4b0d-3255bfef-95601890-afd80709") == (
        "da39a3ee-5e6b4b0d-3255bfef-95601890-afd80709"  # the ID of an empty PatientID
    )


def test_keep_source_false_deletes_the_sources(pair: Pair) -> None:
    files = related_study()
    uploaded = pair.upload(files)
    series = uploaded["ct1"]["ParentSeries"]
    theirs, ours = job(
        pair, f"/series/{series}/modify", {"Replace": {"SeriesNumber": "9"}, "KeepSource": False}
    )
    for role in ("ct1", "ct2"):
        instance = uploaded[role]["ID"]
        assert pair.orthanc.get(f"/instances/{instance}").status_code == 404
        assert pair.client.http.get(f"/instances/{instance}").status_code == 404
    assert pair.orthanc.get(f"/series/{series}").status_code == 404
    assert pair.client.http.get(f"/series/{series}").status_code == 404
    # The rest of the study stays, and the new series joined it.
    study_id = uploaded["mr"]["ParentStudy"]
    assert len(pair.orthanc_get(f"/studies/{study_id}")["Series"]) == 5
    assert len(pair.cirrus_get(f"/studies/{study_id}")["Series"]) == 5
    assert pair.cirrus_get(f"{ours['Path']}")["ParentStudy"] == study_id


@pytest.mark.parametrize("action", ["modify", "anonymize"])
def test_an_asynchronous_job(pair: Pair, action: str) -> None:
    """``Asynchronous`` answers {ID, Path}; the job is a ResourceModification whose Content,
    once finished, names the new resource as the synchronous answer does."""
    files = related_study()
    uploaded = pair.upload(files)
    path = f"/studies/{uploaded['ct1']['ParentStudy']}/{action}"
    body = {"Replace": {"StudyDescription": "Async"}, "Asynchronous": True}
    if action == "anonymize":
        body["DicomVersion"] = "2021b"
    theirs, ours = job(pair, path, body)
    assert set(theirs) == set(ours) == {"ID", "Path"}
    assert ours["Path"] == f"/jobs/{ours['ID']}"
    their_job = wait_for_job(lambda: pair.orthanc_get(theirs["Path"]))
    our_job = wait_for_job(lambda: pair.cirrus_get(ours["Path"]))
    assert set(our_job) == set(their_job)
    for key in ("Type", "State", "Progress", "ErrorCode", "ErrorDescription", "ErrorDetails"):
        assert our_job[key] == their_job[key], key
    assert our_job["Type"] == "ResourceModification"
    sources = {uploaded[role]["ID"]: data for role, data in files.items()}
    assert_same_job_results(
        pair, sources, their_job["Content"], our_job["Content"], action == "anonymize"
    )


@pytest.mark.parametrize(
    "extra",
    [{"Asynchronous": True}, {"Permissive": True}, {"Permissive": True, "Asynchronous": True}],
    ids=json.dumps,
)
def test_a_job_whose_instances_fail(pair: Pair, extra: dict[str, Any]) -> None:
    """A value Orthanc refuses only when it writes a file fails the job with that error (its
    code and details in /jobs/{id}). A permissive job ignores the failures and names no new
    resource. Cirrus counts the failed instances in ``FailedInstancesCount``, where Orthanc
    1.10.1 counts only instances it could not read (0 here). The ``Progress`` of a failed
    job is each job engine's own (not compared)."""
    files = related_study()
    uploaded = pair.upload(files)
    path = f"/studies/{uploaded['ct1']['ParentStudy']}/modify"
    theirs, ours = pair.post(path, {"Replace": {"Rows": "abc"}, **extra})
    assert ours.status == theirs.status == 200
    if "Asynchronous" in extra:
        their_job = wait_for_job(lambda: pair.orthanc_get(theirs.body["Path"]))
        our_job = wait_for_job(lambda: pair.cirrus_get(ours.body["Path"]))
        for key in ("Type", "State", "ErrorCode", "ErrorDescription", "ErrorDetails"):
            assert our_job[key] == their_job[key], key
        theirs, ours = Answer(200, their_job["Content"]), Answer(200, our_job["Content"])
    assert theirs.body["FailedInstancesCount"] == 0
    failed = len(files) if extra.get("Permissive") else 1  # a failure stops the job
    assert ours.body["FailedInstancesCount"] == failed
    assert ours == Answer(200, {**theirs.body, "FailedInstancesCount": failed})


def wait_for_job(read: Any, seconds: float = 30) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + seconds
    while True:
        answer = read()
        if answer["State"] in ("Success", "Failure") or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


# -- bulk -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("modify", {"Replace": {"InstitutionName": "Bulk"}}),
        ("modify", {"Replace": {"InstitutionName": "Bulk"}, "Level": "Series"}),
        ("modify", {"Replace": {"StudyDescription": "Bulk"}, "Level": "Study"}),
        ("modify", {"Replace": {"StudyDescription": "Bulk"}, "Level": "studies"}),
        ("modify", {"Replace": {"SeriesDescription": "Bulk"}, "Level": "IMAGES"}),
        ("modify", {"Replace": {"StudyInstanceUID": "1.2.3.4"}, "Force": True}),
        ("anonymize", {"DicomVersion": "2021b"}),
    ],
    ids=str,
)
def test_bulk_over_resources_of_mixed_levels(
    pair: Pair, action: str, extra: dict[str, Any]
) -> None:
    """A series, an instance of another series and the SR's series: one job, Content's
    ``Resources`` listing every new resource."""
    files = related_study()
    uploaded = pair.upload(files)
    resources = [
        uploaded["ct1"]["ParentSeries"],
        uploaded["mr"]["ID"],
        uploaded["sr"]["ParentSeries"],
    ]
    theirs, ours = job(pair, f"/tools/bulk-{action}", {"Resources": resources, **extra})
    assert set(ours) == set(theirs) == {
        "Description", "FailedInstancesCount", "InstancesCount", "IsAnonymization", "Resources",
    }  # fmt: skip
    sources = {uploaded[role]["ID"]: files[role] for role in ("ct1", "ct2", "mr", "sr")}
    assert_same_job_results(pair, sources, theirs, ours, action == "anonymize")


# -- errors ---------------------------------------------------------------------------------

# (route, body): route is "instance", "study", "series", "patient" (their modify route, or
# anonymize with "+a"), "bulk" / "bulk+a", or "unknown-instance" / "unknown-study".
ERRORS = [
    ("instance", {"Replace": {"ReferencedImageSequence.ReferencedSOPInstanceUID": "1.2"}}),
    ("instance", {"Replace": {"ReferencedImageSequence[x].ReferencedSOPInstanceUID": "1.2"}}),
    ("instance", {"Replace": {"ReferencedImageSequence[-1].ReferencedSOPInstanceUID": "1.2"}}),
    ("instance", {"Replace": {"ReferencedImageSequence[0.ReferencedSOPInstanceUID": "1.2"}}),
    ("instance", {"Replace": {"[0].ReferencedSOPInstanceUID": "1.2"}}),
    ("instance", {"Replace": {"ReferencedImageSequence[].PatientName": "x"}}),
    ("instance", {"Replace": {"ReferencedImageSequence[1_0].PatientName": "x"}}),
    ("instance", {"Replace": {"ReferencedImageSequence[99999999999].PatientName": "x"}}),
    ("instance", {"Replace": {"PatientName": 1}}),
    ("instance", {"Replace": {"PatientName": True}}),
    ("instance", {"Replace": {"PatientName": ["a"]}}),
    ("instance", {"Replace": {"PixelSpacing": {"a": 1}}}),
    ("instance", {"Replace": {"ReferencedImageSequence": "x"}}),
    ("instance", {"Replace": {"ReferencedImageSequence": [1]}}),
    ("instance", {"Replace": {"ReferencedImageSequence": [[1]]}}),
    ("instance", {"Replace": {"Rows": "abc"}}),
    ("instance", {"Replace": {"Rows": "1\\2"}}),
    ("instance", {"Replace": {"Rows": None}}),
    ("instance", {"Replace": {"ReferencedImageSequence[0].Rows": ""}}),
    ("instance", {"Replace": {"ReferencedImageSequence[7].Rows": "abc"}}),
    ("instance", {"Replace": {"PatientName": "data:application/octet-stream;base64,!!!"}}),
    ("instance", {"Replace": {"SOPInstanceUID": 5}, "Force": True}),
    ("instance+a", {"Replace": {"StudyInstanceUID": 5}, "Force": True}),
    ("instance", {"Replace": []}),
    ("instance", {"Remove": "PatientName"}),
    ("instance", {"Remove": [1]}),
    ("instance", {"Remove": ["PatientName", 1]}),
    ("instance", {"Replace": {"Zzz": "x", "PatientID": "x"}}),  # PatientID comes first
    ("instance", {"Keep": {}}),
    ("instance", {"Force": "true"}),
    ("instance", {"Force": 1}),
    ("instance", {"RemovePrivateTags": "yes"}),
    ("instance+a", {"KeepPrivateTags": "x"}),
    ("instance", {"PrivateCreator": 1}),
    ("instance", {"Transcode": 3}),
    ("instance+a", {"Keep": ["PatientID"], "Force": True}),
    ("instance", {"Remove": ["StudyInstanceUID"], "Force": True}),
    ("instance+a", {"Remove": ["PatientID"], "Force": True}),
    ("instance+a", {"DicomVersion": "2019a"}),
    ("instance+a", {"DicomVersion": 2021}),
    ("instance", []),
    ("instance", "null"),
    ("instance", "not json"),
    ("instance", ""),
    ("instance+a", ""),
    ("instance+a", "[]"),
    ("unknown-instance", {}),
    ("unknown-instance", {"Remove": ["PatientID"], "Force": True}),
    ("unknown-study", {"Replace": {"PatientID": "x"}, "Force": True}),
    ("unknown-study", {}),
    ("study", {"Replace": {"PatientID": "x"}, "Force": True}),
    ("study", {"Replace": {"PatientID": "x"}}),
    ("series", {"Replace": {"StudyInstanceUID": "1.2"}, "Force": True}),
    ("patient", {}),
    ("patient", {"Replace": {"PatientName": "x"}}),
    ("study", {"Replace": {"Rows": "abc"}}),
    ("study", {"Replace": {"PatientName": 3}}),
    ("study", {"Transcode": "1.2.3"}),
    ("study", {"Transcode": 1}),
    ("study", {"KeepSource": "no"}),
    ("study", {"Asynchronous": "no"}),
    ("study", {"Synchronous": 1}),
    ("study", {"Priority": "x"}),
    ("study", {"Permissive": "x"}),
    ("study", []),
    ("study", ""),
    ("study+a", ""),
    ("study+a", {"DicomVersion": "x"}),
    ("bulk", ""),
    ("bulk", {}),
    ("bulk", {"Resources": "x"}),
    ("bulk", {"Resources": [1]}),
    ("bulk", {"Resources": ["nope"]}),
    ("bulk", {"Resources": ["00000000-00000000-00000000-00000000-00000000"]}),
    ("bulk", {"Resources": "x", "Replace": {"PatientName": 1}}),
    ("bulk", {"Resources": ["STUDY"], "Level": "Nope"}),
    ("bulk", {"Resources": ["STUDY"], "Level": "Patient"}),
    (
        "bulk",
        {"Resources": ["STUDY"], "Replace": {"PatientID": "x"}, "Force": True, "Level": "Study"},
    ),
    ("bulk+a", ""),
    ("bulk+a", {}),
    ("bulk+a", {"Resources": ["nope"]}),
]


def error_route(route: str, uploaded: dict[str, Any]) -> str:
    kind, _, anonymize = route.partition("+")
    action = "anonymize" if anonymize else "modify"
    paths = {
        "instance": f"/instances/{uploaded['ID']}/{action}",
        "study": f"/studies/{uploaded['ParentStudy']}/{action}",
        "series": f"/series/{uploaded['ParentSeries']}/{action}",
        "patient": f"/patients/{uploaded['ParentPatient']}/{action}",
        "unknown-instance": "/instances/nope/modify",
        "unknown-study": "/studies/nope/modify",
        "bulk": f"/tools/bulk-{action}",
    }
    return paths[kind]


@pytest.mark.parametrize(("route", "body"), ERRORS, ids=lambda v: json.dumps(v)[:70])
def test_errors_are_orthancs(pair: Pair, route: str, body: Any) -> None:
    """The same status and JSON body (code, message, details)."""
    uploaded = pair.upload({"file": single("examples_overlay.dcm")})["file"]
    if isinstance(body, dict) and body.get("Resources") == ["STUDY"]:
        body = {**body, "Resources": [uploaded["ParentStudy"]]}
    theirs, ours = pair.post(error_route(route, uploaded), body)
    assert theirs.status >= 400, theirs
    assert ours == theirs


@pytest.mark.parametrize(
    "body",
    [
        {"Replace": {"NoSuchTag": "x"}},
        {"Remove": ["NoSuchTag"]},
        {"Keep": ["patientname"]},
        {"Replace": {"Seq.NoSuchTag": "1.2"}},
        {"Replace": {"NoSuchSeq[0].PatientName": "1.2"}},
        {"Replace": {"(PatientName)": "x"}},
        {"Replace": {"(0010,0010": "x"}},
        {"Replace": {"": "x"}},
        {"Replace": {"ReferencedImageSequence": [{"Nope": "x"}]}},
        {"Replace": {"FrameIncrementPointer": "Nope"}},
        {"Remove": ["ReferencedImageSequence[0]PatientName.x"]},
        {"Remove": ["NoSuchTag", 1]},
    ],
    ids=json.dumps,
)
def test_an_unknown_tag_is_400_where_orthanc_answers_500(pair: Pair, body: Any) -> None:
    """The same error (UnknownDicomTag, same details), as a client error (as every route of
    Cirrus answers an unknown tag name: docs/compatibility.md)."""
    instance = pair.upload({"file": single("examples_overlay.dcm")})["file"]["ID"]
    theirs, ours = pair.post(f"/instances/{instance}/modify", body)
    assert theirs.status == 500 and theirs.body["OrthancStatus"] == 27
    assert ours == Answer(400, {**theirs.body, "HttpError": "Bad Request", "HttpStatus": 400})


def test_paths_and_tags_are_read_as_orthanc_reads_them(pair: Pair) -> None:
    """Spellings DCMTK accepts: ``g,e`` in short hexadecimal, blanks around steps and
    indexes, a signed index."""
    body = {
        "Replace": {
            "10,1010": "042Y",
            " ReferencedImageSequence [ +0 ] . ReferencedSOPClassUID ": "1.2.3",
            "(0008,1140)[ 0 ].0008-1155": "1.2.3.4",
        }
    }
    assert_same_instance_result(pair, single("examples_overlay.dcm"), "modify", body)


# -- Cirrus's deliberate differences ---------------------------------------------------------


def test_top_level_curves_and_overlays_are_removed(pair: Pair) -> None:
    """The profile's (60xx,3000) Overlay Data: Orthanc 1.10.1 keeps it at the top level,
    Cirrus removes it (the standard's X action); everything else is the same."""
    theirs, ours = instance_route(
        pair, single("examples_overlay.dcm"), "anonymize", {"DicomVersion": "2021b"}
    )
    key = next(iter(theirs))
    assert 0x60003000 in pydicom.dcmread(io.BytesIO(theirs[key]))
    assert 0x60003000 not in pydicom.dcmread(io.BytesIO(ours[key]))


def test_dicom_version_2023b_is_cirrus_s_default(pair: Pair) -> None:
    """Orthanc 1.10.1 refuses ``"2023b"``; Cirrus knows it and uses it by default."""
    source = single("CT_small.dcm")
    instance = pair.upload({"file": source})["file"]["ID"]
    theirs, ours = pair.post(f"/instances/{instance}/anonymize", {"DicomVersion": "2023b"})
    assert theirs.status == 400
    assert ours.status == 200
    _, default = pair.post(f"/instances/{instance}/anonymize", {})
    method = "PS 3.15-2023b Table E.1-1 Basic Profile"
    for data in (ours.body, default.body):
        assert pydicom.dcmread(io.BytesIO(data)).DeidentificationMethod.endswith(method)


def test_a_level_mismatch_is_refused_before_the_job(pair: Pair) -> None:
    """Orthanc accepts an asynchronous job whose options contradict its level (a study
    modified with a new PatientID), which then fails; Cirrus refuses it at once with the
    error the job would have (the synchronous answers are the same)."""
    uploaded = pair.upload({"file": single("CT_small.dcm")})["file"]
    path = f"/studies/{uploaded['ParentStudy']}/modify"
    body = {"Replace": {"PatientID": "x"}, "Force": True, "Asynchronous": True}
    theirs, ours = pair.post(path, body)
    assert theirs.status == 200
    failed = wait_for_job(lambda: pair.orthanc_get(theirs.body["Path"]))
    assert failed["State"] == "Failure"
    assert ours.status == 400
    assert ours.body["Details"] == failed["ErrorDetails"]
    assert ours.body["OrthancStatus"] == failed["ErrorCode"]


@pytest.mark.parametrize(
    ("collection", "parent"), [("studies", "ParentSeries"), ("series", "ParentStudy")]
)
def test_a_resource_of_another_level_is_unknown(pair: Pair, collection: str, parent: str) -> None:
    """Orthanc 1.10.1 modifies whatever resource the ID names (a series "as a study");
    Cirrus answers 404, as its other routes do for an ID of another level."""
    uploaded = pair.upload({"file": single("CT_small.dcm")})["file"]
    theirs, ours = pair.post(f"/{collection}/{uploaded[parent]}/modify", {})
    assert theirs.status == 200
    assert ours.status == 404 and ours.body["OrthancStatus"] == 17


def test_a_new_character_set_re_encodes_the_values(pair: Pair) -> None:
    """Replacing SpecificCharacterSet: Orthanc 1.10.1 leaves the other values' bytes as
    they were (Latin-1 text then reads as invalid UTF-8); Cirrus writes them in the new
    character set, so the text stays the same."""
    ds = identify(sample("CT_small.dcm"), f"P{generate_uid()[-12:]}", generate_uid())
    ds.SpecificCharacterSet, ds.StudyDescription = "ISO_IR 100", "Étude"
    body = {"Replace": {"SpecificCharacterSet": "ISO_IR 192"}}
    theirs, ours = instance_route(pair, encode(ds), "modify", body)
    key = next(iter(theirs))
    assert b"\xc9tude" in theirs[key]
    assert pydicom.dcmread(io.BytesIO(ours[key])).StudyDescription == "Étude"


def test_a_level_that_is_not_a_string(pair: Pair) -> None:
    """Orthanc 1.10.1 fails with 500 (an unhandled exception) on a ``Level`` that is not a
    string; Cirrus answers the 400 of an unknown level."""
    uploaded = pair.upload({"file": single("CT_small.dcm")})["file"]
    body = {"Resources": [uploaded["ParentStudy"]], "Level": 3}
    theirs, ours = pair.post("/tools/bulk-modify", body)
    assert theirs.status == 500
    assert ours.status == 400 and ours.body["OrthancStatus"] == 3 and "Details" not in ours.body


def test_a_resource_named_twice_is_modified_once(pair: Pair) -> None:
    """A study and one of its series in one bulk job: Orthanc 1.10.1 modifies the series'
    instances twice and fails storing the second copy (500 "Cannot store an instance");
    Cirrus modifies each instance once."""
    files = related_study()
    uploaded = pair.upload(files)
    resources = [uploaded["ct1"]["ParentStudy"], uploaded["ct1"]["ParentSeries"]]
    body = {"Resources": resources, "Replace": {"InstitutionName": "Twice"}}
    theirs, ours = pair.post("/tools/bulk-modify", body)
    assert theirs.status == 500 and theirs.body["OrthancStatus"] == 2018
    assert ours.status == 200 and ours.body["InstancesCount"] == len(files)


# -- the changes log ------------------------------------------------------------------------


def test_a_modification_logs_only_new_and_stable_changes(pair: Pair, feed: Any) -> None:
    """Orthanc 1.10.1 has ModifiedStudy... change types but never logs them: after a study
    is modified and anonymized, its /changes holds New* entries only (Stable* come once
    StableAge has passed), and so does Cirrus's (its stream pumped as Lambda would be)."""
    last = pair.orthanc_get("/changes?last")["Last"]
    uploaded = pair.upload({"file": single("CT_small.dcm")})["file"]
    job(pair, f"/studies/{uploaded['ParentStudy']}/modify", {"Replace": {"StudyDescription": "x"}})
    job(pair, f"/studies/{uploaded['ParentStudy']}/anonymize", {})
    feed.pump()
    theirs = pair.orthanc_get(f"/changes?since={last}&limit=1000")["Changes"]
    ours = pair.cirrus_get("/changes?since=0&limit=1000")["Changes"]
    kinds = sorted((change["ChangeType"], change["ResourceType"]) for change in theirs)
    assert all(kind.startswith(("New", "Stable")) for kind, _ in kinds), kinds
    # Stable* entries also come from earlier tests' resources, once StableAge has passed.
    new = [(kind, level) for kind, level in kinds if kind.startswith("New")]
    assert sorted((change["ChangeType"], change["ResourceType"]) for change in ours) == new
