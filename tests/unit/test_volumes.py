"""Frames to NumPy arrays (chalicelib/dicom/volumes.py) and the series stacking of
chalicelib/services/downloads/volumes.py, without AWS; the answers themselves are compared with
Orthanc 1.10.1 in tests/interop/test_numpy_vs_orthanc.py."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from chalicelib.api.error_map import http_status
from chalicelib.dicom import pixels, volumes
from chalicelib.dicom.identifiers import Level
from chalicelib.errors import ErrorCode, OrthancError
from chalicelib.model import ChildLink, Resource
from chalicelib.services.downloads.volumes import VolumeService
from tests.support.dicom_factory import make_instance

GREY = np.arange(16, dtype="<u2").reshape(4, 4)


def dataset(frames: int = 1, **tags: Any) -> Dataset:
    pixel_data = np.tile(GREY, (frames, 1)).tobytes()
    ds = pydicom.dcmread(io.BytesIO(make_instance(size=4, PixelData=pixel_data, **tags)))
    if frames > 1:
        ds.NumberOfFrames = frames
    return ds


def transform(slope: str, intercept: str) -> Dataset:
    item = Dataset()
    item.RescaleSlope, item.RescaleIntercept = slope, intercept
    group = Dataset()
    group.PixelValueTransformationSequence = Sequence([item])
    return group


def test_rescale_needs_both_values_at_the_top_level() -> None:
    assert volumes.rescale_of(dataset(RescaleSlope="2", RescaleIntercept="-3"), 0) == (2, -3)
    assert volumes.rescale_of(dataset(RescaleSlope="2"), 0) == (1, 0)
    assert volumes.rescale_of(dataset(RescaleIntercept="5"), 0) == (1, 0)


def test_rescale_falls_back_to_the_frames_functional_group() -> None:
    ds = dataset(frames=2)
    ds.PerFrameFunctionalGroupsSequence = Sequence([transform("1", "0"), transform("4", "7")])
    assert volumes.rescale_of(ds, 1) == (4, 7)
    assert volumes.rescale_of(ds, 5) == (1, 0)


def test_an_rt_dose_is_not_rescaled() -> None:
    ds = dataset(RescaleSlope="2", RescaleIntercept="1")
    ds.SOPClassUID = volumes.RT_DOSE_STORAGE
    assert volumes.rescale_of(ds, 0) == (1, 0)


def test_grey_frames_are_rescaled_in_single_precision() -> None:
    array, pixel_format = volumes.frame(
        dataset(RescaleSlope="0.1", RescaleIntercept="1.7"), 0, True
    )
    expected = np.float32(0.1) * GREY.astype(np.float32) + np.float32(1.7)
    assert array.dtype == np.float32 and array.shape == (4, 4, 1)
    assert np.array_equal(array[:, :, 0], expected)
    assert pixel_format == "<u2x1"


def test_without_rescale_the_stored_integers_are_kept() -> None:
    array, _ = volumes.frame(dataset(RescaleSlope="3", RescaleIntercept="1"), 0, False)
    assert array.dtype == np.uint16 and np.array_equal(array[:, :, 0], GREY)


def test_colour_is_never_rescaled() -> None:
    ds = dataset(RescaleSlope="3", RescaleIntercept="1")
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelData = bytes(range(48))
    array, pixel_format = volumes.frame(ds, 0, True)
    assert array.dtype == np.uint8 and array.shape == (4, 4, 3) and pixel_format == "|u1x3"
    assert volumes.frame_shape(ds) == (4, 4, 3)


def test_one_bit_images_are_0_or_255() -> None:
    ds = dataset()
    ds.BitsAllocated = ds.BitsStored = 1
    ds.HighBit = 0
    ds.PixelData = bytes([0b10100101, 0xFF])
    array, _ = volumes.frame(ds, 0, False)
    assert array.dtype == np.uint8
    assert array[:, :, 0].ravel().tolist() == [255, 0, 255, 0, 0, 255, 0, 255] + [255] * 8


def _frames(*items: tuple[tuple[int, ...], str]) -> list[tuple[np.ndarray, str]]:
    return [(np.zeros(shape, dtype=np.float32), fmt) for shape, fmt in items]


def _loaded(chunks: Any) -> np.ndarray:
    return np.load(io.BytesIO(b"".join(chunks)))


def test_npy_chunks_are_the_stacked_array_and_check_sizes_then_formats() -> None:
    frames = [(np.full((4, 4, 1), k, dtype=np.float32), "a") for k in range(2)]
    out = _loaded(volumes.npy_chunks(frames, 2, (4, 4, 1)))
    assert out.shape == (2, 4, 4, 1) and out.dtype == np.float32
    assert out[:, 0, 0, 0].tolist() == [0, 1]
    single = _loaded(volumes.npy_chunks(frames[:1], 1, (4, 4, 1), stacked=False))
    assert single.shape == (4, 4, 1)
    cases = {
        ErrorCode.INCOMPATIBLE_IMAGE_SIZE: _frames(((4, 4, 1), "a"), ((4, 5, 1), "b")),
        ErrorCode.INCOMPATIBLE_IMAGE_FORMAT: _frames(((4, 4, 1), "a"), ((4, 4, 3), "b")),
    }
    for code, frames in cases.items():
        with pytest.raises(OrthancError) as error:
            list(volumes.npy_chunks(frames, 2, (4, 4, 1)))
        assert error.value.code is code


def test_npy_chunks_refuse_a_count_that_does_not_match() -> None:
    for frames, count in (
        (_frames(((4, 4, 1), "a")), 2),
        ([], 1),
        (_frames(*[((4, 4, 1), "a")] * 2), 1),
    ):
        with pytest.raises(OrthancError) as error:
            list(volumes.npy_chunks(frames, count, (4, 4, 1)))
        assert http_status(error.value) == 415


def test_memory_bound_counts_the_file_twice_and_one_frame() -> None:
    ds = dataset(RescaleSlope="2", RescaleIntercept="0")
    # 16 samples of 16 bits: 3 x 2 bytes decoded, 12 rescaling, 4 in the download buffer.
    assert volumes.frame_memory(ds, True) == 16 * 22
    assert volumes.frame_memory(ds, False) == 16 * 10
    volumes.check_memory(100, 16 * 22, 200 + 16 * 22)
    with pytest.raises(OrthancError) as error:
        volumes.check_memory(101, 16 * 22, 200 + 16 * 22)
    assert http_status(error.value) == 400


def test_npy_and_npz_chunks() -> None:
    array = np.arange(24, dtype=np.float32).reshape(1, 2, 4, 3)
    saved = io.BytesIO()
    np.save(saved, array, allow_pickle=False)
    npy = b"".join(volumes.npy_chunks([(array[0], "f")], 1, (2, 4, 3)))
    assert npy == saved.getvalue()  # the bytes numpy.save writes
    packed = b"".join(volumes.npz_chunks(iter([npy[:10], npy[10:]])))
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        assert [(i.filename, i.compress_type) for i in archive.infolist()] == [
            ("arr_0", zipfile.ZIP_DEFLATED)
        ]
    assert np.array_equal(np.load(io.BytesIO(packed))["arr_0"], array)


# -- the service, over fakes of the index and the storage --------------------------------


class _Fakes:
    """The index, browsing and content services a VolumeService reads, in memory."""

    def __init__(self, instances: dict[str, tuple[dict[str, str], Dataset]]) -> None:
        self.series = Resource(
            "s", Level.SERIES, "st", {"ImageOrientationPatient": "1\\0\\0\\0\\1\\0"}, ""
        )
        self.records = {
            i: Resource(i, Level.INSTANCE, "s", tags, "", metadata={"IndexInSeries": i})
            for i, (tags, _) in instances.items()
        }
        self.datasets = {i: ds for i, (_, ds) in instances.items()}
        for i, record in self.records.items():
            record.file_size = len(self.datasets[i].PixelData)
        self.read: list[str] = []

    def load(self, level: Level, series_id: str) -> tuple[Resource, list[ChildLink]]:
        return self.series, [ChildLink("s", i, Level.INSTANCE) for i in self.records]

    def get_many(self, ids: Any) -> dict[str, Resource]:
        return {i: self.records[i] for i in ids}

    def dataset_of(self, record: Resource) -> Dataset:
        self.read.append(record.id)
        return self.datasets[record.id]


def _service(
    instances: dict[str, tuple[dict[str, str], Dataset]], memory: int = 1 << 30
) -> tuple[VolumeService, _Fakes]:
    fakes = _Fakes(instances)
    return VolumeService(fakes, fakes, fakes, memory), fakes  # type: ignore[arg-type]


def test_series_array_follows_the_ordered_slices_and_reads_each_file_once() -> None:
    positions = {"1": 3.0, "2": 1.0, "3": 2.0}
    service, fakes = _service(
        {
            i: (
                {"ImagePositionPatient": f"0\\0\\{z}"},
                dataset(RescaleSlope=i, RescaleIntercept="0"),
            )
            for i, z in positions.items()
        }
    )
    array = _loaded(service.series_npy("s", True, False))
    assert fakes.read == ["2", "3", "1"]
    assert [int(array[k, 0, 1, 0]) for k in range(3)] == [2, 3, 1]


def test_a_frame_too_large_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_decoding(*args: object) -> None:
        raise AssertionError("decoded")

    monkeypatch.setattr(pixels, "decode_frame", no_decoding)
    # The 6-frame file (192 bytes) fits twice, a frame's 352 bytes of decoding do not.
    service, fakes = _service({"1": ({"NumberOfFrames": "6"}, dataset(frames=6))}, 2 * 192 + 351)
    with pytest.raises(OrthancError) as error:
        service.series_npy("s", True, False)
    assert http_status(error.value) == 400 and "memory" in error.value.details
    assert fakes.read == ["1"]  # only the first file, for its geometry


def test_a_file_too_large_is_not_read() -> None:
    service, fakes = _service({"1": ({}, dataset(frames=6))}, 2 * 192 - 1)
    with pytest.raises(OrthancError) as error:
        service.series_npy("s", True, False)
    assert http_status(error.value) == 400 and fakes.read == []


def test_a_series_streams_one_frame_at_a_time() -> None:
    """64 slices of 128 x 128 (4 MiB as float32): the chunks are consumed as they come, so
    the answer never holds more than about a slice, where stacking held the whole array."""
    import tracemalloc

    grey = np.arange(128 * 128, dtype="<u2").tobytes()
    instances = {
        f"{k:02}": (
            {"ImagePositionPatient": f"0\\0\\{k}"},
            pydicom.dcmread(io.BytesIO(make_instance(size=128, PixelData=grey))),
        )
        for k in range(64)
    }
    service, _ = _service(instances)
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in service.series_npy("s", True, False))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total > 64 * 128 * 128 * 4
    assert peak < 16 * 128 * 128 * 4, peak
