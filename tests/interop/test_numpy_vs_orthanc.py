"""Differential tests of the NumPy routes and of ``/series/{id}/ordered-slices``: the same
files in Orthanc 1.10.1 and in Cirrus (in-process, on moto), arrays loaded with numpy and
compared (dtype, shape, values), ordered slices compared as JSON.

One known difference is allowed: Orthanc 1.10.1 floors every rescaled float (fixed in
Orthanc 1.11.0), Cirrus keeps the exact ``slope * value + intercept``; so a float32 answer
of Orthanc must equal the floor of Cirrus's."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pydicom
import pytest
import requests
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid

from tests.conftest import chalice_client, moto_storage
from tests.interop.test_images_vs_orthanc import Pair
from tests.support.dicom_factory import make_instance, set_raw, to_file
from tests.support.orthanc_server import OrthancServer

FILES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_RLE.dcm",
    "MR_small_padded.dcm",
    "SC_rgb_rle_2frame.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "SC_rgb_small_odd.dcm",
    "examples_palette.dcm",
    "examples_overlay.dcm",
    "examples_ybr_color.dcm",  # 30 frames: Cirrus answers through S3 (307)
    "image_dfl.dcm",
    "liver_1frame.dcm",  # 1-bit segmentation
]
# Lossy JPEG in YCbCr: libjpeg (Orthanc) and Cirrus's decoder round the colour conversion
# differently, by up to 3 levels on 2% of the samples.
LEVELS = {"examples_ybr_color.dcm": 3}
# These three share a series and InstanceNumber 1: Orthanc keeps such ties in arrival order,
# Cirrus in ID order (docs/compatibility.md).
TIED = {"SC_rgb_rle_2frame.dcm", "SC_rgb_jpeg_dcmtk.dcm", "SC_rgb_small_odd.dcm"}
SIZE = 16
AXIAL = [1, 0, 0, 0, 1, 0]
FLIPPED = [1, 0, 0, 0, -1, 0]
TILTED = [1, 0, 0, 0, 0.8944272, -0.4472136]


def _pixels(seed: int, frames: int = 1, signed: bool = False) -> bytes:
    count = SIZE * SIZE * frames
    values = np.random.default_rng(seed).integers(-2000 if signed else 0, 4000, count)
    return values.astype("<i2" if signed else "<u2").tobytes()


def _edited(edit: Callable[[Dataset], None], **tags: Any) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_instance(size=SIZE, PixelData=_pixels(1), **tags)))
    edit(ds)
    return to_file(ds)


def _per_frame_rescale(ds: Dataset) -> None:
    """Three frames, each with its own rescale in the functional groups only."""
    ds.NumberOfFrames = 3
    ds.PixelData = _pixels(2, frames=3)
    groups = []
    for k in range(3):
        transform = Dataset()
        transform.RescaleSlope, transform.RescaleIntercept = str(k + 0.5), str(-10 * k)
        group = Dataset()
        group.PixelValueTransformationSequence = Sequence([transform])
        groups.append(group)
    ds.PerFrameFunctionalGroupsSequence = Sequence(groups)


def _bad_slope(ds: Dataset) -> None:
    set_raw(ds, 0x00281053, "DS", b"abc ")


GENERATED = {
    "per-frame rescale": lambda: _edited(_per_frame_rescale),
    "slope alone": lambda: _edited(lambda ds: None, RescaleSlope="3"),
    "unreadable slope": lambda: _edited(_bad_slope, RescaleIntercept="5"),
    "signed, fractional rescale": lambda: _edited(
        lambda ds: setattr(ds, "PixelData", _pixels(3, signed=True)),
        PixelRepresentation=1,
        RescaleSlope="0.1",
        RescaleIntercept="1.7",
    ),
}


def _slice(study: str, series: str, k: int, number: int | None = None, **tags: Any) -> bytes:
    """One generated slice with its own pixels; ``number=None`` drops InstanceNumber."""
    data = make_instance(
        study_uid=study,
        series_uid=series,
        instance_number=number or 0,
        size=SIZE,
        PixelData=_pixels(100 + k, signed=tags.get("PixelRepresentation") == 1),
        **tags,
    )
    if number is not None:
        return data
    ds = pydicom.dcmread(io.BytesIO(data))
    del ds.InstanceNumber
    return to_file(ds)


def _at(z: float, orientation: list[float] | None = AXIAL) -> dict[str, Any]:
    tags: dict[str, Any] = {"ImagePositionPatient": [0, 0.5 * z, z]}
    if orientation is not None:
        tags["ImageOrientationPatient"] = orientation
    return tags


def _multi_frame(study: str, series: str, k: int, z: float) -> bytes:
    def frames(ds: Dataset) -> None:
        ds.NumberOfFrames = 3
        ds.PixelData = _pixels(200 + k, frames=3)

    return _edited(frames, study_uid=study, series_uid=series, instance_number=k, **_at(z))


def _series_files(study: str) -> dict[str, list[bytes]]:
    """Series that exercise each ordering rule; a fresh SeriesInstanceUID per series."""

    def uid() -> str:
        return generate_uid()

    s = {name: uid() for name in SERIES_OK + SERIES_REFUSED}
    volume = [(3.0, 10), (1.0, 9), (2.0, 8), (0.0, 7), (5.5, 6)]
    return {
        "volume": [
            _slice(
                study,
                s["volume"],
                k,
                n,
                RescaleSlope="2.5",
                RescaleIntercept="-1024",
                **_at(z, TILTED),
            )
            for k, (z, n) in enumerate(volume)
        ],
        "opposite normals": [
            _slice(study, s["opposite normals"], k, n, **_at(z, o))
            for k, (z, n, o) in enumerate([(2, 1, AXIAL), (1, 2, FLIPPED), (3, 3, AXIAL)])
        ],
        "orientation missing later": [
            _slice(study, s["orientation missing later"], k, n, **_at(z, o))
            for k, (z, n, o) in enumerate([(2, 1, AXIAL), (1, 2, None), (3, 3, AXIAL)])
        ],
        "orientation missing first": [
            _slice(study, s["orientation missing first"], k, n, **_at(z, o))
            for k, (z, n, o) in enumerate([(2, 1, None), (1, 3, AXIAL), (3, 2, AXIAL)])
        ],
        "too close": [
            _slice(study, s["too close"], k, n, **_at(z))
            for k, (z, n) in enumerate([(1.0, 2), (1.0000005, 1), (2.0, 3)])
        ],
        "close enough": [
            _slice(study, s["close enough"], k, n, **_at(z))
            for k, (z, n) in enumerate([(1.0, 2), (1.00001, 1), (2.0, 3)])
        ],
        "sequence": [_slice(study, s["sequence"], k, n) for k, n in enumerate([3, 1, 2])],
        "negative numbers": [
            _slice(study, s["negative numbers"], k, n) for k, n in enumerate([-1, 2, 0, -3])
        ],
        "no frame": [
            _slice(study, s["no frame"], 0, 1, NumberOfFrames="0"),
            _slice(study, s["no frame"], 1, 2),
        ],
        "multi-frame": [_multi_frame(study, s["multi-frame"], k, z) for k, z in ((1, 4), (2, 1))],
        "image index": [
            _slice(study, s["image index"], k, None, ImageIndex=i) for k, i in enumerate([5, 2, 9])
        ],
        "no index": [_slice(study, s["no index"], k, None) for k in range(2)],
        "mixed sizes": [
            make_instance(study_uid=study, series_uid=s["mixed sizes"], instance_number=k, size=n)
            for k, n in ((1, 4), (2, 8))
        ],
        "mixed formats": [
            _slice(study, s["mixed formats"], 1, 1),
            _slice(study, s["mixed formats"], 2, 2, PixelRepresentation=1),
        ],
    }


SERIES_OK = [
    "volume",
    "opposite normals",
    "orientation missing later",
    "orientation missing first",
    "too close",
    "close enough",
    "sequence",
    "negative numbers",
    "no frame",
    "multi-frame",
    "image index",
]
# Orthanc answers 500 with these OrthancStatus codes; Cirrus 400 with the same codes.
SERIES_REFUSED = ["no index", "mixed sizes", "mixed formats"]


class NumpyPair(Pair):
    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
        """Both answers; Cirrus's large ones are fetched from their presigned URL."""
        theirs, (status, body) = super().get(path, headers)
        if status == 307:
            location = self.cirrus.http.get(path).headers["Location"]
            fetched = requests.get(location, timeout=30)
            status, body = fetched.status_code, fetched.content
        return theirs, (status, body)

    def series_id(self, instance_id: str) -> str:
        return self.orthanc.get_json(f"/instances/{instance_id}/series")["ID"]


@pytest.fixture(scope="module")
def pair() -> Iterator[NumpyPair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        pair = NumpyPair(orthanc, cirrus)
        for name in FILES:
            pair.upload(name)
        for name, make in GENERATED.items():
            pair.upload(name, make())
        for name, files in _series_files(generate_uid()).items():
            for data in files:
                pair.ids[name] = pair.series_id(pair.upload(name, data))
        yield pair


def array_of(data: bytes) -> np.ndarray:
    loaded = np.load(io.BytesIO(data), allow_pickle=False)
    return loaded["arr_0"] if isinstance(loaded, np.lib.npyio.NpzFile) else loaded


def _same_array(pair: NumpyPair, path: str, levels: int = 0) -> np.ndarray:
    theirs, ours = pair.get(path)
    assert ours[0] == theirs[0] == 200, (path, ours[1][:300])
    expected, actual = array_of(theirs[1]), array_of(ours[1])
    assert actual.dtype == expected.dtype, path
    assert actual.shape == expected.shape, path
    if actual.dtype == np.float32:  # Orthanc 1.10.1 floors the rescaled values
        actual = np.floor(actual)
    difference = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    assert difference.max(initial=0) <= levels, path
    return actual


@pytest.mark.parametrize("query", ["", "?rescale=0", "?compress=1", "?rescale=false&compress"])
@pytest.mark.parametrize("name", FILES + list(GENERATED))
def test_instance_arrays_match(pair: NumpyPair, name: str, query: str) -> None:
    _same_array(pair, f"/instances/{pair.ids[name]}/numpy{query}", LEVELS.get(name, 0))


def test_fractional_rescale_is_exact_in_cirrus(pair: NumpyPair) -> None:
    instance = pair.ids["signed, fractional rescale"]
    _, (_, stored) = pair.get(f"/instances/{instance}/numpy?rescale=0")
    _, (_, rescaled) = pair.get(f"/instances/{instance}/numpy")
    expected = np.float32(0.1) * array_of(stored).astype(np.float32) + np.float32(1.7)
    assert np.array_equal(array_of(rescaled), expected)


@pytest.mark.parametrize("name", ["CT_small.dcm", "SC_rgb_rle_2frame.dcm", "per-frame rescale"])
def test_frame_arrays_match(pair: NumpyPair, name: str) -> None:
    frames = json.loads(pair.get(f"/instances/{pair.ids[name]}/frames")[1][1])
    for frame in frames:
        array = _same_array(pair, f"/instances/{pair.ids[name]}/frames/{frame}/numpy")
        assert array.ndim == 3


@pytest.mark.parametrize("query", ["", "?rescale=0", "?compress=true"])
@pytest.mark.parametrize("name", SERIES_OK)
def test_series_arrays_match(pair: NumpyPair, name: str, query: str) -> None:
    array = _same_array(pair, f"/series/{pair.ids[name]}/numpy{query}")
    assert array.ndim == 4


@pytest.mark.parametrize("name", SERIES_OK)
def test_ordered_slices_match(pair: NumpyPair, name: str) -> None:
    theirs, ours = pair.get(f"/series/{pair.ids[name]}/ordered-slices")
    assert ours[0] == theirs[0] == 200
    assert json.loads(ours[1]) == json.loads(theirs[1])


def test_kinds_of_the_generated_series(pair: NumpyPair) -> None:
    kinds = {
        name: json.loads(pair.get(f"/series/{pair.ids[name]}/ordered-slices")[1][1])["Type"]
        for name in SERIES_OK
    }
    volumes = {"volume", "opposite normals", "orientation missing later", "close enough"}
    assert {name for name, kind in kinds.items() if kind == "Volume"} == volumes | {"multi-frame"}


def test_series_array_stacks_the_ordered_slices(pair: NumpyPair) -> None:
    series = pair.ids["volume"]
    slices = json.loads(pair.get(f"/series/{series}/ordered-slices")[1][1])["SlicesShort"]
    parts = [array_of(pair.get(f"/instances/{i}/numpy")[1][1]) for i, _, _ in slices]
    assert np.array_equal(
        array_of(pair.get(f"/series/{series}/numpy")[1][1]), np.concatenate(parts)
    )


def test_ordered_slices_of_pydicom_files_match(pair: NumpyPair) -> None:
    for name in FILES:
        series = pair.series_id(pair.ids[name])
        theirs, ours = (json.loads(a[1]) for a in pair.get(f"/series/{series}/ordered-slices"))
        if name in TIED:
            assert ours["Type"] == theirs["Type"]
            assert sorted(ours["SlicesShort"]) == sorted(theirs["SlicesShort"])
        else:
            assert ours == theirs, name


@pytest.mark.parametrize(
    ("name", "paths", "code"),
    [
        ("no index", ["ordered-slices", "numpy"], 2040),
        ("mixed sizes", ["numpy"], 24),
        ("mixed formats", ["numpy", "numpy?rescale=0"], 23),
    ],
)
def test_refused_series_have_orthancs_error_code(
    pair: NumpyPair, name: str, paths: list[str], code: int
) -> None:
    """Orthanc answers 500 for these; Cirrus 400 with the same OrthancStatus."""
    for path in paths:
        theirs, ours = pair.get(f"/series/{pair.ids[name]}/{path}")
        assert (theirs[0], ours[0]) == (500, 400), path
        statuses = [json.loads(answer[1])["OrthancStatus"] for answer in (theirs, ours)]
        assert statuses == [code, code], path


@pytest.mark.parametrize(
    "path",
    [
        "/instances/{ct}/numpy?compress=yes",
        "/instances/{ct}/numpy?rescale=2",
        "/instances/{ct}/frames/1/numpy",
        "/instances/{ct}/frames/x/numpy",
        "/instances/{ct}/frames/-0/numpy",
        "/instances/{ct}/frames/4294967296/numpy",
        "/instances/nope/numpy?compress=yes",
    ],
)
def test_bad_options_are_400(pair: NumpyPair, path: str) -> None:
    theirs, ours = pair.get(path.format(ct=pair.ids["CT_small.dcm"]))
    assert ours[0] == theirs[0] == 400
    assert json.loads(ours[1])["HttpStatus"] == 400


def test_frame_number_is_parsed_as_orthanc_does(pair: NumpyPair) -> None:
    _same_array(pair, f"/instances/{pair.ids['CT_small.dcm']}/frames/+0/numpy")


def test_unknown_resources_are_404(pair: NumpyPair) -> None:
    for path in ("/series/nope/numpy", "/series/nope/ordered-slices", "/instances/nope/numpy"):
        theirs, ours = pair.get(path)
        assert ours[0] == theirs[0] == 404, path


def test_content_type(pair: NumpyPair) -> None:
    for query in ("", "?compress"):
        path = f"/instances/{pair.ids['CT_small.dcm']}/numpy{query}"
        theirs = pair.orthanc.get(path).headers["Content-Type"]
        assert pair.cirrus.http.get(path).headers["Content-Type"] == theirs
