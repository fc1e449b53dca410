"""C-STORE to a modality that does not accept a file's transfer syntax: an Orthanc 1.10.1
receiver that takes implicit VR little endian only. When the modality allows transcoding (the
default), Cirrus converts uncompressed files and decompresses what DCMTK decodes (JPEG,
JPEG-LS, RLE; imagecodecs for JPEG) to the same pixels as the Orthanc sender; JPEG 2000 fails
on both, with a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

from tests.integration.helpers import body, upload
from tests.support.jpeg_samples import uploadable
from tests.support.orthanc_server import OrthancServer

IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
CT_SMALL = Path(get_testdata_file("CT_small.dcm"))  # explicit VR little endian
COMPRESSED = [
    "JPEG-lossy.dcm",  # 12-bit JPEG extended that pylibjpeg refuses
    "MR_small_jpeg_ls_lossless.dcm",
    "MR_small_RLE.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",  # YBR_FULL JPEG baseline, received as RGB
    "SC_rgb_jls_lossy_line.dcm",
]


@pytest.fixture(scope="module")
def implicit_only() -> Iterator[OrthancServer]:
    with OrthancServer({"AcceptedTransferSyntaxes": [IMPLICIT_VR_LITTLE_ENDIAN]}) as server:
        yield server


@pytest.fixture(scope="module")
def orthanc_sender(implicit_only: OrthancServer) -> Iterator[OrthancServer]:
    modality = ["ORTHANCTEST", "127.0.0.1", implicit_only.dicom_port]
    with OrthancServer({"DicomModalities": {"r": modality}, "DicomAet": "SENDER"}) as server:
        yield server


@pytest.fixture
def cirrus(client: Any, job_runner: Any, configure: Any, implicit_only: OrthancServer) -> Any:
    receiver = {"AET": "ORTHANCTEST", "Host": "127.0.0.1", "Port": implicit_only.dicom_port}
    configure(
        DicomAet="SENDER",
        DicomModalities={"r": receiver, "strict": {**receiver, "AllowTranscoding": False}},
        DicomScuTimeout=5,
    )
    return client


def _received(orthanc: OrthancServer, instance_id: str) -> Any:
    answer = orthanc.session.get(f"{orthanc.url}/instances/{instance_id}/file")
    answer.raise_for_status()
    return dcmread(BytesIO(answer.content))


def _forget(orthanc: OrthancServer, instance_id: str) -> None:
    orthanc.session.delete(f"{orthanc.url}/instances/{instance_id}")


def _sent_by_both(
    cirrus: Any, sender: OrthancServer, receiver: OrthancServer, data: bytes
) -> tuple[Any, Any]:
    """``data`` stored to the receiver by the Orthanc sender, then by Cirrus: what arrived
    each time."""
    instance_id = upload(cirrus, data)["ID"]
    sender.session.post(f"{sender.url}/instances", data=data)
    theirs = sender.session.post(f"{sender.url}/modalities/r/store", instance_id)
    assert theirs.status_code == 200, theirs.text
    by_orthanc = _received(receiver, instance_id)
    _forget(receiver, instance_id)
    ours = cirrus.http.post("/modalities/r/store", body=instance_id.encode())
    assert ours.status_code == 200, ours.body
    assert body(ours)["FailedInstancesCount"] == 0
    by_cirrus = _received(receiver, instance_id)
    _forget(receiver, instance_id)
    return by_orthanc, by_cirrus


def test_an_uncompressed_file_is_converted_like_orthanc_does(
    cirrus: Any, orthanc_sender: OrthancServer, implicit_only: OrthancServer
) -> None:
    by_orthanc, by_cirrus = _sent_by_both(
        cirrus, orthanc_sender, implicit_only, CT_SMALL.read_bytes()
    )
    assert by_orthanc.file_meta.TransferSyntaxUID == IMPLICIT_VR_LITTLE_ENDIAN
    assert by_cirrus.file_meta.TransferSyntaxUID == IMPLICIT_VR_LITTLE_ENDIAN
    original = dcmread(CT_SMALL)
    assert by_cirrus.PixelData == original.PixelData == by_orthanc.PixelData
    assert by_cirrus.PatientName == original.PatientName
    assert by_cirrus.SOPInstanceUID == original.SOPInstanceUID


def test_no_conversion_when_the_modality_forbids_transcoding(cirrus: Any) -> None:
    instance_id = upload(cirrus, CT_SMALL.read_bytes())["ID"]
    refused = cirrus.http.post("/modalities/strict/store", body=instance_id.encode())
    assert refused.status_code == 500
    details = body(refused)["Details"]
    assert "no presentation context was accepted" in details
    assert "1.2.840.10008.1.2.1" in details


def test_jpeg_2000_is_not_decompressed_as_in_orthanc(cirrus: Any) -> None:
    jpeg2000 = Path(get_testdata_file("JPEG2000.dcm")).read_bytes()
    instance_id = upload(cirrus, jpeg2000)["ID"]
    refused = cirrus.http.post("/modalities/r/store", body=instance_id.encode())
    assert refused.status_code == 500
    assert "no presentation context was accepted" in body(refused)["Details"]


@pytest.mark.parametrize("name", COMPRESSED)
def test_a_compressed_file_is_decompressed_as_orthanc_does(
    cirrus: Any, orthanc_sender: OrthancServer, implicit_only: OrthancServer, name: str
) -> None:
    data = uploadable(name)
    by_orthanc, by_cirrus = _sent_by_both(cirrus, orthanc_sender, implicit_only, data)
    original = dcmread(BytesIO(data))
    for received in (by_orthanc, by_cirrus):
        assert received.file_meta.TransferSyntaxUID == IMPLICIT_VR_LITTLE_ENDIAN
        assert received.SOPInstanceUID == original.SOPInstanceUID
    assert by_cirrus.PhotometricInterpretation == by_orthanc.PhotometricInterpretation
    assert np.array_equal(by_cirrus.pixel_array, by_orthanc.pixel_array)


def test_no_decompression_when_the_modality_forbids_transcoding(cirrus: Any) -> None:
    instance_id = upload(cirrus, uploadable("MR_small_RLE.dcm"))["ID"]
    refused = cirrus.http.post("/modalities/strict/store", body=instance_id.encode())
    assert refused.status_code == 500
    assert "no presentation context was accepted" in body(refused)["Details"]
