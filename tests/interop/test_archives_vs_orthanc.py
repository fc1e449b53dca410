"""ZIP archives (GET|POST /{level}/{id}/archive): the same files uploaded to Cirrus and to a
real Orthanc 1.10.1 give the same entry names with the same bytes."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from io import BytesIO
from typing import Any

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


def test_post_body_not_an_object_is_bad_file_format(client: Any, files: list[bytes]) -> None:
    series = upload(client, files[0])["ParentSeries"]
    response = client.http.post(f"/series/{series}/archive", body=b"[1]", headers=ZIP)
    assert_orthanc_error(response, 400, 15, "POST")
