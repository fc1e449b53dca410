"""HTTP conventions Orthanc clients rely on, against a real Orthanc 1.10.1: XML answers
(``Accept: application/xml``), ``multipart/form-data`` uploads, and method faking
(``X-HTTP-Method-Override``, ``?_method=``). The same requests go to both servers; the
answers are compared byte for byte where the JSON answers are equal."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.api.xml_answers import json_to_xml
from tests.conftest import chalice_client, moto_storage
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

XML = {"Accept": "application/xml"}
BOUNDARY = "cirrus-form-7d1f"
FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
OVERRIDE = "X-HTTP-Method-Override"
# What differs per server in a resource's answer: times, and Cirrus's 1.12 additions.
VOLATILE_ELEMENTS = re.compile(rb"\n *(<(LastUpdate|IsStable)>[^<]*</\2>|<Labels />)")


class Answer:
    """Status, type (without parameters) and body of one server's answer."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.type = (headers.get("Content-Type") or "").split(";")[0]
        self.allow = headers.get("Allow")
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


class Servers:
    """The same request to Orthanc and to Cirrus (the chalice test client)."""

    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc, self.cirrus = orthanc, cirrus

    def both(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[Answer, Answer]:
        """(Orthanc's, Cirrus's) answer."""
        theirs = self.orthanc.session.request(
            method, self.orthanc.url + path, data=body, headers=headers or {}, timeout=30
        )
        ours = getattr(self.cirrus.http, method.lower())(path, body=body, headers=headers or {})
        return (
            Answer(theirs.status_code, theirs.headers, theirs.content),
            Answer(ours.status_code, ours.headers, ours.body),
        )

    def patients(self) -> tuple[list[str], list[str]]:
        theirs, ours = self.both("GET", "/patients")
        return sorted(theirs.json()), sorted(ours.json())


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        yield Servers(orthanc, cirrus)


def _same_error(theirs: Answer, ours: Answer, details: bool = True) -> None:
    """Same status and Orthanc error (and details); Orthanc's errors are JSON whatever
    ``Accept`` says, and so are Cirrus's. A malformed body is the one status difference:
    Orthanc answers its ``NetworkProtocol`` error 500, Cirrus 400 (the client's fault)."""
    expected, actual = theirs.json(), ours.json()
    malformed = expected["OrthancError"] == "Error in the network protocol"
    assert ours.status == (400 if malformed else theirs.status), (theirs.body, ours.body)
    assert actual["OrthancStatus"] == expected["OrthancStatus"], (expected, actual)
    assert actual["Method"] == expected["Method"] and actual["Uri"] == expected["Uri"]
    if details:
        assert actual.get("Details") == expected.get("Details"), (expected, actual)


def _form(*files: bytes, boundary: str = BOUNDARY) -> bytes:
    """A browser's form upload of ``files`` (jQuery File Upload's field name)."""
    parts = [
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="files[]"; filename="f{n}.dcm"\r\n'
        "Content-Type: application/dicom\r\n\r\n".encode()
        + data
        + b"\r\n"
        for n, data in enumerate(files)
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


# -- XML answers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(servers: Servers) -> dict[str, str]:
    """One instance in both servers, with text that needs escaping in XML."""
    data = make_instance(
        patient_id="XML1", PatientName="A&B<c>\x01\ty", StudyDescription="", InstitutionName="é"
    )
    theirs, ours = servers.both("POST", "/instances", data)
    assert theirs.status == ours.status == 200
    assert ours.json() == theirs.json()
    return theirs.json()


def test_xml_answers_are_orthancs_byte_for_byte(servers: Servers, stored: dict[str, str]) -> None:
    instance, patient = stored["ID"], stored["ParentPatient"]
    for path in (
        "/patients",
        f"/patients/{patient}",
        f"/instances/{instance}/tags",
        f"/instances/{instance}/simplified-tags",
        f"/instances/{instance}/statistics",
        "/statistics",
        "/jobs",
    ):
        theirs, ours = servers.both("GET", path, headers=XML)
        assert theirs.status == ours.status == 200, path
        assert theirs.type == ours.type == "application/xml", path
        assert ours.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<root')
        assert VOLATILE_ELEMENTS.sub(b"", ours.body) == VOLATILE_ELEMENTS.sub(b"", theirs.body), (
            path
        )


def test_the_converter_writes_what_orthanc_writes_for_its_own_json(
    servers: Servers, stored: dict[str, str]
) -> None:
    """Orthanc's XML of answers Cirrus does not share byte for byte (``/system``: names,
    ports, versions; a resource with its times) is Orthanc's JSON through the converter."""
    for path in ("/system", f"/patients/{stored['ParentPatient']}", "/changes?limit=3"):
        xml = servers.orthanc.get(path, headers=XML)
        as_json = servers.orthanc.get_json(path)
        assert xml.headers["Content-Type"] == "application/xml; charset=utf-8"
        assert json_to_xml(as_json) == xml.content.decode(), path


def test_accept_header_is_read_as_orthanc_reads_it(servers: Servers) -> None:
    for accept in (
        "application/xml",
        "application/xml;q=0.9",
        "application/xml; charset=utf-8",
        "text/html;application/xml",
        "application/json;application/xml",
        "application/xml;application/json",
        "application/xml, */*",
        "text/xml",
        "APPLICATION/XML",
        "*/*",
    ):
        theirs, ours = servers.both("GET", "/statistics", headers={"Accept": accept})
        assert ours.status == theirs.status == 200
        assert ours.type == theirs.type, accept
        if theirs.type == "application/xml":
            assert ours.body == theirs.body, accept
        else:
            assert ours.json() == theirs.json(), accept


def test_errors_and_files_are_not_xml(servers: Servers, stored: dict[str, str]) -> None:
    theirs, ours = servers.both("GET", "/no-such-route", headers=XML)
    _same_error(theirs, ours)
    theirs, ours = servers.both("POST", "/tools/find", b"[]", headers=XML)
    _same_error(theirs, ours, details=False)
    theirs, ours = servers.both("GET", f"/instances/{stored['ID']}/file", headers=XML)
    assert ours.status == theirs.status == 200
    assert ours.type == theirs.type == "application/dicom"
    assert ours.body == theirs.body


def test_an_upload_answers_in_xml(servers: Servers) -> None:
    theirs, ours = servers.both("POST", "/instances", make_instance(patient_id="XML2"), XML)
    assert ours.status == theirs.status == 200
    assert ours.type == theirs.type == "application/xml"
    assert ours.body == theirs.body


# -- multipart/form-data uploads --------------------------------------------------------


def test_form_uploads_store_every_file_and_answer_nothing(servers: Servers) -> None:
    one = make_instance(patient_id="FORM1")
    two, three = make_instance(patient_id="FORM2"), make_instance(patient_id="FORM3")
    for body in (_form(one), _form(two, three), _form(one)):
        theirs, ours = servers.both("POST", "/instances", body, FORM)
        assert ours.status == theirs.status == 200
        assert ours.body == theirs.body == b""
    theirs, ours = servers.patients()
    assert ours == theirs
    assert len(theirs) >= 3


def test_a_zip_in_a_form_is_expanded(servers: Servers) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.dcm", make_instance(patient_id="FORMZIP"))
    theirs, ours = servers.both("POST", "/instances", _form(archive.getvalue()), FORM)
    assert ours.status == theirs.status == 200
    theirs_patients, our_patients = servers.patients()
    assert our_patients == theirs_patients


def test_a_non_dicom_part_fails_the_upload_after_the_parts_before_it(servers: Servers) -> None:
    before, after = make_instance(patient_id="FORM4"), make_instance(patient_id="FORM5")
    body = _form(before, b"not a DICOM file", after)
    theirs, ours = servers.both("POST", "/instances", body, FORM)
    _same_error(theirs, ours, details=False)
    assert theirs.json()["OrthancError"] == "Bad file format"
    theirs_patients, our_patients = servers.patients()
    assert our_patients == theirs_patients


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"no boundary here", FORM),
        (b"", FORM),
        (f"--{BOUNDARY} junk\r\n".encode(), FORM),
        (f"--{BOUNDARY}\r\nA: b\r\n\r\nxx--{BOUNDARY}--".encode(), FORM),
        (f"--{BOUNDARY}\r\n\r\n\r\n--{BOUNDARY}--".encode(), FORM),
        (f"--{BOUNDARY}\r\nContent-Length: x\r\n\r\nabc\r\n--{BOUNDARY}--".encode(), FORM),
        (f"--{BOUNDARY}\r\nContent-Length: 99\r\n\r\nabc\r\n--{BOUNDARY}--".encode(), FORM),
        (_form(make_instance(patient_id="FORM6")), {**FORM, "X-Requested-With": "fetch"}),
        (_form(b"x"), {**FORM, "X-File-Name": "a.dcm"}),
        (_form(b"x"), {**FORM, "X-File-Name": "a.dcm", "X-File-Size": "-1"}),
        (_form(b"x"), {**FORM, "X-File-Name": "a.dcm", "X-File-Size": "one"}),
        (_form(b"x"), {"Content-Type": 'multipart/form-data; boundary=""'}),
    ],
)
def test_malformed_forms_answer_as_orthanc(
    servers: Servers, body: bytes, headers: dict[str, str]
) -> None:
    theirs, ours = servers.both("POST", "/instances", body, headers)
    if theirs.status == 200:
        assert (ours.status, ours.body) == (200, b"")
    else:
        _same_error(theirs, ours, details=theirs.json()["OrthancError"] != "Bad file format")


def test_jquery_file_upload_headers(servers: Servers) -> None:
    data = make_instance(patient_id="FORM7")
    headers = {
        **FORM,
        "X-Requested-With": "XMLHttpRequest",
        "X-File-Name": "f.dcm",
        "X-File-Size": str(len(data)),
    }
    half = len(data) // 2
    theirs, ours = servers.both("POST", "/instances", _form(data[:half], data[half:]), headers)
    assert ours.status == theirs.status == 200
    theirs_patients, our_patients = servers.patients()
    assert our_patients == theirs_patients


def test_a_form_is_read_on_post_only(servers: Servers) -> None:
    theirs, ours = servers.both("PUT", "/instances", _form(b"x"), FORM)
    assert ours.status == theirs.status == 405


# -- method faking -----------------------------------------------------------------------


def _patient(servers: Servers, patient_id: str) -> str:
    theirs, ours = servers.both("POST", "/instances", make_instance(patient_id=patient_id))
    assert theirs.status == ours.status == 200
    return str(theirs.json()["ParentPatient"])


@pytest.mark.parametrize(
    ("method", "suffix", "headers"),
    [
        ("POST", "", {OVERRIDE: "DELETE"}),
        ("GET", "", {OVERRIDE: "delete"}),
        ("PUT", "", {OVERRIDE: "Delete"}),
        ("GET", "?_method=delete", {}),
        ("GET", "?x=1&_method=DELETE&_method=put", {}),
    ],
)
def test_faked_deletes(servers: Servers, method: str, suffix: str, headers: dict[str, str]) -> None:
    patient = _patient(servers, "FAKE1")
    theirs, ours = servers.both(method, f"/patients/{patient}{suffix}", headers=headers)
    assert ours.status == theirs.status == 200
    assert ours.json() == theirs.json()
    theirs, ours = servers.both("GET", f"/patients/{patient}")
    assert ours.status == theirs.status == 404


@pytest.mark.parametrize(
    ("method", "suffix", "headers"),
    [
        ("GET", "?_method=", {}),  # an empty value fakes nothing
        ("GET", "?_method=delete", {OVERRIDE: ""}),  # the header, even empty, hides _method
        ("POST", "?_method=delete", {}),  # _method only on a GET: a POST there is 405
    ],
)
def test_what_is_not_faking(
    servers: Servers, method: str, suffix: str, headers: dict[str, str]
) -> None:
    patient = _patient(servers, "FAKE2")
    theirs, ours = servers.both(method, f"/patients/{patient}{suffix}", headers=headers)
    assert (ours.status, ours.allow) == (theirs.status, theirs.allow)
    theirs, ours = servers.both("GET", f"/patients/{patient}")
    assert ours.status == theirs.status == 200


@pytest.mark.parametrize(
    ("method", "suffix", "headers"),
    [
        ("POST", "", {OVERRIDE: "GET"}),
        ("POST", "", {OVERRIDE: "POST"}),
        ("DELETE", "", {OVERRIDE: "PATCH"}),
        ("GET", "?_method=post", {}),
    ],
)
def test_only_put_and_delete_can_be_faked(
    servers: Servers, method: str, suffix: str, headers: dict[str, str]
) -> None:
    patient = _patient(servers, "FAKE3")
    theirs, ours = servers.both(method, f"/patients/{patient}{suffix}", headers=headers)
    assert ours.status == theirs.status == 400
    theirs, ours = servers.both("GET", f"/patients/{patient}")
    assert ours.status == theirs.status == 200


def test_the_faked_method_routes(servers: Servers) -> None:
    theirs, ours = servers.both("POST", "/no-such-route", headers={OVERRIDE: "DELETE"})
    _same_error(theirs, ours)
    assert ours.json()["Method"] == "DELETE"
    theirs, ours = servers.both("POST", "/system", headers={OVERRIDE: "DELETE"})
    assert ours.status == theirs.status == 405
    assert ours.allow == theirs.allow == "GET"
    patient = _patient(servers, "FAKE4")
    path = f"/patients/{patient}/protected"
    theirs, ours = servers.both("POST", path, b"1", {OVERRIDE: "PUT"})
    assert ours.status == theirs.status == 200
    theirs, ours = servers.both("GET", path)
    assert ours.body == theirs.body == b"1"
