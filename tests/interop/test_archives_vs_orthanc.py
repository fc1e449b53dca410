"""ZIP archives (GET|POST /{level}/{id}/archive): the same files uploaded to Cirrus and to a
real Orthanc 1.10.1 give the same entry names with the same bytes."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.integration.helpers import assert_orthanc_error, sample_file, upload
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

ZIP = {"Accept": "application/zip"}


@pytest.fixture(scope="module")
def orthanc() -> Iterator[OrthancServer]:
    with OrthancServer() as server:
        yield server


def _files() -> list[bytes]:
    """A patient with odd characters, two same-named studies, same-named series, a series
    without modality or description, instances uploaded in InstanceNumber order."""
    study, other_study = generate_uid(), generate_uid()
    mr, mr_again = generate_uid(), generate_uid()
    tags = {"PatientName": "Doe^Jöhn*?", "StudyDescription": "Brain <MRI>|"}
    files = [
        make_instance(
            "P/1:x",
            study,
            mr,
            instance_number=n,
            Modality="MR",
            SeriesDescription="Axial/T1",
            **tags,
        )
        for n in (1, 2, 3)
    ]
    files.append(
        make_instance("P/1:x", study, mr_again, Modality="MR", SeriesDescription="Axial/T1", **tags)
    )
    files.append(make_instance("P/1:x", other_study, generate_uid(), Modality="", **tags))
    files.append(make_instance("P/1:x", study, generate_uid(), SeriesDescription="  a  b ", **tags))
    return files


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


@pytest.fixture(scope="module")
def files() -> list[bytes]:
    return _files()


@pytest.mark.parametrize("level", ["patients", "studies", "series"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_archive_matches_orthanc(
    client: Any, orthanc: OrthancServer, files: list[bytes], level: str, method: str
) -> None:
    ours = [upload(client, data) for data in files]
    theirs = [orthanc.session.post(f"{orthanc.url}/instances", data=d).json() for d in files]
    key = {"patients": "ParentPatient", "studies": "ParentStudy", "series": "ParentSeries"}[level]
    assert ours[0][key] == theirs[0][key]
    path = f"/{level}/{ours[0][key]}/archive"
    if method == "GET":
        answer = client.http.get(path, headers=ZIP)
        expected = orthanc.session.get(orthanc.url + path)
    else:
        answer = client.http.post(path, body=b"{}", headers=ZIP)
        expected = orthanc.session.post(orthanc.url + path, data=b"{}")
    assert answer.status_code == expected.status_code == 200
    assert answer.headers["Content-Type"] == expected.headers["Content-Type"]
    assert answer.headers["Content-Disposition"] == expected.headers["Content-Disposition"]
    assert list(_entries(answer.body)) == list(_entries(expected.content))
    assert _entries(answer.body) == _entries(expected.content)


def test_pydicom_sample_archive_matches_orthanc(client: Any, orthanc: OrthancServer) -> None:
    data = sample_file("CT_small.dcm")
    ours = upload(client, data)
    orthanc.session.post(f"{orthanc.url}/instances", data=data)
    path = f"/series/{ours['ParentSeries']}/archive"
    expected = _entries(orthanc.session.get(orthanc.url + path).content)
    assert _entries(client.http.get(path, headers=ZIP).body) == expected


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("level", ["patients", "studies", "series"])
def test_unknown_resource_is_404(client: Any, level: str, method: str) -> None:
    path = f"/{level}/nope/archive"
    response = client.http.request(
        method, path, body=b"{}" if method == "POST" else b"", headers=ZIP
    )
    assert_orthanc_error(response, 404, 17, method)


@pytest.mark.parametrize("data", [b"[1]", b"", b"not json", b'{"Priority": "x"}'])
def test_post_bodies_are_read_as_orthanc_reads_them(
    client: Any, orthanc: OrthancServer, data: bytes
) -> None:
    """Any JSON is accepted (options are read from an object only); no JSON is 400."""
    one = make_instance("BODY", Modality="MR")
    series = upload(client, one)["ParentSeries"]
    orthanc.upload(one)
    path = f"/series/{series}/archive"
    answer = client.http.post(path, body=data, headers=ZIP)
    expected = orthanc.post(path, data=data)
    assert answer.status_code == expected.status_code
    if expected.status_code == 200:
        assert list(_entries(answer.body)) == list(_entries(expected.content))
    else:
        assert same_error(answer, expected)


def same_error(answer: Any, expected: Any) -> bool:
    """The same Orthanc error: status, code and details."""
    ours, theirs = json.loads(answer.body), expected.json()
    keys = ("HttpStatus", "OrthancStatus", "Message", "Details")
    return all(ours.get(key) == theirs.get(key) for key in keys)


def test_study_folders_start_with_the_accession_number(client: Any, orthanc: OrthancServer) -> None:
    study = generate_uid()
    files = [
        make_instance("AN", study, generate_uid(), AccessionNumber="ACC1", Modality="SEG"),
        make_instance(
            "AN", study, generate_uid(), AccessionNumber="ACC1", StudyDescription="D", Modality="X"
        ),
    ]
    ours = [upload(client, data) for data in files]
    for data in files:
        orthanc.upload(data)
    path = f"/studies/{ours[0]['ParentStudy']}/archive"
    expected = _entries(orthanc.get(path).content)
    assert _entries(client.http.get(path, headers=ZIP).body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "all",  # the patient, one of its studies and one instance: merged, each file once
        {"Transcode": "1.2.840.10008.1.2"},
        {"Transcode": "1.2.840.10008.1.2.1.99"},
        {"Transcode": "1.2.840.10008.1.2.4.50"},  # JPEG of 16-bit pixels: kept as stored
        {"Synchronous": True, "Priority": 3},
    ],
)
def test_create_archive_matches_orthanc(
    client: Any, orthanc: OrthancServer, files: list[bytes], body: Any
) -> None:
    ours = [upload(client, data) for data in files]
    for data in files:
        orthanc.upload(data)
    resources = [ours[0]["ParentPatient"], ours[3]["ParentStudy"], ours[4]["ID"]]
    if body == "all":
        body = {}
    request = {"Resources": resources, **body}
    answer = client.http.post("/tools/create-archive", body=json.dumps(request), headers=ZIP)
    expected = orthanc.post("/tools/create-archive", json=request)
    assert answer.status_code == expected.status_code == 200
    assert answer.headers["Content-Disposition"] == expected.headers["Content-Disposition"]
    ours_files, theirs = _entries(answer.body), _entries(expected.content)
    assert list(ours_files) == list(theirs)
    for name, data in ours_files.items():
        assert _syntax(data) == _syntax(theirs[name])


def _syntax(data: bytes) -> str:
    return str(pydicom.dcmread(BytesIO(data), stop_before_pixels=True).file_meta.TransferSyntaxUID)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"5",
        b'"x"',
        b"{}",
        b'{"Resources": "x"}',
        b'{"Resources": [1]}',
        b'{"Resources": ["nope"]}',
        b'{"Resources": [], "Transcode": "1.2.3"}',
        b'{"Resources": [], "Transcode": 5}',
        b'{"Resources": [], "Synchronous": "yes"}',
        b'{"Resources": [], "Asynchronous": 1}',
        b'{"Resources": [], "Priority": "x"}',
        b'{"Resources": [], "Extended": "x"}',
    ],
)
@pytest.mark.parametrize("route", ["create-archive", "create-media", "create-media-extended"])
def test_create_errors_match_orthanc(
    client: Any, orthanc: OrthancServer, route: str, data: bytes
) -> None:
    answer = client.http.post(f"/tools/{route}", body=data)
    expected = orthanc.post(f"/tools/{route}", data=data)
    assert answer.status_code == expected.status_code != 200
    assert same_error(answer, expected)


def test_empty_resource_list_is_an_empty_zip(client: Any, orthanc: OrthancServer) -> None:
    answer = client.http.post("/tools/create-archive", body=b'{"Resources": []}')
    expected = orthanc.post("/tools/create-archive", data=b'{"Resources": []}')
    assert answer.status_code == expected.status_code == 200
    assert _entries(answer.body) == _entries(expected.content) == {}


@pytest.mark.parametrize("query", ["?transcode=1.2.840.10008.1.2", "?transcode=1.2.3"])
def test_get_transcode_matches_orthanc(client: Any, orthanc: OrthancServer, query: str) -> None:
    one = make_instance("TRANSCODE", Modality="MR")
    series = upload(client, one)["ParentSeries"]
    orthanc.upload(one)
    path = f"/series/{series}/archive{query}"
    answer, expected = client.http.get(path, headers=ZIP), orthanc.get(path)
    assert answer.status_code == expected.status_code
    if expected.status_code != 200:
        assert same_error(answer, expected)
        return
    ours, theirs = _entries(answer.body), _entries(expected.content)
    assert [_syntax(d) for d in ours.values()] == [_syntax(d) for d in theirs.values()]
