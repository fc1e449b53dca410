"""Memory bounded by what the function has, not by what a file declares (issue 19):

- NumPy answers are built one frame at a time and streamed (to S3 past the threshold), and
  what one frame and one file need is checked against the function's memory
  (``FunctionMemorySize`` here, AWS_LAMBDA_FUNCTION_MEMORY_SIZE on Lambda) before anything
  is read or decoded: 400, as the former size cap answered;
- a Deflated Explicit VR Little Endian file is refused as a bad file (400 BadFileFormat over
  REST, 0xC210 over C-STORE) when its data set would inflate beyond the largest object
  accepted, without ever being inflated in memory."""

from __future__ import annotations

import io
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pynetdicom
import pytest
import requests
from pydicom.encaps import encapsulate
from pydicom.uid import DeflatedExplicitVRLittleEndian
from pynetdicom import AE
from pynetdicom.sop_class import CTImageStorage  # type: ignore[attr-defined]

from scp_container.dimse import CANNOT_UNDERSTAND
from tests.integration.helpers import assert_orthanc_error, body, get, upload
from tests.support import codestream_bombs as bombs
from tests.support.deflate_bombs import deflated_file
from tests.support.dicom_factory import make_instance
from tests.support.dicom_service import dicom_service

# 256 MB leaves 40 MiB to an array answer (the runtime's 192 MiB and 3 x 8 MiB of buffers).
SMALL_MEMORY_MB = 256
LIMIT = 16 * 1024 * 1024


def _peak(action: Callable[[], Any]) -> tuple[Any, int]:
    """What ``action`` returns, and the most memory Python allocated meanwhile."""
    tracemalloc.start()
    try:
        return action(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _jpeg_ls(size: int, frames: int) -> bytes:
    """A ``size`` x ``size`` 8-bit image of ``frames`` black JPEG-LS frames: a few KB."""
    import imagecodecs

    frame = bytes(imagecodecs.jpegls_encode(np.zeros((size, size), dtype=np.uint8)))
    dataset = bombs.dataset_of(frame, bombs.JPEG_LS)
    dataset.PixelData = encapsulate([frame] * frames)
    dataset.Rows = dataset.Columns = size
    dataset.NumberOfFrames = frames
    dataset.RescaleSlope, dataset.RescaleIntercept = "1", "-5"
    out = io.BytesIO()
    dataset.save_as(out, enforce_file_format=True)
    return out.getvalue()


@pytest.fixture
def small_memory(client: Any, configure: Any) -> Any:
    configure(FunctionMemorySize=SMALL_MEMORY_MB, LargeObjectThreshold=1024 * 1024)
    return client


def test_a_frame_that_cannot_be_decoded_in_memory_is_refused_first(small_memory: Any) -> None:
    """A 4096 x 4096 frame (a 7 KB file) needs about 320 MB to decode and rescale; refused
    while the request allocates a few MB, for the frame and for the whole instance."""
    stored = upload(small_memory, _jpeg_ls(4096, 1))
    for path in ("numpy", "frames/0/numpy", "numpy?rescale=0&compress"):
        response, peak = _peak(
            lambda p=path: small_memory.http.get(f"/instances/{stored['ID']}/{p}")
        )
        assert_orthanc_error(response, 400, 8, "GET")
        assert b"memory" in response.body
        assert peak < 8 << 20, (path, peak)
    response = small_memory.http.get(f"/series/{stored['ParentSeries']}/numpy")
    assert_orthanc_error(response, 400, 8, "GET")


def test_a_file_that_cannot_be_parsed_in_memory_is_not_read(client: Any, configure: Any) -> None:
    """1 MiB left to the answer: a 2 MB file is refused before its GetObject."""
    configure(FunctionMemorySize=192 + 25)
    stored = upload(client, make_instance(size=1024))
    response, peak = _peak(lambda: client.http.get(f"/instances/{stored['ID']}/numpy"))
    assert_orthanc_error(response, 400, 8, "GET")
    assert peak < 1 << 20, peak


def test_answers_larger_than_the_memory_stream_through_s3(small_memory: Any) -> None:
    """48 frames of 512 x 512 rescaled to float32 are 48 MiB, more than the 40 MiB the
    function may hold: answered, one frame at a time, and the same array as stacked (the
    zeros compress into a body under the threshold)."""
    stored = upload(small_memory, _jpeg_ls(512, 48))
    response = small_memory.http.get(f"/series/{stored['ParentSeries']}/numpy")
    assert response.status_code == 307, response.body
    fetched = requests.get(response.headers["Location"], timeout=30).content
    packed = small_memory.http.get(f"/series/{stored['ParentSeries']}/numpy?compress")
    assert packed.status_code == 200
    for array in (np.load(io.BytesIO(fetched)), np.load(io.BytesIO(packed.body))["arr_0"]):
        assert array.shape == (48, 512, 512, 1) and array.dtype == np.float32
        assert np.array_equal(array, np.full(array.shape, -5, dtype=np.float32))


def test_small_answers_are_unchanged_under_a_small_memory(small_memory: Any) -> None:
    stored = upload(small_memory, make_instance(size=64, RescaleSlope="2", RescaleIntercept="1"))
    source = pydicom.dcmread(io.BytesIO(make_instance(size=64))).pixel_array
    expected = np.float32(2) * source.astype(np.float32) + np.float32(1)
    response = small_memory.http.get(f"/instances/{stored['ID']}/frames/0/numpy")
    assert response.status_code == 200
    assert np.array_equal(np.load(io.BytesIO(response.body)), expected[:, :, np.newaxis])


def test_the_memory_is_lambdas_when_it_says_it() -> None:
    from chalicelib.settings.config import Config, function_memory

    local = Config(FunctionMemorySize=300)
    assert function_memory(local, {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}) == 1769 << 20
    assert function_memory(local, {}) == 300 << 20
    assert function_memory(local, {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "²"}) == 300 << 20


# -- deflated data sets --------------------------------------------------------------------------


@pytest.fixture
def limited(client: Any, configure: Any) -> Any:
    """Objects of 16 MiB at most; the ingest path warmed up (imports, clients) by an honest
    deflated file, so that the memory measured is the request's own."""
    configure(MaximumUploadSize=LIMIT, DicomMaximumObjectSize=LIMIT, DicomAet="CIRRUS")
    upload(client, deflated_file(1000))
    return client


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 200 KB inflating to 200 MB."""
    return deflated_file(200 << 20)


def test_a_deflated_bomb_is_refused_without_inflating_it(limited: Any, bomb: bytes) -> None:
    assert len(bomb) < LIMIT // 64
    for headers in ({}, {"Content-Encoding": "gzip"}):
        data = _gzipped(bomb) if headers else bomb
        response, peak = _peak(
            lambda d=data, h=headers: limited.http.post("/instances", body=d, headers=h)
        )
        assert_orthanc_error(response, 400, 15, "POST")
        assert body(response)["Details"] == f"The deflated data set inflates beyond {LIMIT} bytes"
        assert peak < 8 << 20, peak
    assert len(get(limited, "/instances")) == 1


def test_a_deflated_bomb_in_a_zip_is_skipped(limited: Any, bomb: bytes) -> None:
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("bomb.dcm", bomb)
        writer.writestr("good.dcm", deflated_file(1000))
    response, peak = _peak(lambda: limited.http.post("/instances", body=archive.getvalue()))
    assert response.status_code == 200 and len(body(response)) == 1
    assert peak < 8 << 20, peak


def test_an_honest_deflated_file_is_stored_and_read(limited: Any) -> None:
    data = deflated_file(LIMIT // 2, size=16)
    stored = upload(limited, data)
    assert limited.http.get(f"/instances/{stored['ID']}/file").body == data
    metadata = get(limited, f"/instances/{stored['ID']}/metadata?expand")
    assert metadata["TransferSyntax"] == DeflatedExplicitVRLittleEndian


@pytest.fixture
def association(limited: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    # Send the file's data set bytes as they are (pynetdicom would inflate it to encode it).
    monkeypatch.setattr(pynetdicom._config, "STORE_SEND_CHUNKED_DATASET", True)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ae = AE(ae_title="MODALITY")
    ae.add_requested_context(CTImageStorage, DeflatedExplicitVRLittleEndian)
    with dicom_service() as port:
        assoc = ae.associate("127.0.0.1", port, ae_title="CIRRUS")
        assert assoc.is_established
        yield assoc
        assoc.release()


def test_a_deflated_bomb_is_refused_over_c_store(
    limited: Any, association: Any, bomb: bytes, tmp_path: Path
) -> None:
    honest = tmp_path / "honest.dcm"
    honest.write_bytes(deflated_file(1000))
    assert association.send_c_store(honest).Status == 0x0000
    path = tmp_path / "bomb.dcm"
    path.write_bytes(bomb)
    answer, peak = _peak(lambda: association.send_c_store(path))
    assert answer.Status == CANNOT_UNDERSTAND
    assert peak < 8 << 20, peak
    assert len(get(limited, "/instances")) == 2


def _gzipped(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)
