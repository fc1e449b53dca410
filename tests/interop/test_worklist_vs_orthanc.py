"""``POST /modalities/{id}/find-worklist``, side by side with Orthanc 1.10.1.

Cirrus (in-process on moto) and Orthanc, calling as the same AE title, query two worklist
servers: a pynetdicom Modality Worklist SCP run by the test, which records each identifier it
receives and answers fixed items (or a failure status), and an Orthanc 1.10.1 running its
sample worklists plugin on files holding the same items. Answers must be equal, and so must
the identifiers the pynetdicom SCP receives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydicom import datadict
from pydicom.dataset import Dataset, FileMetaDataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import ModalityWorklistInformationFind  # type: ignore[attr-defined]

from tests.support.differential import Both
from tests.support.orthanc_server import OrthancServer, free_port

CALLER = "WLSCU"
PLUGIN = Path("/usr/share/orthanc/plugins/libModalityWorklists.so")
DEAD_PORT = free_port()


def _code(value: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, "99LOCAL", meaning
    return code


def _item(patient_id: str, name: str, modality: str, date: str, charset: str | None) -> Dataset:
    """A worklist item: patient, requested procedure and one scheduled procedure step."""
    item = Dataset()
    if charset:
        item.SpecificCharacterSet = charset
    item.AccessionNumber = f"ACC{patient_id}"
    item.PatientName, item.PatientID, item.PatientSex = name, patient_id, "O"
    item.RequestedProcedureID = f"RP{patient_id}"
    item.RequestedProcedureDescription = "Scheduled exam"
    item.StudyInstanceUID = f"1.2.826.0.1.3680043.8.498.{len(name)}{ord(patient_id[-1])}"
    step = Dataset()
    step.Modality = modality
    step.ScheduledStationAETitle = "SCANNER1"
    step.ScheduledProcedureStepStartDate, step.ScheduledProcedureStepStartTime = date, "0930"
    step.ScheduledProcedureStepID = f"SPS{patient_id}"
    step.ScheduledProcedureStepDescription = f"{name} procédure"
    step.ScheduledProtocolCodeSequence = [_code("P1", "Protocol one"), _code("P2", "Two")]
    item.ScheduledProcedureStepSequence = [step]
    return item


ITEMS = [
    _item("WL1", "DOE^JOHN", "CT", "20240105", "ISO_IR 100"),
    _item("WL2", "MÜLLER^JÖRG", "MR", "20240106", "ISO_IR 100"),
    _item("WL3", "Éric^李", "CT", "20240106", "ISO_IR 192"),
    _item("WL4", "NO^CHARSET", "US", "20240107", None),
]


def _odd_item() -> Dataset:
    """What Orthanc filters out or shows its own way: a top-level SOPInstanceUID (dropped;
    kept in items), private and binary tags, numbers, empty values, long values."""
    item = _item("WL5", "ODD^ITEM", "CT", "20240108", "ISO_IR 100")
    item.SOPInstanceUID = "1.2.3.4"
    item.SOPClassUID = "1.2.840.10008.5.1.4.31"
    item.PatientComments = "long " * 80
    item.add_new(0x00090010, "LO", "ACME")
    item.add_new(0x00091001, "LO", "private")
    item.add_new(0x00091002, "OB", b"\x01\x02")
    item.add_new(0x00280010, "US", 512)
    item.add_new(0x00280011, "US", [1, 2])
    item.add_new(0x00280100, "US", None)
    item.add_new(0x00280030, "DS", None)
    item.add_new(0x00189087, "FD", [1.0 / 3, 1e20])
    item.add_new(0x00209241, "FL", 0.1)
    item.add_new(0x00209165, "AT", [0x00100010, 0x00100020])
    item.add_new(0x00282000, "OB", b"\x00\x01")
    item.ReferencedPatientSequence = []
    reference = Dataset()
    reference.ReferencedSOPClassUID, reference.ReferencedSOPInstanceUID = "1.2.3", "1.2.3.5"
    reference.SOPInstanceUID = "1.2.3.6"
    reference.add_new(0x00090010, "LO", "ACME")
    reference.add_new(0x00091001, "LO", "private")
    item.ReferencedStudySequence = [reference]
    return item


def _every_tag_item() -> Dataset:
    """An item holding (almost) every tag of pydicom's dictionary, DCMTK 3.6.7 knowing only
    some: Orthanc leaves the others out."""
    values: dict[str, Any] = {"UI": "1.2.3", "DA": "20240101", "TM": "101010", "AS": "030Y"}
    values |= {"DT": "20240101101010", "AE": "AE", "DS": "1.5", "IS": "7", "CS": "ABC"}
    values |= {"US": 3, "SS": -3, "UL": 4, "SL": -4, "FL": 1.5, "FD": 2.5, "AT": 0x00100010}
    values |= {"UV": 5, "SV": -5}
    item = Dataset()
    item.SpecificCharacterSet = "ISO_IR 100"
    for tag, (vr, *_rest) in datadict.DicomDictionary.items():
        vr = vr.split(" or ")[0]
        if tag >> 16 in (0x0000, 0x0002, 0xFFFE, 0x7FE0) or vr == "SQ" or tag in item:
            continue
        item.add_new(tag, vr, values.get(vr, b"\x01\x02" if vr[0] == "O" or vr == "UN" else "x"))
    return item


class WorklistScp:
    """A Modality Worklist SCP answering ``items`` (whatever the query) or ``status``."""

    def __init__(self) -> None:
        self.items: list[Dataset] = ITEMS
        self.status = 0x0000
        self.received: list[Dataset] = []
        self.port = free_port()
        ae = AE("WLSCP")
        ae.add_supported_context(ModalityWorklistInformationFind)
        self.server = ae.start_server(
            ("127.0.0.1", self.port), block=False, evt_handlers=[(evt.EVT_C_FIND, self._find)]
        )

    def _find(self, event: Any) -> Iterator[tuple[int, Dataset | None]]:
        self.received.append(event.identifier)
        if self.status:
            yield self.status, None
            return
        for item in self.items:
            yield 0xFF00, item


@pytest.fixture(scope="module")
def scp() -> Iterator[WorklistScp]:
    server = WorklistScp()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def plugin_remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrthancServer]:
    """Orthanc serving ITEMS with its sample worklists plugin (shipped with Debian's
    package)."""
    folder = tmp_path_factory.mktemp("worklists")
    for n, item in enumerate(ITEMS):
        item = item.copy()
        item.file_meta = FileMetaDataset()
        item.file_meta.MediaStorageSOPClassUID = "1.2.276.0.7230010.3.1.0.1"
        item.file_meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.8.498.9{n}"
        item.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
        item.save_as(folder / f"item{n}.wl", enforce_file_format=True)
    config = {
        "DicomAet": "WLORTHANC",
        "Plugins": [str(PLUGIN)],
        "Worklists": {"Enable": True, "Database": str(folder)},
        "DicomModalities": {"caller": [CALLER, "127.0.0.1", 1]},
    }
    with OrthancServer(config) as server:
        yield server


def _modalities(scp: WorklistScp, plugin_remote: OrthancServer) -> dict[str, Any]:
    return {
        "wl": ["WLSCP", "127.0.0.1", scp.port],
        "plugin": ["WLORTHANC", "127.0.0.1", plugin_remote.dicom_port],
        "dead": ["NOBODY", "127.0.0.1", DEAD_PORT],
    }


@pytest.fixture(scope="module")
def orthanc(scp: WorklistScp, plugin_remote: OrthancServer) -> Iterator[OrthancServer]:
    config = {
        "DicomAet": CALLER,
        "DicomModalities": _modalities(scp, plugin_remote),
        "DicomScuTimeout": 3,
    }
    with OrthancServer(config) as server:
        yield server


@pytest.fixture
def both(
    client: Any,
    configure: Any,
    orthanc: OrthancServer,
    scp: WorklistScp,
    plugin_remote: OrthancServer,
) -> Iterator[Both]:
    configure(DicomAet=CALLER, DicomModalities=_modalities(scp, plugin_remote), DicomScuTimeout=3)
    yield Both(orthanc, client)
    scp.items, scp.status = ITEMS, 0x0000


def _same_identifiers(scp: WorklistScp) -> None:
    """Orthanc's and Cirrus's last identifiers, as the SCP received them, are equal."""
    theirs, ours = (ds.to_json_dict() for ds in scp.received[-2:])
    assert ours == theirs
    scp.received.clear()


STEP = "ScheduledProcedureStepSequence"
QUERIES = [
    {},
    {"PatientID": ""},
    {"PatientName": "DOE*", STEP: [{"Modality": "CT"}]},
    {"Query": {"PatientID": ""}},
    {"Query": {"PatientID": "", STEP: [{"Modality": "CT", "ScheduledStationAETitle": ""}]}},
    {"Query": {STEP: [{"ScheduledProtocolCodeSequence": [{"CodeValue": "P1"}, {}]}, {}]}},
    {"Query": {STEP: []}},
    {"Query": {STEP: ""}},
    {"Query": {"PatientID": None, "0010,0010": "", "00100040": "O"}},
    {"Query": {"PatientName": "MÜLLER*"}},
    {"Query": {"PatientName": "A李B"}},
    {"Query": {"SpecificCharacterSet": "ISO_IR 192", "PatientName": "Éric*"}},
    {"Query": {"SpecificCharacterSet": "ISO_IR 144", "PatientName": "x"}},
    {"Query": {"SpecificCharacterSet": "", "PatientName": "x"}},
    {"Query": {"Rows": "12", "PatientWeight": "70.5", "StudyDate": "20240101-"}},
    {"Query": {"0009,0010": "CREATOR", "0009,1001": "x"}},
    {"Query": {"QueryRetrieveLevel": "STUDY"}},
    {"Query": {}, "Short": True},
    {"Query": {}, "Full": True},
    {"Query": {}, "Short": True, "Full": True},
    {"Query": {}, "Simplify": True, "Full": True},
    {"Query": {}, "Simplify": False, "Full": True},
    {"Query": {}, "Short": False, "Full": False, "Other": 1},
    {"Query": {}, "Timeout": 5},
]


@pytest.mark.parametrize("body", QUERIES, ids=lambda q: json.dumps(q, ensure_ascii=False))
def test_worklist_answers_and_identifiers_match_orthanc(
    both: Both, scp: WorklistScp, body: dict[str, Any]
) -> None:
    both.same("POST", "/modalities/wl/find-worklist", body)
    _same_identifiers(scp)


@pytest.mark.parametrize("fmt", [{}, {"Short": True}, {"Full": True}])
def test_what_orthanc_leaves_out_of_answers(both: Both, scp: WorklistScp, fmt: Any) -> None:
    scp.items = [_odd_item(), _every_tag_item()]
    both.same("POST", "/modalities/wl/find-worklist", {"Query": {}} | fmt)


@pytest.mark.parametrize(
    "query",
    [
        {"PatientID": ""},
        {"PatientID": "WL2", "PatientName": ""},
        {STEP: [{"Modality": "CT", "ScheduledStationAETitle": ""}], "PatientName": ""},
        {STEP: [{"Modality": "", "ScheduledProtocolCodeSequence": [{}]}], "PatientID": ""},
        {STEP: [{"ScheduledProcedureStepStartDate": "20240106-"}], "AccessionNumber": ""},
        {"PatientName": "Éric*", "SpecificCharacterSet": "ISO_IR 192"},
    ],
    ids=lambda q: json.dumps(q, ensure_ascii=False),
)
def test_orthanc_worklists_plugin_answers_the_same(both: Both, query: dict[str, Any]) -> None:
    for fmt in ({}, {"Full": True}):
        expected = both.same("POST", "/modalities/plugin/find-worklist", {"Query": query} | fmt)
        assert expected[0] == 200 and expected[1]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "",
        [],
        '"x"',
        "3",
        {"PatientID": "", "Short": True},
        {"Query": []},
        {"Query": None},
        {"Query": "x"},
        {"Query": {"NoSuchTag": ""}},
        {"Query": {"patientid": ""}},
        {"Query": {"PatientID": 3}},
        {"Query": {"PatientID": True}},
        {"Query": {"PatientID": ["a"]}},
        {"Query": {"PatientID": {}}},
        {"PatientID": 3},
        {"Query": {STEP: "x"}},
        {"Query": {STEP: {}}},
        {"Query": {STEP: ["x"]}},
        {"Query": {STEP: [{"Modality": 3}]}},
        {"Query": {STEP: [{"NoSuch": ""}]}},
        {"Query": {"Rows": "abc"}},
        {"Query": {"PixelData": "x"}},
        {"Query": {"SpecificCharacterSet": "BAD"}},
        {"Query": {}, "Short": "yes"},
        {"Query": {}, "Full": 1},
        {"Query": {}, "Simplify": "x"},
        {"Query": {}, "Timeout": "x"},
        {"Query": {}, "Timeout": -1},
        {"Query": 3, "Short": "x"},
        {"Query": {"NoSuchTag": ""}, "Short": "x"},
    ],
    ids=lambda b: json.dumps(b, ensure_ascii=False),
)
def test_bad_requests_match_orthanc(both: Both, body: Any) -> None:
    for modality in ("wl", "nope"):
        both.same("POST", f"/modalities/{modality}/find-worklist", body)


@pytest.mark.parametrize("status", [0xC000, 0xC001, 0xA700, 0xB000, 0xFE00])
def test_failure_statuses_match_orthanc(both: Both, scp: WorklistScp, status: int) -> None:
    scp.status = status
    both.same("POST", "/modalities/wl/find-worklist", {"Query": {"PatientID": ""}})


def test_unknown_and_unreachable_modalities(both: Both) -> None:
    both.same("POST", "/modalities/nope/find-worklist", {"Query": {}, "Timeout": "x"})
    expected, actual = both.call("POST", "/modalities/dead/find-worklist", {"Query": {}})
    assert actual[0] == expected[0] == 500
    assert actual[1]["OrthancStatus"] == expected[1]["OrthancStatus"] == 9
    assert actual[1]["Details"].startswith('DicomAssociation - connecting to AET "NOBODY"')
    expected, actual = both.call("GET", "/modalities/wl/find-worklist")
    assert actual[0] == expected[0] == 405


def test_modality_lists_find_worklist(both: Both) -> None:
    expected, actual = both.call("GET", "/modalities/wl")
    assert "find-worklist" in expected[1] and "find-worklist" in actual[1]
