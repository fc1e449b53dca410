"""JPEG and JPEG-LS through imagecodecs (chalicelib/dicom/codecs.py), compared with Orthanc
1.10.1 (DCMTK): decoding of every JPEG-family test file of pydicom, windowed rendering of the
frames of a multi-frame 12-bit JPEG that pylibjpeg refused, and ``Transcode`` to .50, .51, .57,
.70, .80 and .81 (the same decision to transcode or keep, the same syntax, the same pixels).

Tolerances, as observed: decoded JPEG levels are identical to Orthanc's (libjpeg-turbo is
DCMTK's IJG code base); lossless targets give identical pixels; lossy JPEG targets the same
stored levels as DCMTK (same encoder, same quality 90), so modality values differ only by the
decimal rounding of the rescale slope (under 0.01); near-lossless JPEG-LS is within NEAR=2 of
the source on both sides, so within 4 of Orthanc; uncompressed YBR sources differ by up to 12 levels
after lossy targets (mean under 2.5: pydicom's and DCMTK's colour conversions round differently
and magnify NEAR); with a rescale in the source, DCMTK requantizes differently and Cirrus's
modality values are as close to the source's as Orthanc's, within one source level.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
import pydicom
import pytest

from tests.conftest import chalice_client, moto_storage
from tests.interop.test_images_vs_orthanc import Pair, pixels_of
from tests.support.jpeg_samples import (
    distinct_bytes,
    image,
    modality,
    read,
    se0_multiframe,
    uploadable,
)
from tests.support.orthanc_server import OrthancServer

BASELINE, EXTENDED = "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"
LOSSLESS, LOSSLESS_SV1 = "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"
JPEG_LS, JPEG_LS_NEAR = "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"
TARGETS = [BASELINE, EXTENDED, LOSSLESS, LOSSLESS_SV1, JPEG_LS, JPEG_LS_NEAR]
LOSSY = (BASELINE, EXTENDED, JPEG_LS_NEAR)
ZIP = {"Accept": "application/zip"}

# pydicom's test files in JPEG syntaxes (.50, .51, .57, .70, .80, .81).
JPEG_FILES = [
    "JPEG-lossy.dcm",
    "JPGExtended.dcm",
    "JPEGLSNearLossless_08.dcm",
    "JPEGLSNearLossless_16.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
    "SC_jpeg_no_color_transform.dcm",
    "SC_jpeg_no_color_transform_2.dcm",
    "SC_rgb_dcmtk_+eb+cr.dcm",
    "SC_rgb_dcmtk_+eb+cy+n1.dcm",
    "SC_rgb_dcmtk_+eb+cy+n2.dcm",
    "SC_rgb_dcmtk_+eb+cy+np.dcm",
    "SC_rgb_dcmtk_+eb+cy+s2.dcm",
    "SC_rgb_dcmtk_+eb+cy+s4.dcm",
    "SC_rgb_jls_lossy_line.dcm",
    "SC_rgb_jls_lossy_sample.dcm",
    "SC_rgb_jpeg.dcm",
    "SC_rgb_jpeg_app14_dcmd.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "SC_rgb_jpeg_gdcm.dcm",
    "SC_rgb_jpeg_lossy_gdcm.dcm",
    "SC_rgb_small_odd_jpeg.dcm",
    "examples_ybr_color.dcm",
]
SE0 = "multi-frame 12-bit JPEG, Se=0 (generated)"


def _ybr_full() -> bytes:
    """examples_rgb_color.dcm stored natively as YBR_FULL (a natural image)."""
    from pydicom.data import get_testdata_file
    from pydicom.pixels import convert_color_space

    dataset = pydicom.dcmread(get_testdata_file("examples_rgb_color.dcm"))
    dataset.PixelData = convert_color_space(dataset.pixel_array, "RGB", "YBR_FULL").tobytes()
    dataset.PhotometricInterpretation = "YBR_FULL"
    out = io.BytesIO()
    dataset.save_as(out)
    return distinct_bytes(out.getvalue(), "YBR_FULL native")


# Sources of the transcoding matrix: pydicom's files over the syntaxes, bit depths and
# photometric interpretations, and generated images for the bit depths they lack.
PYDICOM_SOURCES = [
    "CT_small.dcm",  # signed 16 bits
    "examples_overlay.dcm",  # 12 bits in 16
    "examples_rgb_color.dcm",
    "examples_palette.dcm",
    "liver_1frame.dcm",  # 1 bit
    "MR_small_jpeg_ls_lossless.dcm",
    "JPEG2000.dcm",  # DCMTK cannot decode it: kept
    "MR_small_RLE.dcm",
    "JPEG-lossy.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",  # YBR_FULL JPEG
    "examples_ybr_color.dcm",  # YBR_FULL_422 JPEG, 30 frames
    "MR_small_bigendian.dcm",
    "image_dfl.dcm",  # deflated, 8 bits
    "rtdose.dcm",  # 32 bits: kept
    "SC_ybr_full_422_uncompressed.dcm",
    "SC_rgb_rle_16bit.dcm",
    "SC_rgb_rle_2frame.dcm",
]
GENERATED = {
    "u8": {"allocated": 8, "stored": 8},
    "s8": {"allocated": 8, "stored": 8, "signed": 1},
    "u8 7 bits": {"allocated": 8, "stored": 7},
    "u8 5 bits": {"allocated": 8, "stored": 5},
    "u16 8 bits, 3 frames": {"stored": 8, "frames": 3},
    "u16 10 bits": {"stored": 10},
    "s16 12 bits": {"stored": 12, "signed": 1},
    "s16 11 bits, rescaled": {
        "stored": 11,
        "signed": 1,
        "RescaleSlope": "2",
        "RescaleIntercept": "-100",
    },
    "u16 16 bits": {"stored": 16},
    "s16 16 bits": {"stored": 16, "signed": 1},
    "MONOCHROME1 u16 12 bits": {"stored": 12, "photometric": "MONOCHROME1"},
    "rgb 12 bits": {"stored": 12, "samples": 3},
}
YBR_NATIVE = "YBR_FULL native (generated)"
# Uncompressed YBR sources: pydicom converts them to RGB for lossy JPEG, DCMTK with its own
# rounding.
YBR_SOURCES = (YBR_NATIVE, "SC_ybr_full_422_uncompressed.dcm")
# Orthanc 1.10.1 dies (DCMTK's JPEG-LS encoder) on these; only Cirrus is asked.
ORTHANC_CRASHES = {("s16 12 bits", JPEG_LS), ("s16 11 bits, rescaled", JPEG_LS)}
# DCMTK writes a JPEG-LS stream that neither CharLS nor DCMTK itself decodes (7 bits stored):
# the decision is compared, not the pixels.
ORTHANC_UNREADABLE = {("u8 7 bits", JPEG_LS), ("u8 7 bits", JPEG_LS_NEAR)}


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        for name in JPEG_FILES:
            pair.upload(name, uploadable(name))
        for name in PYDICOM_SOURCES:
            if name not in pair.ids:
                pair.upload(name, uploadable(name))
        for name, options in GENERATED.items():
            pair.upload(name, image(patient_id="TRANSCODE", **options))
        pair.upload(YBR_NATIVE, _ybr_full())
        pair.upload(SE0, se0_multiframe(4))
        yield pair


@pytest.fixture(scope="module")
def reader() -> Iterator[OrthancServer]:
    """A second Orthanc, into which Cirrus's transcoded files are uploaded and decoded."""
    with OrthancServer() as server:
        yield server


def _numpy(answer: Any) -> np.ndarray:
    return np.load(io.BytesIO(answer))


# -- 1. decoding -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", JPEG_FILES)
def test_jpeg_files_decode_to_orthancs_levels(pair: Pair, name: str) -> None:
    """The stored values (``numpy?rescale=0``) and the 8-bit preview: identical."""
    for route in ("frames/0/numpy?rescale=0", "preview"):
        theirs, ours = pair.get(f"/instances/{pair.ids[name]}/{route}")
        assert ours[0] == theirs[0] == 200, (route, ours[1][:300])
        decode = _numpy if "numpy" in route else pixels_of
        expected, actual = decode(theirs[1]), decode(ours[1])
        assert actual.shape == expected.shape
        assert np.array_equal(actual, expected)


@pytest.mark.parametrize(
    "route",
    ["preview", "rendered", "image-uint16", "frames/0/rendered", "frames/0/raw", "numpy"],
)
def test_jpeg_lossy_answers_as_orthanc(pair: Pair, route: str) -> None:
    """pydicom's 12-bit JPEG-lossy.dcm, 415 before imagecodecs."""
    theirs, ours = pair.get(f"/instances/{pair.ids['JPEG-lossy.dcm']}/{route}")
    assert ours[0] == theirs[0] == 200
    if route.endswith("raw"):
        assert ours[1] == theirs[1]
    elif route == "numpy":
        assert np.array_equal(_numpy(ours[1]), _numpy(theirs[1]))
    else:
        assert np.array_equal(pixels_of(ours[1]), pixels_of(theirs[1]))


# -- 2. windowed rendering of the frames of a multi-frame image -------------------------------


@pytest.mark.parametrize("frame", [0, 1, 3])
@pytest.mark.parametrize(
    "query", ["?window-center=1000&window-width=800", "?window-center=3000&window-width=100", ""]
)
def test_frames_of_a_multiframe_12_bit_jpeg_render_as_in_orthanc(
    pair: Pair, frame: int, query: str
) -> None:
    """The 415 of a windowed frame: every frame of this JPEG was refused by pylibjpeg."""
    theirs, ours = pair.get(f"/instances/{pair.ids[SE0]}/frames/{frame}/rendered{query}")
    assert ours[0] == theirs[0] == 200, ours[1][:300]
    assert np.array_equal(pixels_of(ours[1]), pixels_of(theirs[1]))


# -- 3. Transcode ------------------------------------------------------------------------------


def _archived(answer: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(answer)) as archive:
        [name] = archive.namelist()
        return archive.read(name)


def _transcoded(pair: Pair, name: str, target: str) -> tuple[bytes, bytes | None]:
    """(Cirrus's file, Orthanc's file or None where Orthanc would crash) of one instance
    archived with ``Transcode``."""
    request = json.dumps({"Resources": [pair.ids[name]], "Transcode": target})
    ours = pair.cirrus.http.post("/tools/create-archive", body=request, headers=ZIP)
    assert ours.status_code == 200, ours.body[:300]
    if (name, target) in ORTHANC_CRASHES:
        return _archived(ours.body), None
    theirs = pair.orthanc.post("/tools/create-archive", data=request)
    assert theirs.status_code == 200
    return _archived(ours.body), _archived(theirs.content)


def _stored(pair: Pair, name: str) -> Any:
    answer = pair.cirrus.http.get(f"/instances/{pair.ids[name]}/file")
    return read(answer.body)


MATRIX = [
    (name, target) for name in [*PYDICOM_SOURCES, *GENERATED, YBR_NATIVE] for target in TARGETS
]


@pytest.mark.parametrize(("name", "target"), MATRIX)
def test_transcode_decides_and_writes_as_orthanc(pair: Pair, name: str, target: str) -> None:
    ours_bytes, theirs_bytes = _transcoded(pair, name, target)
    source, ours = _stored(pair, name), read(ours_bytes)
    syntax = str(ours.file_meta.TransferSyntaxUID)
    if theirs_bytes is None:  # Orthanc crashes; Cirrus writes a lossless file
        assert syntax == target
        assert np.array_equal(modality(ours), modality(source))
        return
    theirs = read(theirs_bytes)
    assert syntax == str(theirs.file_meta.TransferSyntaxUID)
    if syntax != target or str(source.file_meta.TransferSyntaxUID) == target:
        assert ours_bytes == source_bytes(pair, name)  # kept as stored, as Orthanc keeps it
        return
    lossy = target in LOSSY
    assert (ours.SOPInstanceUID != source.SOPInstanceUID) is lossy
    assert (theirs.SOPInstanceUID != source.SOPInstanceUID) is lossy
    if (name, target) in ORTHANC_UNREADABLE:
        assert np.abs(modality(ours) - modality(source)).max() <= (2 if lossy else 0)
        return
    difference = np.abs(modality(ours) - modality(theirs))
    if name in YBR_SOURCES and target in LOSSY:
        # Colour conversions (pydicom's, DCMTK's) of the source or of NEAR-bounded samples.
        assert difference.max() <= 12 and difference.mean() < 2.5
    elif target == JPEG_LS_NEAR:
        assert difference.max() <= 2 * 2
    elif lossy and "RescaleSlope" in source:
        # DCMTK requantizes through the file's own rescale: both as close to the source, within
        # one of its levels.
        error = np.abs(modality(ours) - modality(source)).max()
        slope = float(source.RescaleSlope)
        assert error <= np.abs(modality(theirs) - modality(source)).max() + slope
    else:
        assert difference.max() < 0.01


def source_bytes(pair: Pair, name: str) -> bytes:
    return bytes(pair.cirrus.http.get(f"/instances/{pair.ids[name]}/file").body)


READBACK = [
    ("s16 12 bits", LOSSLESS),
    ("s16 12 bits", JPEG_LS),
    ("s16 16 bits", LOSSLESS_SV1),
    ("u16 8 bits, 3 frames", LOSSLESS),
    ("u16 10 bits", EXTENDED),
    ("s16 11 bits, rescaled", EXTENDED),
    ("u16 16 bits", JPEG_LS_NEAR),
    ("MR_small_bigendian.dcm", JPEG_LS),
    ("examples_rgb_color.dcm", BASELINE),
    ("examples_rgb_color.dcm", JPEG_LS),
    ("SC_rgb_jpeg_dcmtk.dcm", LOSSLESS_SV1),
    ("JPEG-lossy.dcm", JPEG_LS_NEAR),
]


@pytest.mark.parametrize(("name", "target"), READBACK)
def test_orthanc_reads_what_cirrus_writes(
    pair: Pair, reader: OrthancServer, name: str, target: str
) -> None:
    """Cirrus's file, uploaded to an Orthanc: the same stored values as pydicom decodes (signed
    lossless JPEG is written sign-extended because DCMTK does not sign-extend it)."""
    written = _transcoded(pair, name, target)[0]
    stored = reader.upload(written)
    try:
        values = _numpy(reader.get(f"/instances/{stored['ID']}/numpy?rescale=0").content)
        expected = pydicom_values(read(written))
        assert np.array_equal(values.reshape(expected.shape), expected)
    finally:
        reader.delete(f"/instances/{stored['ID']}")


def pydicom_values(dataset: Any) -> np.ndarray:
    from chalicelib.dicom import codecs

    return codecs.decode(dataset)


@pytest.mark.parametrize(
    ("route", "target"),
    [
        ("/studies/{study}/archive", LOSSLESS_SV1),
        ("/series/{series}/media", JPEG_LS),
        ("/patients/{patient}/archive", BASELINE),
    ],
)
def test_get_transcode_routes_write_what_orthanc_writes(
    pair: Pair, route: str, target: str
) -> None:
    instance = pair.orthanc.get_json(f"/instances/{pair.ids['u8']}")
    series = pair.orthanc.get_json(f"/series/{instance['ParentSeries']}")
    ids = {"series": series["ID"], "study": series["ParentStudy"]}
    ids["patient"] = pair.orthanc.get_json(f"/studies/{ids['study']}")["ParentPatient"]
    path = route.format(**ids) + f"?transcode={target}"
    ours = pair.cirrus.http.get(path, headers=ZIP)
    theirs = pair.orthanc.get(path)
    assert ours.status_code == theirs.status_code == 200
    with (
        zipfile.ZipFile(io.BytesIO(ours.body)) as mine,
        zipfile.ZipFile(io.BytesIO(theirs.content)) as expected,
    ):
        assert mine.namelist() == expected.namelist()
        for entry in mine.namelist():
            if entry == "DICOMDIR":
                continue
            syntaxes = [
                str(read(archive.read(entry)).file_meta.TransferSyntaxUID)
                for archive in (mine, expected)
            ]
            assert syntaxes[0] == syntaxes[1]


def test_an_unknown_transcode_is_still_orthancs_400(pair: Pair) -> None:
    path = f"/instances/{pair.ids['u8']}"
    series = pair.orthanc.get_json(path)["ParentSeries"]
    ours = pair.cirrus.http.get(f"/series/{series}/archive?transcode=nope")
    theirs = pair.orthanc.get(f"/series/{series}/archive?transcode=nope")
    assert ours.status_code == theirs.status_code == 400
    answer, expected = json.loads(ours.body), theirs.json()
    assert answer["OrthancStatus"] == expected["OrthancStatus"]
    assert answer["Details"] == expected["Details"]
