"""More differential image tests against Orthanc 1.10.1: photometric interpretations and
transfer syntaxes beyond tests/interop/test_images_vs_orthanc.py, generated files for the
windowing rules (per-frame enhanced windows, a lone WindowCenter, a zero slope), content
negotiation, raw frames, the PDF rules; and what only Cirrus decodes, checked against
pydicom's own pixel_array."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.conftest import chalice_client, moto_storage
from tests.interop.test_images_vs_orthanc import PDF_STORAGE, Pair, pixels_of
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

# Both decode these; lossless ones must give the same levels exactly.
FILES = [
    "examples_overlay.dcm",  # 12 bits stored in 16, unsigned, with a window
    "examples_rgb_color.dcm",
    "ExplVR_BigEnd.dcm",  # RGB, big endian
    "SC_rgb_small_odd.dcm",  # 3x3 RGB
    "SC_rgb_small_odd_jpeg.dcm",
    "MR_small_implicit.dcm",
    "MR_small_expb.dcm",
    "SC_rgb_dcmtk_+eb+cy+s2.dcm",  # JPEG baseline YBR_FULL_422
    "SC_jpeg_no_color_transform.dcm",
    "SC_rgb_jpeg_lossy_gdcm.dcm",
    "SC_rgb_jpeg_gdcm.dcm",  # JPEG lossless, RGB
    "liver_1frame.dcm",  # 1 bit
]
LOSSY_TOLERANCE = {"SC_jpeg_no_color_transform.dcm": 1, "SC_rgb_jpeg_lossy_gdcm.dcm": 2}
YBR_FULL = "YBR_FULL native (generated)"
ENHANCED = "enhanced multi-frame (generated)"
CENTER_ONLY = "WindowCenter without WindowWidth (generated)"
ZERO_SLOPE = "RescaleSlope 0 (generated)"
GENERATED = [ENHANCED, CENTER_ONLY, ZERO_SLOPE]
# Orthanc 1.10.1 answers 415 for these; Cirrus decodes them as pydicom does.
CIRRUS_ONLY = ["SC_rgb_rle_16bit.dcm", "693_J2KI.dcm"]
KINDS = ["preview", "image-uint8", "image-uint16", "image-int16", "rendered"]
PDF = "PDF"


def _ybr_full() -> bytes:
    """examples_rgb_color.dcm stored natively as YBR_FULL."""
    from pydicom.pixels import convert_color_space

    dataset = pydicom.dcmread(get_testdata_file("examples_rgb_color.dcm"))
    ybr = convert_color_space(dataset.pixel_array, "RGB", "YBR_FULL")
    dataset.PixelData = ybr.tobytes()
    dataset.PhotometricInterpretation = "YBR_FULL"
    dataset.SOPInstanceUID = pydicom.uid.generate_uid()
    return _saved(dataset)


def _saved(dataset: Dataset) -> bytes:
    out = io.BytesIO()
    dataset.save_as(out)
    return out.getvalue()


def _grey(size: int = 16, frames: int = 1, **tags: object) -> Dataset:
    dataset = pydicom.dcmread(io.BytesIO(make_instance(patient_id="GREY", size=size)))
    dataset.PixelRepresentation = 1
    ramp = (np.arange(size * size * frames, dtype=np.int32) * 37 % 4000 - 1000).astype(np.int16)
    dataset.PixelData = ramp.tobytes()
    for keyword, value in tags.items():
        setattr(dataset, keyword, value)
    return dataset


def _enhanced() -> bytes:
    """Three frames whose windows and rescales are only in PerFrameFunctionalGroupsSequence."""
    dataset = _grey(frames=3, NumberOfFrames=3)
    groups = []
    for frame in range(3):
        voi, transform, group = Dataset(), Dataset(), Dataset()
        voi.WindowCenter, voi.WindowWidth = str(100 * frame), str(500 + 700 * frame)
        transform.RescaleSlope, transform.RescaleIntercept = str(1 + frame), str(-50 * frame)
        transform.RescaleType = "HU"
        group.FrameVOILUTSequence = Sequence([voi])
        group.PixelValueTransformationSequence = Sequence([transform])
        groups.append(group)
    dataset.PerFrameFunctionalGroupsSequence = Sequence(groups)
    return _saved(dataset)


def _encapsulated(document: bytes, mime: str) -> bytes:
    dataset = Dataset()
    dataset.PatientID, dataset.Modality = "PDF2", "DOC"
    dataset.StudyInstanceUID = pydicom.uid.generate_uid()
    dataset.SeriesInstanceUID = pydicom.uid.generate_uid()
    dataset.SOPInstanceUID = pydicom.uid.generate_uid()
    dataset.SOPClassUID = PDF_STORAGE
    dataset.MIMETypeOfEncapsulatedDocument = mime
    dataset.EncapsulatedDocument = document
    from tests.support.dicom_factory import to_file

    return to_file(dataset)


PDF_CASES = {
    "even, ends with LF": (b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    "padded with a space": (b"%PDF-1.4\n%%EOF\r\n%%EOF ", "application/pdf"),
    "text/plain": (b"%PDF-1.4\n%%EOF\n", "text/plain"),
}


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        for name in FILES + CIRRUS_ONLY + ["CT_small.dcm", "JPGExtended.dcm"]:
            pair.upload(name)
        pair.upload(YBR_FULL, _ybr_full())
        pair.upload(ENHANCED, _enhanced())
        pair.upload(CENTER_ONLY, _saved(_grey(WindowCenter="500")))
        pair.upload(ZERO_SLOPE, _saved(_grey(RescaleSlope="0", RescaleIntercept="10")))
        for case, (document, mime) in PDF_CASES.items():
            pair.upload(case, _encapsulated(document, mime))
        yield pair


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", FILES + GENERATED)
def test_same_pixels(pair: Pair, name: str, kind: str) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/{kind}")
    assert ours[0] == theirs[0], (theirs[0], ours[1][:300])
    if theirs[0] == 200:
        expected, actual = pixels_of(theirs[1]), pixels_of(ours[1])
        assert actual.shape == expected.shape and actual.dtype == expected.dtype
        # Exact: Cirrus stretches in float32 as Orthanc does (lossy decoders aside).
        tolerance = LOSSY_TOLERANCE.get(name, 0)
        assert np.abs(actual.astype(int) - expected.astype(int)).max() <= tolerance


@pytest.mark.parametrize("frame", [0, 1, 2])
def test_enhanced_frames_use_their_own_window_and_rescale(pair: Pair, frame: int) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids[ENHANCED]}/frames/{frame}/rendered")
    assert ours[0] == theirs[0] == 200
    assert np.array_equal(pixels_of(ours[1]), pixels_of(theirs[1]))


WINDOWS = [
    "?window-width=0",
    "?window-width=-10",
    "?window-center=300",
    "?window-width=100.5",
    "?window-center=1e2&window-width=2e3",
    "?width=7&height=3",
    "?width=1",
    "?height=1000",
]


@pytest.mark.parametrize("query", WINDOWS)
@pytest.mark.parametrize("name", ["CT_small.dcm", CENTER_ONLY, ZERO_SLOPE, "examples_overlay.dcm"])
def test_rendered_options_give_the_same_levels(pair: Pair, name: str, query: str) -> None:
    """Exactly the same levels: Cirrus computes the windowing in float32 as Orthanc does."""
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/rendered{query}")
    assert ours[0] == theirs[0] == 200
    assert np.array_equal(pixels_of(ours[1]), pixels_of(theirs[1]))


def _pydicom_pixels(name: str) -> np.ndarray:
    return pydicom.dcmread(get_testdata_file(name)).pixel_array


def test_cirrus_decodes_native_ybr_full(pair: Pair) -> None:
    """Orthanc 1.10.1 cannot decode a native YBR_FULL image; Cirrus shows it in RGB."""
    theirs, ours = pair.get(f"/instances/{pair.ids[YBR_FULL]}/preview")
    assert theirs[0] == 415 and ours[0] == 200
    expected = pydicom.dcmread(io.BytesIO(_ybr_full())).pixel_array
    assert np.array_equal(pixels_of(ours[1]), expected)
    original = _pydicom_pixels("examples_rgb_color.dcm").astype(int)
    assert np.abs(pixels_of(ours[1]).astype(int) - original).max() <= 2


def test_cirrus_shows_16_bit_colour_by_its_high_bits(pair: Pair) -> None:
    name = "SC_rgb_rle_16bit.dcm"
    for kind in ("preview", "rendered"):
        theirs, ours = pair.get(f"/instances/{pair.ids[name]}/{kind}")
        assert theirs[0] == 415 and ours[0] == 200
        assert np.array_equal(pixels_of(ours[1]), (_pydicom_pixels(name) >> 8).astype(np.uint8))


def test_cirrus_decodes_jpeg_2000_with_pydicoms_pixels(pair: Pair) -> None:
    name = "693_J2KI.dcm"
    theirs, ours = pair.get(f"/instances/{pair.ids[name]}/image-int16")
    assert theirs[0] == 415 and ours[0] == 200
    expected = _pydicom_pixels(name).astype(np.int16).view(np.uint16)
    assert np.array_equal(pixels_of(ours[1]), expected)


ACCEPTS = [
    "*/*",
    "image/*",
    "image/jpeg",
    "image/jpeg, image/x-portable-arbitrarymap",
    "image/x-portable-arbitrarymap;q=0.5, image/jpeg;q=0.5",
    "image/*;q=0.1, image/jpeg;q=0.01",
    "image/png;q=0.1, */*",
    "image/jpeg;q=0.5, image/png",
    "text/html,application/xhtml+xml,image/webp,*/*;q=0.8",
    "text/html",
    "IMAGE/JPEG",
    "",
]


@pytest.mark.parametrize("kind", ["preview", "image-uint16", "rendered"])
@pytest.mark.parametrize("accept", ACCEPTS)
def test_content_negotiation_as_orthanc(pair: Pair, kind: str, accept: str) -> None:
    path = f"/instances/{pair.ids['CT_small.dcm']}/{kind}"
    theirs = pair.orthanc.get(path, headers={"Accept": accept})
    ours = pair.cirrus.http.get(path, headers={"Accept": accept})
    assert ours.status_code == theirs.status_code
    if theirs.status_code == 200:
        assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]


@pytest.mark.parametrize("accept", ["image/jpeg;q=2", "image/png;q=abc", "text/html;q=7, */*"])
def test_a_bad_accept_quality_is_400(pair: Pair, accept: str) -> None:
    """Orthanc 1.10.1 answers 415 without a body; Cirrus 400 with its error body."""
    theirs, ours = pair.get(f"/instances/{pair.ids['CT_small.dcm']}/preview", {"Accept": accept})
    assert theirs[0] == 415 and ours[0] == 400


def test_a_bad_jpeg_quality_is_refused_even_for_png(pair: Pair) -> None:
    theirs, ours = pair.get(f"/instances/{pair.ids['CT_small.dcm']}/rendered?quality=0")
    assert theirs[0] == 415 and ours[0] == 400


def test_jpeg_rendering_with_quality(pair: Pair) -> None:
    path = f"/instances/{pair.ids['CT_small.dcm']}/frames/0/rendered?quality=30&width=64"
    theirs, ours = pair.get(path, {"Accept": "image/jpeg"})
    assert ours[0] == theirs[0] == 200
    expected, actual = pixels_of(theirs[1]), pixels_of(ours[1])
    assert actual.shape == expected.shape == (64, 64)
    assert np.abs(actual.astype(int) - expected.astype(int)).mean() < 3


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("liver_1frame.dcm", "frames/0/raw"),
        ("JPGExtended.dcm", "frames/0/raw"),
        ("CT_small.dcm", "frames/x/raw"),
        ("CT_small.dcm", "frames/3/raw.gz"),
        ("CT_small.dcm", "frames/-1/raw"),
    ],
)
def test_raw_frames(pair: Pair, name: str, path: str) -> None:
    theirs = pair.orthanc.get(f"/instances/{pair.ids[name]}/{path}")
    ours = pair.cirrus.http.get(f"/instances/{pair.ids[name]}/{path}")
    assert ours.status_code == theirs.status_code
    if theirs.status_code == 200:
        assert ours.body == theirs.content
        assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]


def test_frame_node_is_listed_without_looking_the_instance_up(pair: Pair) -> None:
    theirs, ours = pair.get("/instances/unknown/frames/7")
    assert ours[0] == theirs[0] == 200
    assert json.loads(ours[1]) == json.loads(theirs[1])


@pytest.mark.parametrize("case", list(PDF_CASES))
def test_pdf_rules(pair: Pair, case: str) -> None:
    """Same document bytes, or both 404 (Cirrus adds its error body)."""
    theirs, ours = pair.get(f"/instances/{pair.ids[case]}/pdf")
    assert ours[0] == theirs[0]
    if theirs[0] == 200:
        assert ours[1] == theirs[1]
