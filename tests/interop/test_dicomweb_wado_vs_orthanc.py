"""WADO-RS against Orthanc 1.10.1 with Debian's DICOMweb plugin 1.7: the same files stored
in both, the same retrievals, metadata and bulk data requests, equal answers up to the
documented differences (docs/compatibility.md): the order of instances (the plugin's is its
storage order, Cirrus's series by Orthanc ID and instances by InstanceNumber, so instances are
compared by SOP Instance UID), the host of bulk data URIs, and 406 where the plugin answers
400 or 500 (an unsupported ``Accept``, a transfer syntax it cannot write)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pydicom
import pytest
from pydicom.dataset import Dataset

from chalicelib.dicom.multipart_related import parse_content_type, parse_related, related_boundary
from tests.integration.helpers import sample_file, upload
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer, dicomweb_config

STUDY = "1.2.826.0.1.3680043.10.99.2"
SERIES = f"{STUDY}.1"
ROOT = "/dicom-web"
DICOM_ACCEPT = 'multipart/related; type="application/dicom"'


def _with_binaries(sop_uid: str) -> bytes:
    """A file with bulk data at the top level, in a sequence item, empty, and UN."""
    data = make_instance(study_uid=STUDY, series_uid=SERIES, sop_uid=sop_uid, size=16)
    dataset = pydicom.dcmread(io.BytesIO(data))
    item = Dataset()
    item.ReferencedSOPInstanceUID = "1.2.3"
    item.add_new(0x00091010, "OB", b"ab")
    empty = Dataset()
    empty.add_new(0x00291010, "OB", b"")
    dataset.add_new(0x00091001, "LO", "CREATOR")
    dataset.add_new(0x00081140, "SQ", [item, empty])
    dataset.add_new(0x00420011, "OB", b"pdfdata!")
    dataset.add_new(0x00189999, "UN", b"zz")
    dataset.add_new(0x00420012, "OB", b"")
    out = io.BytesIO()
    dataset.save_as(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def files() -> list[bytes]:
    return [
        _with_binaries(f"{SERIES}.1"),
        make_instance(study_uid=STUDY, series_uid=SERIES, sop_uid=f"{SERIES}.2", instance_number=2),
        make_instance(study_uid=STUDY, series_uid=f"{STUDY}.2", sop_uid=f"{STUDY}.2.1"),
        sample_file("CT_small.dcm"),
        sample_file("MR_small_RLE.dcm"),
    ]


@pytest.fixture(scope="module")
def orthanc(files: list[bytes]) -> Iterator[OrthancServer]:
    with OrthancServer(extra_config=dicomweb_config()) as server:
        for data in files:
            assert server.session.post(f"{server.url}/instances", data=data).status_code == 200
        yield server


@pytest.fixture
def cirrus(client: Any, files: list[bytes]) -> Any:
    for data in files:
        upload(client, data)
    return client


def _uids(files: list[bytes]) -> list[tuple[str, str, str]]:
    found = []
    for data in files:
        dataset = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        found.append((dataset.StudyInstanceUID, dataset.SeriesInstanceUID, dataset.SOPInstanceUID))
    return found


def _parts(status: int, content_type: str, body: bytes) -> list[bytes]:
    assert status == 200, body[:300]
    boundary = related_boundary(parse_content_type(content_type))
    return [part.content for part in parse_related(body, boundary)]


def _both(cirrus: Any, orthanc: OrthancServer, path: str, accept: str | None) -> tuple[Any, Any]:
    headers = {"Accept": accept} if accept else {}
    ours = cirrus.http.get(f"{ROOT}{path}", headers=headers)
    theirs = orthanc.session.get(f"{orthanc.url}{ROOT}{path}", headers=headers)
    return ours, theirs


def _by_sop(parts: list[bytes]) -> dict[str, bytes]:
    return {
        pydicom.dcmread(io.BytesIO(p), stop_before_pixels=True).SOPInstanceUID: p for p in parts
    }


@pytest.mark.parametrize("accept", [f"{DICOM_ACCEPT}; transfer-syntax=*", None, DICOM_ACCEPT])
def test_retrievals_match_the_plugin(
    cirrus: Any, orthanc: OrthancServer, files: list[bytes], accept: str | None
) -> None:
    """Stored bytes for ``*``; explicit VR little endian by default (the RLE file decoded):
    the same files, byte for byte, at the three levels."""
    paths = {f"/studies/{study}" for study, _, _ in _uids(files)}
    paths |= {f"/studies/{study}/series/{series}" for study, series, _ in _uids(files)}
    paths |= {f"/studies/{st}/series/{se}/instances/{sop}" for st, se, sop in _uids(files)}
    for path in sorted(paths):
        ours, theirs = _both(cirrus, orthanc, path, accept)
        our_parts = _parts(ours.status_code, ours.headers["Content-Type"], ours.body)
        their_parts = _parts(theirs.status_code, theirs.headers["Content-Type"], theirs.content)
        if accept and "transfer-syntax=*" in accept:
            assert _by_sop(our_parts) == _by_sop(their_parts), path
        else:
            # Transcoded by two encoders: the same data sets in the same syntax.
            for sop, part in _by_sop(our_parts).items():
                theirs_one = pydicom.dcmread(io.BytesIO(_by_sop(their_parts)[sop]))
                ours_one = pydicom.dcmread(io.BytesIO(part))
                assert (
                    ours_one.file_meta.TransferSyntaxUID == theirs_one.file_meta.TransferSyntaxUID
                )
                assert ours_one.PixelData == theirs_one.PixelData, (path, sop)


def _relative(value: Any, base: str) -> Any:
    """A metadata answer with its bulk data URIs' root removed, by SOP Instance UID."""
    text = json.dumps(value).replace(base, "BASE/")
    return {i["00080018"]["Value"][0]: i for i in json.loads(text)}


def test_metadata_matches_the_plugin(
    cirrus: Any, orthanc: OrthancServer, files: list[bytes]
) -> None:
    uids = _uids(files)
    paths = {f"/studies/{study}/metadata" for study, _, _ in uids}
    paths |= {f"/studies/{study}/series/{series}/metadata" for study, series, _ in uids}
    paths |= {f"/studies/{st}/series/{se}/instances/{sop}/metadata" for st, se, sop in uids}
    for path in sorted(paths):
        ours, theirs = _both(cirrus, orthanc, path, None)
        assert ours.status_code == theirs.status_code == 200, path
        assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]
        assert _relative(json.loads(ours.body), "http://localhost/dicom-web/") == _relative(
            theirs.json(), f"{orthanc.url}/dicom-web/"
        ), path


def test_bulk_data_matches_the_plugin(cirrus: Any, orthanc: OrthancServer) -> None:
    base = f"/studies/{STUDY}/series/{SERIES}/instances/{SERIES}.1/bulk"
    for suffix in (
        "7fe00010",
        "00420011",
        "00420012",
        "00189999",
        "00081140/1/00091010",
        "00081140/0/00091010",
        "00081140/1",
        "00099999",
    ):
        ours, theirs = _both(cirrus, orthanc, f"{base}/{suffix}", None)
        assert ours.status_code == theirs.status_code, suffix
        if theirs.status_code == 200:
            assert _parts(200, ours.headers["Content-Type"], ours.body) == _parts(
                200, theirs.headers["Content-Type"], theirs.content
            ), suffix


def test_unknown_uids_are_404_in_both(cirrus: Any, orthanc: OrthancServer) -> None:
    for path in (
        "/studies/1.2.9",
        "/studies/1.2.9/metadata",
        f"/studies/1.2.9/series/{SERIES}",
        f"/studies/{STUDY}/series/1.2.9",
        f"/studies/{STUDY}/series/{SERIES}/instances/1.2.9",
        f"/studies/{STUDY}/series/{STUDY}.2/instances/{SERIES}.1",
    ):
        ours, theirs = _both(cirrus, orthanc, path, None)
        assert ours.status_code == theirs.status_code == 404, path
        assert json.loads(ours.body)["OrthancStatus"] == theirs.json()["OrthancStatus"] == 7
