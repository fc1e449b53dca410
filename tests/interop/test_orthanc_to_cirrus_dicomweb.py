"""A real Orthanc 1.10.1 with Debian's DICOMweb plugin 1.7 using Cirrus as one of its
``DicomWeb.Servers``: Cirrus, served over real HTTP on a loopback port, is the remote end of
the plugin's client routes.

- ``/stow``: the files the plugin sends arrive in Cirrus identical, byte for byte, to the
  sender's, chunked (the plugin's default) or not;
- ``/retrieve``: the files the plugin fetches from Cirrus's WADO-RS are stored in the Orthanc
  identical to Cirrus's;
- ``/qido`` and ``/get``: the plugin's proxies answer through Cirrus what they answer through
  another Orthanc holding the same files (``reference``), once the host part of URLs (each
  server's own) is cut off and Cirrus's InstanceAvailability (which Orthanc 1.10.1 does not
  give) is checked and set aside, as tests/interop/test_dicomweb_qido_vs_orthanc.py does.

Cirrus runs with its test configuration; the plugin connects from loopback, which Cirrus
serves without credentials as Orthanc does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pytest
from pydicom.uid import generate_uid

from tests.integration.helpers import body
from tests.support.cirrus_http import cirrus_over_http
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, dicomweb_config, free_port
from tests.support.serial_moto import serial_moto  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("serial_moto")

AVAILABILITY = "00080056"
RETRIEVE_URL = "00081190"
# The keys of the plugin's ``Resources`` items, from the study down, and the tags they name.
UID_TAGS = {
    "Study": "StudyInstanceUID",
    "Series": "SeriesInstanceUID",
    "Instance": "SOPInstanceUID",
}


@pytest.fixture(scope="module")
def cirrus_port() -> int:
    """Cirrus's port, known before the Orthanc naming it starts (each test serves on it)."""
    return free_port()


@pytest.fixture(scope="module")
def reference() -> Iterator[OrthancServer]:
    """Another Orthanc holding what Cirrus holds: what the proxies answer through it is what
    they must answer through Cirrus (module-scoped: the tests store into it)."""
    with OrthancServer(dicomweb_config()) as server:
        yield server


@pytest.fixture(scope="module")
def orthanc(cirrus_port: int, reference: OrthancServer) -> Iterator[OrthancServer]:
    """The plugin's client, with Cirrus (chunked and not) and the reference as servers."""
    cirrus_url = f"http://127.0.0.1:{cirrus_port}/dicom-web/"
    servers = {
        "cirrus": [cirrus_url],
        "cirrus-unchunked": {"Url": cirrus_url, "ChunkedTransfers": False},
        "reference": [f"{reference.url}/dicom-web/"],
    }
    with OrthancServer(dicomweb_config(Servers=servers)) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, cirrus_port: int) -> Iterator[Any]:
    """This test's Cirrus, over HTTP on the port the Orthanc knows, and its test client."""
    with cirrus_over_http(cirrus_port):
        yield client


def a_study(count: int = 3) -> list[bytes]:
    """``count`` instances of a new study, in two series."""
    study, series = generate_uid(), [generate_uid(), generate_uid()]
    return [
        make_instance("O2C", study, series[number % 2], instance_number=number, size=16)
        for number in range(count)
    ]


def cirrus_file(cirrus: Any, instance_id: str) -> bytes:
    answer = cirrus.http.get(f"/instances/{instance_id}/file")
    assert answer.status_code == 200, (instance_id, answer.body)
    return bytes(answer.body)


def orthanc_file(orthanc: OrthancServer, instance_id: str) -> bytes:
    answer = orthanc.get(f"/instances/{instance_id}/file")
    assert answer.status_code == 200, instance_id
    return answer.content


def plugin_call(orthanc: OrthancServer, server: str, route: str, request: Any) -> Any:
    """The plugin's answer to ``POST /dicom-web/servers/{server}/{route}``, raising on errors."""
    answer = orthanc.post(f"/dicom-web/servers/{server}/{route}", data=json.dumps(request))
    assert answer.status_code == 200, (server, route, answer.text, orthanc.logs()[-2000:])
    return answer


@pytest.mark.parametrize("server", ["cirrus", "cirrus-unchunked"])
def test_the_plugin_stows_into_cirrus_byte_for_byte(
    cirrus: Any, orthanc: OrthancServer, reference: OrthancServer, server: str
) -> None:
    files = a_study()
    ids = [orthanc.upload(data)["ID"] for data in files]
    study_id = orthanc.get_json(f"/instances/{ids[0]}/study")["ID"]
    request = {"Resources": [study_id]}

    ours = plugin_call(orthanc, server, "stow", request).json()
    theirs = plugin_call(orthanc, "reference", "stow", request).json()

    assert ours == theirs and ours["InstancesCount"] == str(len(files))
    assert sorted(body(cirrus.http.get("/instances"))) == sorted(ids)
    for instance_id in ids:
        original = orthanc_file(orthanc, instance_id)
        assert cirrus_file(cirrus, instance_id) == original == orthanc_file(reference, instance_id)
    assert body(cirrus.http.get(f"/studies/{study_id}"))["Type"] == "Study"


@pytest.mark.parametrize("level", ["Study", "Series", "Instance"])
def test_the_plugin_retrieves_from_cirrus_byte_for_byte(
    cirrus: Any, orthanc: OrthancServer, level: str
) -> None:
    files = a_study()
    ids = [body(cirrus.http.post("/instances", body=data))["ID"] for data in files]
    tags = [body(cirrus.http.get(f"/instances/{i}/simplified-tags")) for i in ids]
    keys = list(UID_TAGS)[: list(UID_TAGS).index(level) + 1]  # Study, then Series...
    resource = {key: tags[0][UID_TAGS[key]] for key in keys}
    wanted = [
        instance_id
        for instance_id, instance in zip(ids, tags, strict=True)
        if all(instance[UID_TAGS[key]] == uid for key, uid in resource.items())
    ]

    before = set(orthanc.get_json("/instances"))

    answer = plugin_call(orthanc, "cirrus", "retrieve", {"Resources": [resource]})

    assert answer.json()["ReceivedInstancesCount"] == str(len(wanted))
    assert set(orthanc.get_json("/instances")) - before == set(wanted)
    for instance_id in wanted:
        assert orthanc_file(orthanc, instance_id) == cirrus_file(cirrus, instance_id)


@pytest.fixture
def both_hold_a_study(cirrus: Any, reference: OrthancServer) -> list[dict[str, Any]]:
    """A new study, stored in Cirrus and in the reference; its instances' simplified tags."""
    tags = []
    for data in a_study():
        instance_id = body(cirrus.http.post("/instances", body=data))["ID"]
        assert reference.upload(data)["ID"] == instance_id
        tags.append(body(cirrus.http.get(f"/instances/{instance_id}/simplified-tags")))
    return tags


def without_hosts(value: Any) -> Any:
    """A DICOM JSON value with every BulkDataURI and Retrieve URL cut after ``/dicom-web/``."""
    if isinstance(value, dict):
        return {key: without_hosts(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_hosts(item) for item in value]
    if isinstance(value, str) and "/dicom-web/" in value:
        return value.split("/dicom-web/", 1)[1]
    return value


def comparable(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plugin's ``/qido`` answer (one object per match, each tag as Group, Element, Name,
    vr and Value) sorted by Retrieve URL, URLs cut after ``/dicom-web/``, without Cirrus's
    InstanceAvailability (checked to be ONLINE)."""
    normalised = []
    for match in without_hosts(matches):
        if AVAILABILITY in match:
            assert match.pop(AVAILABILITY)["Value"] == "ONLINE"
        normalised.append(match)
    return sorted(normalised, key=lambda m: m[RETRIEVE_URL]["Value"])


def qido_queries(tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``/qido`` requests (Uri and Arguments) asked of both servers about the study."""
    study, series, sop = (tags[0][f"{key}InstanceUID"] for key in ("Study", "Series", "SOP"))
    return [
        {"Uri": "/studies", "Arguments": {"StudyInstanceUID": study}},
        {"Uri": "/studies", "Arguments": {"PatientID": "O2C", "StudyInstanceUID": study}},
        {"Uri": f"/studies/{study}/series"},
        {"Uri": "/series", "Arguments": {"StudyInstanceUID": study, "Modality": "CT"}},
        {"Uri": f"/studies/{study}/series/{series}/instances"},
        {"Uri": "/instances", "Arguments": {"SOPInstanceUID": sop}},
        {"Uri": f"/studies/{study}/instances", "Arguments": {"includefield": "PatientName"}},
    ]


def test_the_qido_proxy_answers_through_cirrus_as_through_orthanc(
    both_hold_a_study: list[dict[str, Any]], orthanc: OrthancServer
) -> None:
    for request in qido_queries(both_hold_a_study):
        ours = plugin_call(orthanc, "cirrus", "qido", request).json()
        theirs = plugin_call(orthanc, "reference", "qido", request).json()
        assert ours and comparable(ours) == comparable(theirs), request


def dicom_parts(answer: Any) -> list[bytes]:
    """The payloads of a multipart/related answer, sorted (neither server fixes an order)."""
    head = f"Content-Type: {answer.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + answer.content)
    assert message.is_multipart(), answer.headers["Content-Type"]
    return sorted(part.get_payload(decode=True) for part in message.iter_parts())


def test_the_get_proxy_answers_through_cirrus_as_through_orthanc(
    both_hold_a_study: list[dict[str, Any]], orthanc: OrthancServer
) -> None:
    study, series, sop = (
        both_hold_a_study[0][f"{k}InstanceUID"] for k in ("Study", "Series", "SOP")
    )
    instance = {"Uri": f"/studies/{study}/series/{series}/instances/{sop}"}
    ours = plugin_call(orthanc, "cirrus", "get", instance)
    theirs = plugin_call(orthanc, "reference", "get", instance)
    assert len(dicom_parts(ours)) == 1 and dicom_parts(ours) == dicom_parts(theirs)

    whole_study = {"Uri": f"/studies/{study}"}
    parts = dicom_parts(plugin_call(orthanc, "cirrus", "get", whole_study))
    assert parts == dicom_parts(plugin_call(orthanc, "reference", "get", whole_study))
    assert len(parts) == len(both_hold_a_study)

    metadata = {"Uri": f"/studies/{study}/series/{series}/metadata"}
    ours_json = plugin_call(orthanc, "cirrus", "get", metadata).json()
    theirs_json = plugin_call(orthanc, "reference", "get", metadata).json()
    in_series = [tags for tags in both_hold_a_study if tags["SeriesInstanceUID"] == series]
    assert len(ours_json) == len(in_series)
    key = "00080018"
    assert sorted(without_hosts(ours_json), key=lambda d: d[key]["Value"]) == sorted(
        without_hosts(theirs_json), key=lambda d: d[key]["Value"]
    )
