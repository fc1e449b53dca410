"""STOW-RS (``POST /dicom-web/studies[/{study}]``) through the app, against moto: the store
response, its statuses, and that refused requests store nothing."""

from __future__ import annotations

import base64
import json
from typing import Any
from xml.etree import ElementTree

import pytest
from pydicom.uid import CTImageStorage, generate_uid

from chalicelib.dicom.multipart_related import PartToSend, related_chunks, related_content_type
from tests.integration.helpers import assert_orthanc_error, body, get
from tests.support.dicom_factory import make_instance

BOUNDARY = "stow-test-boundary"
DICOM_TYPE = related_content_type(BOUNDARY, "application/dicom")
HOST = "pacs.example:8443"
BASE = f"http://{HOST}/dicom-web"
NATIVE = "{http://dicom.nema.org/PS3.19/models/NativeDICOM}"


def multipart(*files: bytes, part_type: str = "application/dicom") -> bytes:
    return b"".join(related_chunks([PartToSend(part_type, data) for data in files], BOUNDARY))


def stow(client: Any, data: bytes, path: str = "/dicom-web/studies", **headers: str) -> Any:
    headers = {
        "Content-Type": DICOM_TYPE,
        "Host": HOST,
        "Accept": "application/dicom+json",
        **headers,
    }
    return client.http.post(path, body=data, headers=headers)


def stored_count(client: Any) -> int:
    return len(get(client, "/instances"))


def item(study: str, series: str, sop: str, reason: int | None = None) -> dict[str, Any]:
    """A ReferencedSOPSequence item, or a FailedSOPSequence one with ``reason``."""
    answer: dict[str, Any] = {
        "00081150": {"vr": "UI", "Value": [CTImageStorage]},
        "00081155": {"vr": "UI", "Value": [sop]},
    }
    if reason is None:
        url = f"{BASE}/studies/{study}/series/{series}/instances/{sop}"
        answer["00081190"] = {"vr": "UR", "Value": [url]}
    else:
        answer["00081197"] = {"vr": "US", "Value": [reason]}
    return answer


def response_of(study: str | None, failed: list[Any], stored: list[Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {"00080005": {"vr": "CS", "Value": ["ISO_IR 100"]}}
    if study is not None:
        answer["00081190"] = {"vr": "UR", "Value": [f"{BASE}/studies/{study}"]}
    answer["00081198"] = {"vr": "SQ", "Value": failed} if failed else {"vr": "SQ"}
    answer["00081199"] = {"vr": "SQ", "Value": stored} if stored else {"vr": "SQ"}
    return answer


@pytest.fixture
def study() -> dict[str, Any]:
    """Two instances of one series, and one of another study."""
    uids = {
        "study": generate_uid(),
        "series": generate_uid(),
        "sops": [generate_uid(), generate_uid()],
    }
    uids["files"] = [
        make_instance(study_uid=uids["study"], series_uid=uids["series"], sop_uid=sop)
        for sop in uids["sops"]
    ]
    uids["other"] = (generate_uid(), generate_uid(), generate_uid())
    other_study, other_series, other_sop = uids["other"]
    uids["other_file"] = make_instance(
        "OTHER", study_uid=other_study, series_uid=other_series, sop_uid=other_sop
    )
    return uids


def test_stores_every_part_and_answers_the_store_response(client, study) -> None:
    response = stow(client, multipart(*study["files"]))
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/dicom+json"
    expected = [item(study["study"], study["series"], sop) for sop in study["sops"]]
    assert body(response) == response_of(study["study"], [], expected)
    (study_id,) = get(client, "/studies")
    stored = get(client, f"/studies/{study_id}")
    assert stored["MainDicomTags"]["StudyInstanceUID"] == study["study"]
    assert stored_count(client) == 2


def test_an_instance_already_stored_is_a_success(client, study) -> None:
    assert stow(client, multipart(study["files"][0])).status_code == 200
    again = stow(client, multipart(*study["files"]))
    assert again.status_code == 200
    assert len(body(again)["00081199"]["Value"]) == 2
    assert stored_count(client) == 2


def test_an_instance_of_another_study_is_refused_not_stored(client, study) -> None:
    path = f"/dicom-web/studies/{study['study']}"
    response = stow(client, multipart(study["files"][0], study["other_file"]), path)
    assert response.status_code == 202, response.body  # PS3.18: some stored, some failed
    other_study, other_series, other_sop = study["other"]
    assert body(response) == response_of(
        study["study"],
        [item(other_study, other_series, other_sop, reason=0x0110)],
        [item(study["study"], study["series"], study["sops"][0])],
    )
    assert stored_count(client) == 1


def test_no_instance_of_the_study_is_a_conflict(client, study) -> None:
    response = stow(client, multipart(study["other_file"]), f"/dicom-web/studies/{study['study']}")
    assert response.status_code == 409
    answer = body(response)
    assert "00081190" not in answer
    assert answer["00081198"]["Value"][0]["00081197"] == {"vr": "US", "Value": [0x0110]}
    assert stored_count(client) == 0


def test_a_full_storage_is_out_of_resources(client, configure, study) -> None:
    configure(MaximumStorageMode="Reject", MaximumPatientCount=1)
    assert stow(client, multipart(study["files"][0])).status_code == 200
    response = stow(client, multipart(study["other_file"]))
    assert response.status_code == 409
    assert body(response)["00081198"]["Value"][0]["00081197"]["Value"] == [0xA700]
    assert stored_count(client) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: data.rindex(b"--" + BOUNDARY.encode())],  # no closing boundary
        lambda data: data.replace(b"Content-Type: application/dicom\r\n", b"Content-Type\r\n", 1),
        lambda data: data.replace(b"\r\n\r\n", b"\r\n", 1),  # headers never end
        lambda data: b"no boundary at all",
    ],
)
def test_a_malformed_body_is_400_and_stores_nothing(client, study, damage) -> None:
    response = stow(client, damage(multipart(*study["files"])))
    assert_orthanc_error(response, 400, 9, "POST")
    assert stored_count(client) == 0


def test_a_part_that_is_not_dicom_is_400_naming_it_and_stores_nothing(client, study) -> None:
    response = stow(client, multipart(study["files"][0], b"not a DICOM file"))
    assert_orthanc_error(response, 400, 15, "POST")
    assert "Part 2" in body(response)["Details"]
    assert stored_count(client) == 0


@pytest.mark.parametrize(
    ("content_type", "part_type"),
    [
        ("application/dicom", "application/dicom"),
        (related_content_type(BOUNDARY, "application/octet-stream"), "application/dicom"),
        (f"multipart/related; boundary={BOUNDARY}", "application/dicom"),
        (DICOM_TYPE, "application/octet-stream"),
        ("", "application/dicom"),
    ],
)
def test_other_media_types_are_415(client, study, content_type, part_type) -> None:
    data = multipart(*study["files"], part_type=part_type)
    response = stow(client, data, **{"Content-Type": content_type})
    assert_orthanc_error(response, 415, 3000, "POST")
    assert stored_count(client) == 0


def test_the_boundary_may_be_quoted_and_parts_may_carry_parameters(client, study) -> None:
    data = multipart(
        *study["files"], part_type='application/dicom; transfer-syntax="1.2.840.10008.1.2.1"'
    )
    content_type = f'Multipart/Related; type="application/dicom"; boundary="{BOUNDARY}"'
    response = stow(client, b"preamble\r\n" + data + b"epilogue", **{"Content-Type": content_type})
    assert response.status_code == 200, response.body
    assert stored_count(client) == 2


def test_xml_is_answered_when_asked(client, study) -> None:
    response = stow(client, multipart(*study["files"]), Accept="application/dicom+xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/dicom+xml")
    root = ElementTree.fromstring(response.body)
    referenced = root.find(f"{NATIVE}DicomAttribute[@tag='00081199']")
    assert referenced is not None and referenced.get("keyword") == "ReferencedSOPSequence"
    sops = [
        value.text
        for value in referenced.iterfind(
            f"{NATIVE}Item/{NATIVE}DicomAttribute[@tag='00081155']/{NATIVE}Value"
        )
    ]
    assert sops == study["sops"]
    retrieve = root.find(f"{NATIVE}DicomAttribute[@tag='00081190']/{NATIVE}Value")
    assert retrieve is not None and retrieve.text == f"{BASE}/studies/{study['study']}"


def test_an_unacceptable_answer_type_is_406_before_storing(client, study) -> None:
    response = stow(client, multipart(*study["files"]), Accept="image/png")
    assert_orthanc_error(response, 406, 34, "POST")
    assert stored_count(client) == 0


def test_urls_follow_the_forwarded_host_and_protocol(client, study) -> None:
    response = stow(
        client,
        multipart(study["files"][0]),
        Forwarded='for=1.2.3.4;host="viewer.example";proto=https',
    )
    url = body(response)["00081190"]["Value"][0]
    assert url == f"https://viewer.example/dicom-web/studies/{study['study']}"


def test_a_body_above_the_api_limit_points_to_presigned_uploads(client, configure, study) -> None:
    configure(LargeObjectThreshold=1024)
    response = stow(client, multipart(*study["files"]))
    assert_orthanc_error(response, 413, 8, "POST")
    assert "/cirrus/uploads" in body(response)["Details"]
    assert stored_count(client) == 0


@pytest.mark.parametrize(("user", "status"), [("reader", 403), ("clinician", 200)])
def test_storing_needs_the_uploader_role(client, configure, study, user, status) -> None:
    users = {"reader": "r", "clinician": "c"}
    configure(
        AuthenticationEnabled=True,
        RegisteredUsers=users,
        CirrusUserRoles={"reader": "read-only", "clinician": "uploader"},
    )
    token = base64.b64encode(f"{user}:{users[user]}".encode()).decode()
    response = stow(client, multipart(study["files"][0]), Authorization=f"Basic {token}")
    assert response.status_code == status, response.body


@pytest.mark.parametrize(("base_path", "prefix"), [("", "/api"), ("/cirrus", "/cirrus")])
def test_urls_keep_the_stage_or_base_path_on_aws(aws, configure, study, base_path, prefix) -> None:
    """Through API Gateway's events: the stage (in ``requestContext.path``) or a custom
    domain's base path is part of the URLs the answer names."""
    from app import app
    from tests.support.api_gateway import DOMAIN, proxy_event

    configure(RemoteAccessAllowed=True, AuthenticationEnabled=False)
    headers = {"Content-Type": DICOM_TYPE, "X-Forwarded-Proto": "https"}
    path = f"/dicom-web/studies/{study['study']}"
    event = proxy_event(
        "POST", path, body=multipart(study["files"][0]), headers=headers, base_path=base_path
    )
    answer = app(event, None)
    assert answer["statusCode"] == 200, answer
    raw = answer["body"]
    stored = json.loads(base64.b64decode(raw) if answer.get("isBase64Encoded") else raw)
    url = stored["00081190"]["Value"][0]
    assert url == f"https://{DOMAIN}{prefix}/dicom-web/studies/{study['study']}"
