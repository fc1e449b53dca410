"""HTTP conventions through the app: XML answers, form uploads and method faking, including
what the comparison with Orthanc cannot show (API Gateway's own events, bounded sizes, the
converter's corner cases). tests/interop/test_http_conventions_vs_orthanc.py compares the
same conventions with a real Orthanc."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from chalicelib.api.xml_answers import json_to_xml, wants_xml
from chalicelib.services.resources.multipart import form_boundary, form_parts
from tests.integration.helpers import body, upload
from tests.support.api_gateway import proxy_event
from tests.support.dicom_factory import make_instance

BOUNDARY = "b0undary"
FORM = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
XML = {"Accept": "application/xml"}


def _form(*files: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="{n}"\r\n\r\n'.encode()
        + data
        + b"\r\n"
        for n, data in enumerate(files)
    ]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _text(answer: dict[str, Any]) -> str:
    """The body of a Lambda proxy answer."""
    raw = answer["body"]
    return base64.b64decode(raw).decode() if answer.get("isBase64Encoded") else raw


def _patients(client: Any) -> list[str]:
    return sorted(body(client.http.get("/patients")))


# -- the XML converter ---------------------------------------------------------------------


def test_xml_of_every_json_type() -> None:
    value = {
        "b": [1, -2, True, False, None, 0.1, 1e10, 2.5],
        "a": {"": "anonymous", "nul": "cut\0here", "ctl": "\x1f\x7f\r\n"},
        "c": [[], {}, ""],
    }
    assert json_to_xml(value) == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        "<root>\n"
        "  <a>\n"
        "    <:anonymous>anonymous</:anonymous>\n"
        "    <ctl>&#31;\x7f\r\n</ctl>\n"
        "    <nul>cut</nul>\n"
        "  </a>\n"
        "  <b>\n"
        "    <item>1</item>\n"
        "    <item>-2</item>\n"
        "    <item>true</item>\n"
        "    <item>false</item>\n"
        "    <item>null</item>\n"
        "    <item>0.100000001</item>\n"
        "    <item>1e+10</item>\n"
        "    <item>2.5</item>\n"
        "  </b>\n"
        "  <c>\n"
        "    <item />\n"
        "    <item />\n"
        "    <item></item>\n"
        "  </c>\n"
        "</root>\n"
    )


def test_xml_of_scalars_and_empty_roots() -> None:
    assert json_to_xml([]).endswith("<root />\n")
    assert json_to_xml("x&y").endswith("<root>x&amp;y</root>\n")


def test_keys_sort_by_their_utf8_bytes() -> None:
    xml = json_to_xml({"é": 1, "z": 2, "Z": 3})
    assert xml.index("<Z>") < xml.index("<z>") < xml.index("<é>")


@pytest.mark.parametrize(
    ("accept", "xml"),
    [
        ("application/xml", True),
        ("  application/xml", True),
        ("application/xml;q=0.5", True),
        ("application/xml;application/json", False),
        ("application/xml ", False),
        ("application/xml,application/json", False),
        ("text/xml", False),
        ("", False),
    ],
)
def test_accept_rule(accept: str, xml: bool) -> None:
    assert wants_xml(accept) is xml


# -- XML answers through the app -------------------------------------------------------


def test_json_routes_answer_xml_and_others_keep_their_type(client) -> None:
    stored = upload(client, make_instance(patient_id="X1"))
    answer = client.http.get("/patients", headers=XML)
    assert answer.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert answer.body.decode() == json_to_xml([stored["ParentPatient"]])
    metadata = f"/instances/{stored['ID']}/metadata/Origin"
    answer = client.http.get(metadata, headers=XML)
    assert answer.headers["Content-Type"] == "text/plain"
    assert answer.body == b"RestApi"
    answer = client.http.get(f"/instances/{stored['ID']}/file", headers=XML)
    assert answer.headers["Content-Type"] == "application/dicom"


def test_errors_stay_json_in_xml_requests(client) -> None:
    answer = client.http.get("/patients/nope/statistics", headers=XML)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("application/json")
    assert body(answer)["OrthancStatus"] == 17


def test_xml_through_api_gateway_events(aws, configure) -> None:
    from app import app

    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    answer = app(proxy_event("GET", "/statistics", headers=XML), None)
    assert answer["headers"]["Content-Type"] == "application/xml; charset=utf-8"
    assert "\n  <CountInstances>0</CountInstances>\n" in _text(answer)


# -- form uploads ------------------------------------------------------------------------


def test_form_parts_follow_orthancs_reading() -> None:
    body_ = b"preamble --b\r\nX: y\r\n\r\none\r\n--b\r\nContent-Length: 3\r\n\r\ntwo\r\n--b--junk"
    assert list(form_parts(body_, "b")) == [b"one", b"two"]
    assert list(form_parts(b"--b\r\nX: y\r\n\r\ncut", "b")) == []
    assert form_boundary('Multipart/Form-Data; charset=x; BOUNDARY="q"') == "q"
    assert form_boundary("multipart/form-data; boundary=a=b") is None
    assert form_boundary("multipart/mixed; boundary=q") is None


def test_a_form_stores_its_files(client) -> None:
    one, two = make_instance(patient_id="F1"), make_instance(patient_id="F2")
    answer = client.http.post("/instances", body=_form(one, two), headers=FORM)
    assert (answer.status_code, answer.body) == (200, b"")
    assert len(_patients(client)) == 2


def test_a_gzipped_form(client) -> None:
    data = gzip.compress(_form(make_instance(patient_id="F3")))
    answer = client.http.post("/instances", body=data, headers={**FORM, "Content-Encoding": "gzip"})
    assert answer.status_code == 200
    assert len(_patients(client)) == 1


def test_a_form_above_the_upload_limit_is_refused(client, configure) -> None:
    configure(MaximumUploadSize=1000)
    answer = client.http.post(
        "/instances", body=_form(make_instance(patient_id="F4", size=32)), headers=FORM
    )
    assert answer.status_code == 413
    assert _patients(client) == []


def test_a_file_split_across_requests_is_refused(client) -> None:
    data = make_instance(patient_id="F5")
    headers = {**FORM, "X-File-Name": "a.dcm", "X-File-Size": str(len(data))}
    answer = client.http.post("/instances", body=_form(data[:100]), headers=headers)
    assert answer.status_code == 501
    assert "X-File-Size" in body(answer)["Details"]
    # Chunks adding up within one request are one file; longer ones are dropped.
    answer = client.http.post("/instances", body=_form(data + b"x", data), headers=headers)
    assert answer.status_code == 200
    assert len(_patients(client)) == 1


# -- method faking -------------------------------------------------------------------------


def test_faked_delete_through_the_local_gateway(client) -> None:
    patient = upload(client, make_instance(patient_id="M1"))["ParentPatient"]
    answer = client.http.post(f"/patients/{patient}", headers={"X-HTTP-Method-Override": "delete"})
    assert answer.status_code == 200
    assert _patients(client) == []


def test_a_refused_fake_is_answered_after_authentication(client, configure) -> None:
    configure(AuthenticationEnabled=True, RegisteredUsers={"alice": "secret"})
    answer = client.http.post("/system", headers={"X-HTTP-Method-Override": "PATCH"})
    assert answer.status_code == 401
    auth = "Basic " + base64.b64encode(b"alice:secret").decode()
    answer = client.http.post(
        "/system", headers={"X-HTTP-Method-Override": "PATCH", "Authorization": auth}
    )
    assert answer.status_code == 400
    assert body(answer)["Method"] == "POST"


@pytest.mark.parametrize(
    ("method", "headers", "query"),
    [
        ("POST", {"x-http-method-override": "DELETE"}, None),
        ("GET", {}, {"_method": ["Delete"]}),
    ],
)
def test_faked_delete_through_api_gateway_events(
    aws, configure, method: str, headers: dict[str, str], query: dict[str, list[str]] | None
) -> None:
    from app import app

    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    stored = app(proxy_event("POST", "/instances", body=make_instance(patient_id="M2")), None)
    patient = json.loads(_text(stored))["ParentPatient"]
    event = proxy_event(method, f"/patients/{patient}", headers=headers, query=query)
    assert app(event, None)["statusCode"] == 200
    gone = app(proxy_event("GET", f"/patients/{patient}"), None)
    assert gone["statusCode"] == 404
