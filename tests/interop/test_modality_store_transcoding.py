"""C-STORE to a modality that does not accept a file's transfer syntax: an Orthanc 1.10.1
receiver that takes implicit VR little endian only. Cirrus converts uncompressed files when
the modality allows transcoding (the default), as the Orthanc sender does; compressed files
it cannot decompress yet are refused with a clear error."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file

from tests.integration.helpers import body, upload
from tests.support.orthanc_server import OrthancServer

IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2"
CT_SMALL = Path(get_testdata_file("CT_small.dcm"))  # explicit VR little endian


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


def test_an_uncompressed_file_is_converted_like_orthanc_does(
    cirrus: Any, orthanc_sender: OrthancServer, implicit_only: OrthancServer
) -> None:
    instance_id = upload(cirrus, CT_SMALL.read_bytes())["ID"]
    orthanc_sender.session.post(f"{orthanc_sender.url}/instances", data=CT_SMALL.read_bytes())

    theirs = orthanc_sender.session.post(f"{orthanc_sender.url}/modalities/r/store", instance_id)
    assert theirs.status_code == 200, theirs.text
    by_orthanc = _received(implicit_only, instance_id)
    _forget(implicit_only, instance_id)

    ours = cirrus.http.post("/modalities/r/store", body=instance_id.encode())
    assert ours.status_code == 200, ours.body
    assert body(ours)["FailedInstancesCount"] == 0
    by_cirrus = _received(implicit_only, instance_id)
    _forget(implicit_only, instance_id)

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


def test_a_compressed_file_is_not_decompressed_yet(cirrus: Any) -> None:
    jpeg2000 = Path(get_testdata_file("JPEG2000.dcm")).read_bytes()
    instance_id = upload(cirrus, jpeg2000)["ID"]
    refused = cirrus.http.post("/modalities/r/store", body=instance_id.encode())
    assert refused.status_code == 500
    assert "no presentation context was accepted" in body(refused)["Details"]
