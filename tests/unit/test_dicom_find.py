"""C-FIND identifiers to find queries and back (services/dicom_served/find.py), and the handler's
statuses (scp_container/find.py) with a stand-in search engine."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pydicom.dataset import Dataset

from chalicelib.dicom.identifiers import Level
from chalicelib.dicom.matching import ConstraintKind
from chalicelib.errors import OrthancError, bad_request
from chalicelib.services.dicom_served.find import answer_dataset, parse_identifier


def identifier(**keys: Any) -> Dataset:
    ds = Dataset()
    for keyword, value in keys.items():
        setattr(ds, keyword, value)
    return ds


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("PATIENT", Level.PATIENT),
        ("STUDY", Level.STUDY),
        ("study", Level.STUDY),
        ("SERIES", Level.SERIES),
        ("IMAGE", Level.INSTANCE),
        ("INSTANCE", Level.INSTANCE),
    ],
)
def test_the_level(text: str, level: Level) -> None:
    request = parse_identifier(identifier(QueryRetrieveLevel=text))
    assert request.query.level is level
    assert request.level_text == text
    assert request.return_keys == []


@pytest.mark.parametrize("keys", [{}, {"QueryRetrieveLevel": "FOO"}, {"QueryRetrieveLevel": ""}])
def test_no_or_an_unknown_level_is_refused(keys: dict[str, str]) -> None:
    with pytest.raises(OrthancError):
        parse_identifier(identifier(PatientID="", **keys))


def test_non_empty_elements_are_constraints_case_sensitive_except_on_pn() -> None:
    request = parse_identifier(
        identifier(
            QueryRetrieveLevel="STUDY",
            SpecificCharacterSet="ISO_IR 192",
            PatientName="doe*",
            PatientID="PAT1",
            StudyDate="20180101-20181231",
            StudyInstanceUID="1.2.3\\1.2.4",
            ModalitiesInStudy=["CT", "MR"],
            AccessionNumber="",
        )
    )
    found = {c.tag.keyword: c for c in request.query.constraints}
    assert set(found) == {
        "PatientName",
        "PatientID",
        "StudyDate",
        "StudyInstanceUID",
        "ModalitiesInStudy",
    }
    assert (found["PatientName"].kind, found["PatientName"].case_sensitive) == (
        ConstraintKind.WILDCARD,
        False,
    )
    assert found["PatientID"].case_sensitive
    assert found["StudyDate"].values == ("20180101", "20181231")
    assert found["StudyInstanceUID"].values == ("1.2.3", "1.2.4")
    assert found["ModalitiesInStudy"].values == ("CT", "MR")
    # Every element but the level and the character set is given back.
    assert [k.name for k in request.return_keys] == [
        "StudyDate",
        "AccessionNumber",
        "ModalitiesInStudy",
        "PatientName",
        "PatientID",
        "StudyInstanceUID",
    ]
    assert not request.from_instance


def test_a_wildcard_on_a_uid_is_refused_as_orthanc_does() -> None:
    with pytest.raises(OrthancError):
        parse_identifier(identifier(QueryRetrieveLevel="STUDY", StudyInstanceUID="*"))


def test_tags_that_are_not_main_tags_are_read_from_an_instance() -> None:
    computed = parse_identifier(
        identifier(QueryRetrieveLevel="SERIES", NumberOfSeriesRelatedInstances="", Modality="")
    )
    assert not computed.from_instance
    other = parse_identifier(identifier(QueryRetrieveLevel="SERIES", DeviceSerialNumber=""))
    assert other.from_instance


def test_sequences_and_instance_availability() -> None:
    request = parse_identifier(
        identifier(
            QueryRetrieveLevel="IMAGE",
            ReferencedSeriesSequence=[Dataset()],
            InstanceAvailability="",
        )
    )
    assert [k.name for k in request.return_keys] == ["InstanceAvailability"]
    assert request.query.requested_tags == []  # answered empty, as Orthanc 1.10.1 does


def test_answers_hold_every_return_key() -> None:
    request = parse_identifier(
        identifier(
            QueryRetrieveLevel="STUDY",
            PatientName="",
            ModalitiesInStudy="",
            NumberOfStudyRelatedSeries="",
            StudyDate="",
        )
    )
    values = {"PatientName": "Doe^John", "ModalitiesInStudy": "CT\\MR"}
    answer = answer_dataset(request, values, "CIRRUS")
    assert answer.SpecificCharacterSet == "ISO_IR 100"
    assert answer.QueryRetrieveLevel == "STUDY"
    assert answer.RetrieveAETitle == "CIRRUS"
    assert answer.PatientName == "Doe^John"
    assert list(answer.ModalitiesInStudy) == ["CT", "MR"]
    assert answer.NumberOfStudyRelatedSeries is None
    assert answer.StudyDate == ""
    _encode(answer)


def test_a_value_latin1_cannot_hold_is_sent_in_utf8() -> None:
    request = parse_identifier(identifier(QueryRetrieveLevel="PATIENT", PatientName=""))
    answer = answer_dataset(request, {"PatientName": "山田^太郎"}, "CIRRUS")
    assert answer.SpecificCharacterSet == "ISO_IR 192"
    assert "山田".encode() in _encode(answer)


def test_numbers_and_binary_values() -> None:
    request = parse_identifier(
        identifier(QueryRetrieveLevel="IMAGE", Rows=None, NumberOfFrames="", PixelData=b"")
    )
    answer = answer_dataset(request, {"Rows": "512", "NumberOfFrames": "3"}, "CIRRUS")
    assert answer.Rows == 512
    assert answer.NumberOfFrames == 3
    assert answer.PixelData == b""
    _encode(answer)


def _encode(ds: Dataset) -> bytes:
    from pynetdicom.dsutils import encode

    encoded = encode(ds, True, True)  # implicit VR little endian, as pynetdicom sends it
    assert encoded is not None
    return encoded


# -- the handler -----------------------------------------------------------------------------


class FakeEngine:
    def __init__(self, found: list[dict[str, str]], complete: bool = True, error: Any = None):
        self.found, self.complete, self.error = found, complete, error

    def find_tags(self, query: Any, from_instance: bool) -> tuple[list[dict[str, str]], bool]:
        if self.error is not None:
            raise self.error
        return self.found, self.complete


def run(monkeypatch: pytest.MonkeyPatch, engine: FakeEngine, cancel_after: int = 99) -> list:
    from chalicelib import bootstrap
    from scp_container.find import handle_find

    monkeypatch.setattr(bootstrap, "find", lambda: engine)
    monkeypatch.setattr(bootstrap, "config", lambda: SimpleNamespace(DicomAet="CIRRUS"))
    latin1 = SimpleNamespace(default_encoding=lambda: "Latin1")
    monkeypatch.setattr(bootstrap, "system_settings", lambda: latin1)
    anyone = SimpleNamespace(allows=lambda caller, peer_ip, service: True)
    monkeypatch.setattr(bootstrap, "dicom_access", lambda: anyone)
    statuses: list[Any] = []

    class Event:
        identifier = identifier(QueryRetrieveLevel="STUDY", PatientID="")
        assoc = SimpleNamespace(requestor=SimpleNamespace(ae_title="SCU", address="127.0.0.1"))

        @property
        def is_cancelled(self) -> bool:
            return len(statuses) >= cancel_after

    for status, answer in handle_find(Event()):
        statuses.append((status, None if answer is None else answer.PatientID))
    return statuses


def test_the_handler_sends_pending_answers_then_success(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeEngine([{"PatientID": "A"}, {"PatientID": "B"}])
    assert run(monkeypatch, engine) == [(0xFF00, "A"), (0xFF00, "B"), (0x0000, None)]


def test_a_cut_answer_ends_with_cancel(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeEngine([{"PatientID": "A"}], complete=False)
    assert run(monkeypatch, engine) == [(0xFF00, "A"), (0xFE00, None)]


def test_a_cancel_request_stops_the_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeEngine([{"PatientID": "A"}, {"PatientID": "B"}])
    assert run(monkeypatch, engine, cancel_after=1) == [(0xFF00, "A"), (0xFE00, None)]


@pytest.mark.parametrize(
    ("error", "status"),
    [(bad_request("malformed"), 0xC000), (RuntimeError("DynamoDB down"), 0xA700)],
)
def test_failures_become_statuses(
    monkeypatch: pytest.MonkeyPatch, error: Exception, status: int
) -> None:
    assert run(monkeypatch, FakeEngine([], error=error)) == [(status, None)]
