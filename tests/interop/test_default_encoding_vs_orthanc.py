"""``DefaultEncoding`` side by side with Orthanc 1.10.1: with the same non-Latin-1 default
encoding (Cirrus's from its configuration, or set at run time by ``PUT
/tools/default-encoding``), a file without SpecificCharacterSet reads the same in both (its
tags, its main DICOM tags, hence its IDs, and ``/tools/find`` on them), ``/tools/create-dicom``
writes the same SpecificCharacterSet and bytes, and a modification writes its values the same.

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

from tests.interop.test_create_dicom_vs_orthanc import elements, post_both, same_instance
from tests.support.dicom_factory import set_raw, to_file
from tests.support.differential import Both
from tests.support.orthanc_server import OrthancServer

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


def unmarked_file(codec: str, name: str) -> bytes:
    """A file without SpecificCharacterSet whose texts are in ``codec``: the patient's ID and
    name (main tags; the ID names the patient), a study description (a main tag) and an
    operator (not one)."""
    ds = Dataset()
    for tag, vr, text in (
        (0x00100020, "LO", name.replace("^", " ")),
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
    for path in (
        f"/instances/{instance}",
        f"/studies/{study}",
        f"/patients/{stored['ParentPatient']}",
    ):
        expected, actual = both.call("GET", path)
        assert _main_tags(actual[1]) == _main_tags(expected[1])
    assert _main_tags(expected[1])["PatientName"] == name
    for level, query in (
        ("Patient", {"PatientName": name[:-2] + "*"}),
        ("Study", {"StudyDescription": f"{name.split('^')[1]} 1"}),
        ("Instance", {"OperatorsName": name[::-1]}),
    ):
        found = both.same("POST", "/tools/find", {"Level": level, "Query": query})[1]
        assert len(found) == 1, (level, query)


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
