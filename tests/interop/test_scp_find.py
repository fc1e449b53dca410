"""The C-FIND SCP against Orthanc 1.10.1's: the same files stored in both, the same C-FIND
requests (pynetdicom as SCU, and dcmtk's findscu), the same answers, dataset for dataset."""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydicom.dataset import Dataset
from pynetdicom import AE
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    PatientRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelFind,
)

from tests.conftest import chalice_client, moto_storage
from tests.interop.test_find_vs_orthanc import _corpus
from tests.support.orthanc_server import OrthancServer, free_port

PATIENT_ROOT = PatientRootQueryRetrieveInformationModelFind
STUDY_ROOT = StudyRootQueryRetrieveInformationModelFind
ORTHANC_AET = "ORTHANCTEST"
CIRRUS_AET = "CIRRUS"
PENDING = 0xFF00
STUDY_1 = "1.2.826.0.1.3680043.99.1"


class Peers:
    """Orthanc's and Cirrus's C-FIND SCPs, holding the same files."""

    def __init__(self, orthanc_port: int, cirrus_port: int) -> None:
        self.ports = {ORTHANC_AET: orthanc_port, CIRRUS_AET: cirrus_port}

    def find(self, aet: str, model: Any, keys: dict[str, Any]) -> tuple[int, list[Dataset]]:
        """The final status and the pending answers of one C-FIND."""
        ae = AE(ae_title="FINDSCU")
        ae.add_requested_context(model)
        association = ae.associate("127.0.0.1", self.ports[aet], ae_title=aet)
        assert association.is_established
        identifier = Dataset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid values on purpose ("*" as a UID)
            for keyword, value in keys.items():
                setattr(identifier, keyword, value)
        answers, final = [], None
        try:
            for status, answer in association.send_c_find(identifier, model):
                assert status, "no answer"
                if status.Status == PENDING:
                    answers.append(answer)
                else:
                    final = status.Status
        finally:
            association.release()
        assert final is not None
        return final, answers

    def both(self, model: Any, keys: dict[str, Any]) -> tuple[Any, Any]:
        theirs = self.find(ORTHANC_AET, model, keys)
        ours = self.find(CIRRUS_AET, model, keys)
        return comparable(*theirs, aet=ORTHANC_AET), comparable(*ours, aet=CIRRUS_AET)


def comparable(status: int, answers: list[Dataset], aet: str) -> tuple[int, list[Any]]:
    """The status and the answers as sorted lists of (tag, text) (answer order is the index's
    order, which differs), with the server's AE title masked."""
    rows = []
    for answer in answers:
        row = []
        for element in answer:
            text = _text(element.value)
            if element.keyword == "RetrieveAETitle" and text == aet:
                text = "<aet>"
            row.append((str(element.tag), text))
        rows.append(row)
    return status, sorted(rows)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return "\\".join(_text(v) for v in value)
    return str(value)


def _start(options: dict[str, Any], config_dir: Path) -> Iterator[tuple[OrthancServer, int]]:
    """Orthanc and Cirrus (REST and C-FIND SCP on moto) with the corpus stored in both."""
    from chalicelib import bootstrap
    from scp_container.service import start

    path = config_dir / "cirrus.json"
    # As on the Orthanc side: any caller may query.
    path.write_text(json.dumps({"DicomAet": CIRRUS_AET, "DicomAlwaysAllowFind": True, **options}))
    os.environ["CIRRUS_CONFIG"] = str(path)
    bootstrap.reset()
    orthanc_options = {"DicomAlwaysAllowFind": True, **options}
    try:
        with OrthancServer(orthanc_options) as orthanc, moto_storage(), chalice_client() as cirrus:
            for data in _corpus():
                orthanc.upload(data)
                assert cirrus.http.post("/instances", body=data).status_code == 200
            port = free_port()
            server = start("127.0.0.1", port, block=False)
            try:
                yield orthanc, port
            finally:
                server.shutdown()
    finally:
        os.environ.pop("CIRRUS_CONFIG", None)
        bootstrap.reset()
        bootstrap.config.cache_clear()


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peers]:
    for orthanc, port in _start({}, tmp_path_factory.mktemp("cfind")):
        yield Peers(orthanc.dicom_port, port)


QUERIES: list[tuple[Any, dict[str, Any]]] = [
    # Every level, everything, with main tags of the level and above as return keys.
    (PATIENT_ROOT, {"QueryRetrieveLevel": "PATIENT", "PatientID": "", "PatientName": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": "", "PatientID": ""}),
    (
        STUDY_ROOT,
        {"QueryRetrieveLevel": "SERIES", "SeriesInstanceUID": "", "Modality": "", "PatientID": ""},
    ),
    (
        PATIENT_ROOT,
        {
            "QueryRetrieveLevel": "IMAGE",
            "SOPInstanceUID": "",
            "InstanceNumber": "",
            "StudyDate": "",
            "PatientName": "",
        },
    ),
    # Case: sensitive except on PN.
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "PatientID": "PAT1", "StudyDescription": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "PatientID": "pat1"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "AccessionNumber": "acc-1"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "PatientName": "DOE^JOHN", "StudyDate": ""}),
    (PATIENT_ROOT, {"QueryRetrieveLevel": "PATIENT", "PatientName": "smith^jane"}),
    # Wildcards.
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "PatientName": "doe*", "AccessionNumber": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "AccessionNumber": "acc*"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "StudyDescription": "*(R)", "PatientID": "*"}),
    (PATIENT_ROOT, {"QueryRetrieveLevel": "PATIENT", "PatientID": "?AT?", "PatientSex": ""}),
    # Date ranges and lists.
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "StudyDate": "20180323-20180325"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "StudyDate": "20180324-"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "StudyDate": "-20180324", "StudyTime": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "SERIES", "StudyDate": "20180325\\20200101"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "IMAGE", "StudyDate": "20180323-", "Modality": "CT"}),
    # UID lists.
    (
        STUDY_ROOT,
        {
            "QueryRetrieveLevel": "IMAGE",
            "SeriesInstanceUID": f"{STUDY_1}.1\\1.2.826.0.1.3680043.99.2.1",
            "SOPInstanceUID": "",
            "SOPClassUID": "",
        },
    ),
    (
        STUDY_ROOT,
        {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": f"{STUDY_1}\\1.2.826.0.1.3680043.99.3"},
    ),
    (STUDY_ROOT, {"QueryRetrieveLevel": "SERIES", "StudyInstanceUID": STUDY_1, "Modality": "MR"}),
    # Computed attributes.
    (
        PATIENT_ROOT,
        {
            "QueryRetrieveLevel": "PATIENT",
            "PatientID": "",
            "NumberOfPatientRelatedStudies": "",
            "NumberOfPatientRelatedSeries": "",
            "NumberOfPatientRelatedInstances": "",
            "NumberOfStudyRelatedSeries": "",
        },
    ),
    (
        STUDY_ROOT,
        {
            "QueryRetrieveLevel": "STUDY",
            "StudyInstanceUID": "",
            "ModalitiesInStudy": "",
            "SOPClassesInStudy": "",
            "NumberOfStudyRelatedSeries": "",
            "NumberOfStudyRelatedInstances": "",
            "NumberOfSeriesRelatedInstances": "",
        },
    ),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "ModalitiesInStudy": "CT", "PatientName": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "ModalitiesInStudy": "CR\\MR"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "ModalitiesInStudy": "mr"}),
    (
        STUDY_ROOT,
        {
            "QueryRetrieveLevel": "SERIES",
            "SeriesInstanceUID": "",
            "NumberOfSeriesRelatedInstances": "",
        },
    ),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "NumberOfStudyRelatedSeries": "2"}),
    # Main tags of other levels, and tags that are not main tags (read from an instance).
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "Modality": "", "SeriesInstanceUID": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "Modality": "CT"}),
    (
        STUDY_ROOT,
        {
            # One instance in the series: which one a series shows its tags from is an
            # ordering detail (the first stored for Orthanc, the lowest ID for Cirrus).
            "QueryRetrieveLevel": "SERIES",
            "SeriesInstanceUID": f"{STUDY_1}.2\\1.2.826.0.1.3680043.99.3.1",
            "DeviceSerialNumber": "",
            "InstanceNumber": "",
            "StudyDescription": "",
        },
    ),
    (STUDY_ROOT, {"QueryRetrieveLevel": "SERIES", "DeviceSerialNumber": "123\\abc"}),
    (
        STUDY_ROOT,
        {
            "QueryRetrieveLevel": "IMAGE",
            "PatientID": "4MR1",
            "SliceLocation": "",
            "ImageType": "",
            "SeriesNumber": "",
        },
    ),
    (STUDY_ROOT, {"QueryRetrieveLevel": "IMAGE", "InstanceNumber": "2\\3"}),
    # The level as written, only the level, and the character set.
    (STUDY_ROOT, {"QueryRetrieveLevel": "study", "PatientID": "pat2"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY"}),
    (
        STUDY_ROOT,
        {"QueryRetrieveLevel": "STUDY", "SpecificCharacterSet": "ISO_IR 192", "PatientID": "PAT1"},
    ),
    (STUDY_ROOT, {"QueryRetrieveLevel": "SERIES", "RetrieveAETitle": "", "Modality": "CR"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "IMAGE", "InstanceAvailability": "", "Modality": "CR"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "INSTANCE", "PatientID": "pat2", "SOPInstanceUID": ""}),
    # Failures: no level, an unknown level, a wildcard on a UID or on a date.
    (STUDY_ROOT, {"PatientID": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "FOO", "PatientID": ""}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": "*"}),
    (STUDY_ROOT, {"QueryRetrieveLevel": "SERIES", "StudyDate": "2018*"}),
]


@pytest.mark.parametrize(
    ("model", "keys"), QUERIES, ids=lambda q: json.dumps(q) if isinstance(q, dict) else None
)
def test_c_find_answers_like_orthanc(peers: Peers, model: Any, keys: dict[str, Any]) -> None:
    theirs, ours = peers.both(model, keys)
    assert ours == theirs


def test_the_answers_differ_where_the_query_asks_for_it(peers: Peers) -> None:
    """The differential above compares non-trivial answers (guards against two empty sides)."""
    status, answers = peers.find(CIRRUS_AET, STUDY_ROOT, {"QueryRetrieveLevel": "IMAGE"})
    assert (status, len(answers)) == (0, 7)
    status, answers = peers.find(
        CIRRUS_AET,
        STUDY_ROOT,
        {"QueryRetrieveLevel": "STUDY", "StudyInstanceUID": STUDY_1, "ModalitiesInStudy": ""},
    )
    assert [a.ModalitiesInStudy for a in answers] == [["CT", "MR"]]


def _findscu(port: int, aet: str, *keys: str) -> str:
    argv = ["findscu", "-S", "-aec", aet, "127.0.0.1", str(port)]
    for key in keys:
        argv += ["-k", key]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TCP_NODELAY": "1"},
    )
    assert done.returncode == 0, done.stderr
    # Answers are printed on stderr, one "# Dicom-Data-Set" block each, as "I: (gggg,eeee) ..."
    # lines; the line of RetrieveAETitle names the server.
    blocks = []
    for block in done.stderr.split("# Dicom-Data-Set")[1:]:
        lines = [line.removeprefix("I: ") for line in block.splitlines()]
        elements = [line for line in lines if line.startswith("(")]
        blocks.append("\n".join(e for e in elements if not e.startswith("(0008,0054)")))
    return "\n\n".join(sorted(blocks))


def test_findscu_gets_the_same_answers(peers: Peers) -> None:
    keys = ("QueryRetrieveLevel=STUDY", "PatientName=Doe*", "StudyDate", "ModalitiesInStudy")
    theirs = _findscu(peers.ports[ORTHANC_AET], ORTHANC_AET, *keys)
    ours = _findscu(peers.ports[CIRRUS_AET], CIRRUS_AET, *keys)
    assert ours == theirs
    assert ours.count("(0008,0061)") == 2


@pytest.mark.parametrize(
    ("options", "level", "expected"),
    [
        ({"LimitFindResults": 2}, "STUDY", 2),
        ({"LimitFindInstances": 3}, "IMAGE", 3),
        ({"LimitFindInstances": 3}, "STUDY", 5),
    ],
)
def test_limits_end_the_answer_as_orthanc_does(
    tmp_path: Path, options: dict[str, Any], level: str, expected: int
) -> None:
    for orthanc, port in _start(options, tmp_path):
        peers = Peers(orthanc.dicom_port, port)
        theirs, ours = (
            peers.find(aet, STUDY_ROOT, {"QueryRetrieveLevel": level})
            for aet in (ORTHANC_AET, CIRRUS_AET)
        )
        assert (ours[0], len(ours[1])) == (theirs[0], len(theirs[1]))
        assert len(ours[1]) == expected
