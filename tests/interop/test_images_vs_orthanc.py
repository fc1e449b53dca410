"""Differential tests of decoded images: the same pydicom test files uploaded to Orthanc 1.10.1
and to Cirrus (in-process, on moto), PNG answers decoded with pillow and compared pixel by
pixel."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pydicom.data import get_testdata_file

from tests.conftest import chalice_client, moto_storage
from tests.support.orthanc_server import OrthancServer

FILES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_RLE.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "SC_rgb_rle_2frame.dcm",
]
KINDS = ["preview", "image-uint8", "image-uint16", "image-int16"]
# Orthanc 1.10.1 without plugins cannot decode these; Cirrus can (see docs/compatibility.md).
DECODED_ONLY_BY_CIRRUS = ["JPEG2000.dcm", "rtdose.dcm"]
# 12-bit JPEG Extended that pylibjpeg-libjpeg rejects; Orthanc 1.10.1 decodes it.
DECODED_ONLY_BY_ORTHANC = ["JPEG-lossy.dcm"]


class Pair:
    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc = orthanc
        self.cirrus = cirrus
        self.ids: dict[str, str] = {}

    def upload(self, name: str) -> str:
        data = open(get_testdata_file(name), "rb").read()  # noqa: SIM115
        theirs = self.orthanc.upload(data)["ID"]
        ours = self.cirrus.http.post("/instances", body=data)
        assert ours.status_code == 200
        self.ids[name] = theirs
        return theirs

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
        theirs = self.orthanc.get(path, headers=headers or {})
        ours = self.cirrus.http.get(path, headers=headers or {})
        return (theirs.status_code, theirs.content), (ours.status_code, ours.body)


def pixels_of(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        for name in FILES + DECODED_ONLY_BY_CIRRUS + DECODED_ONLY_BY_ORTHANC:
            pair.upload(name)
        yield pair


@pytest.mark.parametrize("name", FILES)
def test_frames_list_the_same(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/frames")
    assert ours[0] == theirs[0] == 200
    assert json.loads(ours[1]) == json.loads(theirs[1])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FILES)
def test_images_have_the_same_pixels(pair: Pair, name: str, kind: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/{kind}")
    assert ours[0] == theirs[0], (theirs, ours[0], ours[1][:300])
    if theirs[0] != 200:
        return
    expected, actual = pixels_of(theirs[1]), pixels_of(ours[1])
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    difference = np.abs(actual.astype(np.int64) - expected.astype(np.int64))
    # The stretch of a grey preview rounds differently in Orthanc (fixed point): within 1 level.
    assert difference.max() <= (1 if kind == "preview" else 0), difference.max()


@pytest.mark.parametrize("name", DECODED_ONLY_BY_CIRRUS)
def test_images_orthanc_cannot_decode(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/preview")
    assert theirs[0] == 415
    assert ours[0] == 200
    assert pixels_of(ours[1]).dtype == np.uint8


@pytest.mark.parametrize("name", DECODED_ONLY_BY_ORTHANC)
def test_undecodable_image_is_415_with_an_error_body(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/preview")
    assert theirs[0] == 200
    assert ours[0] == 415
    assert json.loads(ours[1])["HttpStatus"] == 415


@pytest.mark.parametrize(
    "path", ["/frames/1/preview", "/frames/abc/image-uint8", "/frames/-1/image-uint16"]
)
def test_missing_frames_are_404(pair: Pair, path: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids['CT_small.dcm']}{path}")
    assert ours[0] == theirs[0] == 404


def test_second_frame_of_a_multiframe_image(pair: Pair) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids['SC_rgb_rle_2frame.dcm']}/frames/1/preview")
    assert ours[0] == theirs[0] == 200
    assert np.array_equal(pixels_of(ours[1]), pixels_of(theirs[1]))


def test_jpeg_preview_on_request(pair: Pair) -> None:
    path = f"/instances/{pair.ids['CT_small.dcm']}/preview?quality=50"
    theirs, ours = pair.get(path, {"Accept": "image/jpeg"})
    assert ours[0] == theirs[0] == 200
    expected, actual = pixels_of(theirs[1]), pixels_of(ours[1])
    assert Image.open(io.BytesIO(ours[1])).format == "JPEG"
    # Two JPEG encoders at the same quality: close, not identical.
    assert np.abs(actual.astype(int) - expected.astype(int)).mean() < 3


def test_bad_quality_is_400(pair: Pair) -> None:
    """Orthanc 1.10.1 answers 415 with no body; Cirrus says what is wrong (400)."""
    path = f"/instances/{pair.ids['CT_small.dcm']}/preview?quality=abc"
    theirs, ours = pair.get(path, {"Accept": "image/jpeg"})
    assert theirs[0] == 415
    assert ours[0] == 400
