"""``DefaultEncoding`` side by side with Orthanc 1.10.1: with the same non-Latin-1 default
encoding (Cirrus's from its configuration, or set at run time by ``PUT
/tools/default-encoding``), a file without SpecificCharacterSet reads the same in both (its
tags, modules, main DICOM tags, hence its IDs, and ``/tools/find`` on them; its DICOMDIR
records; its main tags read again by ``/reconstruct`` after the default changed),
``/tools/create-dicom`` writes the same SpecificCharacterSet and bytes, and a modification
writes its values the same.

This module changes Orthanc's default encoding, so it runs its own Orthanc, started with a
non-Latin-1 one; each test sets the encoding it compares in both servers.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import CTImageStorage, generate_uid
from pynetdicom import AE, evt
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    ModalityWorklistInformationFind,
    PatientRootQueryRetrieveInformationModelFind,
    StudyRootQueryRetrieveInformationModelFind,
)

from tests.interop.test_create_dicom_vs_orthanc import elements, post_both, same_instance
from tests.interop.test_media_vs_orthanc import ZIP, _entries, _same_media
from tests.support.dicom_factory import set_raw, to_file
from tests.support.differential import Both
from tests.support.orthanc_server import OrthancServer, free_port

# Orthanc's name -> (Python codec, a patient name it holds that Latin-1 does not).
ENCODINGS = {
    "Cyrillic": ("iso8859_5", "Иванов^Пётр"),
    "Windows1251": ("cp1251", "Іваненко^Ґанна"),
    "Greek": ("iso8859_7", "Παπαδόπουλος^Νίκος"),
}
DEFAULT_ENCODING = "/tools/default-encoding"
SPECIFIC_CHARACTER_SET = 0x00080005


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer({"DefaultEncoding": "Cyrillic"}) as server:
        yield server


@pytest.fixture(params=["configuration", "PUT"])
def encoded(
    request: pytest.FixtureRequest, orthanc: OrthancServer, client: Any, configure: Any
) -> Callable[[str], None]:
    """Sets a default encoding in both servers; Cirrus's from its configuration file, or
    with ``PUT /tools/default-encoding`` over the default Latin-1."""

    def apply(encoding: str) -> None:
        orthanc.session.put(orthanc.url + DEFAULT_ENCODING, data=encoding).raise_for_status()
        if request.param == "configuration":
            configure(DefaultEncoding=encoding)
        else:
            assert client.http.get(DEFAULT_ENCODING).body == b"Latin1"
            assert client.http.put(DEFAULT_ENCODING, body=encoding).status_code == 200
        assert client.http.get(DEFAULT_ENCODING).body.decode() == encoding

    return apply


def unmarked_file(codec: str, name: str, patient_id: str | None = None) -> bytes:
    """A file without SpecificCharacterSet whose texts are in ``codec``: the patient's ID
    (``name`` unless given) and name (main tags; the ID names the patient), a study
    description (a main tag) and an operator (not one)."""
    ds = Dataset()
    for tag, vr, text in (
        (0x00100020, "LO", patient_id or name.replace("^", " ")),
        (0x00100010, "PN", name),
        (0x00081030, "LO", f"{name.split('^')[1]} 1"),
        (0x00081070, "PN", name[::-1]),
    ):
        set_raw(ds, tag, vr, text.encode(codec))
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.SOPInstanceUID, ds.SOPClassUID = generate_uid(), CTImageStorage
    ds.Modality = "CT"
    data = to_file(ds)
    assert SPECIFIC_CHARACTER_SET not in pydicom.dcmread(io.BytesIO(data))
    return data


def unique(name: str) -> str:
    """``name`` with a given name no other test uses."""
    family, given = name.split("^")
    return f"{family}^{given}{uuid.uuid4().int % 10**8}"


def upload_both(orthanc: OrthancServer, client: Any, data: bytes) -> dict[str, Any]:
    """Stored in both, with the same IDs; Orthanc's answer."""
    theirs = orthanc.upload(data)
    ours = json.loads(client.http.post("/instances", body=data).body)
    assert (ours["ID"], ours["ParentPatient"]) == (theirs["ID"], theirs["ParentPatient"])
    return theirs


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_file_without_character_set_reads_the_same(
    orthanc: OrthancServer, client: Any, encoded: Callable[[str], None], encoding: str
) -> None:
    encoded(encoding)
    codec, name = ENCODINGS[encoding]
    name = unique(name)  # Orthanc keeps the files of the other tests
    stored = upload_both(orthanc, client, unmarked_file(codec, name))
    both = Both(orthanc, client)
    instance, study = stored["ID"], stored["ParentStudy"]
    tags = both.same("GET", f"/instances/{instance}/simplified-tags")[1]
    assert (tags["PatientName"], tags["OperatorsName"]) == (name, name[::-1])
    both.same("GET", f"/instances/{instance}/tags")
    both.same("GET", f"/studies/{study}/shared-tags?simplify")
    for level in ("patients", "studies", "series"):
        both.same("GET", f"/{level}/{study}/module?simplify")
    assert _same_main_tags(both, f"/instances/{instance}")
    for path in (f"/studies/{study}", f"/patients/{stored['ParentPatient']}"):
        assert _same_main_tags(both, path)["PatientName"] == name
    for level, query in (
        ("Patient", {"PatientName": name[:-2] + "*"}),
        ("Study", {"StudyDescription": f"{name.split('^')[1]} 1"}),
        ("Instance", {"OperatorsName": name[::-1]}),
    ):
        found = both.same("POST", "/tools/find", {"Level": level, "Query": query})[1]
        assert len(found) == 1, (level, query)


def _same_main_tags(both: Both, path: str) -> dict[str, Any]:
    """The main tags of a resource, the same in both (Cirrus shows ``Labels`` too)."""
    expected, actual = both.call("GET", path)
    assert _main_tags(actual[1]) == _main_tags(expected[1]), path
    return _main_tags(expected[1])


def _main_tags(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        **resource.get("MainDicomTags", {}),
        **resource.get("PatientMainDicomTags", {}),
    }


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda name: {"Tags": {"PatientName": name}}, id="tags"),
        pytest.param(
            lambda name: {"Tags": {"PatientName": name, "StudyDescription": "日本 Ω ж é x"}},
            id="characters the encoding lacks",
        ),
        pytest.param(
            lambda name: {"Tags": {"SpecificCharacterSet": "ISO_IR 192", "PatientName": name}},
            id="a character set asked",
        ),
        pytest.param(lambda name: {"PatientName": name, "StudyDescription": "é"}, id="deprecated"),
    ],
)
def test_create_dicom_writes_the_same_character_set_and_bytes(
    orthanc: OrthancServer,
    client: Any,
    encoded: Callable[[str], None],
    encoding: str,
    body: Callable[[str], dict[str, Any]],
) -> None:
    encoded(encoding)
    (their_status, theirs), (our_status, ours) = post_both(
        orthanc, client, json.dumps(body(ENCODINGS[encoding][1]))
    )
    assert (our_status, their_status) == (200, 200), (theirs, ours)
    same_instance(orthanc, client, theirs["ID"], ours["ID"])


@pytest.mark.parametrize("encoding", ["Cyrillic", "Windows1251"])
def test_a_child_of_a_parent_without_character_set_is_written_the_same(
    orthanc: OrthancServer, client: Any, encoded: Callable[[str], None], encoding: str
) -> None:
    """The parent's values are read, and the child's written, in the default encoding."""
    encoded(encoding)
    codec, name = ENCODINGS[encoding]
    stored = upload_both(orthanc, client, unmarked_file(codec, name))
    body = json.dumps({"Parent": stored["ParentStudy"], "Tags": {"SeriesDescription": name}})
    theirs = orthanc.post("/tools/create-dicom", data=body).json()
    ours = json.loads(client.http.post("/tools/create-dicom", body=body).body)
    kept = {0x00100020, 0x0020000D}  # inherited from the parent: compared too
    same_instance(orthanc, client, theirs["ID"], ours["ID"], kept)


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_modification_writes_the_same_bytes(
    orthanc: OrthancServer, client: Any, encoded: Callable[[str], None], encoding: str
) -> None:
    encoded(encoding)
    codec, name = ENCODINGS[encoding]
    stored = upload_both(orthanc, client, unmarked_file(codec, name))
    body = json.dumps({"Replace": {"StudyDescription": name[::-1], "InstitutionName": "日本 é"}})
    path = f"/instances/{stored['ID']}/modify"
    theirs = orthanc.post(path, data=body)
    ours = client.http.post(path, body=body)
    assert (ours.status_code, theirs.status_code) == (200, 200)
    modified = elements(ours.body, set())
    assert SPECIFIC_CHARACTER_SET not in modified
    assert modified[0x00081030][1].rstrip(b" ") == name[::-1].encode(codec)
    assert modified == elements(theirs.content, set())


@pytest.mark.parametrize("encoding", ["Cyrillic", "Greek"])
def test_reconstruct_reads_the_files_again_in_the_new_default_encoding(
    orthanc: OrthancServer, client: Any, encoded: Callable[[str], None], encoding: str
) -> None:
    """Stored while the default was Latin-1, read again once it is ``encoding``; a patient
    ID that reads differently would name another patient: both fail."""
    encoded("Latin1")
    codec, name = ENCODINGS[encoding]
    name = unique(name)
    stored = upload_both(orthanc, client, unmarked_file(codec, name, f"P{uuid.uuid4().hex}"))
    unsound = upload_both(orthanc, client, unmarked_file(codec, unique(name)))
    encoded(encoding)
    both = Both(orthanc, client)
    study = stored["ParentStudy"]
    assert _same_main_tags(both, f"/studies/{study}")["PatientName"] != name
    both.same("POST", f"/studies/{study}/reconstruct", {})
    assert _same_main_tags(both, f"/studies/{study}")["PatientName"] == name
    assert _same_main_tags(both, f"/patients/{stored['ParentPatient']}")["PatientName"] == name
    _same_main_tags(both, f"/series/{stored['ParentSeries']}")
    query = {"Level": "Study", "Query": {"PatientName": name}}
    assert both.same("POST", "/tools/find", query)[1] == [study]
    expected, actual = both.call("POST", f"/studies/{unsound['ParentStudy']}/reconstruct", {})
    assert (actual[0], actual[1]["OrthancStatus"]) == (expected[0], expected[1]["OrthancStatus"])
    assert expected[0] == 500


# Multi-byte default encodings read bytes Latin-1 reads as ASCII characters otherwise: GB18030
# takes "A" after 0x81 as the second byte of a character, Shift JIS reads "~" as an overline.
DICOMDIR_NAMES = {"Chinese": (b"\x81ABC^D", "BC^D"), "Japanese": (b"A~B^C", "AB^C")}


@pytest.mark.parametrize("encoding", list(DICOMDIR_NAMES))
def test_the_dicomdir_reads_the_files_in_the_default_encoding(
    orthanc: OrthancServer, client: Any, encoded: Callable[[str], None], encoding: str
) -> None:
    encoded(encoding)
    raw, shown = DICOMDIR_NAMES[encoding]
    ds = pydicom.dcmread(io.BytesIO(unmarked_file("ascii", "X^Y", f"P{uuid.uuid4().hex}")))
    set_raw(ds, 0x00100010, "PN", raw)
    # Without them both servers write the time of day into the STUDY record, a second apart.
    ds.StudyDate, ds.StudyTime = "20240102", "120000"
    stored = upload_both(orthanc, client, to_file(ds))
    path = f"/patients/{stored['ParentPatient']}/media"
    ours, theirs = client.http.get(path, headers=ZIP), orthanc.get(path)
    assert ours.status_code == theirs.status_code == 200
    _same_media(ours.body, theirs.content)
    dicomdir = _entries(ours.body)["DICOMDIR"]
    assert pydicom.dcmread(io.BytesIO(dicomdir)).DirectoryRecordSequence[0].PatientName == shown


# -- Cirrus and Orthanc as C-FIND SCUs -----------------------------------------------------------


class FindScp:
    """A C-FIND SCP (Patient Root, Study Root, Modality Worklist) that records the identifiers
    it receives and answers ``answers`` whatever the query."""

    def __init__(self) -> None:
        self.answers: list[Dataset] = []
        self.received: list[Dataset] = []
        self.port = free_port()
        ae = AE("FINDSCP")
        for model in (
            PatientRootQueryRetrieveInformationModelFind,
            StudyRootQueryRetrieveInformationModelFind,
            ModalityWorklistInformationFind,
        ):
            ae.add_supported_context(model)
        self.server = ae.start_server(
            ("127.0.0.1", self.port), block=False, evt_handlers=[(evt.EVT_C_FIND, self._find)]
        )

    def _find(self, event: Any) -> Iterator[tuple[int, Dataset | None]]:
        self.received.append(event.identifier)
        for answer in self.answers:
            yield 0xFF00, answer

    def same_identifiers(self) -> Dataset:
        """Orthanc's and Cirrus's last identifiers are the same, element by element and byte
        for byte; Orthanc's."""
        theirs, ours = self.received[-2:]
        self.received.clear()
        assert _raw_values(ours) == _raw_values(theirs)
        return theirs


def _raw_values(ds: Dataset) -> dict[int, bytes]:
    """The value bytes of each element as received (none of the tests' has a sequence)."""
    return {int(tag): ds.get_item(tag).value for tag in ds.keys()}  # noqa: SIM118 - raw


@pytest.fixture(scope="module")
def scp() -> Iterator[FindScp]:
    server = FindScp()
    yield server
    server.server.shutdown()


@pytest.fixture
def asking(orthanc: OrthancServer, client: Any, scp: FindScp) -> Both:
    """Both servers know the SCP as modality ``scp`` (added through the API, so that the
    configuration the ``encoded`` fixture writes is kept)."""
    both = Both(orthanc, client)
    body = {"AET": "FINDSCP", "Host": "127.0.0.1", "Port": scp.port}
    both.same("PUT", "/modalities/scp", body)
    scp.received.clear()
    return both


def _answer(charset: str | None, codec: str, name: str, description: str) -> Dataset:
    """A study-level answer: its patient's name and study description in ``codec``, named
    by ``charset`` (or by nothing)."""
    ds = Dataset()
    if charset:
        ds.SpecificCharacterSet = charset
    ds.QueryRetrieveLevel = "STUDY"
    set_raw(ds, 0x00100010, "PN", name.encode(codec))
    ds.PatientID = "P1"
    set_raw(ds, 0x00081030, "LO", description.encode(codec))
    ds.StudyInstanceUID = "1.2.3.4"
    return ds


def _answers(encoding: str) -> list[Dataset]:
    """Answers without SpecificCharacterSet (read in the default encoding), and, but for
    Windows1251 (Orthanc 1.10.1 cannot convert an answer to it and fails), answers in UTF-8
    and Latin-1 holding characters the default encoding lacks (Orthanc drops them)."""
    codec, name = ENCODINGS[encoding]
    answers = [_answer(None, codec, name, name[::-1])]
    if encoding != "Windows1251":
        answers.append(_answer("ISO_IR 192", "utf-8", name, "日本 é"))
        answers.append(_answer("ISO_IR 100", "latin-1", "Jérôme^Ça", "Zoë"))
    return answers


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("fits", [True, False], ids=["fits", "does not fit"])
def test_a_query_is_sent_and_its_answers_read_the_same(
    encoded: Callable[[str], None], asking: Both, scp: FindScp, encoding: str, fits: bool
) -> None:
    """Answers read the same; the identifier is the same where its values fit in the default
    encoding's character set, else Cirrus sends it in UTF-8 where Orthanc drops characters
    (docs/compatibility.md); Windows1251 has no character set to name."""
    encoded(encoding)
    scp.answers = _answers(encoding)
    name = ENCODINGS[encoding][1][:3] + "*" if fits else "Jérôme"
    body = {"Level": "Study", "Query": {"PatientName": name, "StudyDescription": ""}}
    created = asking.same("POST", "/modalities/scp/query", body)[1]
    theirs, ours = scp.received[-2:]
    if fits and encoding != "Windows1251":
        assert ours.SpecificCharacterSet == theirs.SpecificCharacterSet != "ISO_IR 100"
        assert _raw_values(ours) == _raw_values(theirs)
    else:
        assert (ours.SpecificCharacterSet, ours.PatientName) == ("ISO_IR 192", name)
        assert theirs.get("SpecificCharacterSet") != "ISO_IR 192"
    for read in ("/answers?expand", "/answers/0/content", "/answers/1/content?short"):
        asking.same("GET", created["Path"] + read)


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize(
    "query",
    [
        pytest.param(lambda name: {"PatientName": name}, id="default encoding"),
        pytest.param(lambda name: {"PatientName": f"{name} é 日"}, id="characters it lacks"),
        pytest.param(
            lambda name: {"SpecificCharacterSet": "ISO_IR 192", "PatientName": name},
            id="its own character set",
        ),
    ],
)
def test_a_worklist_query_is_sent_and_its_answers_read_the_same(
    encoded: Callable[[str], None],
    asking: Both,
    scp: FindScp,
    encoding: str,
    query: Callable[[str], dict[str, str]],
) -> None:
    encoded(encoding)
    scp.answers = _answers(encoding)
    name = ENCODINGS[encoding][1]
    for fmt in ({}, {"Full": True}):
        answers = asking.same("POST", "/modalities/scp/find-worklist", {"Query": query(name)} | fmt)
        assert answers[0] == 200 and len(answers[1]) == len(scp.answers)
        scp.same_identifiers()
