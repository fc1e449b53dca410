"""``POST /dicom-web/servers/{name}/retrieve`` through the app, against a recording stand-in
server (tests/support/fake_dicomweb.py): what the job asks the server (QIDO-RS listings,
one WADO-RS call per instance, headers), what it stores and counts, the answers it refuses,
the caps, and a worker killed mid-way. Compared with Orthanc's plugin retrieving from a real
Orthanc: tests/interop/test_dicomweb_retrieve_vs_orthanc.py.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.dicom.multipart_related import PartToSend, related_chunks
from chalicelib.services.dicomweb.retrieve_job import FRAMING_ALLOWANCE, QIDO_PAGE
from tests.integration.helpers import (
    assert_orthanc_error,
    aws_requests,
    body,
    kill_the_first_mark,
    wait_job,
)
from tests.support.dicom_factory import make_instance
from tests.support.fake_dicomweb import Canned, FakeDicomWeb
from tests.support.serial_moto import serial_moto  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("serial_moto")

STUDY = "1.2.826.0.1.3680043.98.1"
SERIES = [f"{STUDY}.1", f"{STUDY}.2"]
# (series, instance) UIDs of the remote study: two in the first series, one in the second.
INSTANCES = [
    (SERIES[0], f"{SERIES[0]}.1"),
    (SERIES[0], f"{SERIES[0]}.2"),
    (SERIES[1], f"{SERIES[1]}.1"),
]
WADO_ACCEPT = 'multipart/related; type="application/dicom"'
# The largest object the configuration below accepts (MaximumUploadSize and
# DicomMaximumObjectSize), to show the caps with small files.
LARGEST = 64 * 1024


@pytest.fixture
def server() -> Iterator[FakeDicomWeb]:
    with FakeDicomWeb() as fake:
        yield fake


@pytest.fixture
def files(server: FakeDicomWeb) -> dict[str, bytes]:
    """The remote study, served: QIDO-RS listings of the study and of each series, and each
    instance by WADO-RS. SOP Instance UID -> file."""
    files = {}
    for number, (series, sop) in enumerate(INSTANCES, 1):
        files[sop] = make_instance("REMOTE", STUDY, series, sop, instance_number=number)
        server.answers[_wado_path(series, sop)] = wado_answer(files[sop])
    server.answers[f"/dicom-web/studies/{STUDY}/instances"] = qido_answer(INSTANCES)
    for series in SERIES:
        listed = [uids for uids in INSTANCES if uids[0] == series]
        server.answers[f"/dicom-web/studies/{STUDY}/series/{series}/instances"] = qido_answer(
            listed
        )
    return files


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, server: FakeDicomWeb) -> Any:
    configure(
        MaximumUploadSize=LARGEST,
        DicomMaximumObjectSize=LARGEST,
        DicomWeb={
            "Servers": {
                "remote": {"Url": server.url, "HttpHeaders": {"X-Site": "north"}},
                "strict": {"Url": server.url, "HasWadoRsUniversalTransferSyntax": False},
            }
        },
    )
    return client


def wado_answer(*parts: bytes, part_type: str = "application/dicom") -> Canned:
    """A WADO-RS answer holding ``parts``."""
    boundary = "b0undary"
    chunks = related_chunks([PartToSend(part_type, part) for part in parts], boundary)
    return Canned(
        content_type=f'multipart/related; type="application/dicom"; boundary={boundary}',
        body=b"".join(chunks),
    )


def qido_answer(instances: list[tuple[str, str]]) -> Canned:
    matches = [
        {
            "0020000E": {"vr": "UI", "Value": [series]},
            "00080018": {"vr": "UI", "Value": [sop]},
            "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]},
        }
        for series, sop in instances
    ]
    return Canned(body=json.dumps(matches).encode())


def _wado_path(series: str, sop: str) -> str:
    return f"/dicom-web/studies/{STUDY}/series/{series}/instances/{sop}"


def retrieve(client: Any, name: str, request: Any) -> Any:
    raw = request if isinstance(request, str) else json.dumps(request)
    return client.http.post(
        f"/dicom-web/servers/{name}/retrieve",
        body=raw,
        headers={"Content-Type": "application/json"},
    )


def stored_file(client: Any, sop: str) -> bytes:
    """The file Cirrus stores for a SOP Instance UID."""
    found = body(
        client.http.post("/tools/lookup", body=sop, headers={"Content-Type": "text/plain"})
    )
    assert [match["Type"] for match in found] == ["Instance"], sop
    return bytes(client.http.get(f"/instances/{found[0]['ID']}/file").body)


def fetched(server: FakeDicomWeb) -> Counter[str]:
    """How many times each instance was asked for by WADO-RS (its path)."""
    return Counter(r.target for r in server.requests if "/instances/" in r.target)


def test_a_study_is_listed_then_each_instance_fetched_and_stored(
    cirrus: Any, server: FakeDicomWeb, files: dict[str, bytes]
) -> None:
    answer = retrieve(cirrus, "remote", {"Resources": [{"Study": STUDY}]})
    assert (answer.status_code, body(answer)) == (
        200,
        {"NetworkUsageMB": "0", "ReceivedInstancesCount": "3"},
    )
    for sop, data in files.items():
        assert stored_file(cirrus, sop) == data
    listing, *fetches = server.requests
    assert listing.target == (
        f"/dicom-web/studies/{STUDY}/instances?includefield=0020000E&limit={QIDO_PAGE}&offset=0"
    )
    assert listing.headers["accept"] == "application/dicom+json"
    # The stand-in ignores offset: its first page again, which names nothing new, ends it.
    assert fetches[0].target.endswith("offset=3")
    assert [r.target for r in fetches[1:]] == [_wado_path(*uids) for uids in INSTANCES]
    for request in server.requests:
        assert request.headers["x-site"] == "north"
    for request in fetches[1:]:
        assert request.headers["accept"] == f"{WADO_ACCEPT}; transfer-syntax=*"
    instance = body(cirrus.http.post("/tools/lookup", body=INSTANCES[0][1]))[0]["ID"]
    assert cirrus.http.get(f"/instances/{instance}/metadata/Origin").body == b"Plugins"


def test_series_and_instances_are_retrieved_as_named(
    cirrus: Any, server: FakeDicomWeb, files: dict[str, bytes]
) -> None:
    resources = [
        {"Study": STUDY, "Series": SERIES[0]},
        {"Study": STUDY, "Series": SERIES[1], "Instance": INSTANCES[2][1]},
    ]
    answer = body(retrieve(cirrus, "strict", {"Resources": resources, "Synchronous": True}))
    assert answer["ReceivedInstancesCount"] == "3"
    targets = [r.target.split("?")[0] for r in server.requests]
    assert targets == [
        f"/dicom-web/studies/{STUDY}/series/{SERIES[0]}/instances",
        f"/dicom-web/studies/{STUDY}/series/{SERIES[0]}/instances",
        *[_wado_path(*uids) for uids in INSTANCES],  # the instance is not listed first
    ]
    # Without HasWadoRsUniversalTransferSyntax, no transfer syntax is asked for.
    assert {r.headers["accept"] for r in server.requests[2:]} == {WADO_ACCEPT}
    assert [stored_file(cirrus, sop) for sop in files] == list(files.values())


def test_a_series_listing_keeps_the_instances_of_that_series(
    cirrus: Any, server: FakeDicomWeb, files: dict[str, bytes]
) -> None:
    """A server answering the whole study to a series' listing: only the series is taken."""
    path = f"/dicom-web/studies/{STUDY}/series/{SERIES[1]}/instances"
    server.answers[path] = qido_answer(INSTANCES)
    resources = [{"Study": STUDY, "Series": SERIES[1]}]
    assert (
        body(retrieve(cirrus, "remote", {"Resources": resources}))["ReceivedInstancesCount"] == "1"
    )
    assert fetched(server) == {_wado_path(*INSTANCES[2]): 1}


def test_every_part_of_an_answer_is_stored(cirrus: Any, server: FakeDicomWeb) -> None:
    extra = [make_instance("REMOTE", STUDY, SERIES[0], f"{SERIES[0]}.{n}") for n in (7, 8)]
    sop = INSTANCES[0][1]
    server.answers[_wado_path(*INSTANCES[0])] = wado_answer(*extra)
    resources = [{"Study": STUDY, "Series": SERIES[0], "Instance": sop}]
    assert (
        body(retrieve(cirrus, "remote", {"Resources": resources}))["ReceivedInstancesCount"] == "1"
    )
    assert stored_file(cirrus, f"{SERIES[0]}.7") == extra[0]
    assert stored_file(cirrus, f"{SERIES[0]}.8") == extra[1]


def test_instances_already_stored_are_counted_and_not_written_again(
    cirrus: Any, files: dict[str, bytes]
) -> None:
    retrieve(cirrus, "remote", {"Resources": [{"Study": STUDY}]})
    with aws_requests() as calls:
        answer = body(retrieve(cirrus, "remote", {"Resources": [{"Study": STUDY}]}))
    assert answer["ReceivedInstancesCount"] == "3"
    assert calls["PutObject"] == 0
    assert body(cirrus.http.get("/statistics"))["CountInstances"] == 3


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (wado_answer(b"not a DICOM file"), "not DICOM"),
        (wado_answer(make_instance(), part_type="image/jpeg"), '"application/dicom" type'),
        (Canned(content_type="application/dicom+json", body=b"[]"), "not multipart/related"),
        (
            Canned(
                content_type="multipart/related; boundary=b0undary",
                body=b"--b0undary\r\nContent-Type: application/dicom\r\n\r\nDICM",
            ),
            "closing boundary",
        ),
        (wado_answer(), "holds no instance"),
        (Canned(status=404), "answered HTTP 404"),
    ],
)
def test_a_bad_answer_fails_the_job(
    cirrus: Any, server: FakeDicomWeb, files: dict[str, bytes], answer: Canned, words: str
) -> None:
    server.answers[_wado_path(*INSTANCES[1])] = answer
    started = body(
        retrieve(cirrus, "remote", {"Resources": [{"Study": STUDY}], "Asynchronous": True})
    )
    job = wait_job(cirrus, started["ID"])
    code = 17 if answer.status == 404 else 9  # UnknownResource, NetworkProtocol
    assert (job["State"], job["ErrorCode"], job["Type"]) == (
        "Failure",
        code,
        "DicomWebWadoRetrieveClient",
    )
    assert words in job["ErrorDetails"]
    assert job["Content"]["FunctionErrorCode"] == code
    assert job["Content"]["FunctionErrorDetails"] == job["ErrorDetails"]
    assert job["Content"]["ReceivedInstancesCount"] == "1"  # the first one, stored
    assert stored_file(cirrus, INSTANCES[0][1]) == files[INSTANCES[0][1]]
    # Synchronously, the job's error is the answer.
    response = retrieve(cirrus, "remote", {"Resources": [{"Study": STUDY}]})
    assert_orthanc_error(response, 404 if code == 17 else 500, code, "POST")
    assert words in body(response)["Details"]


def test_answers_are_read_up_to_the_largest_object(cirrus: Any, server: FakeDicomWeb) -> None:
    """An instance may weigh the largest object the ingest accepts; its answer that plus
    FRAMING_ALLOWANCE. Beyond either, the job fails without storing it."""
    sop = INSTANCES[0][1]
    resources = [{"Study": STUDY, "Series": SERIES[0], "Instance": sop}]
    pixels = 80  # 80 x 80 16-bit pixels: 12.8 KB, a few hundred bytes of tags besides
    fits = make_instance("REMOTE", STUDY, SERIES[0], sop, size=pixels)
    padding = LARGEST - len(fits) + 1000
    too_large = wado_answer(fits, make_instance(size=pixels, ImageComments="x" * padding))
    server.answers[_wado_path(*INSTANCES[0])] = too_large
    failed = retrieve(cirrus, "remote", {"Resources": resources})
    assert_orthanc_error(failed, 500, 9, "POST")
    assert f"larger than {LARGEST} bytes" in body(failed)["Details"]
    padding_part = make_instance(size=8, ImageComments="y" * (LARGEST - 2000))
    server.answers[_wado_path(*INSTANCES[0])] = wado_answer(*[padding_part] * 3)
    failed = retrieve(cirrus, "remote", {"Resources": resources})
    assert f"more than {LARGEST + FRAMING_ALLOWANCE} bytes" in body(failed)["Details"]
    server.answers[_wado_path(*INSTANCES[0])] = wado_answer(fits)
    assert (
        body(retrieve(cirrus, "remote", {"Resources": resources}))["ReceivedInstancesCount"] == "1"
    )


def test_listing_errors(cirrus: Any, server: FakeDicomWeb) -> None:
    nothing = retrieve(cirrus, "remote", {"Resources": [{"Study": "1.2.3.4"}]})
    assert_orthanc_error(nothing, 500, 9, "POST")
    assert (
        body(nothing)["Details"]
        == "The DICOMweb server 'remote' has no instance of studies/1.2.3.4"
    )
    server.answers["/dicom-web/studies/1.2.3.4/instances"] = Canned(body=b"{}")
    assert (
        "not a JSON array"
        in body(retrieve(cirrus, "remote", {"Resources": [{"Study": "1.2.3.4"}]}))["Details"]
    )
    server.answers["/dicom-web/studies/1.2.3.4/instances"] = Canned(
        body=b'[{"00080018": {"vr": "UI"}}]'
    )
    assert (
        "no value for 0020000E"
        in body(retrieve(cirrus, "remote", {"Resources": [{"Study": "1.2.3.4"}]}))["Details"]
    )
    server.answers["/dicom-web/studies/1.2.3.4/instances"] = Canned(body=b"<xml/>")
    assert (
        "is not JSON"
        in body(retrieve(cirrus, "remote", {"Resources": [{"Study": "1.2.3.4"}]}))["Details"]
    )


def test_requests_are_checked_before_the_server(cirrus: Any, server: FakeDicomWeb) -> None:
    cases = [
        ("not JSON", "A JSON file was expected"),
        (
            {"Resources": {"Study": STUDY}},
            'The body must be a JSON object containing an array "Resources"',
        ),
        ({"Resources": [{"Series": STUDY}]}, 'Missing "Study" field in the body'),
        (
            {"Resources": [{"Study": STUDY, "Instance": "1"}]},
            'Missing "Series" field in the body, as "Instance" is present',
        ),
        ({"Resources": [{"Study": 1}]}, 'The field "Study" in a JSON object should be a string'),
        (
            {"Resources": [], "HttpHeaders": 3},
            "The JSON object is not a JSON associative array as expected",
        ),
        ({"Resources": [], "Synchronous": "yes"}, "Boolean value expected in field: Synchronous"),
        ({"Resources": [], "Priority": "high"}, "Integer value expected in field: Priority"),
    ]
    for request, details in cases:
        response = retrieve(cirrus, "nope", request)
        assert_orthanc_error(response, 400, 15, "POST")
        assert body(response)["Details"] == details, request
    unknown = retrieve(cirrus, "nope", {"Resources": []})
    assert_orthanc_error(unknown, 404, 7, "POST")
    assert body(unknown)["Details"] == "Inexistent server: nope"
    assert body(retrieve(cirrus, "remote", {"Resources": []})) == {}
    assert server.requests == []


def test_an_asynchronous_retrieve_is_a_job(
    cirrus: Any, server: FakeDicomWeb, files: dict[str, bytes]
) -> None:
    started = body(
        retrieve(
            cirrus, "remote", {"Resources": [{"Study": STUDY}], "Asynchronous": True, "Priority": 4}
        )
    )
    assert set(started) == {"ID", "Path"}
    job = wait_job(cirrus, started["ID"])
    assert (job["State"], job["Type"], job["Priority"], job["Progress"]) == (
        "Success",
        "DicomWebWadoRetrieveClient",
        4,
        100,
    )
    assert job["Content"] == {"NetworkUsageMB": "0", "ReceivedInstancesCount": "3"}


def test_a_worker_killed_mid_way_stores_every_instance_once(
    cirrus: Any, server: FakeDicomWeb, files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker fetches and stores the three instances, then dies before recording them:
    the batch run again finds them in the index and neither fetches nor stores them again."""
    calls = kill_the_first_mark(monkeypatch)
    with aws_requests() as requests:
        answer = body(retrieve(cirrus, "remote", {"Resources": [{"Study": STUDY}]}))
    assert answer == {"NetworkUsageMB": "0", "ReceivedInstancesCount": "3"}
    assert calls["n"] >= 2  # the step died once, and was run again
    assert fetched(server) == {_wado_path(*uids): 1 for uids in INSTANCES}
    assert requests["PutObject:dicom"] == 3
    assert body(cirrus.http.get("/statistics"))["CountInstances"] == 3
    for sop, data in files.items():
        assert stored_file(cirrus, sop) == data


def test_a_server_lists_retrieve_among_its_operations(cirrus: Any) -> None:
    operations = body(cirrus.http.get("/dicom-web/servers/remote"))
    assert operations.index("get") < operations.index("retrieve") < operations.index("qido")


class PagingDicomWeb(FakeDicomWeb):
    """A stand-in whose QIDO-RS listings honour ``limit`` and ``offset``."""

    def respond(self, request: Any) -> Canned:
        from urllib.parse import parse_qs, urlsplit

        target = urlsplit(request.target)
        canned = super().respond(request)
        query = parse_qs(target.query)
        if not target.path.endswith("/instances") or "limit" not in query:
            return canned
        start, limit = int(query["offset"][0]), int(query["limit"][0])
        page = json.loads(canned.body)[start : start + limit]
        return Canned(body=json.dumps(page).encode())


def test_listings_are_read_page_after_page(
    client: Any, job_runner: Any, configure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services.dicomweb import retrieve_job

    monkeypatch.setattr(retrieve_job, "QIDO_PAGE", 2)
    with PagingDicomWeb() as paging:
        for series, sop in INSTANCES:
            paging.answers[_wado_path(series, sop)] = wado_answer(
                make_instance("REMOTE", STUDY, series, sop)
            )
        paging.answers[f"/dicom-web/studies/{STUDY}/instances"] = qido_answer(INSTANCES)
        configure(DicomWeb={"Servers": {"paging": [paging.url]}})
        answer = body(retrieve(client, "paging", {"Resources": [{"Study": STUDY}]}))
        assert answer["ReceivedInstancesCount"] == "3"
        listings = [r.target.split("?")[1] for r in paging.requests if "/instances?" in r.target]
        assert listings == [
            f"includefield=0020000E&limit=2&offset={offset}" for offset in (0, 2, 3)
        ]
        assert fetched(paging) == {_wado_path(*uids): 1 for uids in INSTANCES}
