"""Differential tests of decoded images: the same pydicom test files uploaded to Orthanc 1.10.1
and to Cirrus (in-process, on moto), PNG answers decoded with pillow and compared pixel by
pixel."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.data import get_testdata_file

from tests.conftest import chalice_client, moto_storage
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

PDF_STORAGE = "1.2.840.10008.5.1.4.1.1.104.1"

FILES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_RLE.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "SC_rgb_rle_2frame.dcm",
    "SC_rgb_dcmtk_+eb+cy+np.dcm",
    "examples_ybr_color.dcm",
    "examples_palette.dcm",
    "JPGExtended.dcm",
    "JPEG-lossy.dcm",  # 12-bit JPEG extended that pylibjpeg refuses (imagecodecs decodes it)
    "image_dfl.dcm",
]
# Upper bounds from when lossy JPEG was decoded by pylibjpeg; imagecodecs (libjpeg-turbo, DCMTK's
# IJG code base) now gives Orthanc's levels exactly (tests/interop/test_jpeg_codecs_vs_orthanc.py).
# Lossy JPEG decoded by two libraries (DCMTK's in Orthanc, libjpeg in pylibjpeg): the inverse
# DCT and the YCbCr conversion round differently, by this many levels at most.
LOSSY_TOLERANCE = {
    "SC_rgb_dcmtk_+eb+cy+np.dcm": 2,
    "examples_ybr_color.dcm": 3,
    "JPGExtended.dcm": 1,
}
# Generated: pydicom ships no MONOCHROME1 image.
MONOCHROME1 = "MONOCHROME1 (generated)"
KINDS = ["preview", "image-uint8", "image-uint16", "image-int16"]
# Orthanc 1.10.1 without plugins cannot decode these; Cirrus can (see docs/compatibility.md).
DECODED_ONLY_BY_CIRRUS = ["JPEG2000.dcm", "rtdose.dcm", "SC_ybr_full_422_uncompressed.dcm"]


class Pair:
    def __init__(self, orthanc: OrthancServer, cirrus: Any) -> None:
        self.orthanc = orthanc
        self.cirrus = cirrus
        self.ids: dict[str, str] = {}

    def upload(self, name: str, data: bytes | None = None) -> str:
        if data is None:
            data = distinct(name)
        theirs = self.orthanc.upload(data)["ID"]
        ours = self.cirrus.http.post("/instances", body=data)
        assert ours.status_code == 200
        self.ids[name] = theirs
        return theirs

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
        theirs = self.orthanc.get(path, headers=headers or {})
        ours = self.cirrus.http.get(path, headers=headers or {})
        return (theirs.status_code, theirs.content), (ours.status_code, ours.body)


def distinct(name: str) -> bytes:
    """A pydicom test file in a series and under a SOP Instance UID of its own: many of them
    share both (MR_small*.dcm, SC_rgb_*.dcm, JPGExtended/JPEG-lossy) and both servers would
    keep only the first stored, so the others would never be compared; a series each keeps
    series-level answers (numpy, ordered-slices) about one file."""
    dataset = pydicom.dcmread(get_testdata_file(name))
    dataset.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name])
    dataset.SeriesInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[name, "series"])
    out = io.BytesIO()
    dataset.save_as(out)
    return out.getvalue()


def pixels_of(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        for name in FILES + DECODED_ONLY_BY_CIRRUS:
            pair.upload(name)
        pair.upload(MONOCHROME1, _monochrome1())
        pair.upload(PDF, _encapsulated_pdf())
        yield pair


@pytest.mark.parametrize("name", FILES)
def test_frames_list_the_same(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/frames")
    assert ours[0] == theirs[0] == 200
    assert json.loads(ours[1]) == json.loads(theirs[1])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", [*FILES, MONOCHROME1])
def test_images_have_the_same_pixels(pair: Pair, name: str, kind: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/{kind}")
    assert ours[0] == theirs[0], (theirs, ours[0], ours[1][:300])
    if theirs[0] != 200:
        return
    expected, actual = pixels_of(theirs[1]), pixels_of(ours[1])
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    difference = np.abs(actual.astype(np.int64) - expected.astype(np.int64))
    # Exact: Cirrus stretches in float32 as Orthanc does (lossy decoders aside).
    tolerance = LOSSY_TOLERANCE.get(name, 0)
    assert difference.max() <= tolerance, difference.max()


@pytest.mark.parametrize("name", DECODED_ONLY_BY_CIRRUS)
def test_images_orthanc_cannot_decode(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/preview")
    assert theirs[0] == 415
    assert ours[0] == 200
    assert pixels_of(ours[1]).dtype == np.uint8


def test_corrupted_stream_is_415_with_an_error_body(pair: Pair) -> None:
    """A JPEG whose entropy-coded data is garbage: never a 500."""
    from pydicom.encaps import encapsulate, generate_frames

    dataset = pydicom.dcmread(get_testdata_file("SC_rgb_jpeg_dcmtk.dcm"))
    [frame] = generate_frames(dataset.PixelData, number_of_frames=1)
    dataset.PixelData = encapsulate([b"\xff\xd8" + b"\x00" * (len(frame) - 2)])
    dataset.SOPInstanceUID = "1.2.3.4.5.6.7.8.9"
    out = io.BytesIO()
    dataset.save_as(out)
    stored = pair.cirrus.http.post("/instances", body=out.getvalue())
    instance = json.loads(stored.body)["ID"]
    for kind in ("preview", "rendered", "numpy"):
        answer = pair.cirrus.http.get(f"/instances/{instance}/{kind}")
        assert answer.status_code == 415, kind
        assert json.loads(answer.body)["HttpStatus"] == 415


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


PDF = "Encapsulated PDF (generated)"
PDF_BYTES = b"%PDF-1.4\n1  0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"


def _monochrome1() -> bytes:
    """A 16-bit MONOCHROME1 ramp with a window and a rescale."""
    dataset = pydicom.dcmread(io.BytesIO(make_instance(patient_id="MONO1", size=16)))
    dataset.PhotometricInterpretation = "MONOCHROME1"
    dataset.PixelData = (np.arange(256, dtype=np.uint16) * 97).tobytes()
    dataset.WindowCenter, dataset.WindowWidth = "9000", "12000"
    dataset.RescaleSlope, dataset.RescaleIntercept = "1", "-100"
    out = io.BytesIO()
    dataset.save_as(out)
    return out.getvalue()


def _encapsulated_pdf() -> bytes:
    """An Encapsulated PDF instance whose document has an odd length (so it is padded)."""
    assert len(PDF_BYTES) % 2 == 1
    dataset = pydicom.dcmread(io.BytesIO(make_instance(patient_id="PDF")))
    for keyword in (
        "PixelData",
        "Rows",
        "Columns",
        "BitsAllocated",
        "BitsStored",
        "HighBit",
        "PixelRepresentation",
        "SamplesPerPixel",
        "PhotometricInterpretation",
    ):
        if keyword in dataset:
            delattr(dataset, keyword)
    dataset.SOPClassUID = dataset.file_meta.MediaStorageSOPClassUID = PDF_STORAGE
    dataset.MIMETypeOfEncapsulatedDocument = "application/pdf"
    dataset.EncapsulatedDocument = PDF_BYTES + b"\x00"
    out = io.BytesIO()
    dataset.save_as(out)
    return out.getvalue()


RENDERED_QUERIES = [
    "",
    "?window-center=100&window-width=200",
    "?width=50",
    "?height=30&width=100",
    "?width=300",
    "?window-center=-500.5&window-width=3000&width=20&height=90",
]


@pytest.mark.parametrize("query", RENDERED_QUERIES)
@pytest.mark.parametrize("name", [*FILES, MONOCHROME1])
def test_rendered_has_the_same_pixels(pair: Pair, name: str, query: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/rendered{query}")
    assert ours[0] == theirs[0], (theirs[0], ours[1][:300])
    if theirs[0] == 200:
        expected, actual = pixels_of(theirs[1]), pixels_of(ours[1])
        assert actual.shape == expected.shape and actual.dtype == expected.dtype
        # Exact (Cirrus windows in float32 as Orthanc does), but a narrow window magnifies
        # a lossy decoder's difference.
        tolerance = 2 * LOSSY_TOLERANCE.get(name, 0)
        assert np.abs(actual.astype(int) - expected.astype(int)).max() <= tolerance


@pytest.mark.parametrize("query", ["?width=40&smooth=1", "?height=7&width=90&smooth=true"])
@pytest.mark.parametrize(
    "name", ["CT_small.dcm", "SC_rgb_jpeg_dcmtk.dcm", "examples_palette.dcm", MONOCHROME1]
)
def test_smooth_rendering_is_the_same(pair: Pair, name: str, query: str) -> None:
    """Orthanc's 5x5 Gaussian, reproduced level for level (lossy decoders aside)."""
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/rendered{query}")
    assert ours[0] == theirs[0] == 200
    expected, actual = pixels_of(theirs[1]), pixels_of(ours[1])
    assert actual.shape == expected.shape
    difference = np.abs(actual.astype(int) - expected.astype(int)).max()
    assert difference <= LOSSY_TOLERANCE.get(name, 0)


@pytest.mark.parametrize("query", ["?width=abc", "?width=-4", "?window-width=x", "?smooth=abc"])
def test_bad_rendering_options_are_400(pair: Pair, query: str) -> None:
    """Orthanc 1.10.1 answers 404 or 415 without a body; Cirrus 400 with its error body."""
    theirs, ours = pair.get(f"/instances/{pair.ids['CT_small.dcm']}/rendered{query}")
    assert theirs[0] in (404, 415)
    assert ours[0] == 400
    assert json.loads(ours[1])["HttpStatus"] == 400


def test_huge_rendering_is_refused(pair: Pair) -> None:
    """Orthanc 1.10.1 dies on this request (it allocates the image), so only Cirrus is asked."""
    path = f"/instances/{pair.ids['CT_small.dcm']}/rendered?height=99999"
    assert pair.cirrus.http.get(path).status_code == 400


@pytest.mark.parametrize("kind", ["image-uint8", "image-uint16", "image-int16", "rendered"])
@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm", MONOCHROME1])
def test_pam_answers_are_the_same_bytes(pair: Pair, name: str, kind: str) -> None:
    accept = {"Accept": "image/x-portable-arbitrarymap"}
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/{kind}", accept)
    assert ours == theirs


def test_colour_pam_preview_is_the_same(pair: Pair) -> None:
    accept = {"Accept": "image/x-portable-arbitrarymap"}
    theirs, ours = pair.get(f"/instances/{pair.ids['SC_rgb_rle_2frame.dcm']}/preview", accept)
    assert ours == theirs


def test_frame_routes_are_listed(pair: Pair) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids['CT_small.dcm']}/frames/0")
    assert ours[0] == theirs[0] == 200
    assert json.loads(ours[1]) == json.loads(theirs[1])


@pytest.mark.parametrize("frame", ["0", "1"])
@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",
        "SC_rgb_rle_2frame.dcm",
        "SC_rgb_jpeg_dcmtk.dcm",
        "JPEG2000.dcm",
        "MR_small_jpeg_ls_lossless.dcm",
        "examples_ybr_color.dcm",
        "image_dfl.dcm",
    ],
)
def test_raw_frames_are_the_same_bytes(pair: Pair, name: str, frame: str) -> None:
    path = f"/instances/{pair.ids[name]}/frames/{frame}/raw"
    theirs = pair.orthanc.get(path)
    ours = pair.cirrus.http.get(path)
    assert ours.status_code == theirs.status_code, (name, ours.body[:200])
    if theirs.status_code == 200:
        assert ours.body == theirs.content
        assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]
        zipped = pair.cirrus.http.get(path + ".gz")
        assert zipped.headers["Content-Type"] == "application/gzip"
        assert gzip.decompress(zipped.body) == gzip.decompress(
            pair.orthanc.get(path + ".gz").content
        )


def test_encapsulated_pdf_is_the_document(pair: Pair) -> None:
    theirs = pair.orthanc.get(f"/instances/{pair.ids[PDF]}/pdf")
    ours = pair.cirrus.http.get(f"/instances/{pair.ids[PDF]}/pdf")
    assert ours.status_code == theirs.status_code == 200
    assert ours.body == theirs.content
    assert ours.headers["Content-Type"] == theirs.headers["Content-Type"] == "application/pdf"
    theirs, ours = pair.get(f"/instances/{pair.ids['CT_small.dcm']}/pdf")
    assert ours[0] == theirs[0] == 404
