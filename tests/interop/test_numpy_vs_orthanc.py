"""Differential tests of the NumPy routes and of ``/series/{id}/ordered-slices``: the same
files in Orthanc 1.10.1 and in Cirrus (in-process, on moto), arrays loaded with numpy and
compared (dtype, shape, values)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import numpy as np
import pytest
from pydicom.uid import generate_uid

from tests.conftest import chalice_client, moto_storage
from tests.interop.test_images_vs_orthanc import Pair
from tests.support.dicom_factory import make_instance
from tests.support.orthanc_server import OrthancServer

FILES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_RLE.dcm",
    "SC_rgb_rle_2frame.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
]
TILTED = [1, 0, 0, 0, 0.8944272, -0.4472136]


def array_of(data: bytes) -> np.ndarray:
    loaded = np.load(io.BytesIO(data), allow_pickle=False)
    return loaded["arr_0"] if isinstance(loaded, np.lib.npyio.NpzFile) else loaded


def _series(pair: Pair, name: str, datasets: list[bytes]) -> None:
    """Upload a generated series to both; its ID is recorded under ``name``."""
    for data in datasets:
        theirs = pair.orthanc.upload(data)
        assert pair.cirrus.http.post("/instances", body=data).status_code == 200
    pair.ids[name] = pair.orthanc.get_json(f"/instances/{theirs['ID']}/series")["ID"]


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with OrthancServer() as orthanc, moto_storage(), chalice_client() as cirrus:
        pair = Pair(orthanc, cirrus)
        for name in FILES:
            pair.upload(name)
        study = generate_uid()
        volume = generate_uid()
        _series(
            pair,
            "volume",
            [
                make_instance(
                    patient_id="NUMPY",
                    study_uid=study,
                    series_uid=volume,
                    instance_number=10 - k,
                    size=6,
                    ImagePositionPatient=[0, 0.5 * z, z],
                    ImageOrientationPatient=TILTED,
                    RescaleSlope="2.5",
                    RescaleIntercept="-1024",
                )
                for k, z in enumerate([3.0, 1.0, 2.0, 0.0, 5.5])
            ],
        )
        sequence = generate_uid()
        _series(
            pair,
            "sequence",
            [
                make_instance(study_uid=study, series_uid=sequence, instance_number=k, size=6)
                for k in (3, 1, 2)
            ],
        )
        mixed = generate_uid()
        _series(
            pair,
            "mixed sizes",
            [
                make_instance(study_uid=study, series_uid=mixed, instance_number=k, size=size)
                for k, size in ((1, 4), (2, 8))
            ],
        )
        yield pair


def _same_array(pair: Pair, path: str) -> np.ndarray:
    theirs, ours = pair.get(path)
    assert ours[0] == theirs[0] == 200, (path, ours[1][:300])
    expected, actual = array_of(theirs[1]), array_of(ours[1])
    assert actual.dtype == expected.dtype, path
    assert actual.shape == expected.shape, path
    assert np.allclose(actual, expected, rtol=1e-6, atol=0), path
    return actual


@pytest.mark.parametrize("query", ["", "?rescale=0", "?compress=1", "?rescale=false&compress"])
@pytest.mark.parametrize("name", FILES)
def test_instance_arrays_match(pair: Pair, name: str, query: str) -> None:
    _same_array(pair, f"/instances/{pair.ids[name]}/numpy{query}")


@pytest.mark.parametrize("name", ["CT_small.dcm", "SC_rgb_rle_2frame.dcm"])
def test_frame_arrays_match(pair: Pair, name: str) -> None:
    frames = json.loads(pair.get(f"/instances/{pair.ids[name]}/frames")[1][1])
    for frame in frames:
        array = _same_array(pair, f"/instances/{pair.ids[name]}/frames/{frame}/numpy")
        assert array.ndim == 3


@pytest.mark.parametrize("query", ["", "?rescale=0", "?compress=true"])
@pytest.mark.parametrize("name", ["volume", "sequence"])
def test_series_arrays_match(pair: Pair, name: str, query: str) -> None:
    array = _same_array(pair, f"/series/{pair.ids[name]}/numpy{query}")
    assert array.shape[0] == {"volume": 5, "sequence": 3}[name]


@pytest.mark.parametrize("name", ["volume", "sequence"])
def test_ordered_slices_match(pair: Pair, name: str) -> None:
    theirs, ours = pair.get(f"/series/{pair.ids[name]}/ordered-slices")
    assert ours[0] == theirs[0] == 200
    assert json.loads(ours[1]) == json.loads(theirs[1])


def test_ordered_slices_of_pydicom_files_match(pair: Pair) -> None:
    for name in FILES:
        series = pair.orthanc.get_json(f"/instances/{pair.ids[name]}/series")["ID"]
        theirs, ours = pair.get(f"/series/{series}/ordered-slices")
        assert json.loads(ours[1]) == json.loads(theirs[1]), name


@pytest.mark.parametrize(
    "path",
    [
        "/instances/{ct}/numpy?compress=yes",
        "/instances/{ct}/numpy?rescale=2",
        "/instances/{ct}/frames/1/numpy",
        "/instances/{ct}/frames/x/numpy",
    ],
)
def test_bad_options_are_400(pair: Pair, path: str) -> None:
    theirs, ours = pair.get(path.format(ct=pair.ids["CT_small.dcm"]))
    assert ours[0] == theirs[0] == 400
    assert json.loads(ours[1])["HttpStatus"] == 400


def test_unknown_resources_are_404(pair: Pair) -> None:
    for path in ("/series/nope/numpy", "/series/nope/ordered-slices", "/instances/nope/numpy"):
        theirs, ours = pair.get(path)
        assert ours[0] == theirs[0] == 404, path


def test_mixed_sizes_are_refused_with_orthancs_error_code(pair: Pair) -> None:
    """Orthanc answers 500 for this; Cirrus 400 with the same OrthancStatus."""
    theirs, ours = pair.get(f"/series/{pair.ids['mixed sizes']}/numpy")
    assert theirs[0] == 500
    assert ours[0] == 400
    assert json.loads(ours[1])["OrthancStatus"] == json.loads(theirs[1])["OrthancStatus"] == 24
