"""The DICOM service against real peers: dcmtk's echoscu and storescu, and Orthanc 1.10.1
storing to Cirrus as to any modality. The service runs in-process on moto, on a free port."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pynetdicom import AE
from pynetdicom.sop_class import CTImageStorage  # type: ignore[attr-defined]

from scp_container.dimse import CANNOT_UNDERSTAND
from tests.integration.helpers import CT_SMALL_IDS, get
from tests.support.dicom_factory import make_instance
from tests.support.dicom_service import dicom_service
from tests.support.orthanc_server import OrthancServer, free_port

DATASET_PADDING = 0xFFFCFFFC
PIXEL_DATA = 0x7FE00010
DCMTK_ENV = {**os.environ, "TCP_NODELAY": "1"}


@pytest.fixture
def scp(client: Any, configure: Any) -> Iterator[tuple[Any, int]]:
    configure(DicomAet="CIRRUS", DicomCheckCalledAet=True)
    with dicom_service() as port:
        yield client, port


def dcmtk(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env=DCMTK_ENV)


def test_echo_and_called_aet_check(scp: tuple[Any, int]) -> None:
    _, port = scp
    assert dcmtk("echoscu", "-aec", "CIRRUS", "127.0.0.1", str(port)).returncode == 0
    refused = dcmtk("echoscu", "-aec", "SOMEONE", "127.0.0.1", str(port))
    assert refused.returncode != 0
    assert "Called AE Title Not Recognized" in refused.stderr + refused.stdout


@pytest.mark.parametrize(
    ("name", "proposal"),
    [
        ("CT_small.dcm", []),
        ("MR_small_RLE.dcm", ["-xr"]),
        ("JPEG2000.dcm", ["-xw"]),
        ("SC_rgb_jpeg_dcmtk.dcm", ["-xy"]),
        ("MR_small_jpeg_ls_lossless.dcm", ["-xt"]),
    ],
)
def test_storescu_stores_through_the_ingest(
    scp: tuple[Any, int], name: str, proposal: list[str]
) -> None:
    client, port = scp
    path = get_testdata_file(name)
    sent = dcmtk(
        "storescu", *proposal, "-aet", "MODALITY", "-aec", "CIRRUS", "127.0.0.1", str(port), path
    )
    assert sent.returncode == 0, sent.stderr
    [instance_id] = get(client, "/instances")
    stored = dcmread(BytesIO(get(client, f"/instances/{instance_id}/file").body))
    original = dcmread(path)
    # Stored as received: same transfer syntax, same elements, same (compressed) pixels.
    assert stored.file_meta.TransferSyntaxUID == original.file_meta.TransferSyntaxUID
    differing = {
        tag
        for tag in set(stored.keys()) | set(original.keys())
        if stored.get(tag) != original.get(tag)
    }
    # dcmtk may pad the dataset it sends, and re-encapsulate compressed pixels (another
    # offset table): the compressed stream itself must be intact.
    assert differing <= {DATASET_PADDING, PIXEL_DATA}
    if PIXEL_DATA in differing:
        assert _stream(stored.PixelData) == _stream(original.PixelData)
    metadata = get(client, f"/instances/{instance_id}/metadata?expand")
    assert metadata["Origin"] == "DicomProtocol"
    assert metadata["RemoteAET"] == "MODALITY"
    assert metadata["CalledAET"] == "CIRRUS"
    assert metadata["RemoteIP"] == "127.0.0.1"


def _stream(pixel_data: bytes) -> bytes:
    """The compressed bytes of encapsulated Pixel Data, whatever the fragmentation."""
    from pydicom.encaps import generate_fragments

    return b"".join(generate_fragments(pixel_data)).rstrip(b"\0")


def test_a_dataset_cirrus_cannot_store_gets_a_failure_status(scp: tuple[Any, int]) -> None:
    client, port = scp
    ae = AE(ae_title="MODALITY")
    ae.add_requested_context(CTImageStorage)
    association = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
    assert association.is_established
    dataset = make_instance()
    from io import BytesIO

    from pydicom import dcmread

    ds = dcmread(BytesIO(dataset))
    del ds.StudyInstanceUID  # Orthanc and Cirrus refuse an instance without it
    status = association.send_c_store(ds)
    association.release()
    assert status.Status == CANNOT_UNDERSTAND
    assert get(client, "/instances") == []


def test_orthanc_stores_to_cirrus_as_to_a_modality(scp: tuple[Any, int]) -> None:
    client, port = scp
    modalities = {"DicomModalities": {"cirrus": ["CIRRUS", "127.0.0.1", port]}}
    with OrthancServer(modalities) as orthanc:
        assert orthanc.post("/modalities/cirrus/echo", data="").status_code == 200
        answer = orthanc.upload(Path(get_testdata_file("CT_small.dcm")).read_bytes())
        assert answer["ID"] == CT_SMALL_IDS["ID"]
        response = orthanc.post(
            "/modalities/cirrus/store", json={"Resources": [answer["ParentStudy"]]}
        )
        assert response.status_code == 200, response.text
    assert get(client, "/instances") == [CT_SMALL_IDS["ID"]]
    metadata = get(client, f"/instances/{CT_SMALL_IDS['ID']}/metadata?expand")
    assert (metadata["RemoteAET"], metadata["Origin"]) == ("ORTHANCTEST", "DicomProtocol")


def test_only_known_modalities_when_nothing_is_always_allowed(client: Any, configure: Any) -> None:
    """Orthanc's rules: with DicomAlwaysAllowEcho/Store off, unknown callers are rejected at
    association, and a known modality may only do what its Allow* flags say."""
    from scp_container.service import start

    configure(
        DicomAet="CIRRUS",
        DicomAlwaysAllowEcho=False,
        DicomAlwaysAllowStore=False,
        DicomModalities={
            "viewer": {"AET": "VIEWER", "Host": "127.0.0.1", "Port": 104, "AllowStore": False},
            "ct": ["CT1", "127.0.0.1", 104],
        },
    )
    port = free_port()
    server = start("127.0.0.1", port, block=False)
    try:
        stranger = dcmtk("echoscu", "-aet", "STRANGER", "127.0.0.1", str(port))
        assert stranger.returncode != 0
        assert "Calling AE Title Not Recognized" in stranger.stderr + stranger.stdout
        assert dcmtk("echoscu", "-aet", "VIEWER", "127.0.0.1", str(port)).returncode == 0
        path = get_testdata_file("CT_small.dcm")
        refused = dcmtk("storescu", "-aet", "VIEWER", "127.0.0.1", str(port), path)
        assert refused.returncode != 0  # storescu exits 1 on a refused C-STORE
        assert get(client, "/instances") == []
        stored = dcmtk("storescu", "-aet", "CT1", "127.0.0.1", str(port), path)
        assert stored.returncode == 0, stored.stderr
        assert get(client, "/instances") == [CT_SMALL_IDS["ID"]]
        # A modality added through the REST API may call within seconds.
        client.http.put("/modalities/late", body='["LATE", "127.0.0.1", 104]')
        from chalicelib import bootstrap

        bootstrap.dicom_access.cache_clear()  # the service re-reads modalities every 5 s
        assert dcmtk("echoscu", "-aet", "LATE", "127.0.0.1", str(port)).returncode == 0
    finally:
        server.shutdown()


def test_find_needs_dicom_always_allow_find_or_a_known_modality(scp: tuple[Any, int]) -> None:
    """Orthanc's default: anyone may echo and store, only known modalities may query."""
    from pydicom.dataset import Dataset
    from pynetdicom.sop_class import (  # type: ignore[attr-defined]
        StudyRootQueryRetrieveInformationModelFind,
    )

    client, port = scp
    query = Dataset()
    query.QueryRetrieveLevel = "STUDY"
    query.StudyInstanceUID = ""

    def statuses(calling: str) -> list[int]:
        ae = AE(ae_title=calling)
        ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
        association = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
        assert association.is_established
        found = [
            s.Status
            for s, _ in association.send_c_find(query, StudyRootQueryRetrieveInformationModelFind)
        ]
        association.release()
        return found

    assert statuses("STRANGER") == [0x0124]
    client.http.put("/modalities/pacs", body='["PACS", "127.0.0.1", 104]')
    from chalicelib import bootstrap

    bootstrap.dicom_access.cache_clear()
    assert statuses("PACS") == [0x0000]
